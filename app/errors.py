"""Domain errors: plain values that know nothing of HTTP (api/problems.py maps them)."""

from dataclasses import dataclass, field


@dataclass
class EvidenceError(Exception):
    detail: str
    errors: list[dict[str, object]] = field(default_factory=list)


class NotFound(EvidenceError):
    """No resource has that id."""


class BadCursor(EvidenceError):
    """A pagination cursor that we did not issue for this query."""


class BadQuery(EvidenceError):
    """A query whose syntax we cannot run, e.g. an unbalanced quote."""


class BadParameter(EvidenceError):
    """A parameter that parses as text but names nothing we know (e.g. an unknown facet)."""


class NotAcceptable(EvidenceError):
    """No representation we have is one the client accepts."""


class KeyRequired(EvidenceError):
    """The resource exists but is not public."""


class InvalidData(EvidenceError):
    """Input that parses but breaks a dataset rule (unknown source, quote mismatch...)."""


class InvalidKey(EvidenceError):
    """An API key we did not issue, or one that was revoked."""


class InsufficientScope(EvidenceError):
    """A valid key whose scope does not allow the action."""


class MetricsRefused(EvidenceError):
    """A scrape of /metrics from outside EVIDENCE_METRICS_CLIENTS, or without EVIDENCE_METRICS_TOKEN."""


class AlreadyExists(EvidenceError):
    """A new record whose id (or name) is taken."""


class LoadInProgress(EvidenceError):
    """Another load holds the database; loads run one at a time."""


class IdempotencyKeyReused(EvidenceError):
    """An Idempotency-Key sent again with a different request."""


class IfMatchRequired(EvidenceError):
    """An edit sent without the version it was based on."""


class VersionMismatch(EvidenceError):
    """An edit based on a version that is no longer current."""


class InvalidTransition(EvidenceError):
    """A review action that does not apply to the claim's status (e.g. vetting a vetted claim)."""


class SameEditor(EvidenceError):
    """Vetting one's own edit: a second pair of eyes is required."""
