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
from app.services.embedders import claim_text, load_embedder
from tests.cli.test_check import first_claim, rewrite
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
    assert version == 2 and np.allclose(np.frombuffer(vector, "<f4"), embedder.embed_documents([text_now])[0])
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
