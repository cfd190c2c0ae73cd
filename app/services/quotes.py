"""Who cites a source, and where: vetted citations into it, with their checked quote offsets."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlmodel import col

from app.models.claim import Citation, Claim, ClaimStatus


@dataclass(frozen=True)
class CitingClaim:
    """One vetted claim's citation of a source; start/end are None when it quotes nothing there."""

    claim_id: str
    statement: str
    verdict: str
    certainty: str
    relation: str
    note: str
    quote: str | None
    start: int | None
    end: int | None


def citing_claims(*, conn: Connection, source_id: str) -> list[CitingClaim]:
    """Every vetted claim citing `source_id`, in the order its quotes appear, then by id."""
    query = (
        select(
            col(Citation.claim_id),
            col(Claim.statement),
            col(Claim.verdict),
            col(Claim.certainty_level),
            col(Citation.relation),
            col(Citation.note),
            col(Citation.quote),
            col(Citation.locator_start),
            col(Citation.locator_end),
        )
        .join(Claim, col(Claim.id) == col(Citation.claim_id))
        .where(col(Citation.source_id) == source_id, col(Claim.status) == ClaimStatus.vetted.value)
        .order_by(col(Citation.locator_start).is_(None), col(Citation.locator_start), col(Citation.claim_id))
    )
    return [CitingClaim(*row) for row in conn.execute(query)]
