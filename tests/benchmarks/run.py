"""Measure the API against its ceiling at 10k and 100k claims (1M on request) and print one table.

For each corpus size it builds (once, under --dir) a database of synthetic claims through
the real write path, then starts the production server and the ceiling (ceiling.py) on the
same file, both pinned to one core, and loads them with wrk pinned to the other. Runs
alternate between the two in one sitting, every run bounded by --duration, the database file
read into the page cache before each one. The response cache is off and URLs rotate through
thousands of distinct requests, so every answer is computed. Loopback only.

    python -m tests.benchmarks.run                          # 10k and 100k, SQLite
    python -m tests.benchmarks.run --claims 1000000         # 1M
    python -m tests.benchmarks.run --write docs/performance.md
    python -m tests.benchmarks.run --claims 10000 --postgres postgresql://postgres@127.0.0.1:5432/test \
        --workers 2 --server-cpus 0,1                       # the app alone on PostgreSQL, two workers

With --postgres the corpus goes into a database of its own on that server (evidence_bench_N,
built once and kept, like the SQLite files) and only the app is measured: the ceiling reads
SQLite files.
"""

import argparse
import http.client
import json
import math
import os
import platform
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import create_engine, make_url, text

from app.dataset import read_dataset
from tests.benchmarks.generate_claims import VOCABULARY_SIZE
from tests.benchmarks.synthetic import Vocabulary, bundled_texts, dataset_root, questions

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
APP_PORT, CEILING_PORT = 18731, 18732
PROBE_TIMEOUT = 30  # seconds a /healthz probe may wait
WRK_TIMEOUT = 10  # seconds wrk waits for an answer; a later one counts as an error, and its time is not kept
LUA = """
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
local i = 0
function init(args) math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16)); i = math.random(#paths) end
function request() i = i %% #paths + 1; return wrk.format("GET", paths[i]) end
"""


@dataclass
class Figures:
    rps: float
    p50: float  # milliseconds
    p99: float
    errors: int


@dataclass
class Row:
    scenario: str
    app: list[Figures] = field(default_factory=list)
    ceiling: list[Figures] = field(default_factory=list)
    identical: str = "-"


