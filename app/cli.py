"""The `evidence` command: serve, migrate, check and load the dataset."""

import errno
import logging.config
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from app import migrate
from app.api.mcp_server import Services, evidence_server
from app.api.v1.export import EXPORTERS, ExportFormat
from app.bundle import read_bundle
from app.config import InvalidSettings, Settings, load_settings
from app.dataset import Dataset, read_dataset
from app.db import create_db_engine, is_unavailable, timeouts
from app.errors import AlreadyExists, LoadInProgress, NotFound
from app.logs import log_config
from app.models.api_key import KEY_NAME_PATTERN, KeyScope
from app.models.topic import Topic
from app.models.types import iso_utc
from app.services.export import ExportRequest, check_selection
from app.services.indexing import indexer_for
from app.services.keys import create_key, list_keys, revoke_key
from app.services.loading import LoadSummary, embed_missing, load_dataset
from app.services.meta import API_VERSION, meta_of_files
from app.services.ranking import question_ranker
from app.services.search import text_search_for
from app.serving import shared_metrics, uvicorn_options

cli = typer.Typer(help="Ketamine Evidence API: serve and curate cited evidence records.", no_args_is_help=True)
db_cli = typer.Typer(help="Database schema commands.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
keys_cli = typer.Typer(help="API keys: create, list, revoke.", no_args_is_help=True)
cli.add_typer(keys_cli, name="keys")

DataDir = Annotated[
    Path,
    typer.Argument(help="A dataset folder in the data/ layout (see data/README.md), or a .jsonl bundle as exported"),
]


def _settings() -> Settings:
    """The settings, or exit 2 with one line per bad variable."""
    try:
        return load_settings()
    except InvalidSettings as error:
        for line in error.lines:
            typer.secho(line, fg="red", err=True)
        typer.echo("Fix these environment variables (see README, Configuration) and run again.", err=True)
        raise typer.Exit(2) from None


def _upgraded(engine: Engine) -> list[str]:
    """Migrate to the newest revision, or exit 2 saying what to check; returns what was applied."""
    try:
        return migrate.upgrade(engine)
    except OperationalError as error:
        if not is_unavailable(error):
            raise
        typer.secho(f"cannot reach the database {engine.url!r}: {error.orig}", fg="red", err=True)
        typer.echo("Check EVIDENCE_DATABASE_URL (see README, Configuration).", err=True)
        raise typer.Exit(2) from None


@contextmanager
def _database(settings: Settings) -> Iterator[Engine]:
    """A reachable, migrated database, or exit 2."""
    engine = create_db_engine(settings.database_url, timeouts(settings, limit_statements=False))
    try:
        _upgraded(engine)
        yield engine
    finally:
        engine.dispose()


def _read(path: Path) -> Dataset:
    """A folder, or a bundle file (which adds and updates records, never removes any)."""
    if not path.is_file():
        return read_dataset(path)
    with path.open("rb") as lines:
        return read_bundle(lines, name=str(path))


def _checked(path: Path) -> Dataset:
    dataset = _read(path)
    for problem in dataset.problems:
        typer.secho(str(problem), fg="red", err=True)
    if not dataset.ok:
        typer.secho(
            f"{len(dataset.problems)} problem(s) in {path}; fix them and run `evidence check {path}` again.", err=True
        )
        raise typer.Exit(1)
    return dataset


def _load(
    engine: Engine, dataset: Dataset, changed_by: str, settings: Settings, retire_missing: bool = False
) -> LoadSummary:
    steps = len(dataset.topics) + len(dataset.sources) + len(dataset.claims)
    indexer = indexer_for(engine, settings.embedding_model)
    with typer.progressbar(length=steps, label="Loading", file=None) as bar:
        summary = load_dataset(
            engine=engine,
            dataset=dataset,
            changed_by=changed_by,
            progress=lambda kind, item: bar.update(1),
            retire_missing=retire_missing,
            indexer=indexer,
        )
    for kind, counts in summary.counts.items():
        typer.echo(f"{kind + 's':8} " + ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())))
    return summary


def _report_missing(summary: LoadSummary, path: Path) -> None:
    """Say what the folder no longer has, and what to do about it."""
    if summary.retired:
        typer.secho(
            f"retired {len(summary.retired)} claim(s) missing from {path} (retracted, history kept): "
            + ", ".join(summary.retired),
            fg="yellow",
        )
    claims = [claim for claim in summary.missing.get("claim", []) if claim not in summary.retired]
    if claims:
        typer.secho(
            f"{len(claims)} claim(s) in the database are not in {path} and are still served: {', '.join(claims)}",
            fg="yellow",
        )
        typer.echo(f"Run `evidence load {path} --retire-missing` to retract them (their history is kept).")
    for kind in ("source", "topic"):
        if summary.missing.get(kind):
            typer.secho(
                f"{len(summary.missing[kind])} {kind}(s) in the database are not in {path} and are kept: "
                + ", ".join(summary.missing[kind]),
                fg="yellow",
            )


