"""Fill a database with N synthetic claims (default 100,000) for search benchmarks.

Synthetic claims reuse the bundled dataset's sentences, vocabulary and lengths, so the
index and the ranking do realistic work; they go through the same write path as real data
(validation, documents, revisions, search index). Nothing here is evidence: every synthetic
id starts with "synthetic-" and the database should be a scratch one.

    EVIDENCE_DATABASE_URL=sqlite:////tmp/bench.db python tests/benchmarks/generate_claims.py --count 100000
"""

import argparse
import random
import re
import time

from sqlmodel import Session

from app import migrate
from app.config import PROJECT_ROOT, Settings
from app.dataset import read_dataset
from app.db import create_db_engine
from app.models.claim import ClaimIn
from app.services.curation import save_claim
from app.services.loading import load_dataset
from app.services.search import text_search_for

SENTENCE = re.compile(r"(?<=[.!?])\s+")


def sentences(texts: list[str]) -> list[str]:
    return [s for text in texts for s in SENTENCE.split(text) if len(s) > 20]


def synthetic_claims(count: int, seed: int) -> list[ClaimIn]:
    """Claims assembled from the bundled ones: real sentences, shuffled across claims."""
    dataset = read_dataset(PROJECT_ROOT / "data")
    rng = random.Random(seed)
    pool = {
        "statement": sentences([c.statement for c in dataset.claims]),
        "assessment": sentences([c.assessment for c in dataset.claims]),
        "snippet": sentences([c.snippet for c in dataset.claims]),
    }
    templates = dataset.claims
    claims = []
    for number in range(count):
        template = rng.choice(templates)
        snippet = " ".join(rng.sample(pool["snippet"], 2))[:400]
        claims.append(
            template.model_copy(
                update={
                    "id": f"synthetic-{number:06d}",
                    "statement": rng.choice(pool["statement"]),
                    "assessment": " ".join(rng.sample(pool["assessment"], rng.randint(2, 4))),
                    "snippet": snippet,
                    "topic": rng.choice(dataset.topics).id,
                    "certainty": rng.choice(templates).certainty,
                    "verdict": rng.choice(templates).verdict,
                    "citations": rng.choice(templates).citations,
                }
            )
        )
    return claims


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--batch", type=int, default=2_000, help="claims per transaction")
    args = parser.parse_args()
    settings = Settings()
    engine = create_db_engine(settings.database_url)
    migrate.upgrade(engine)
    load_dataset(engine=engine, dataset=read_dataset(settings.data_dir), changed_by="benchmark setup")
    claims = synthetic_claims(args.count, args.seed)
    text_search = text_search_for(engine)
    started = time.perf_counter()
    for first in range(0, len(claims), args.batch):
        with Session(engine) as session, session.begin():
            for claim in claims[first : first + args.batch]:
                save_claim(session=session, claim_in=claim, changed_by="benchmark generator", text_search=text_search)
        done = min(first + args.batch, len(claims))
        rate = done / (time.perf_counter() - started)
        print(f"\r{done:,}/{len(claims):,} claims written ({rate:,.0f}/s)", end="", flush=True)
    print(f"\ndone in {time.perf_counter() - started:,.0f} s: {engine.url.render_as_string()}")
    engine.dispose()


if __name__ == "__main__":
    main()