def _milliseconds(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def wrk(base: str, paths_file: Path, *, seconds: int, connections: int, core: int) -> Figures:
    """One bounded wrk run over the rotating paths in `paths_file`."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(LUA % paths_file)
        script.flush()
        command = ["taskset", "-c", str(core), "wrk", "-t1", f"-c{connections}", f"-d{seconds}s"]
        command += ["--timeout", f"{WRK_TIMEOUT}s"]
        output = subprocess.run(
            [*command, "--latency", "-s", script.name, base], capture_output=True, text=True, timeout=seconds + 60
        ).stdout
    if re.search(r"^\s+0 requests in", output, re.MULTILINE):  # not one answer within the run
        return Figures(0.0, float("inf"), float("inf"), 0)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    if not (rps and p50 and p99):
        raise RuntimeError(f"wrk gave no figures:\n{output}")
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    timeouts = re.search(r"timeout (\d+)", output)
    errors = (int(bad.group(1)) if bad else 0) + (int(timeouts.group(1)) if timeouts else 0)
    if timeouts and _milliseconds(p50.group(1)) == 0:  # wrk times only answers within WRK_TIMEOUT: none was
        return Figures(float(rps.group(1)), float("inf"), float("inf"), errors)
    return Figures(float(rps.group(1)), _milliseconds(p50.group(1)), _milliseconds(p99.group(1)), errors)


def warm(database: Path) -> None:
    """Read the database file (and its WAL) so that no run starts with a cold page cache."""
    for path in (database, Path(f"{database}-wal")):
        if path.exists():
            with path.open("rb") as handle:
                while handle.read(1 << 22):
                    pass


@dataclass(frozen=True)
class Corpus:
    """Where a corpus of `count` claims lives: a SQLite file, or a PostgreSQL database."""

    url: str
    facts: Path  # what building it measured
    file: Path | None  # the SQLite file, read into the page cache before each run

    @classmethod
    def of(cls, count: int, args: argparse.Namespace) -> "Corpus":
        if args.postgres is None:
            database = args.dir / f"claims-{count}.db"
            return cls(f"sqlite:///{database}", database.with_suffix(".json"), database)
        url = make_url(args.postgres).set(database=f"evidence_bench_{count}")
        return cls(url.render_as_string(hide_password=False), args.dir / f"postgres-{count}.json", None)


def build(corpus: Corpus, count: int) -> dict[str, float]:
    """The corpus database, generated once and then migrated to the current schema."""
    env = os.environ | {"EVIDENCE_DATABASE_URL": corpus.url}
    if not corpus.facts.exists():
        _recreate(corpus)
        print(f"building {corpus.url} ({count:,} claims) ...", file=sys.stderr)
        output = subprocess.run(
            [sys.executable, "-m", "tests.benchmarks.generate_claims", "--count", str(count)],
            env=env,
            check=True,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
        seconds = float(re.search(r"import_seconds=([\d.]+)", output).group(1))  # type: ignore[union-attr]
        corpus.facts.write_text(json.dumps({"import_seconds": seconds}))
    subprocess.run([sys.executable, "-m", "app", "db", "upgrade"], env=env, check=True, cwd=ROOT, capture_output=True)
    if corpus.file is not None:
        with sqlite3.connect(corpus.file) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return json.loads(corpus.facts.read_text())


def _recreate(corpus: Corpus) -> None:
    """An empty database to build into (a half-built one from an interrupted run is dropped)."""
    if corpus.file is not None:
        corpus.file.unlink(missing_ok=True)
        return
    url = make_url(corpus.url)
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}"'))
        conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    server.dispose()


def space(corpus: Corpus, count: int) -> str:
    """Bytes per claim, and the largest tables and indexes (on PostgreSQL, tables with their indexes)."""
    total, largest = _sqlite_sizes(corpus.file) if corpus.file is not None else _postgres_sizes(corpus.url)
    parts = ", ".join(f"{name} {size / count:,.0f}" for name, size in largest)
    return f"{total / count:,.0f} B/claim ({parts})"


def _sqlite_sizes(database: Path) -> tuple[int, list[tuple[str, int]]]:
    with sqlite3.connect(database) as db:
        try:
            rows = db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 6").fetchall()
        except sqlite3.OperationalError:  # SQLite built without dbstat
            rows = []
    return database.stat().st_size, rows


def _postgres_sizes(url: str) -> tuple[int, list[tuple[str, int]]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        total = int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
        rows = conn.execute(
            text(
                "SELECT relname, pg_total_relation_size(oid) FROM pg_class WHERE relkind = 'r' "
                "AND relnamespace = 'public'::regnamespace ORDER BY 2 DESC LIMIT 6"
            )
        ).all()
    engine.dispose()
    return total, [(str(row[0]), int(row[1])) for row in rows]


def url_sets(corpus: Corpus, server: str, seed: int) -> dict[str, list[str]]:
    """Thousands of distinct requests per scenario, drawn from the corpus and its vocabulary.

    `server` answers the list pages whose next_cursor the later pages need.
    """
    rng = random.Random(seed)
    engine = create_engine(corpus.url)
    with engine.connect() as conn:
        vetted: list[str] = list(
            conn.execute(text("SELECT id FROM claim WHERE status = 'vetted' ORDER BY id")).scalars()
        )
        topics: list[str] = list(conn.execute(text("SELECT id FROM topic ORDER BY id")).scalars())
    engine.dispose()
    ids = rng.sample(vetted, min(5000, len(vetted)))
    filters = [
        "&".join(part for part in parts if part)
        for parts in (
            (f"topic={t}" if t else "", f"verdict={v}" if v else "", f"min_certainty={c}" if c else "")
            for t in [None, *topics]
            for v in [None, "supported", "partly-supported", "contradicted", "misleading"]
            for c in [None, "moderate", "high"]
        )
    ]
    lists = []
    for where in filters:  # the first pages, and the next two of each, by following next_cursor
        path = "/v1/claims?" + "&".join(part for part in ("limit=50", where) if part)
        for _ in range(3):
            lists.append(path)
            with urllib.request.urlopen(server + path, timeout=60) as response:
                cursor = json.load(response)["next_cursor"]
            if cursor is None:
                break
            path = path.split("&cursor=")[0] + f"&cursor={cursor}"
    vocabulary = Vocabulary.from_texts(bundled_texts(read_dataset(dataset_root())), VOCABULARY_SIZE)
    searches = questions(vocabulary, rng, 3000, 1, 3)
    asked = questions(vocabulary, rng, 3000, 3, 8)
    return {
        # No database and no handler work: what the framework and middleware cost each request on their own.
        "healthz (floor)": ["/healthz"],
        "detail": [f"/v1/claims/{claim_id}" for claim_id in ids],
        "list of 50": lists,
        "search": [f"/v1/claims?q={quote(q)}&limit=20" for q in searches],
        "snippets": [f"/v1/snippets?q={quote(q)}&k=5" for q in asked],
    }


def _body(url: str) -> bytes | None:
    """The body of a successful answer, None for an error status (at 1M claims a search may pass the time limit)."""
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.read()
    except urllib.error.HTTPError:
        return None


def same_bytes(app: str, ceiling: str, paths: list[str]) -> str:
    """How many of a sample of requests get byte-identical, successful bodies from the app and the ceiling."""
    sample = paths[:: max(1, len(paths) // 25)][:25]
    bodies = [(_body(app + path), _body(ceiling + path)) for path in sample]
    equal = sum(mine is not None and mine == theirs for mine, theirs in bodies)
    return f"{equal}/{len(sample)}"


def warm_up(base: str, scenario: str, paths: list[str]) -> None:
    """Bring a server to steady state before timing it: what it loads once per dataset generation is loaded.

    That is the claims' vectors (one question), and each list filter's total, counted once per
    generation by app and ceiling alike (every list page; the ceiling has already served them
    while the later pages' cursors were collected).
    """
    for path in paths if scenario == "list of 50" else paths[:1]:
        _body(base + path)


@contextmanager
def server(command: list[str], env: dict[str, str], port: int, cpus: str) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(["taskset", "-c", cpus, *command], env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                _body(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server on port {port} did not start") from None
                time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def evidence_serve(port: int, workers: int) -> list[str]:
    """The app as operators start it, so it runs with `evidence serve`'s uvicorn options and log set-up.

    measure() picks the faster HTTP parser and turns the access log off, as the ceiling writes none."""
    return [sys.executable, "-m", "app", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]


def uvicorn(target: str, port: int, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        target,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
        *extra,
    ]


def _family(pid: int) -> list[int]:
    """The process and its descendants (uvicorn's workers)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [pid, *(member for child in children for member in _family(int(child)))]


def rss_megabytes(pid: int) -> str:
    """Resident memory of the server, its workers included."""
    current = peak = 0
    for member in _family(pid):
        status = Path(f"/proc/{member}/status").read_text()
        rss, hwm = (int(re.search(rf"{key}:\s+(\d+)", status).group(1)) for key in ("VmRSS", "VmHWM"))  # type: ignore[union-attr]
        current, peak = current + rss // 1024, peak + hwm // 1024
    return f"{current} MB (peak {peak} MB)"


@dataclass
class Result:
    claims: int
    rows: list[Row]
    healthz: Figures
    rss: str
    space: str
    import_seconds: float


def measure(count: int, args: argparse.Namespace) -> Result:
    corpus = Corpus.of(count, args)
    facts = build(corpus, count)
    env = os.environ | {
        "EVIDENCE_DATABASE_URL": corpus.url,
        "EVIDENCE_RESPONSE_CACHE_ENTRIES": "0",
        "EVIDENCE_RATE_LIMIT_ANONYMOUS": "off",  # wrk is one client sending far more than any limit
        "EVIDENCE_BENCH_DB": str(corpus.file),
        "EVIDENCE_HTTP_PARSER": "httptools",
        "EVIDENCE_ACCESS_LOG": "false",
    }
    app, ceiling = f"http://127.0.0.1:{APP_PORT}", f"http://127.0.0.1:{CEILING_PORT}"
    app_command = evidence_serve(APP_PORT, args.workers)
    with ExitStack() as servers:
        app_process = servers.enter_context(server(app_command, env, APP_PORT, args.server_cpus))
        if corpus.file is not None:
            servers.enter_context(
                server(uvicorn("tests.benchmarks.ceiling:app", CEILING_PORT), env, CEILING_PORT, args.server_cpus)
            )
        urls = url_sets(corpus, ceiling if corpus.file is not None else app, args.seed)
        files = {}
        for scenario, paths in urls.items():
            files[scenario] = args.dir / f"paths-{count}-{scenario.replace(' ', '-')}.txt"
            files[scenario].write_text("\n".join(paths) + "\n")
        rows = []
        for scenario in urls:
            row = Row(scenario)
            targets = [("app", app)] + ([("ceiling", ceiling)] if scenario != "snippets" and corpus.file else [])
            if len(targets) == 2:
                row.identical = same_bytes(app, ceiling, urls[scenario])
            for _, base in targets:
                warm_up(base, scenario, urls[scenario])
            for round_ in range(args.rounds):
                for name, base in targets if round_ % 2 == 0 else targets[::-1]:
                    if corpus.file is not None:
                        warm(corpus.file)
                    figures = wrk(
                        base, files[scenario], seconds=args.duration, connections=args.connections, core=args.load_core
                    )
                    getattr(row, name).append(figures)
                    print(f"  {count:,} {scenario} {name}: {figures}", file=sys.stderr)
            rows.append(row)
        healthz = healthz_probe(
            app, files["search"], seconds=args.duration, connections=args.connections, load_core=args.load_core
        )
        rss = rss_megabytes(app_process.pid)
    return Result(count, rows, healthz, rss, space(corpus, count), facts["import_seconds"])


def healthz_probe(app: str, load_paths: Path, *, seconds: int, connections: int, load_core: int = 1) -> Figures:
    """/healthz latency, probed back to back from one connection while the others load `load_paths`.

    A probe is timed until its answer arrives, however late (wrk would drop answers that
    arrive after its run ends), so a server that starves its health check shows it.
    """
    load = threading.Thread(
        target=wrk,
        args=(app, load_paths),
        kwargs={"seconds": seconds, "connections": connections, "core": load_core},
    )
    load.start()
    time.sleep(1)
    connection = http.client.HTTPConnection("127.0.0.1", int(app.rsplit(":", 1)[1]), timeout=PROBE_TIMEOUT)
    latencies: list[float] = []
    started = time.perf_counter()
    while load.is_alive():
        sent = time.perf_counter()
        try:
            connection.request("GET", "/healthz")
            connection.getresponse().read()
        except TimeoutError:  # counted as the bound itself, so the p99 reads "at least this"
            latencies.append(PROBE_TIMEOUT * 1000)
            break
        latencies.append((time.perf_counter() - sent) * 1000)
        time.sleep(0.005)
    load.join()
    connection.close()
    rate = len(latencies) / (time.perf_counter() - started)
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return Figures(rate, cuts[49], cuts[98], 0)


def _median(figures: list[Figures], attribute: str) -> float:
    return statistics.median(getattr(f, attribute) for f in figures)


def _milliseconds_cell(figures: list[Figures], attribute: str) -> str:
    """The median latency; infinite when the run it falls on had no answer within the run or wrk's timeout."""
    value = _median(figures, attribute)
    return "none in time" if math.isinf(value) else f"{value:,.1f}"


def table(results: list[Result]) -> str:
    lines = [
        "| claims | scenario | app req/s | app p50 ms | app p99 ms "
        "| ceiling req/s | ceiling p99 ms | app/ceiling | same bytes |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for result in results:
        for row in result.rows:
            app_rps = _median(row.app, "rps")
            ratios = [a.rps / c.rps for a, c in zip(row.app, row.ceiling, strict=False) if c.rps]
            ceiling = (
                (
                    f"{_median(row.ceiling, 'rps'):,.0f}",
                    _milliseconds_cell(row.ceiling, "p99"),
                    f"{statistics.median(ratios):.0%}" if ratios else "-",
                )
                if row.ceiling
                else ("-", "-", "-")
            )
            errors = sum(f.errors for f in row.app)
            flag = f" ({errors} errors)" if errors else ""
            lines.append(
                f"| {result.claims:,} | {row.scenario} | {app_rps:,.0f}{flag} | {_milliseconds_cell(row.app, 'p50')} | "
                f"{_milliseconds_cell(row.app, 'p99')} | {' | '.join(ceiling)} | {row.identical} |"
            )
    return "\n".join(lines)


def others(results: list[Result], connections: int) -> str:
    lines = []
    for r in results:
        lines.append(
            f"- {r.claims:,} claims: `/healthz` p50 {r.healthz.p50:,.1f} ms, p99 {r.healthz.p99:,.1f} ms "
            f"({r.healthz.rps:,.1f} probes/s) while "
            f"{connections} connections search; server RSS {r.rss}; import {r.import_seconds:,.1f} s "
            f"({r.claims / r.import_seconds:,.0f} claims/s); database {r.space}"
        )
    return "\n".join(lines)


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.machine(),
    )
    memory = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) // 1024**2  # type: ignore[union-attr]
    packages = ["fastapi", "starlette", "uvicorn", "sqlalchemy", "pydantic", "orjson", "psycopg"]
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in packages)
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("\n")[0].split(" [")[0]
    return (
        f"{model}, {os.cpu_count()} cores, {memory} GB RAM, Linux {platform.release()}; "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, {versions}; {wrk_version}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--duration", type=int, default=8, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs per scenario and server")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "evidence-bench")
    parser.add_argument("--server-cpus", default="0", help="cores the servers are pinned to (taskset -c)")
    parser.add_argument("--workers", type=int, default=1, help="app worker processes")
    parser.add_argument("--postgres", help="a PostgreSQL URL: measure the app on PostgreSQL instead of SQLite")
    parser.add_argument("--load-core", type=int, default=1)
    parser.add_argument("--write", type=Path, help="write the report (docs/performance.md) here, with these figures")
    parser.add_argument("--append", type=Path, help="add these figures to a report written before")
    args = parser.parse_args()
    for tool in ("wrk", "taskset"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is not installed: apt-get install wrk util-linux")
    args.dir.mkdir(parents=True, exist_ok=True)
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load_before = os.getloadavg()[1]
    results = [measure(count, args) for count in args.claims]
    load = f"- Load average over 5 minutes: {load_before:.1f} at the start, {os.getloadavg()[1]:.1f} at the end."
    section = figures_section(args, started, table(results) + "\n\n" + others(results, args.connections) + "\n" + load)
    print(section)
    if args.write:
        args.write.write_text(report(section, started, args))
    if args.append:
        with args.append.open("a") as report_file:
            report_file.write(f"\n{section}")


def figures_section(args: argparse.Namespace, started: str, figures: str) -> str:
    """One sitting's figures under a heading naming the database and workers, with the command that made them.

    Each names its machine and time too: a report may gather sittings from several machines (--append).
    """
    database = "PostgreSQL" if args.postgres else "SQLite"
    workers = f"{args.workers} worker" + ("s" if args.workers > 1 else "")
    command = "python -m tests.benchmarks.run " + " ".join(sys.argv[1:])
    heading = f"### {database}, {workers} on core(s) {args.server_cpus}, wrk on core {args.load_core}"
    return f"{heading}\n\nMeasured {started} on {machine()}\n\n```sh\n{command}\n```\n\n{figures}\n"


def report(section: str, started: str, args: argparse.Namespace) -> str:
    return (
        (HERE / "performance.md.template")
        .read_text()
        .format(
            figures=section,
            started=started,
            machine=machine(),
            duration=args.duration,
            rounds=args.rounds,
            connections=args.connections,
            wrk_timeout=WRK_TIMEOUT,
        )
    )


if __name__ == "__main__":
    main()
