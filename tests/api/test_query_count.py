"""A request costs a fixed number of queries, whatever the page size or the question's length."""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from app.config import Settings
from app.db import create_db_engine
from app.main import create_app
from app.services.curation import mark_changed, write_transaction


@pytest.fixture
def counted(bundled_url) -> Iterator[tuple[TestClient, list[str]]]:
    """A client without the response cache, and the SQL statements of its latest requests."""
    statements: list[str] = []
    with TestClient(create_app(Settings(database_url=bundled_url, response_cache_entries=0))) as client:
        event.listen(client.app.state.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        yield client, statements


def statements_for(counted, url: str) -> int:
    client, statements = counted
    statements.clear()
    assert client.get(url).status_code == 200
    return len(statements)


@pytest.mark.parametrize(
    "path",
    [
        "/v1/claims?limit={n}",
        "/v1/claims?q=ketamine&limit={n}&facets=topic",
        "/v1/claims?q=ketamine liver OR dizzy -esketamine&limit={n}",
        "/v1/snippets?q=ketamine&k={n}",
        "/v1/snippets?q=does ketamine hurt the liver or bladder&k={n}",
    ],
)
def test_queries_per_request_do_not_grow_with_the_page(counted, path):
    statements_for(counted, path.format(n=1))  # word frequencies are learnt once per dataset generation
    counts = [statements_for(counted, path.format(n=size)) for size in (2, 15)]
    assert counts[0] == counts[1] and counts[0] <= 6, counts


def test_a_question_costs_the_same_whatever_its_length(counted):
    """Word frequencies come in one statement for a question's new words, then from memory."""
    statements_for(counted, "/v1/snippets?q=ketamine")  # synonyms and vectors: loaded once per generation
    short = "/v1/snippets?q=liver"
    long = "/v1/snippets?q=can ketamine for depression damage my liver or make me dizzy when I drive home"
    first = [statements_for(counted, short), statements_for(counted, long)]
    again = [statements_for(counted, short), statements_for(counted, long)]
    assert first[0] == first[1] and again[0] == again[1], (first, again)
    assert again[0] == first[0] - 1 and again[0] <= 5, (first, again)


def test_the_index_is_counted_once_per_generation(counted):
    """Counting every indexed claim scans the whole index; a question with new words counts only those words."""
    _, statements = counted
    statements_for(counted, "/v1/snippets?q=liver")
    statements_for(counted, "/v1/snippets?q=bladder damage after long use")
    assert statements, "the second question's new words are counted"
    sql = " ".join(statements)
    whole_index = sql.count("count(*) FROM claim_fts") - sql.count("count(*) FROM claim_fts WHERE")
    assert whole_index == 0, statements


def test_a_filtered_list_costs_the_same_whatever_its_size(counted):
    statements_for(counted, "/v1/claims?topic=safety&limit=1")
    counts = [statements_for(counted, f"/v1/claims?topic=safety&limit={size}") for size in (2, 15)]
    assert counts[0] == counts[1] and counts[0] <= 6, counts


def test_a_next_page_is_not_counted_again(counted):
    """A list's total is counted once per filter and dataset generation, not once per page."""
    client, statements = counted
    first = client.get("/v1/claims?limit=2").json()
    statements.clear()
    second = client.get("/v1/claims", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert second["total"] == first["total"]
    assert not any("count(" in statement.lower() for statement in statements), statements


def test_a_write_reloads_what_search_keeps_in_memory_once(counted, bundled_url):
    """After the generation moves, the first question reloads synonyms and vectors; the next does not."""
    statements_for(counted, "/v1/snippets?q=liver")
    steady = statements_for(counted, "/v1/snippets?q=liver")
    engine = create_db_engine(bundled_url)
    with write_transaction(engine) as session:
        mark_changed(session)
    engine.dispose()
    assert statements_for(counted, "/v1/snippets?q=liver") == steady + 4  # synonyms, vectors, claims, word frequencies
    assert statements_for(counted, "/v1/snippets?q=liver") == steady


def test_questions_arriving_together_load_the_vectors_once(counted):
    """The first questions of a generation wait for one load of the vectors instead of each loading them."""
    client, statements = counted
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda i: client.get(f"/v1/snippets?q=liver {i}"), range(8)))
    assert [answer.status_code for answer in answers] == [200] * 8
    loads = [statement for statement in statements if "claim_embedding" in statement]
    assert len(loads) == 1, loads
