"""Query-time synonym groups, kept with the dataset so every replica searches the same way."""

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel


class SynonymGroup(SQLModel, table=True):
    __tablename__ = "synonym_group"

    position: int = Field(primary_key=True, description="Order in the dataset's synonyms.yaml")
    entries: list[str] = Field(sa_column=Column(JSON, nullable=False), description="Lower-case words or phrases")
