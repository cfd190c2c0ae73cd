"""Responses to requests sent with an Idempotency-Key, kept in the database so every replica agrees."""

import datetime as dt

from sqlmodel import Field, SQLModel

from app.models.types import UtcDateTime


class IdempotentRequest(SQLModel, table=True):
    __tablename__ = "idempotent_request"

    key_name: str = Field(primary_key=True, max_length=64, description="The API key that sent it")
    idempotency_key: str = Field(primary_key=True, max_length=255)
    request_sha256: str = Field(max_length=64, description="Tells a replay from a different request")
    status_code: int
    response: str
    created_at: dt.datetime = Field(sa_type=UtcDateTime)
