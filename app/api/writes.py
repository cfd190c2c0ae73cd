"""What every write route shares: the media types it accepts and the version its edit is based on."""

from typing import Annotated, Any

import orjson
from fastapi import Body, Depends, Header, Request
from pydantic import BaseModel
from starlette.exceptions import HTTPException
from starlette.responses import Response

from app.api.etags import body_tag, listed_tags
from app.api.problems import problem_doc
from app.errors import IfMatchRequired, VersionMismatch
from app.models.types import Note
from app.services.checks import validated
from app.services.curation import Change
from app.services.keys import Principal

JSON = "application/json"
MERGE_PATCH = "application/merge-patch+json"


class MediaTypes:
    """Dependency: a 415 unless the body is one of `accepted` (checked before the body is parsed)."""

    def __init__(self, *accepted: str) -> None:
        self.accepted = accepted

    async def __call__(self, request: Request) -> None:
        given = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if given not in self.accepted:
            sent = f"'{given}'" if given else "no Content-Type"
            raise HTTPException(415, f"sent {sent}; send the body as {' or '.join(self.accepted)}")


def required_if_match(
    if_match: Annotated[str | None, Header(description="The ETag of the version edited, as GET served it")] = None,
) -> str:
    """428 without If-Match: every edit names the version it was made against."""
    if if_match is None or if_match.strip() == "*":
        raise IfMatchRequired("send If-Match with the ETag from your GET of the record, so no one's edit is lost")
    return if_match


def based_on(if_match: str, current: bytes) -> int:
    """The version an If-Match names: the ETag served with the current bytes or, as the contract also allows,
    `"<version>"`; anything else is a 412. (A gzip-served weak tag names the same bytes, so it counts.)"""
    version: int = orjson.loads(current)["version"]
    listed = listed_tags(if_match)
    if body_tag(current) in listed or str(version) in listed:
        return version
    raise VersionMismatch(f"If-Match {if_match} is not the current version ({version}); GET it again, redo the edit")


class _ChangeNote(BaseModel):
    note: Note | None = None


def pop_note(patch: dict[str, Any]) -> str | None:
    """A top-level `note` in a PATCH body explains the change; it is kept with the revision, not in the record."""
    return validated(_ChangeNote, {"note": patch.pop("note", None)}, where="body").note


def edit_change(principal: Principal, patch: dict[str, Any], if_match: str, current: bytes) -> Change:
    return Change(by=principal.name, note=pop_note(patch), based_on=based_on(if_match, current))


def written(body: bytes, location: str, status_code: int = 200) -> Response:
    """A write's answer: the record as GET now serves it, and the ETag to send with the next edit."""
    headers = {"ETag": f'"{body_tag(body)}"', "Location": location}
    return Response(body, status_code=status_code, media_type="application/json", headers=headers)


MergePatch = Annotated[dict[str, Any], Body(description="JSON Merge Patch (RFC 7396); a top-level `note` says why")]
IfMatch = Annotated[str, Depends(required_if_match)]
# keyword arguments of the route decorators
CREATE: dict[str, Any] = {
    "status_code": 201,
    "responses": problem_doc(401, 403, 409, 413, 415, 422),
    "dependencies": [Depends(MediaTypes(JSON))],
}
PATCH: dict[str, Any] = {
    "responses": problem_doc(401, 403, 404, 412, 413, 415, 422, 428),
    "dependencies": [Depends(MediaTypes(JSON, MERGE_PATCH))],
}
