"""The `evidence` command: serve, migrate, check and load the dataset."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import OperationalError

from app import migrate
from app.config import Settings
from app.dataset import Dataset, read_dataset
from app.db import create_db_engine
from app.models.topic import Topic
from app.services.loading import LoadSummary, load_dataset

cli = typer.Typer(help="Ketamine Evidence API: serve and curate cited evidence records.", no_args_is_help=True)
db_cli = typer.Typer(help="Database schema commands.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")

DataDir = Annotated[Path, typer.Argument(help="A dataset folder in the data/ layout (see data/README.md)")]


@contextmanager
def _database(settings: Settings) -> Iterator[Engine]:
    """A reachable, migrated database, or exit 2 saying what to check."""
    engine = create_db_engine(settings.database_url)
    try:
        migrate.upgrade(engine)
    except OperationalError as error:
        engine.dispose()
        typer.secho(f"cannot reach the database {engine.url!r}: {error.orig}", fg="red", err=True)
        typer.echo("Check EVIDENCE_DATABASE_URL (see README, Configuration).", err=True)
        raise typer.Exit(2) from None
    try:
        yield engine
    finally:
        engine.dispose()


def _checked(path: Path) -> Dataset:
    dataset = read_dataset(path)
    for problem in dataset.problems:
        typer.secho(str(problem), fg="red", err=True)
    if not dataset.ok:
        typer.secho(
            f"{len(dataset.problems)} problem(s) in {path}; fix them and run `evidence check {path}` again.", err=True
        )
        raise typer.Exit(1)
    return dataset


def _load(engine: Engine, dataset: Dataset, changed_by: str) -> LoadSummary:
    steps = len(dataset.topics) + len(dataset.sources) + len(dataset.claims)
    with typer.progressbar(length=steps, label="Loading", file=None) as bar:
        summary = load_dataset(
            engine=engine, dataset=dataset, changed_by=changed_by, progress=lambda kind, item: bar.update(1)
        )
    for kind, counts in summary.counts.items():
        typer.echo(f"{kind + 's':8} " + ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())))
    return summary


@cli.command()
def check(path: DataDir) -> None:
    """Validate a dataset without touching any database; exit 1 listing every problem."""
    dataset = _checked(path)
    typer.secho(
        f"ok: {len(dataset.topics)} topics, {len(dataset.sources)} sources, {len(dataset.claims)} claims", fg="green"
    )


@cli.command()
def load(path: DataDir) -> None:
    """Validate, then import the dataset in one transaction (all or nothing)."""
    settings = Settings()
    dataset = _checked(path)
    with _database(settings) as engine:
        summary = _load(engine, dataset, changed_by=f"evidence load {path}")
    typer.secho("nothing changed" if summary.changed() == 0 else f"{summary.changed()} record(s) written", fg="green")


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration to EVIDENCE_DATABASE_URL."""
    with _database(Settings()):
        pass
    typer.secho("database is at the newest migration", fg="green")


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes")] = 1,
) -> None:
    """Serve the API; an empty database is migrated and loaded with the bundled data first."""
    settings = Settings()
    with _database(settings) as engine, engine.connect() as conn:
        empty = conn.execute(select(func.count()).select_from(Topic)).scalar_one() == 0
        if empty:
            typer.echo(f"First run: loading {settings.data_dir} into {engine.url.render_as_string()}")
            _load(engine, _checked(settings.data_dir), changed_by="evidence serve (first run)")
    typer.echo(f"Serving on http://{host}:{port}  (docs at /docs)")
    uvicorn.run("app.main:create_app", factory=True, host=host, port=port, workers=workers, log_level="info")


def main() -> None:
    cli()
