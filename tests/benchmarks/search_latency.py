"""Time searches and snippet answers in-process, without HTTP or caching.

    EVIDENCE_DATABASE_URL=sqlite:////tmp/bench.db python -m tests.benchmarks.search_latency "is ketamine safe"
    EVIDENCE_DATABASE_URL=sqlite:////tmp/bench.db python -m tests.benchmarks.search_latency --drawn 200

Questions given are timed one by one: a first page of 10 search hits and an answer of 5
snippets each. With --drawn N, N searches of 1-3 words (a first page of 20 hits) and N
questions of 3-8 words are drawn from the synthetic vocabulary as the load harness draws
them, and the distribution of their times is printed. Totals are counted every time.
"""

import argparse
import random
import statistics
import time
from collections.abc import Callable

from sqlalchemy.engine import Connection

from app.config import Settings
from app.dataset import read_dataset
from app.db import create_db_engine
from app.domain.query import parse_query
from app.domain.synonyms import expand
from app.models.claim import CertaintyLevel
from app.services import claims, snippets
from app.services.claims import ClaimFilters, ClaimSort
from app.services.generation import PolledGeneration
from app.services.paging import PageRequest
from app.services.ranking import QuestionRanker, question_ranker
from app.services.search import TextSearch, text_search_for
from app.services.totals import TotalCache
from tests.benchmarks.generate_claims import VOCABULARY_SIZE
from tests.benchmarks.synthetic import Vocabulary, bundled_texts, dataset_root, questions

DEFAULT_QUESTIONS = ["ketamine", "esketamine Medicaid", "is ketamine better than ECT", "can ketamine damage the liver"]


def timed(run: Callable[[], object]) -> float:
    """Milliseconds `run` took."""
    started = time.perf_counter()
    run()
    return (time.perf_counter() - started) * 1000


class Timings:
    def __init__(self, conn: Connection, settings: Settings, text_search: TextSearch, ranker: QuestionRanker) -> None:
        self.conn, self.settings, self.text_search, self.ranker = conn, settings, text_search, ranker
        self.totals = TotalCache(PolledGeneration(conn.engine), max_entries=0)  # every total counted

    def search(self, question: str, limit: int) -> float:
        filters = ClaimFilters(search=expand(parse_query(question), self.ranker.corpus.view(self.conn).synonyms))
        page = PageRequest(limit=limit, cursor=None, scope="benchmark", secret="benchmark")
        return timed(
            lambda: claims.list_claims(
                conn=self.conn,
                filters=filters,
                sort=ClaimSort.relevance,
                page=page,
                text_search=self.text_search,
                totals=self.totals,
            )
        )

    def answer(self, question: str) -> float:
        wanted = snippets.SnippetQuery(
            question=question,
            topic=None,
            k=5,
            max_chars=1500,
            min_certainty=CertaintyLevel.low,
            min_score=self.ranker.floor(self.settings),
        )
        return timed(lambda: snippets.find_snippets(conn=self.conn, request=wanted, ranker=self.ranker))


def spread(label: str, milliseconds: list[float]) -> str:
    ordered = sorted(milliseconds)
    cut = {share: ordered[min(len(ordered) - 1, int(len(ordered) * share))] for share in (0.5, 0.9, 0.99)}
    return (
        f"{label:10} {len(ordered):5} {statistics.mean(ordered):9.1f} {cut[0.5]:9.1f} {cut[0.9]:9.1f}"
        f" {cut[0.99]:9.1f} {ordered[-1]:9.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("questions", nargs="*", help="questions to time one by one")
    parser.add_argument("--drawn", type=int, metavar="N", help="draw N searches and N questions as the harness does")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    settings = Settings()
    engine = create_db_engine(settings.database_url)
    text_search = text_search_for(engine)
    ranker = question_ranker(text_search, settings)
    with engine.connect() as conn:
        timings = Timings(conn, settings, text_search, ranker)
        ranker.corpus.view(conn)  # the claims' vectors, loaded once per dataset generation
        if args.drawn:
            rng = random.Random(args.seed)
            vocabulary = Vocabulary.from_texts(bundled_texts(read_dataset(dataset_root())), VOCABULARY_SIZE)
            searches = [timings.search(q, 20) for q in questions(vocabulary, rng, args.drawn, 1, 3)]
            answers = [timings.answer(q) for q in questions(vocabulary, rng, args.drawn, 3, 8)]
            print(f"{'ms':10} {'count':>5} {'mean':>9} {'p50':>9} {'p90':>9} {'p99':>9} {'max':>9}")
            print(spread("search", searches))
            print(spread("snippets", answers))
        else:
            print(f"{'question':34} {'search q (ms)':>14} {'snippets (ms)':>14}")
            for question in args.questions or DEFAULT_QUESTIONS:
                print(f"{question[:34]:34} {timings.search(question, 10):14.0f} {timings.answer(question):14.0f}")
    engine.dispose()


if __name__ == "__main__":
    main()
