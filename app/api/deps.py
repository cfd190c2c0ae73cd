"""Request-scoped dependencies as Annotated aliases."""

from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy import Engine, select
from sqlmodel import col
from starlette.concurrency import run_in_threadpool

from app.config import Settings
from app.models.state import DatasetState
from app.services.corpus import Corpus
from app.services.indexing import ClaimIndexer
from app.services.ranking import QuestionRanker
from app.services.search import TextSearch
from app.services.totals import TotalCache


async def get_engine(request: Request) -> Engine:
    """Async on purpose: a plain value lookup needs no thread-pool hop."""
    engine: Engine = request.app.state.engine
    return engine


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_text_search(request: Request) -> TextSearch:
    text_search: TextSearch = request.app.state.text_search
    return text_search


async def get_corpus(request: Request) -> Corpus:
    corpus: Corpus = request.app.state.ranker.corpus
    return corpus


async def get_indexer(request: Request) -> ClaimIndexer:
    indexer: ClaimIndexer = request.app.state.indexer
    return indexer


async def get_ranker(request: Request) -> QuestionRanker:
    ranker: QuestionRanker = request.app.state.ranker
    return ranker


def absolute_base(request: Request, settings: Settings) -> str:
    """Base of the absolute URLs documents carry (FHIR, JSON-LD): EVIDENCE_PUBLIC_URL, else this request's."""
    return settings.public_url or str(request.base_url).rstrip("/")


async def get_totals(request: Request) -> TotalCache:
    totals: TotalCache = request.app.state.totals
    return totals


EngineDep = Annotated[Engine, Depends(get_engine)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
TextSearchDep = Annotated[TextSearch, Depends(get_text_search)]
RankerDep = Annotated[QuestionRanker, Depends(get_ranker)]
IndexerDep = Annotated[ClaimIndexer, Depends(get_indexer)]
CorpusDep = Annotated[Corpus, Depends(get_corpus)]


async def get_cursor_secret(request: Request, engine: EngineDep, settings: SettingsDep) -> str:
    """EVIDENCE_CURSOR_SECRET when set, else the database's own random key, so that replicas sharing it agree.

    Async, as it is read once per app: a plain `def` would cost every list a hop to the thread pool.
    """
    if settings.cursor_secret is not None:
        return settings.cursor_secret
    secret: str | None = getattr(request.app.state, "cursor_secret", None)
    if secret is None:
        secret = await run_in_threadpool(_stored_cursor_secret, engine)
        request.app.state.cursor_secret = secret
    return secret


def _stored_cursor_secret(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(select(col(DatasetState.cursor_secret))).scalar_one())


CursorSecretDep = Annotated[str, Depends(get_cursor_secret)]
TotalsDep = Annotated[TotalCache, Depends(get_totals)]
MAX_PAGE_ITEMS = 200
MAX_CURSOR_CHARS = 2000
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_ITEMS, description="Items per page")]
Cursor = Annotated[
    str | None, Query(max_length=MAX_CURSOR_CHARS, description="Opaque `next_cursor` from the previous page")
]
