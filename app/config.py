"""Settings read once at the edge from EVIDENCE_* environment variables."""

import ipaddress
import re
from pathlib import Path
from typing import Annotated, Literal

from limits import parse_many
from pydantic import AfterValidator, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.resources import CHECKOUT, shipped

PROJECT_ROOT = CHECKOUT  # the source tree, where tests and docs live


def _network_or_any(entry: str) -> str:
    """`*`, or a network in CIDR form (`10.0.0.0/8`; a bare address is a network of one)."""
    if entry == "*":
        return entry
    try:
        return str(ipaddress.ip_network(entry, strict=False))
    except ValueError:
        raise ValueError(f"'{entry}' is not a network such as 10.0.0.0/8 or ::1/128") from None


ClientNetwork = Annotated[str, AfterValidator(_network_or_any)]


class Settings(BaseSettings):
    """Everything the service can be told; see the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="EVIDENCE_", extra="ignore")

    database_url: str = Field(
        default_factory=lambda: f"sqlite:///{Path.cwd() / 'evidence.db'}",
        description="SQLAlchemy URL: sqlite:///path.db or postgresql://user@host/db",
    )
    data_dir: Path = Field(
        default_factory=lambda: shipped("data"),
        description="Dataset loaded into an empty database on first serve",
    )
    cursor_secret: str | None = Field(
        default=None,
        min_length=16,
        description="Key signing pagination cursors; unset, each database keeps a random one of its own",
    )
    response_cache_entries: int = Field(
        default=2048, ge=0, description="Responses kept in memory per worker; 0 turns the cache off"
    )
    response_cache_bytes: int = Field(
        default=64 * 1024 * 1024, ge=0, description="Memory the response cache may hold per worker, in bytes"
    )
    public_url: str | None = Field(
        default=None, description="Base URL clients see (https://api.example.org); links are relative without it"
    )
    allowed_hosts: list[str] = Field(
        default=["localhost", "127.0.0.1", "testserver"],
        description="Host header values served (JSON list; `*.example.org` covers subdomains, `*` allows any)",
    )
    publisher: str = Field(
        default="Ketamine Evidence API",
        description="Organisation named as the author of ClaimReview records",
    )
    limit_concurrency: int = Field(
        default=512,
        ge=1,
        description="Requests a worker works on at once; past it a 503 problem (connections are capped at twice this)",
    )
    request_threads: int = Field(
        default=4,
        ge=1,
        description="Threads a worker runs blocking handlers on; few, so that while slow queries run the event loop "
        "still wins the CPU back at once for health checks and cached answers (more requests wait their turn)",
    )
    keep_alive_timeout: int = Field(default=5, ge=1, description="Seconds an idle kept-alive connection stays open")
    header_timeout: float = Field(
        default=10.0, gt=0, description="Seconds a client has to send a request's line and headers before it is cut"
    )
    http_parser: Literal["h11", "httptools"] = Field(
        default="h11",
        description="h11 lets long URLs reach the app (414 problem); httptools is faster, plain 400 past ~80 KB",
    )
    log_format: Literal["json", "text"] = Field(default="json", description="Log lines as JSON objects or plain text")
    access_log: bool = Field(default=True, description="Log one line per request (method, path, status, time, id)")
    embedding_model: Literal["auto", "wordllama", "e5", "minilm"] = Field(
        default="auto",
        description="Dense model for search: auto (minilm when the semantic extra is installed, else wordllama)",
    )
    relevance_floor: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Snippets scoring below this are no evidence on the question; default: tuned per embedding model",
    )
    cors_origins: list[str] = Field(default=["*"], description="Origins allowed by CORS (JSON list)")
    statement_timeout: float = Field(
        default=5.0, gt=0, description="Seconds one read statement may run before the request gets a 503"
    )
    connect_timeout: float = Field(default=5.0, gt=0, description="Seconds to wait for a new database connection")
    seed_empty_database: bool = Field(
        default=True, description="`evidence serve` loads the bundled dataset into an empty database"
    )
    pool_timeout: float = Field(default=5.0, gt=0, description="Seconds a request waits for a free pooled connection")
    pool_size: int = Field(default=10, ge=1, description="PostgreSQL connections each worker process keeps open")
    max_body_bytes: int = Field(
        default=5 * 1024 * 1024, ge=1, description="Largest request body taken, in bytes; a larger one gets a 413"
    )
    metrics_clients: list[ClientNetwork] = Field(
        default=["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
        description="Networks whose clients may read /metrics (JSON list of CIDRs, `*` for anyone); "
        "default: loopback and private networks",
    )
    metrics_token: SecretStr | None = Field(
        default=None, min_length=16, description="When set, /metrics also needs `Authorization: Bearer <this token>`"
    )
    rate_limit_anonymous: str = Field(
        default="600/minute",
        description="Requests a client address may make without an API key, as 600/minute or 10/second; off: no limit",
    )
    rate_limit_keyed: str = Field(
        default="3000/minute", description="Requests one API key may make, in the same notation; off: no limit"
    )
    redis_url: str | None = Field(
        default=None,
        description="Redis through which workers and replicas share rate-limit counts; unset: each worker counts alone",
    )
    redis_prefix: str = Field(
        default="evidence", min_length=1, description="Part of every rate-limit key, so deployments can share a Redis"
    )
    generation_max_staleness: float = Field(
        default=1.0, gt=0, description="PostgreSQL: seconds a worker may trust the last generation it was notified of"
    )

    @field_validator("public_url")
    @classmethod
    def no_trailing_slash(cls, url: str | None) -> str | None:
        """Links append absolute paths to it."""
        return None if url is None else url.rstrip("/")

    @field_validator("rate_limit_anonymous", "rate_limit_keyed")
    @classmethod
    def one_rate_limit(cls, value: str) -> str:
        """One limit in the notation of the `limits` library, at least 1 request, or `off`."""
        if value.strip().lower() == "off":
            return "off"
        try:
            items = parse_many(value)
        except ValueError:
            items = []
        if len(items) != 1 or items[0].amount < 1:
            raise ValueError(f"{value!r} is not one rate limit such as 600/minute or 10/second (or off)")
        return value

    @field_validator("redis_url")
    @classmethod
    def redis_scheme(cls, url: str | None) -> str | None:
        if url is not None and not url.startswith(("redis://", "rediss://")):
            raise ValueError(f"{url!r} is not a Redis URL such as redis://127.0.0.1:6379/0")
        return url

    @field_validator("database_url")
    @classmethod
    def use_psycopg3(cls, url: str) -> str:
        """Plain postgres URLs select psycopg 3, the one driver we ship."""
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url


class InvalidSettings(ValueError):
    """Settings that cannot be used; `lines` says, one per setting, which variable and what it accepts."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def _variable(field: str) -> str:
    return f"{Settings.model_config.get('env_prefix', '')}{field}".upper()