def _show_version(requested: bool) -> None:
    """API version, and the dataset folder's release, content hash, last review and claims per status."""
    if not requested:
        return
    settings = _settings()
    typer.echo(f"evidence {API_VERSION}")
    dataset = read_dataset(settings.data_dir)
    if not dataset.ok:
        typer.echo(f"dataset {settings.data_dir}: {len(dataset.problems)} problem(s); run `evidence check` to see them")
        raise typer.Exit(1)
    info = meta_of_files(dataset)
    counts = ", ".join(f"{n} {status}" for status, n in info.claims.model_dump().items())
    typer.echo(f"dataset {info.release} ({settings.data_dir})")
    typer.echo(f"  version sha256:{info.dataset_version}")
    typer.echo(f"  last reviewed {info.last_reviewed}; claims: {counts}; {info.sources} sources, {info.topics} topics")
    raise typer.Exit()


@cli.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Show the API and dataset versions, then exit"
        ),
    ] = False,
) -> None:
    """Ketamine Evidence API: serve and curate cited evidence records."""


@cli.command()
def check(path: DataDir) -> None:
    """Validate a dataset without touching any database; exit 1 listing every problem."""
    dataset = _checked(path)
    typer.secho(
        f"ok: {len(dataset.topics)} topics, {len(dataset.sources)} sources, {len(dataset.claims)} claims", fg="green"
    )


@cli.command()
def load(
    path: DataDir,
    retire_missing: Annotated[
        bool, typer.Option("--retire-missing", help="Retract claims the folder no longer has (never deletes)")
    ] = False,
) -> None:
    """Validate, then import the dataset in one transaction (all or nothing)."""
    settings = _settings()
    dataset = _checked(path)
    if retire_missing and not dataset.whole:
        typer.secho(f"{path} is a bundle, which only adds and updates: --retire-missing needs a folder", err=True)
        raise typer.Exit(2)
    with _database(settings) as engine:
        try:
            summary = _load(
                engine, dataset, changed_by=f"evidence load {path}", settings=settings, retire_missing=retire_missing
            )
        except LoadInProgress as error:
            typer.secho(error.detail, fg="red", err=True)
            raise typer.Exit(1) from None
    typer.secho("nothing changed" if summary.changed() == 0 else f"{summary.changed()} record(s) written", fg="green")
    _report_missing(summary, path)


