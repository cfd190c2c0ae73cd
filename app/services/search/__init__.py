"""Full-text search: one small interface, one implementation per database engine."""

from sqlalchemy import Engine

from app.services.search.base import QuestionMatch, TextSearch
from app.services.search.fts5 import Fts5Search, fts_rowid
from app.services.search.postgres import PostgresSearch

_ENGINES: dict[str, type[Fts5Search] | type[PostgresSearch]] = {"sqlite": Fts5Search, "postgresql": PostgresSearch}

__all__ = ["QuestionMatch", "TextSearch", "fts_rowid", "text_search_for"]


def text_search_for(engine: Engine) -> TextSearch:
    """The search implementation for the engine's database, chosen once by whoever builds the app or a loader."""
    return _ENGINES[engine.dialect.name]()
