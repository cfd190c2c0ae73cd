"""Structured logs: one JSON object a line, each carrying the id of the request it belongs to."""

import logging
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import orjson

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


@contextmanager
def root_logger_untouched() -> Iterator[None]:
    """Undo what a library does to the root logger (handlers, level) while it loads.

    Under plain uvicorn nothing configures the root logger, so a library's logging.basicConfig(level=INFO)
    would stand and turn on our access log, in its own format, one line a request.
    """
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


class JsonFormatter(logging.Formatter):
    """time, level, logger, message, request_id, the record's `fields` extras, and any traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        current = request_id.get()
        if current is not None:
            entry["request_id"] = current
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["error"] = "".join(traceback.format_exception(*record.exc_info))
        return orjson.dumps(entry, default=str).decode()


def log_config(log_format: str, *, access: bool, level: str = "info") -> dict[str, Any]:
    """A logging.config dict for uvicorn: our loggers and uvicorn's, JSON or plain text, on stderr.

    The root logger gets the same handler, at WARNING: other libraries' warnings share the format,
    and a library that calls logging.basicConfig on import (wordllama does, at INFO) finds the
    root configured and changes nothing, so its chatter never mixes into the log lines.
    """
    formatter = {"()": JsonFormatter} if log_format == "json" else {"format": "%(levelname)s %(name)s: %(message)s"}
    handler = {"class": "logging.StreamHandler", "formatter": "default", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "handlers": {"default": handler},
        "root": {"handlers": ["default"], "level": "WARNING"},
        "loggers": {
            name: {"handlers": ["default"], "level": level.upper(), "propagate": False}
            for name in ("app", "uvicorn", "uvicorn.error")
        }
        | {"app.access": {"level": "INFO" if access else "WARNING"}},
    }
