"""Write a JSONL bundle for timing imports: the bundled topics and sources plus N synthetic claims.

Claims come from synthetic.py, reviewed today so they pass the import's checks. Nothing here
is evidence: every synthetic id starts with "synthetic-", so import it into a scratch database.

    python -m tests.benchmarks.synthetic_bundle --count 2000 --output /tmp/synthetic-2000.jsonl
"""

import argparse
import datetime as dt
from pathlib import Path

from app.bundle import bundle_line
from app.dataset import read_dataset
from tests.benchmarks.generate_claims import synthetic_claims
from tests.benchmarks.synthetic import dataset_root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args()
    dataset = read_dataset(dataset_root())
    today = dt.datetime.now(dt.UTC).date()
    with args.output.open("wb") as out:
        out.writelines(bundle_line("topic", topic) for topic in dataset.topics)
        out.writelines(bundle_line("source", source) for source in dataset.sources)
        for claim in synthetic_claims(args.count, args.seed):
            out.write(bundle_line("claim", claim.model_copy(update={"reviewed": today})))


if __name__ == "__main__":
    main()
