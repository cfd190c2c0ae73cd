"""A claim's embedding is computed when the claim is written, for that version, and filled in by load."""

import logging

import numpy as np
from fastapi.testclient import TestClient
from sqlalchemy import text
from typer.testing import CliRunner

from app.cli import cli
from app.config import Settings
from app.db import create_db_engine
from app.main import create_app
from app.models.embedding import stored_vector
from app.services.embedders import claim_text, load_embedder
from tests.cli.test_check import first_claim, rewrite
from tests.conftest import migrated_and_loaded
from tests.helpers import vetted

runner = CliRunner()


def stored(url: str) -> dict[str, tuple[int, str, bytes]]:
    engine = create_db_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT claim_id, claim_version, model, vector FROM claim_embedding")).all()
    engine.dispose()
    return {row.claim_id: (row.claim_version, row.model, bytes(row.vector)) for row in rows}


def test_load_embeds_every_claim_version_once(new_database, bundled, data_copy, monkeypatch):
    url = new_database()
    monkeypatch.setenv("EVIDENCE_DATABASE_URL", url)
    assert runner.invoke(cli, ["load", str(data_copy)]).exit_code == 0
    first = stored(url)
    embedder = load_embedder(Settings().embedding_model)
    assert set(first) == {claim.id for claim in bundled.claims}
    assert {(version, model) for version, model, _ in first.values()} == {(1, embedder.name)}
    path, claim = first_claim(data_copy)
    claim["snippet"] = "Reviewed again: " + claim["snippet"][:300]
    rewrite(path, claim)
    assert runner.invoke(cli, ["load", str(data_copy)]).exit_code == 0
    second = stored(url)
    version, _, vector = second[claim["id"]]
    topics = {topic.id: topic.label for topic in bundled.topics}
    text_now = claim_text(topic_label=topics[claim["topic"]], statement=claim["statement"], snippet=claim["snippet"])
    expected = embedder.embed_documents([text_now])[0]
    assert version == 2 and np.allclose(stored_vector(vector, len(expected)), expected, atol=1e-3)  # float16
    assert {k: v for k, v in second.items() if k != claim["id"]} == {k: v for k, v in first.items() if k != claim["id"]}


def test_load_fills_vectors_missing_for_the_active_model(new_database, bundled, data_copy, monkeypatch, caplog):
    url = new_database()
    monkeypatch.setenv("EVIDENCE_DATABASE_URL", url)
    assert runner.invoke(cli, ["load", str(data_copy)]).exit_code == 0
    engine = create_db_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM claim_embedding"))
        conn.execute(text("UPDATE dataset_state SET generation = generation + 1"))
    engine.dispose()
    with caplog.at_level(logging.WARNING), TestClient(create_app(Settings(database_url=url))) as client:
        assert client.get("/v1/snippets", params={"q": "is ketamine addictive"}).status_code == 200
    assert f"{len(vetted(bundled))} vetted claim(s) have no vector" in caplog.text
    again = runner.invoke(cli, ["load", str(data_copy)])
    assert again.exit_code == 0 and f"embeddings {len(bundled.claims)} created" in again.output
    assert set(stored(url)) == {claim.id for claim in bundled.claims}


def test_vectors_are_stored_in_half_precision_and_full_precision_ones_written_before_still_rank(new_database, bundled):
    url = migrated_and_loaded(new_database(), bundled)
    engine = create_db_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT claim_id, model, dimensions, vector FROM claim_embedding")).all()
    question = {"q": "is ketamine as good as electroconvulsive therapy", "k": 5}
    with TestClient(create_app(Settings(database_url=url, response_cache_entries=0))) as client:
        half = client.get("/v1/snippets", params=question).json()["items"]
    with engine.begin() as conn:  # as an older version wrote them: the same values in float32
        for row in rows:
            full = np.frombuffer(row.vector, dtype="<f2").astype("<f4").tobytes()
            keys = {"vector": full, "claim_id": row.claim_id, "model": row.model}
            conn.execute(
                text("UPDATE claim_embedding SET vector = :vector WHERE claim_id = :claim_id AND model = :model"), keys
            )
    with TestClient(create_app(Settings(database_url=url, response_cache_entries=0))) as client:
        full = client.get("/v1/snippets", params=question).json()["items"]
    engine.dispose()
    assert rows and all(len(row.vector) == 2 * row.dimensions for row in rows)
    assert half and [(i["claim_id"], i["score"]) for i in full] == [(i["claim_id"], i["score"]) for i in half]
