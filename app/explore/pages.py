"""Rendering: the Jinja2 environment, one render call for every page, and problems as HTML pages."""

import re
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape
from starlette.responses import Response

from app.api.v1.export import EXPORTERS
from app.explore import words
from app.explore.headers import PAGE_HEADERS
from app.services.search.base import MARK_END, MARK_START
from app.services.snippets import NOTICE

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
EXPLORE_PREFIX = "/explore"
_MARKS = re.compile(f"({re.escape(MARK_START)}|{re.escape(MARK_END)})")


def marked(fragment: str) -> Markup:
    """A search fragment as HTML: its <mark> tags kept, everything else escaped."""
    parts = _MARKS.split(fragment)
    opened = False
    html = []
    for part in parts:
        if part in (MARK_START, MARK_END):
            opened = part == MARK_START
            html.append(part)
        else:
            html.append(str(escape(part)))
    if opened:
        html.append(MARK_END)
    return Markup("".join(html))


def slug_words(path: str) -> str:
    """Words a reader was probably after, from the last part of a path that was not found."""
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return " ".join(re.findall(r"[^\W_]+", last))[:100] if last != "explore" else ""


def make_templates() -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["marked"] = marked
    env.globals.update(
        VERDICTS=words.VERDICTS,
        CERTAINTY=words.CERTAINTY,
        DOWNGRADES=words.DOWNGRADES,
        RELATIONS=words.RELATIONS,
        SOURCE_KINDS=words.SOURCE_KINDS,
        RELIABILITY=words.RELIABILITY,
        PICO=words.PICO,
        REFERENCE_FORMATS=words.REFERENCE_FORMATS,
        EXPORTS=[(str(name), words.EXPORT_FORMATS.get(name, str(name))) for name in EXPORTERS],
        notice=NOTICE,
    )
    return Jinja2Templates(env=env)


def render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, template, context, status_code=status)


def problem_page(request: Request, problem: dict[str, Any], headers: dict[str, str] | None) -> Response | None:
    """Explorer paths get the problem as a page (same status and detail); others keep problem+json."""
    if request.url.path != EXPLORE_PREFIX and not request.url.path.startswith(EXPLORE_PREFIX + "/"):
        return None
    suggestion = request.query_params.get("q")
    if suggestion is None and problem["status"] == 404:
        suggestion = slug_words(request.url.path)
    response = render(request, "problem.html", problem["status"], problem=problem, suggestion=suggestion)
    response.headers.update({**(headers or {}), **PAGE_HEADERS})
    return response
