"""What dataset is this? One version and summary, computed alike from files and from the database.

The dataset version is a SHA-256 over what the public API serves (topics in order, sources with
their text, vetted claims), built from the same per-record content hashes the loader stores, so
`evidence --version` on a folder and GET /v1/meta on a database loaded from it agree.
"""

import datetime as dt
import hashlib
from collections.abc import Iterable
from importlib.metadata import version

from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlmodel import col

from app.dataset import Dataset
from app.models.claim import Claim, ClaimStatus
from app.models.meta import ClaimCounts, DatasetMeta
from app.models.source import Source
from app.models.state import DatasetState
from app.models.topic import Topic, TopicIn
from app.services.curation import content_hash

API_VERSION = version("ketamine-evidence")

Entry = tuple[str, str, str]  # (kind, id, content digest)


def dataset_version(entries: Iterable[Entry]) -> str:
    digest = hashlib.sha256()
    for kind, record_id, content in sorted(entries):
        digest.update(f"{kind}\t{record_id}\t{content}\n".encode())
    return digest.hexdigest()


def topic_digest(topic: TopicIn, position: int) -> str:
    """Display order is part of what clients see, so it is part of the version."""
    return f"{position}:{content_hash(topic)}"


def meta_of_files(dataset: Dataset) -> DatasetMeta:
    """The summary of a dataset folder, before or without loading it."""
    vetted = [claim for claim in dataset.claims if claim.status == ClaimStatus.vetted]
    entries = [
        *(("topic", topic.id, topic_digest(topic, position)) for position, topic in enumerate(dataset.topics)),
        *(("source", source.id, content_hash(source)) for source in dataset.sources),
        *(("claim", claim.id, content_hash(claim)) for claim in vetted),
    ]
    statuses = [claim.status.value for claim in dataset.claims]
    return DatasetMeta(
        api_version=API_VERSION,
        dataset_version=dataset_version(entries),
        release=dataset.release.label if dataset.release else None,
        last_reviewed=max((claim.reviewed for claim in vetted if claim.reviewed), default=None),
        claims=ClaimCounts(**{status.value: statuses.count(status.value) for status in ClaimStatus}),
        sources=len(dataset.sources),
        topics=len(dataset.topics),
    )


def read_meta(*, conn: Connection) -> DatasetMeta:
    """The summary of what the database serves now, including writes made since the last load."""
    topics = conn.execute(select(col(Topic.id), col(Topic.label), col(Topic.description), col(Topic.position))).all()
    sources = conn.execute(select(col(Source.id), col(Source.content_sha256))).all()
    vetted = conn.execute(
        select(col(Claim.id), col(Claim.content_sha256), col(Claim.reviewed_at)).where(
            col(Claim.status) == ClaimStatus.vetted.value
        )
    ).all()
    by_status: dict[str, int] = {
        status: count
        for status, count in conn.execute(select(col(Claim.status), func.count()).group_by(col(Claim.status)))
    }
    entries = [
        *(
            ("topic", t.id, topic_digest(TopicIn(id=t.id, label=t.label, description=t.description), t.position))
            for t in topics
        ),
        *(("source", row.id, row.content_sha256) for row in sources),
        *(("claim", row.id, row.content_sha256) for row in vetted),
    ]
    reviewed = [_as_date(row.reviewed_at) for row in vetted if row.reviewed_at is not None]
    return DatasetMeta(
        api_version=API_VERSION,
        dataset_version=dataset_version(entries),
        release=conn.execute(select(col(DatasetState.release))).scalar(),
        last_reviewed=max(reviewed, default=None),
        claims=ClaimCounts(**{status.value: by_status.get(status.value, 0) for status in ClaimStatus}),
        sources=len(sources),
        topics=len(topics),
    )


def _as_date(moment: dt.datetime) -> dt.date:
    """reviewed_at is midnight UTC of the review date; SQLite returns it without a zone."""
    return (moment if moment.tzinfo is None else moment.astimezone(dt.UTC)).date()