_KINDS = {
    "list": 'a JSON list, e.g. ["https://app.example.com"]',
    "bool": "true or false",
    "float": "a number",
    "int": "a whole number",
    "Path": "a folder path",
}


def _accepts(field: str) -> str:
    """'<kind>: <description>' for the error line, e.g. 'a whole number: Responses kept in memory...'."""
    info = Settings.model_fields[field]
    annotation = str(info.annotation)
    kind = next((text for name, text in _KINDS.items() if name in annotation), "text")
    return f"{kind}: {info.description}" if info.description else kind


def load_settings() -> Settings:
    """Settings from the environment, or InvalidSettings naming each bad variable (never a traceback)."""
    try:
        return Settings()
    except ValidationError as error:
        lines = []
        for problem in error.errors():
            field = str(problem["loc"][0])
            lines.append(f"{_variable(field)}: {problem['msg'].lower()}; it takes {_accepts(field)}")
        raise InvalidSettings(lines) from None
    except ValueError as error:  # pydantic-settings' SettingsError: not JSON where JSON is needed (lists)
        named = re.search(r'field "(\w+)"', str(error))
        field = named.group(1) if named else ""
        if field not in Settings.model_fields:
            raise InvalidSettings([str(error)]) from None
        raise InvalidSettings([f"{_variable(field)}: cannot be read; it takes {_accepts(field)}"]) from None
