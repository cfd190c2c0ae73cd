"""A claim version's dense embedding, computed when the claim is written, never per request.

The vector is unit length, stored as little-endian float16 bytes: half the space of float32,
and the same rankings (the bundled questions, and the same questions among 10,000 synthetic
claims, gave identical hit@3 and MRR either way). Vectors written as float32 before are read
as they are: the byte length per dimension tells which. At 100k+ claims a pgvector column or a
sqlite-vec table can hold the same rows and answer nearest-neighbour queries in the database
(see CorpusView.nearest in app/services/corpus.py).
"""

from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel


class ClaimEmbedding(SQLModel, table=True):
    __tablename__ = "claim_embedding"

    claim_id: str = Field(foreign_key="claim.id", primary_key=True, ondelete="CASCADE", max_length=81)
    model: str = Field(primary_key=True, max_length=80, description="Embedder that made the vector")
    claim_version: int = Field(description="The claim version the vector describes")
    dimensions: int
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


def vector_bytes(vector: npt.ArrayLike) -> bytes:
    return np.asarray(vector, dtype="<f2").tobytes()


def stored_vector(data: bytes, dimensions: int) -> npt.NDArray[np.floating[Any]]:
    """A view of stored bytes as the vector they hold: float16, or float32 when written before.

    A view, not a copy: stacking many of them and widening the stack once to float32 allocates
    the matrix once, where widening each row first left twice its size in small blocks.
    """
    kind = "<f2" if len(data) == 2 * dimensions else "<f4"
    return np.frombuffer(data, dtype=kind)
