"""A claim version's dense embedding, computed when the claim is written, never per request.

The vector is little-endian float32 bytes, unit length. At 100k+ claims a pgvector column or a
sqlite-vec table can hold the same rows and answer nearest-neighbour queries in the database
(see app/services/vectors.py).
"""

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel


class ClaimEmbedding(SQLModel, table=True):
    __tablename__ = "claim_embedding"

    claim_id: str = Field(foreign_key="claim.id", primary_key=True, ondelete="CASCADE", max_length=81)
    model: str = Field(primary_key=True, max_length=80, description="Embedder that made the vector")
    claim_version: int = Field(description="The claim version the vector describes")
    dimensions: int
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
