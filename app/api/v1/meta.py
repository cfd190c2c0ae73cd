"""/v1/meta: which dataset this is, so clients can cite "evidence as of" and notice a change."""

from fastapi import APIRouter

from app.api.deps import EngineDep
from app.db import connected
from app.models.meta import DatasetMeta
from app.services import meta

router = APIRouter(prefix="/v1/meta", tags=["meta"])


@router.get("", response_model=DatasetMeta)
def read_meta(engine: EngineDep) -> DatasetMeta:
    """API version, dataset version (content hash) and release label, last review date, claims per status."""
    with connected(engine) as conn:
        return meta.read_meta(conn=conn)