@cli.command()
def export(
    format: Annotated[ExportFormat, typer.Option("--format", help="jsonl is a bundle `load` takes back")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file, not to stdout")] = None,
    topic: Annotated[str | None, typer.Option(help="Only vetted claims of this topic")] = None,
    claim: Annotated[str | None, typer.Option(help="Only this vetted claim")] = None,
) -> None:
    """Write the vetted claims (or a topic's, or one) in one of the API's export formats, streamed."""
    settings = _settings()
    wanted = ExportRequest(topic=topic, claim=claim, base_url=settings.public_url or "", publisher=settings.publisher)
    with _database(settings) as engine, engine.connect() as conn:
        try:
            check_selection(conn=conn, request=wanted)
        except NotFound as error:
            typer.secho(error.detail, fg="red", err=True)
            raise typer.Exit(1) from None
        with output.open("wb") if output else nullcontext(typer.get_binary_stream("stdout")) as out:
            written = sum(out.write(chunk) for chunk in EXPORTERS[format].write(conn, wanted))
    if output:
        typer.secho(f"Wrote {written:,} bytes to {output}", fg="green", err=True)


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration to EVIDENCE_DATABASE_URL, saying which."""
    settings = _settings()
    engine = create_db_engine(settings.database_url, timeouts(settings, limit_statements=False))
    try:
        applied = _upgraded(engine)
        head = migrate.current_revision(engine)
    finally:
        engine.dispose()
    if applied:
        typer.secho(f"Applied {len(applied)} migration(s): {', '.join(applied)}; the database is at {head}", fg="green")
    else:
        typer.secho(f"Already at the newest migration ({head}); nothing to apply", fg="green")


@keys_cli.command("create")
def keys_create(
    name: Annotated[str, typer.Option(help="Who uses the key; shown in every revision it makes")],
    scope: Annotated[KeyScope, typer.Option(help="read-drafts < curate < review < admin (each includes the former)")],
) -> None:
    """Create a key and print it once: only its hash is stored."""
    if not re.fullmatch(KEY_NAME_PATTERN, name):
        typer.secho("--name: use letters, digits and . _ @ - (at most 64, starting with a letter or digit)", err=True)
        raise typer.Exit(2)
    with _database(_settings()) as engine, Session(engine) as session, session.begin():
        try:
            key = create_key(session=session, name=name, scope=scope)
        except AlreadyExists as error:
            typer.secho(error.detail, fg="red", err=True)
            raise typer.Exit(1) from None
    typer.echo(key)
    typer.secho(f"Key '{name}' ({scope}) created. Store it now: it cannot be shown again.", fg="green", err=True)


@keys_cli.command("list")
def keys_list() -> None:
    """Name, scope, created and last used of every key (never the key itself)."""
    with _database(_settings()) as engine, Session(engine) as session:
        keys = list_keys(session=session)
    if not keys:
        typer.echo("no keys yet; create one with `evidence keys create --name NAME --scope SCOPE`")
        return
    typer.echo(f"{'name':24} {'scope':12} {'created':20} {'last used':20} status")
    for key in keys:
        used = iso_utc(key.last_used_at) if key.last_used_at else "never"
        status = f"revoked {iso_utc(key.revoked_at)}" if key.revoked_at else "active"
        typer.echo(f"{key.name:24} {key.scope:12} {iso_utc(key.created_at):20} {used:20} {status}")


@keys_cli.command("revoke")
def keys_revoke(name: Annotated[str, typer.Argument(help="The key's name, as `evidence keys list` shows it")]) -> None:
    """Revoke a key at once; its name stays in the revisions it made."""
    with _database(_settings()) as engine, Session(engine) as session, session.begin():
        try:
            revoke_key(session=session, name=name)
        except NotFound as error:
            typer.secho(error.detail, fg="red", err=True)
            raise typer.Exit(1) from None
    typer.secho(f"Key '{name}' is revoked.", fg="green")


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes")] = 1,
    no_seed: Annotated[
        bool, typer.Option("--no-seed", help="Leave an empty database empty (as EVIDENCE_SEED_EMPTY_DATABASE=false)")
    ] = False,
) -> None:
    """Serve the API; an empty database is migrated and, unless told not to, loaded with the bundled data first."""
    settings = _settings()
    _exit_if_cannot_listen(host, port)
    with _database(settings) as engine:
        with engine.connect() as conn:
            empty = conn.execute(select(func.count()).select_from(Topic)).scalar_one() == 0
        if empty:
            _seed(engine, settings, settings.seed_empty_database and not no_seed)
    with _database(settings) as engine, Session(engine) as session, session.begin():
        embedded = embed_missing(session=session, indexer=indexer_for(engine, settings.embedding_model))
        if embedded:
            typer.echo(f"Embedded {embedded} claim(s) that had no vector from the active model")
    typer.echo(f"Serving on http://{host}:{port}  (docs at /docs)")
    if host not in ("127.0.0.1", "localhost") and "*" not in settings.allowed_hosts:
        hosts = ", ".join(settings.allowed_hosts)
        typer.echo(f"Answering only for Host {hosts}: set EVIDENCE_ALLOWED_HOSTS to the names clients use.")
    with shared_metrics(workers):
        uvicorn.run(
            "app.main:create_app", factory=True, host=host, port=port, workers=workers, **uvicorn_options(settings)
        )


def _seed(engine: Engine, settings: Settings, wanted: bool) -> None:
    """Loud either way: a database that is empty where data was expected may be a deleted file."""
    where = engine.url.render_as_string()
    if not wanted:
        typer.secho(f"WARNING: {where} is empty and seeding is off: serving no records.", fg="yellow", err=True)
        typer.echo(f"Load data with `evidence load {settings.data_dir}`.", err=True)
        return
    typer.secho(
        f"WARNING: {where} is empty: loading the bundled dataset from {settings.data_dir}. "
        "If this database should have held data, stop now and restore it "
        "(turn this off with --no-seed or EVIDENCE_SEED_EMPTY_DATABASE=false).",
        fg="yellow",
        err=True,
    )
    _load(engine, _checked(settings.data_dir), changed_by="evidence serve (first run)", settings=settings)


def _exit_if_cannot_listen(host: str, port: int) -> None:
    """Fail before migrating and loading if the address is taken, saying so in one line."""
    try:
        family, kind, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
            probe.bind(address)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            message = f"port {port} on {host} is taken by another program: stop it or choose another --port"
            typer.secho(message, fg="red", err=True)
        else:
            typer.secho(f"cannot listen on {host}:{port}: {error.strerror or error}", fg="red", err=True)
        raise typer.Exit(1) from None


@cli.command("mcp")
def mcp_stdio() -> None:
    """Serve the MCP tools over stdio, for an MCP client that starts this command itself."""
    settings = _settings()
    with _database(settings) as engine:
        ranker = question_ranker(text_search_for(engine), settings)
        services = Services(settings=settings, engine=engine, ranker=ranker)
        evidence_server(lambda: services).run("stdio")


def main() -> None:
    # Before any command imports a library that configures logging on import; `serve` replaces this with its own.
    logging.config.dictConfig(log_config("text", access=False, level="warning"))
    cli()
