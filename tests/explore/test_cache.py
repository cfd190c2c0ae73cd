"""Pages answer from the same response cache as the API, and a write is seen at once."""

from fastapi.testclient import TestClient
from sqlalchemy import text

from app.config import Settings
from app.dataset import read_dataset
from app.db import create_db_engine
from app.main import create_app
from app.services.loading import load_dataset
from tests.cli.test_check import first_claim, rewrite
from tests.conftest import migrated_and_loaded
from tests.explore.html import page
from tests.helpers import settled


def test_pages_are_cached_until_the_dataset_changes(new_database, bundled, data_copy):
    url = migrated_and_loaded(new_database(), bundled)
    path, claim = first_claim(data_copy)
    address = f"/explore/claims/{claim['id']}"
    engine = create_db_engine(url)
    with TestClient(create_app(Settings(database_url=url))) as client:
        assert page(client.get(address)).h1.get_text() == claim["statement"].strip()
        with engine.begin() as conn:  # a change that skips the generation bump is not seen: the page is cached
            conn.execute(
                text("UPDATE claim SET document = replace(document, 'a', 'b') WHERE id = :id"), {"id": claim["id"]}
            )
        cached = page(client.get(address))
        assert cached.h1.get_text() == claim["statement"].strip()
        claim["statement"] = "A statement rewritten to test the page cache."
        rewrite(path, claim)
        load_dataset(engine=engine, dataset=read_dataset(data_copy), changed_by="another replica")
        settled(client, url)
        fresh = page(client.get(address))
    engine.dispose()
    assert fresh.h1.get_text() == "A statement rewritten to test the page cache."
    assert [th.get_text() for th in fresh.select(".revisions tbody th")] == ["2", "1"]
    assert "statement" in fresh.select_one(".revisions tbody td:nth-of-type(3)").get_text()
