"""SQLModel tables and their public models; importing this registers every table."""

from app.models.api_key import ApiKey
from app.models.claim import Citation, Claim, ClaimRevision, ClaimTag
from app.models.embedding import ClaimEmbedding
from app.models.idempotency import IdempotentRequest
from app.models.source import Source, SourceRevision
from app.models.state import DatasetState
from app.models.synonym import SynonymGroup
from app.models.topic import Topic

__all__ = [
    "ApiKey",
    "Citation",
    "Claim",
    "ClaimEmbedding",
    "ClaimRevision",
    "ClaimTag",
    "DatasetState",
    "IdempotentRequest",
    "Source",
    "SourceRevision",
    "SynonymGroup",
    "Topic",
]
