"""A counter that every write bumps: the key that keeps cached responses honest."""

from sqlmodel import Field, SQLModel


class DatasetState(SQLModel, table=True):
    __tablename__ = "dataset_state"

    id: int = Field(default=1, primary_key=True)
    generation: int = Field(default=0, description="Bumped in the same transaction as any change")
