"""Interactive docs that work offline: Swagger UI and ReDoc from the fastapi-offline package, never a CDN."""

import base64
import hashlib
import re
from collections.abc import Callable

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse

ASSETS = "/docs/assets"


def page_policy(html: bytes) -> str:
    """A Content-Security-Policy allowing this app's assets and exactly the page's own inline scripts."""
    scripts = re.findall(rb"<script>(.*?)</script>", html, flags=re.S)
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s).digest()).decode()}'" for s in scripts)
    return (
        f"default-src 'none'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src blob:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def _serve(page: HTMLResponse) -> Callable[[], HTMLResponse]:
    """A fresh response each time (middleware edits the header list it is given)."""
    body = bytes(page.body)
    headers = {"Content-Security-Policy": page_policy(body)}
    return lambda: HTMLResponse(body, headers=headers)


def install_docs(app: FastAPI) -> None:
    """/docs (Swagger UI) and /redoc over /openapi.json, their scripts and styles served by this app."""
    assert app.openapi_url is not None
    swagger = _serve(
        get_swagger_ui_html(
            openapi_url=app.openapi_url,
            title=f"{app.title}: interactive docs",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon.png",
        )
    )
    redoc = _serve(
        get_redoc_html(
            openapi_url=app.openapi_url,
            title=f"{app.title}: reference",
            redoc_js_url=f"{ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS}/favicon.png",
            with_google_fonts=False,
        )
    )
    router = APIRouter(include_in_schema=False)
    router.add_api_route("/docs", swagger, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route("/redoc", redoc, methods=["GET"], response_class=HTMLResponse)
    app.include_router(router)
    app.mount(ASSETS, StaticFiles(packages=[("fastapi_offline", "static")]), name="docs-assets")
