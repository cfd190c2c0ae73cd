"""Figures about the whole search corpus, kept per dataset generation.

Every write bumps the generation in its own transaction, so a figure cached under one
generation is exact until the next write, on whichever replica it happens.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from threading import Lock

from sqlalchemy.engine import Connection

from app.domain.query import Alternatives
from app.services.search import TextSearch

MAX_CACHED_GROUPS = 50_000  # word groups remembered per generation; a flood of distinct questions starts afresh


def current_generation(conn: Connection) -> int:
    generation: int = conn.exec_driver_sql("SELECT generation FROM dataset_state").scalar_one()
    return generation


@dataclass
class WordGroupFrequencies:
    """How many claims contain each word group: one statement for the groups not yet known, none after."""

    text_search: TextSearch
    generation: int = -1
    claims: int | None = None
    containing: dict[Alternatives, int] = field(default_factory=dict)
    lock: Lock = field(default_factory=Lock)

    def counts(self, conn: Connection, groups: Sequence[Alternatives]) -> tuple[int, list[int]]:
        """The number of indexed claims, and how many of them contain each group."""
        generation = current_generation(conn)
        with self.lock:
            if generation != self.generation or len(self.containing) > MAX_CACHED_GROUPS:
                self.generation, self.claims, self.containing = generation, None, {}
            known = {group: self.containing[group] for group in groups if group in self.containing}
            claims = self.claims
        unknown = [group for group in dict.fromkeys(groups) if group not in known]
        if unknown or claims is None:
            found = self.text_search.corpus_counts(conn, unknown)
            claims = found.claims
            known.update(zip(unknown, found.containing, strict=True))
            with self.lock:
                if generation == self.generation:
                    self.claims = claims
                    self.containing.update(known)
        return claims, [known[group] for group in groups]
