"""Source references are remembered per dataset generation: a write, which moves it, makes them read again."""

from sqlalchemy import text

from app.db import create_db_engine
from app.services.source_refs import SourceRefs
from tests.conftest import migrated_and_loaded

SOURCE = "anand-2023-nejm"


def _retitle(conn, title: str, *, bump: bool) -> None:
    """A change to the row; only a real write (`bump`) also moves the generation, as every write does."""
    conn.execute(text("UPDATE source SET title = :title WHERE id = :id"), {"title": title, "id": SOURCE})
    if bump:
        conn.execute(text("UPDATE dataset_state SET generation = generation + 1"))
    conn.commit()


def test_references_are_remembered_until_the_generation_moves(new_database, bundled):
    engine = create_db_engine(migrated_and_loaded(new_database(), bundled))
    refs = SourceRefs()
    with engine.connect() as conn:
        generation = conn.execute(text("SELECT generation FROM dataset_state")).scalar_one()
        first = refs.cited(conn, generation, {SOURCE})[SOURCE]["title"]
        _retitle(conn, "Changed without a write", bump=False)
        remembered = refs.cited(conn, generation, {SOURCE})[SOURCE]["title"]
        _retitle(conn, "Renamed by a write", bump=True)
        newer = refs.cited(conn, generation + 1, {SOURCE})[SOURCE]["title"]
        missing = refs.cited(conn, generation + 1, {"no-such-source"})
    engine.dispose()
    assert remembered == first  # the same generation is answered from memory
    assert newer == "Renamed by a write"  # a new generation reads the row again
    assert missing == {}
