"""Time one search and one snippet answer per question in-process, without HTTP or caching.

EVIDENCE_DATABASE_URL=sqlite:////tmp/bench.db python -m tests.benchmarks.search_latency "is ketamine better than ECT"
"""

import sys
import time

from app.config import Settings
from app.db import create_db_engine
from app.domain.query import parse_query
from app.domain.synonyms import expand
from app.models.claim import CertaintyLevel
from app.services import claims, snippets
from app.services.claims import ClaimFilters, ClaimSort
from app.services.generation import PolledGeneration
from app.services.paging import PageRequest
from app.services.ranking import question_ranker
from app.services.search import text_search_for
from app.services.totals import TotalCache

DEFAULT_QUESTIONS = ["ketamine", "esketamine Medicaid", "is ketamine better than ECT", "can ketamine damage the liver"]


def main() -> None:
    settings = Settings()
    engine = create_db_engine(settings.database_url)
    text_search = text_search_for(engine)
    ranker = question_ranker(text_search, settings)
    print(f"{'question':34} {'search q (ms)':>14} {'snippets (ms)':>14}")
    with engine.connect() as conn:
        for question in sys.argv[1:] or DEFAULT_QUESTIONS:
            started = time.perf_counter()
            filters = ClaimFilters(search=expand(parse_query(question), ranker.corpus.view(conn).synonyms))
            page = PageRequest(limit=10, cursor=None, scope="benchmark", secret="benchmark")
            claims.list_claims(
                conn=conn,
                filters=filters,
                sort=ClaimSort.relevance,
                page=page,
                text_search=text_search,
                totals=TotalCache(PolledGeneration(engine), max_entries=0),
            )
            searched = time.perf_counter()
            wanted = snippets.SnippetQuery(
                question=question,
                topic=None,
                k=5,
                max_chars=1500,
                min_certainty=CertaintyLevel.low,
                min_score=ranker.floor(settings),
            )
            snippets.find_snippets(conn=conn, request=wanted, ranker=ranker)
            answered = time.perf_counter()
            print(f"{question[:34]:34} {(searched - started) * 1000:14.0f} {(answered - searched) * 1000:14.0f}")
    engine.dispose()


if __name__ == "__main__":
    main()
