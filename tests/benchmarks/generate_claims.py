"""Fill a scratch database with the bundled dataset plus N synthetic claims, imported as bundles are.

Claims come from synthetic.py (an 8,000-word Zipf vocabulary; see there). They go in the way
POST /v1/import takes a bundle, --batch claims at a time: each batch is a bundle holding the
topics and sources its claims cite, parsed and checked line by line (read_bundle), then loaded
in one transaction (load_dataset: validation, pre-rendered documents, revisions, search index,
embeddings), with progress and the import rate. Each batch's bundle lines are drawn before the
clock starts: the import time counts what an import does with them, not the drawing of synthetic
text. Nothing here is evidence: every synthetic id starts with "synthetic-", so use a scratch database.

    EVIDENCE_DATABASE_URL=sqlite:////tmp/bench.db python -m tests.benchmarks.generate_claims --count 100000
"""

import argparse
import datetime as dt
import random
import sys
import time
from collections.abc import Iterator
from itertools import islice

from app import migrate
from app.bundle import bundle_line, read_bundle
from app.config import Settings
from app.dataset import read_dataset
from app.db import create_db_engine
from app.models.claim import ClaimIn
from app.services.embedders import DEFAULT_MODEL
from app.services.indexing import indexer_for
from app.services.loading import load_dataset
from tests.benchmarks.synthetic import ClaimFactory, Vocabulary, bundled_texts, dataset_root

VOCABULARY_SIZE = 8_000


def synthetic_claims(count: int, seed: int) -> Iterator[ClaimIn]:
    """`count` synthetic claims over the bundled topics and sources, the same for the same seed."""
    dataset = read_dataset(dataset_root())
    vocabulary = Vocabulary.from_texts(bundled_texts(dataset), VOCABULARY_SIZE)
    return ClaimFactory(dataset, vocabulary, random.Random(seed)).claims(count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--batch", type=int, default=5_000, help="claims per bundle (one transaction each)")
    args = parser.parse_args()
    settings = Settings()
    engine = create_db_engine(settings.database_url)
    migrate.upgrade(engine)
    dataset = read_dataset(dataset_root())
    load_dataset(engine=engine, dataset=dataset, changed_by="benchmark setup")
    cited = [bundle_line("topic", topic) for topic in dataset.topics]
    cited += [bundle_line("source", source) for source in dataset.sources]
    today = dt.datetime.now(dt.UTC).date()
    claims = synthetic_claims(args.count, args.seed)
    indexer = indexer_for(engine, DEFAULT_MODEL)
    elapsed = 0.0
    done = 0
    while done < args.count:
        batch = islice(claims, min(args.batch, args.count - done))
        lines = [bundle_line("claim", claim.model_copy(update={"reviewed": today})) for claim in batch]
        started = time.perf_counter()
        load_dataset(engine=engine, dataset=read_bundle(cited + lines), changed_by="benchmark", indexer=indexer)
        elapsed += time.perf_counter() - started
        done += len(lines)
        rate = done / elapsed
        print(f"\r{done:,}/{args.count:,} claims written ({rate:,.0f}/s)", end="", file=sys.stderr, flush=True)
    print(f"\nimported {args.count:,} claims in {elapsed:,.1f} s ({args.count / elapsed:,.0f}/s)", file=sys.stderr)
    print(f"import_seconds={elapsed:.2f}")
    engine.dispose()


if __name__ == "__main__":
    main()
