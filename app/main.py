"""create_app(settings): the whole service wired explicitly, with no import-time state."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from prometheus_client import CollectorRegistry
from threadpoolctl import threadpool_limits

from app.api import mcp_server, metrics, ops
from app.api.body_limit import BodyLimit
from app.api.cache import MIN_COMPRESSED_BYTES, ResponseCache, ResponseStore
from app.api.context import RequestContext
from app.api.cors import ORIGIN, CrossOrigin, cors_options
from app.api.docs import install_docs
from app.api.framework import EvidenceApp
from app.api.guard import RequestGuard
from app.api.head import HeadAsGet
from app.api.hot_reads import HotReads
from app.api.mcp_server import McpEndpoint, evidence_server, services_from
from app.api.overload import InFlightLimit
from app.api.problems import NOT_MODIFIED, ProblemDetails, install_problem_handlers, problem_doc
from app.api.rate_limits import RateLimits, rate_limit
from app.api.v1 import claims, export, imports, meta, snippets, sources, topics
from app.config import InvalidSettings, Settings, load_settings
from app.db import LoopConnection, create_db_engine, timeouts
from app.explore import pages
from app.explore import router as explore
from app.explore.headers import PageHeaders
from app.services.generation import generation_for
from app.services.indexing import ClaimIndexer
from app.services.meta import API_VERSION
from app.services.ranking import question_ranker
from app.services.rate_windows import WindowCounter
from app.services.search import text_search_for
from app.services.source_refs import SourceRefs
from app.services.totals import TotalCache

DESCRIPTION = """Structured, cited evidence records for the claims of a web article on ketamine
for depression: each claim quotes the article, weighs it against the primary literature and
carries a GRADE certainty level. Errors are RFC 9457 `application/problem+json`."""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or _settings_from_environment()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        # Requests run side by side: a matrix product spread over every core by BLAS threads (which spin
        # while they wait) only takes those cores from the other requests and worker processes.
        threadpool_limits(limits=1, user_api="blas")
        app.state.engine = create_db_engine(settings.database_url, timeouts(settings))
        app.state.loop_connection = LoopConnection(app.state.engine)
        app.state.text_search = text_search_for(app.state.engine)
        app.state.ranker = question_ranker(app.state.text_search, settings)
        app.state.indexer = ClaimIndexer(app.state.text_search, app.state.ranker.embedder)
        mcp = evidence_server(lambda: services_from(app.state))
        app.state.mcp_http = mcp_server.mount(mcp)
        app.state.generation = generation_for(app.state.engine, max_staleness=settings.generation_max_staleness)
        app.state.totals = TotalCache(app.state.generation)
        app.state.source_refs = SourceRefs()
        app.state.rate_counter = WindowCounter(settings.redis_url, settings.redis_prefix)
        await app.state.rate_counter.check()
        async with mcp.session_manager.run():
            yield
        await app.state.rate_counter.close()
        app.state.generation.close()
        app.state.loop_connection.close()
        app.state.engine.dispose()
        metrics.worker_exited()

    app = EvidenceApp(
        title="Ketamine Evidence API",
        version=API_VERSION,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.metrics_registry = CollectorRegistry()
    app.state.templates = pages.make_templates()
    install_problem_handlers(app, page=pages.problem_page)
    routers = (
        topics.router,
        claims.router,
        sources.router,
        snippets.router,
        export.router,
        imports.router,
        meta.router,
        ops.router,
        metrics.router,
        explore.router,
    )
    for router in routers:
        app.include_router(router)
    # An ASGI app as the endpoint (not a request handler), so the path stays exactly /mcp with no redirect.
    app.router.add_route("/mcp", McpEndpoint(), methods=["GET", "POST", "DELETE"], include_in_schema=False)  # type: ignore[arg-type]
    install_docs(app)
    app.mount("/explore/static", StaticFiles(directory=pages.STATIC_DIR), name="explore-static")
    store = ResponseStore(
        max_entries=settings.response_cache_entries,
        max_bytes=settings.response_cache_bytes,
        registry=app.state.metrics_registry,
    )
    app.add_middleware(ResponseCache, store=store)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(GZipMiddleware, minimum_size=MIN_COMPRESSED_BYTES, compresslevel=6)
    api_routes = [route for router in routers for route in router.routes if isinstance(route, APIRoute)]
    app.add_middleware(HeadAsGet)
    app.add_middleware(HotReads, store=store)
    app.add_middleware(RequestGuard, routes=api_routes, allowed_hosts=settings.allowed_hosts)
    app.add_middleware(InFlightLimit, limit=settings.limit_concurrency)
    anonymous, keyed = rate_limit(settings.rate_limit_anonymous), rate_limit(settings.rate_limit_keyed)
    if anonymous is not None or keyed is not None:
        # Outside the guard, so its refusals are counted too; inside CORS, so a browser app can read a 429.
        app.add_middleware(RateLimits, anonymous=anonymous, keyed=keyed)
    app.add_middleware(CrossOrigin, allow_origins=settings.cors_origins, **cors_options(api_routes))
    app.add_middleware(PageHeaders)
    app.add_middleware(
        RequestContext,
        observe=metrics.RequestMetrics(app.state.metrics_registry).observe,
        varies_on=[ORIGIN],
    )
    _complete_openapi(app)
    return app


def _settings_from_environment() -> Settings:
    """Bad variables end start-up with one line each, not a traceback (uvicorn --factory app.main:create_app)."""
    try:
        return load_settings()
    except InvalidSettings as error:
        raise SystemExit("\n".join(error.lines)) from None


def _complete_openapi(app: FastAPI) -> None:
    """Routes reference #/components/schemas/Problem: put it in once; every public read may answer 304,
    and every API route 429."""
    build = app.openapi
    too_many = problem_doc(429)[429]

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            for path, operations in schema["paths"].items():
                if path.startswith("/v1/") and "get" in operations:
                    operations["get"]["responses"].setdefault("304", NOT_MODIFIED)
                for operation in operations.values() if path.startswith("/v1/") else ():
                    operation["responses"].setdefault("429", too_many)
            schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = ProblemDetails.model_json_schema(
                ref_template="#/components/schemas/{model}"
            )
            defs = schema["components"]["schemas"]["Problem"].pop("$defs", {})
            schema["components"]["schemas"].update(defs)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
