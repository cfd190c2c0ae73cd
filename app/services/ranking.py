"""Ranking a chatbot's question against every claim: full text and dense vectors, blended.

Both parts are on absolute scales, so a score means the same thing for every question:
- lexical: the share of the question's weight (each word group weighted by its rarity in the
  corpus, unknown words weighing most) found in what a claim is about (statement, snippet, topic);
- dense: the cosine similarity of question and claim embeddings, mapped linearly from the
  embedder's calibrated range (unrelated .. clearly related) onto 0..1.
The blend is their weighted mean, in 0..1. Rank fusion (RRF) would rank as well but gives
every question's best claim the same score, which is what the relevance floor cannot use.
"""

import math
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from app.config import Settings
from app.domain.query import Query, parse_query
from app.domain.synonyms import expand
from app.services.corpus import Corpus, CorpusView
from app.services.embedders import Embedder, load_embedder
from app.services.search import TextSearch

COMMON_SHARE = 0.5  # a word group in more than this share of claims ranks nothing in a question
RANKED_CANDIDATES = 500  # claims with the best lexical score kept per question; bounds work when words are everywhere
DENSE_CANDIDATES = 200  # nearest claims by embedding scored per question


@dataclass(frozen=True)
class Blend:
    """How the two parts combine for one embedder, tuned on tests/data/lay_questions.yaml (tune_ranking.py)."""

    dense_weight: float
    unrelated: float  # cosine that counts as unrelated, on the embedder's own scale (dense part about 0.12)
    related: float  # cosine that counts as clearly related (dense part about 0.88)
    floor: float  # default relevance floor: below it, a claim is not evidence on the question

    def score(self, lexical: float, similarity: float) -> float:
        """A logistic curve keeps the order of close claims that a clipped ramp would tie."""
        middle, spread = (self.unrelated + self.related) / 2, (self.related - self.unrelated) / 4
        dense = 1.0 / (1.0 + math.exp(-(similarity - middle) / spread))
        return self.dense_weight * dense + (1 - self.dense_weight) * lexical


BLENDS = {
    "wordllama-l2-supercat-256": Blend(dense_weight=0.3, unrelated=0.2, related=0.3, floor=0.31),
    "multilingual-e5-small-q4": Blend(dense_weight=0.6, unrelated=0.8, related=0.9, floor=0.36),
    "all-minilm-l6-v2": Blend(dense_weight=0.7, unrelated=0.0, related=0.55, floor=0.35),
}


@dataclass(frozen=True)
class Features:
    claim_id: str
    lexical: float
    similarity: float


def without_common_words(query: Query, claims: int, containing: list[int]) -> Query:
    """Drop word groups found in most claims from a question ("ketamine" in a ketamine dataset).

    They barely move a ranking yet make the engine score nearly every claim; a cut-off by
    document frequency, as search engines use for common terms. A question made only of
    common words keeps them all.
    """
    if len(query.required) < 2:
        return query
    rare = [group for group, count in zip(query.required, containing, strict=True) if count <= COMMON_SHARE * claims]
    return Query(required=rare, excluded=query.excluded) if rare else query


def rarity(claims: int, containing: int) -> float:
    """Inverse document frequency, never negative: a word in every claim weighs almost nothing."""
    return math.log((claims + 1) / (containing + 0.5))


@dataclass
class QuestionRanker:
    """Scores claims for a question; built once per app."""

    text_search: TextSearch
    embedder: Embedder
    corpus: Corpus
    blend: Blend

    def features(self, conn: Connection, text: str, view: CorpusView) -> list[Features]:
        """Lexical and dense evidence for every candidate claim (the caller filters by status and topic)."""
        query = expand(parse_query(text, strict=False), view.synonyms)
        claims, containing = self.corpus.frequencies(conn, view, query.required)
        weights = [rarity(claims, count) for count in containing]
        question = without_common_words(query, claims, containing)
        kept = [query.required.index(group) for group in question.required]
        total = sum(weights) or 1.0
        lexical: dict[str, float] = {}
        if not question.empty:
            kept_weights = [weights[g] for g in kept]
            scores: dict[tuple[bool, ...], float] = {}  # hundreds of matches share a few sets of groups
            for match in self.text_search.question_matches(conn, question, kept_weights, limit=RANKED_CANDIDATES):
                if match.about not in scores:
                    scores[match.about] = sum(w for w, found in zip(kept_weights, match.about, strict=True) if found)
                lexical[match.claim_id] = scores[match.about]
        vector = self.embedder.embed_question(text)
        similarity = dict(view.nearest(vector, limit=DENSE_CANDIDATES))
        candidates = lexical.keys() | similarity.keys()
        return [Features(c, lexical.get(c, 0.0) / total, similarity.get(c, 0.0)) for c in candidates]

    def floor(self, settings: Settings) -> float:
        """The configured relevance floor, or the one tuned for this embedder."""
        return self.blend.floor if settings.relevance_floor is None else settings.relevance_floor

    def rank(self, conn: Connection, text: str, view: CorpusView) -> list[tuple[str, float]]:
        """(claim_id, score in 0..1), best first, in the dataset as `view` sees it."""
        scored = [(f.claim_id, self.blend.score(f.lexical, f.similarity)) for f in self.features(conn, text, view)]
        return sorted(scored, key=lambda item: (-item[1], item[0]))


def question_ranker(text_search: TextSearch, settings: Settings) -> QuestionRanker:
    """The ranker for the configured embedding model, with that model's tuned blend."""
    embedder = load_embedder(settings.embedding_model)
    return QuestionRanker(text_search, embedder, Corpus(text_search, embedder.name), BLENDS[embedder.name])
