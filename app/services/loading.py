"""Import a validated dataset in one transaction: all of it or none of it."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlmodel import Session

from app.dataset import Dataset
from app.db import load_lock_for
from app.errors import InvalidData, LoadInProgress
from app.services.curation import save_claim, save_source, save_topic
from app.services.search import text_search_for

Progress = Callable[[str, str], None]


@dataclass
class LoadSummary:
    """Counts per kind and outcome, e.g. counts['claim']['created']."""

    counts: dict[str, Counter[str]] = field(default_factory=dict)

    def add(self, kind: str, outcome: str) -> None:
        self.counts.setdefault(kind, Counter())[outcome] += 1

    def changed(self) -> int:
        return sum(n for c in self.counts.values() for o, n in c.items() if o != "unchanged")


def load_dataset(*, engine: Engine, dataset: Dataset, changed_by: str, progress: Progress | None = None) -> LoadSummary:
    """Topics, then sources, then claims (the order references need); rolled back on any error."""
    if not dataset.ok:
        raise InvalidData(f"the dataset has {len(dataset.problems)} problem(s); run `evidence check` to list them")
    summary = LoadSummary()
    report = progress or (lambda kind, item: None)
    text_search = text_search_for(engine)
    lock = load_lock_for(engine)
    with Session(engine) as session, session.begin():
        if not lock(session):
            raise LoadInProgress("another load is running on this database; run this one again when it has finished")
        for position, topic in enumerate(dataset.topics):
            outcome = save_topic(session=session, topic_in=topic, position=position, text_search=text_search)
            summary.add("topic", outcome)
            report("topic", topic.id)
        for source in dataset.sources:
            summary.add("source", save_source(session=session, source_in=source))
            report("source", source.id)
        session.flush()
        for claim in dataset.claims:
            outcome = save_claim(session=session, claim_in=claim, changed_by=changed_by, text_search=text_search)
            summary.add("claim", outcome)
            report("claim", claim.id)
    return summary
