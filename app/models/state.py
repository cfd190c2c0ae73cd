"""Per-database state: a counter every write bumps (the key that keeps cached responses honest),
the random key that signs pagination cursors when none is configured, and the release loaded."""

from sqlmodel import Field, SQLModel


class DatasetState(SQLModel, table=True):
    __tablename__ = "dataset_state"

    id: int = Field(default=1, primary_key=True)
    generation: int = Field(default=0, description="Bumped in the same transaction as any change")
    cursor_secret: str = Field(max_length=64, description="Random, made by the migration that added it")
    release: str | None = Field(default=None, max_length=40, description="Label of the last dataset release loaded")
