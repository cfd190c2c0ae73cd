"""Sweep the blend's parameters and the relevance floor on the lay question set; print the best.

Scores every question's candidates once, then tries each setting in memory. A setting counts
only if no off-topic question gets an answer; among those, the best hit@3 + MRR wins.

EVIDENCE_DATABASE_URL=sqlite:////tmp/quality.db python -m tests.benchmarks.tune_ranking [--floor 0.35]

--floor keeps the relevance floor fixed, to find each embedder's blend for one shared floor.
"""

import argparse
import itertools

import numpy as np

from app.config import Settings
from app.db import create_db_engine
from app.services.ranking import question_ranker
from app.services.search import text_search_for
from tests.retrieval_quality import RANK_DEPTH, question_set

WEIGHTS = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
CUTS = [x / 20 for x in range(20)]  # on every embedder's cosine scale; unrelated < related among these
FLOORS = np.array([x / 100 for x in range(5, 71)])


def dense(similarity: np.ndarray, unrelated: float, related: float) -> np.ndarray:
    """Blend.score's dense part, for arrays."""
    middle, spread = (unrelated + related) / 2, (related - unrelated) / 4
    return 1.0 / (1.0 + np.exp(-(similarity - middle) / spread))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--floor", type=float, help="try only this relevance floor")
    floors = np.array([parser.parse_args().floor]) if parser.parse_args().floor is not None else FLOORS
    settings = Settings()
    engine = create_db_engine(settings.database_url)
    ranker = question_ranker(text_search_for(engine), settings)
    questions = question_set()
    with engine.connect() as conn:
        view = ranker.corpus.view(conn)

        def arrays(text: str, accept: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            found = [f for f in ranker.features(conn, text, view) if f.claim_id in view.vetted]
            lexical = np.array([f.lexical for f in found])
            similarity = np.array([f.similarity for f in found])
            return lexical, similarity, np.array([f.claim_id in accept for f in found], dtype=bool)

        answerable = [arrays(item["q"], item["accept"]) for item in questions["answerable"]]
        off_topic = [arrays(text, []) for text in questions["off_topic"]]
    engine.dispose()
    results = []
    cuts = [(low, high) for low, high in itertools.product(CUTS, CUTS) if high > low]
    for weight, (unrelated, related) in itertools.product(WEIGHTS, cuts):
        hit, reciprocal = np.zeros(len(floors)), np.zeros(len(floors))
        for lexical, similarity, accept in answerable:
            score = weight * dense(similarity, unrelated, related) + (1 - weight) * lexical
            best = score[accept].max() if accept.any() else -1.0
            rank = 1 + int((score > best).sum())
            shown = (best >= floors) & (rank <= RANK_DEPTH)
            hit += shown & (rank <= 3)
            reciprocal += shown / rank
        top = [(weight * dense(s, unrelated, related) + (1 - weight) * lex).max(initial=0.0) for lex, s, _ in off_topic]
        silent = floors > max(top)
        for i in np.flatnonzero(silent):
            results.append((hit[i] + reciprocal[i], hit[i], reciprocal[i], weight, unrelated, related, floors[i]))
    n = len(answerable)
    print(f"model {ranker.embedder.name}; best settings answering no off-topic question:")
    for _, hit, reciprocal, weight, unrelated, related, floor in sorted(results, reverse=True)[:12]:
        print(
            f"  dense_weight {weight:.2f} unrelated {unrelated:.2f} related {related:.2f} floor {floor:.2f}: "
            f"hit@3 {hit / n:.3f} MRR {reciprocal / n:.3f}"
        )


if __name__ == "__main__":
    main()
