"""SQLModel tables and their public models; importing this registers every table."""

from app.models.api_key import ApiKey
from app.models.claim import Citation, Claim, ClaimRevision, ClaimTag
from app.models.source import Source
from app.models.state import DatasetState
from app.models.topic import Topic

__all__ = ["ApiKey", "Citation", "Claim", "ClaimRevision", "ClaimTag", "DatasetState", "Source", "Topic"]
