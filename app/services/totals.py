"""List totals remembered per dataset generation: a filter's count is computed once per change, not per page."""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from sqlalchemy.engine import Connection

from app.services.generation import Generation


class TotalCache:
    """Counts keyed by (generation, filter); a write moves the generation, so no total outlives its data."""

    def __init__(self, generation: Generation, max_entries: int = 4096) -> None:
        self.generation = generation
        self.max_entries = max_entries
        self.entries: OrderedDict[tuple[int, Hashable], int] = OrderedDict()
        self.lock = threading.Lock()  # handlers run in a thread pool

    def total(self, conn: Connection, key: Hashable, count: Callable[[], int]) -> int:
        """The remembered total for `key` at the current generation, else `count()`, remembered."""
        generation = self.generation.current(conn)
        if generation is None:
            return count()
        slot = (generation, key)
        with self.lock:
            found = self.entries.get(slot)
            if found is not None:
                self.entries.move_to_end(slot)
                return found
        value = count()
        with self.lock:
            self.entries[slot] = value
            if len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)
        return value
