"""Real databases for every test: SQLite files, or scratch PostgreSQL databases when
EVIDENCE_DATABASE_URL names a PostgreSQL server (the suite creates and drops its own)."""

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import migrate
from app.config import PROJECT_ROOT, Settings
from app.dataset import Dataset, read_dataset
from app.db import create_db_engine
from app.main import create_app
from app.services.curation import Change, save_claim, write_transaction
from app.services.embedders import DEFAULT_MODEL
from app.services.indexing import indexer_for
from app.services.loading import load_dataset
from tests.benchmarks.generate_claims import synthetic_claims

# Every test client comes from one address: shared fixtures may not run into the limits by accident
# (tests of the limits set their own), and servers the tests start inherit these.
os.environ.setdefault("EVIDENCE_RATE_LIMIT_ANONYMOUS", "1000000/minute")
os.environ.setdefault("EVIDENCE_RATE_LIMIT_KEYED", "1000000/minute")

BUNDLED_DATA = PROJECT_ROOT / "data"
SERVER_URL = Settings(database_url=os.environ.get("EVIDENCE_DATABASE_URL", "sqlite://")).database_url
ON_POSTGRES = SERVER_URL.startswith("postgresql")

ANY_CLIENT = ["*"]  # what may read /metrics from TestClient, whose client has no IP address
NewDatabase = Callable[[], str]
QUALITY_REPORT = pytest.StashKey[list[str]]()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """Retrieval quality figures measured by the run, shown whatever the verbosity."""
    for line in config.stash.get(QUALITY_REPORT, []):
        terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def new_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NewDatabase]:
    """Factory of empty databases of the kind under test; all are dropped at the end."""
    created: list[str] = []
    admin = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT") if ON_POSTGRES else None

    def make() -> str:
        name = f"evidence_test_{uuid.uuid4().hex[:12]}"
        if admin is None:
            return f"sqlite:///{tmp_path_factory.mktemp('db') / name}.db"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        return make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)

    yield make
    if admin is not None:
        with admin.connect() as conn:
            for name in created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def migrated_and_loaded(url: str, dataset: Dataset) -> str:
    engine = create_db_engine(url)
    migrate.upgrade(engine)
    load_dataset(engine=engine, dataset=dataset, changed_by="test fixture")
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def bundled() -> Dataset:
    """The curated dataset as files say it is: the expectation API answers are checked against."""
    dataset = read_dataset(BUNDLED_DATA)
    assert dataset.ok, dataset.problems
    return dataset


@pytest.fixture(scope="session")
def bundled_url(new_database: NewDatabase, bundled: Dataset) -> str:
    return migrated_and_loaded(new_database(), bundled)


@pytest.fixture(scope="session")
def many_claims_url(new_database: NewDatabase, bundled: Dataset) -> str:
    """The bundled data plus 500 synthetic claims: enough that a broad search or a count takes a while."""
    url = migrated_and_loaded(new_database(), bundled)
    engine = create_db_engine(url)
    indexer = indexer_for(engine, DEFAULT_MODEL)
    with write_transaction(engine) as session:
        for claim in synthetic_claims(500, seed=3):
            save_claim(session=session, claim_in=claim, change=Change(by="test fixture"), indexer=indexer)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def client(bundled_url: str) -> Iterator[TestClient]:
    """A read-only client over the bundled dataset, shared by the read tests."""
    with TestClient(create_app(Settings(database_url=bundled_url, metrics_clients=ANY_CLIENT))) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def uncached(bundled_url: str) -> Iterator[TestClient]:
    """The same app with the response cache off, for tests whose subject is the code behind it."""
    settings = Settings(database_url=bundled_url, response_cache_entries=0, metrics_clients=ANY_CLIENT)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(params=["client", "uncached"])
def any_client(request: pytest.FixtureRequest) -> TestClient:
    """Cached or not, the answers must be the same: tests on it run once through each."""
    test_client: TestClient = request.getfixturevalue(request.param)
    return test_client


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of the bundled data/ that a test may break."""
    return Path(shutil.copytree(BUNDLED_DATA, tmp_path / "data"))
