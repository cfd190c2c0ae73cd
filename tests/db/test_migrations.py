from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

import app.models  # noqa: F401
from app import migrate
from app.config import Settings
from app.dataset import read_dataset
from app.db import create_db_engine
from app.main import create_app
from app.services.loading import load_dataset
from tests.cli.test_check import first_claim, rewrite
from tests.conftest import migrated_and_loaded
from tests.helpers import assert_search_index_sound


def downgrade(engine, revision: str) -> None:
    with engine.begin() as connection:
        config = migrate.alembic_config(engine)
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_upgrade_on_empty_database_produces_exactly_the_models(new_database):
    engine = create_db_engine(new_database())
    assert not migrate.is_current(engine)
    migrate.upgrade(engine)
    assert migrate.is_current(engine)
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True, "include_name": migrate.include_name}),
            SQLModel.metadata,
        )
        tables = set(inspect(conn).get_table_names())
    engine.dispose()
    assert diff == []
    assert tables >= {"topic", "source", "claim", "citation", "claim_tag", "claim_revision", "alembic_version"}


def test_upgrade_twice_is_harmless(new_database):
    engine = create_db_engine(new_database())
    migrate.upgrade(engine)
    migrate.upgrade(engine)
    assert migrate.is_current(engine)
    engine.dispose()


def test_search_index_backfills_existing_claims(new_database, bundled, data_copy):
    """Upgrading a database that already holds claims indexes them, and later edits replace their rows."""
    url = migrated_and_loaded(new_database(), bundled)
    engine = create_db_engine(url)
    downgrade(engine, "0001")
    migrate.upgrade(engine)
    with TestClient(create_app(Settings(database_url=url))) as client:
        assert client.get("/v1/claims", params={"q": "Medicaid"}).json()["total"] >= 1
    path, claim = first_claim(data_copy)
    claim["statement"] = "Zanzibar is a word no other claim uses."
    rewrite(path, claim)
    load_dataset(engine=engine, dataset=read_dataset(data_copy), changed_by="edit after backfill")
    engine.dispose()
    assert_search_index_sound(url)
    with TestClient(create_app(Settings(database_url=url))) as client:
        assert [c["id"] for c in client.get("/v1/claims", params={"q": "zanzibar"}).json()["items"]] == [claim["id"]]


SEARCHES = [
    {"q": "Medicaid"},
    {"q": "ketamine", "topic": "safety", "min_certainty": "moderate"},
    {"q": "ketamine OR esketamine", "verdict": "partly-supported", "facets": "topic,verdict"},
]


def search_answers(url: str) -> list[dict]:
    with TestClient(create_app(Settings(database_url=url))) as client:
        return [client.get("/v1/claims", params=params).json() for params in SEARCHES]


def test_search_filters_backfill_on_upgrade(new_database, bundled):
    """Searches filtered by topic, certainty or verdict answer the same after the fields they filter on
    moved beside the search index (SQLite) as before."""
    url = migrated_and_loaded(new_database(), bundled)
    before = search_answers(url)
    engine = create_db_engine(url)
    downgrade(engine, "0014_about_vector")
    migrate.upgrade(engine)
    engine.dispose()
    assert all(answer["total"] >= 1 for answer in before)
    assert search_answers(url) == before


def test_the_search_index_without_its_copy_of_the_text_answers_alike(new_database, bundled):
    """SQLite's index reads the text from the claims' rows since 0017: searches, their fragments included,
    answer as they did with the copy, before and after, and the index checks out against those rows."""
    url = migrated_and_loaded(new_database(), bundled)
    before = search_answers(url)
    engine = create_db_engine(url)
    downgrade(engine, "0016_fts_status")
    assert search_answers(url) == before
    migrate.upgrade(engine)
    engine.dispose()
    assert all(item["match"]["fragment"] for answer in before for item in answer["items"])
    assert search_answers(url) == before
    assert_search_index_sound(url)


def test_source_references_backfill_on_upgrade(new_database, bundled):
    """A database loaded before sources kept their Vancouver reference gets one for every source."""
    url = migrated_and_loaded(new_database(), bundled)
    engine = create_db_engine(url)
    with engine.connect() as conn:
        rendered = dict(conn.execute(text("SELECT id, citation FROM source")).all())
    downgrade(engine, "0004_api_keys")
    migrate.upgrade(engine)
    with engine.connect() as conn:
        backfilled = dict(conn.execute(text("SELECT id, citation FROM source")).all())
    engine.dispose()
    assert len(rendered) == len(bundled.sources) and all(rendered.values())
    assert backfilled == rendered
