"""Bearer API keys: who is calling, checked only where a route needs it."""

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine

from app.api.deps import EngineDep
from app.errors import InvalidKey, KeyRequired
from app.models.api_key import KeyScope
from app.services.keys import Principal, authenticate


def presented_key(request: Request) -> str | None:
    """The key in `Authorization: Bearer <key>`, None when no Authorization header is sent."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise InvalidKey("send the key as `Authorization: Bearer <key>`")
    return key.strip()


def authorize(request: Request, engine: Engine, needed: KeyScope) -> Principal:
    """The caller's principal if its key allows `needed`: 401 without a valid key, 403 with too little scope."""
    key = presented_key(request)
    if key is None:
        raise KeyRequired(f"this needs an API key with scope '{needed}' or above, sent as `Authorization: Bearer`")
    return authenticate(engine=engine, key=key).require(needed)


def may_read_drafts(request: Request, engine: Engine) -> bool:
    """Public reads need no key; a key that is sent must be valid, and every scope reads drafts."""
    if presented_key(request) is None:
        return False
    authorize(request, engine, KeyScope.read_drafts)
    return True


class Scoped:
    """Dependency: the caller's principal, which must hold `needed`."""

    def __init__(self, needed: KeyScope) -> None:
        self.needed = needed

    def __call__(self, request: Request, engine: EngineDep) -> Principal:
        return authorize(request, engine, self.needed)


Curator = Annotated[Principal, Depends(Scoped(KeyScope.curate))]
Reviewer = Annotated[Principal, Depends(Scoped(KeyScope.review))]
Admin = Annotated[Principal, Depends(Scoped(KeyScope.admin))]
