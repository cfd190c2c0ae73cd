"""Fill a scratch database with the bundled dataset plus N synthetic claims, through the real write path.

Claims come from synthetic.py (an 8,000-word Zipf vocabulary; see there). They are written the
way curated data is: validation, pre-rendered documents, revisions, search index, in
transactions of --batch claims, with progress and the import rate. Each batch is drawn before
the clock starts, as plain records: the import time counts their validation and the write, not
the drawing of synthetic text, which a real import never does. Nothing here is evidence:
every synthetic id starts with "synthetic-", so use a scratch database.

    EVIDENCE_DATABASE_URL=sqlite:////tmp/bench.db python -m tests.benchmarks.generate_claims --count 100000
"""

import argparse
import random
import sys
import time
from collections.abc import Iterator
from itertools import islice

from app import migrate
from app.config import Settings
from app.dataset import read_dataset
from app.db import create_db_engine, refresh_statistics
from app.models.claim import ClaimIn
from app.services.curation import Change, save_new_claims, write_transaction
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
    parser.add_argument("--batch", type=int, default=5_000, help="claims per transaction")
    args = parser.parse_args()
    settings = Settings()
    engine = create_db_engine(settings.database_url)
    migrate.upgrade(engine)
    load_dataset(engine=engine, dataset=read_dataset(dataset_root()), changed_by="benchmark setup")
    claims = synthetic_claims(args.count, args.seed)
    indexer = indexer_for(engine, DEFAULT_MODEL)
    elapsed = 0.0
    done = 0
    while done < args.count:
        records = [claim.model_dump() for claim in islice(claims, min(args.batch, args.count - done))]
        started = time.perf_counter()
        batch = [ClaimIn.model_validate(record) for record in records]
        with write_transaction(engine) as session:
            change = Change(by="benchmark generator")
            save_new_claims(session=session, claims_in=batch, change=change, indexer=indexer)
        elapsed += time.perf_counter() - started
        done += len(batch)
        rate = done / elapsed
        print(f"\r{done:,}/{args.count:,} claims written ({rate:,.0f}/s)", end="", file=sys.stderr, flush=True)
    started = time.perf_counter()
    refresh_statistics(engine)  # as a load does when it ends
    elapsed += time.perf_counter() - started
    print(f"\nimported {args.count:,} claims in {elapsed:,.1f} s ({args.count / elapsed:,.0f}/s)", file=sys.stderr)
    print(f"import_seconds={elapsed:.2f}")
    engine.dispose()


if __name__ == "__main__":
    main()
