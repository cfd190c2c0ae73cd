"""Print hit@3, MRR and off-topic answers of /v1/snippets on the lay question set.

EVIDENCE_DATABASE_URL=sqlite:////tmp/quality.db evidence db upgrade
EVIDENCE_DATABASE_URL=sqlite:////tmp/quality.db evidence load data
EVIDENCE_DATABASE_URL=sqlite:////tmp/quality.db python -m tests.benchmarks.relevance [--misses]
"""

import logging
import sys

from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.retrieval_quality import measure


def main() -> None:
    logging.disable(logging.INFO)
    settings = Settings(response_cache_entries=0)
    with TestClient(create_app(settings)) as client:
        quality = measure(client)
    print(f"{settings.database_url.split(':')[0]}: {quality.line()}")
    if "--misses" in sys.argv:
        for question, top in quality.tuned.misses + quality.held_out.misses:
            print(f"  miss: {question!r} -> {top}")
        for question in quality.answered_off_topic:
            print(f"  answered off-topic: {question!r}")


if __name__ == "__main__":
    main()
