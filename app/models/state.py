"""Per-database state: a counter every write bumps (the key that keeps cached responses honest),
and the random key that signs pagination cursors when none is configured."""

from sqlmodel import Field, SQLModel


class DatasetState(SQLModel, table=True):
    __tablename__ = "dataset_state"

    id: int = Field(default=1, primary_key=True)
    generation: int = Field(default=0, description="Bumped in the same transaction as any change")
    cursor_secret: str = Field(max_length=64, description="Random, made by the migration that added it")
