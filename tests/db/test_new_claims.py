from dataclasses import dataclass, field

from sqlmodel import Session

from app.db import create_db_engine
from app.services.curation import prepare_new_claims
from app.services.embedders import DEFAULT_MODEL
from app.services.indexing import ClaimIndexer, indexer_for
from tests.helpers import vetted


@dataclass(frozen=True)
class _CountingIndexer(ClaimIndexer):
    """The real indexer, noting each batch whose vectors it starts."""

    started: list[str] = field(default_factory=list)

    def prepare(self, claims):  # type: ignore[no-untyped-def]
        self.started.append(claims[0][0])
        return super().prepare(claims)


def test_vectors_are_started_a_bounded_number_of_batches_ahead_of_their_rows(bundled_url, bundled):
    engine = create_db_engine(bundled_url)
    real = indexer_for(engine, DEFAULT_MODEL)
    indexer = _CountingIndexer(real.text_search, real.embedder)
    claims = vetted(bundled)
    batches = [claims[first : first + 3] for first in range(0, 18, 3)]
    with Session(engine) as session:
        pending = prepare_new_claims(session=session, batches=batches, indexer=indexer, ahead=2)
        for taken, batch in enumerate(batches, start=1):
            index = next(pending)
            assert [entry[0] for entry in index.claims] == [claim.id for claim in batch]
            assert len(indexer.started) == min(taken + 2, len(batches))
            assert len(index.vectors.result()) == len(batch)
        assert next(pending, None) is None
    engine.dispose()
