"""What the dataset holds, in a few numbers, for a reader's first look."""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlmodel import col

from app.models.claim import Claim, ClaimStatus
from app.models.source import Source, SourceKind


@dataclass(frozen=True)
class Overview:
    vetted_claims: int
    sources: int
    last_reviewed: dt.datetime | None
    material_ids: list[str]


def dataset_overview(*, conn: Connection) -> Overview:
    vetted = col(Claim.status) == ClaimStatus.vetted.value
    claims, reviewed = conn.execute(select(func.count(), func.max(col(Claim.reviewed_at))).where(vetted)).one()
    sources = conn.execute(select(func.count()).select_from(Source)).scalar_one()
    materials = conn.execute(
        select(col(Source.id)).where(col(Source.kind) == SourceKind.material.value).order_by(col(Source.id))
    )
    return Overview(
        vetted_claims=claims, sources=sources, last_reviewed=reviewed, material_ids=list(materials.scalars())
    )
