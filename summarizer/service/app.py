"""The ASGI application: middleware (metrics, headers, body limit, rate limit, CORS), errors.

:func:`create_app` builds the app without touching the store; the store is opened, the
timeline brought up to date and the job runner started when the app starts (its lifespan).
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Match
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from summarizer import __version__
from summarizer.config import Settings
from summarizer.errors import ConfigError, InputError, LLMError
from summarizer.extraction.pipeline import EndpointProvider
from summarizer.ingest.fetch import Fetcher
from summarizer.service.api import health, scrape
from summarizer.service.api import router as api_router
from summarizer.service.auth import bearer
from summarizer.service.core import Service
from summarizer.service.limits import BodyLimit, QueueFullError, RateLimiter
from summarizer.service.metrics import Metrics
from summarizer.service.pages import LoginRequiredError
from summarizer.service.pages import router as pages_router
from summarizer.service.settings import ServiceSettings

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
#: Paths no limit or count applies to (probes and scrapes must always answer).
UNLIMITED = ("/healthz", "/readyz", "/metrics", "/static/")
#: Pages allow their own style sheet and nothing else: no script, no frame, no plugin.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    # Not no-referrer: with it a browser sends "Origin: null" on form posts, and the pages
    # check Origin to refuse posts from other sites.
    (b"referrer-policy", b"same-origin"),
]


class _Observed:
    """Outermost middleware: security headers on every answer, requests counted and timed."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [h for h in message.get("headers", []) if h[0] not in _HEADER_NAMES]
                message["headers"] = headers + _HEADERS
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or (
                "/static" if scope["path"].startswith("/static/") else "unmatched"
            )
            method = scope["method"]
            self.metrics.requests.labels(template, method, str(status)).inc()
            self.metrics.latency.labels(template, method).observe(time.perf_counter() - started)


_HEADER_NAMES = {name for name, _ in _HEADERS}


class _RateLimited:
    """429 with Retry-After once a client (its key, else its address) is over its rate."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(UNLIMITED):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        token = bearer(headers.get(b"authorization", b"").decode("latin-1"))
        client = f"key:{hash(token)}" if token else f"ip:{(scope.get('client') or ('?',))[0]}"
        wait = self.limiter.check(client)
        if wait is None:
            await self.app(scope, receive, send)
            return
        response = JSONResponse(
            {"detail": f"too many requests: at most {self.limiter.per_minute} a minute"},
            status_code=429,
            headers={"Retry-After": str(wait)},
        )
        await response(scope, receive, send)


def create_app(
    settings: Settings,
    service_settings: ServiceSettings,
    store_path: Path,
    *,
    endpoint: EndpointProvider | None = None,
    run_jobs: bool = True,
    fetcher: Fetcher | None = None,
) -> FastAPI:
    """The service's ASGI app (nothing is opened until it starts).

    Args:
        settings: Model, cache and fetch settings, as the CLI resolves them.
        service_settings: Keys and limits.
        store_path: The results store (the one ``summarizer batch`` writes).
        endpoint: Override the model endpoint (tests).
        run_jobs: Run batch jobs in the background (off: they stay queued; tests).
        fetcher: Override the downloader of URLs sent to the API (tests).

    """
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if getattr(app.state, "running", 0):  # started already (a test client inside another)
            app.state.running += 1
            try:
                yield
            finally:
                app.state.running -= 1
            return
        service = Service(
            settings,
            service_settings,
            store_path,
            endpoint=endpoint,
            run_jobs=run_jobs,
            fetcher=fetcher,
        )
        service.metrics = metrics
        from summarizer.service.limits import AdmissionGate

        gate = AdmissionGate(service.slots, service_settings.queue_size)
        metrics.watch(
            queue_depth=lambda: gate.waiting,
            in_flight=lambda: gate.in_flight,
            jobs=service.jobs.states,
        )
        app.state.service = service
        app.state.gate = gate
        service.start()
        app.state.running = 1
        try:
            yield
        finally:
            app.state.running = 0
            service.close()

    app = FastAPI(
        title="summarizer",
        version=__version__,
        summary="News articles in, typed source-grounded event records out, merged into one "
        "timeline.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.service_settings = service_settings
    app.state.metrics = metrics
    app.include_router(api_router)
    app.include_router(health)
    app.include_router(scrape)
    app.include_router(pages_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _errors(app)
    if service_settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(service_settings.cors_origins),
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(_RateLimited, limiter=RateLimiter(service_settings.rate_limit))
    app.add_middleware(BodyLimit, limit=service_settings.max_body_bytes)
    app.add_middleware(_Observed, metrics=metrics)
    return app


def _problem(status: int, detail: Any, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def input_problem(e: InputError) -> JSONResponse:
    """An unreadable input: 413 when it is too large, else 422 naming the field."""
    if e.reason.startswith(("too large", "too long")):
        return _problem(413, f"{e.source}: {e.reason}")
    field = e.source if e.source in ("text", "html") else "url"
    return _problem(
        422, [{"loc": ["body", field], "msg": f"{e.source}: {e.reason}", "type": "value_error"}]
    )


def _methods(app: FastAPI, scope: Scope) -> set[str]:
    """The methods of every route whose path matches the request's."""
    found: set[str] = set()
    for route in app.routes:
        match, _ = route.matches({**scope, "method": "GET"})
        methods = getattr(route, "methods", None)
        if match != Match.NONE and methods:
            found |= set(methods)
    return found


def _errors(app: FastAPI) -> None:
    """Every failure is one line of JSON with the right status, never a stack trace."""

    @app.exception_handler(LoginRequiredError)
    async def _login(request: Request, e: LoginRequiredError) -> RedirectResponse:
        return RedirectResponse("/login?" + urlencode({"next": e.next_path}), status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, e: StarletteHTTPException) -> Response:
        headers = dict(e.headers or {})
        if e.status_code == 405:  # every method the path takes, not only its first route's
            headers["Allow"] = ", ".join(sorted(_methods(request.app, request.scope)))
        return _problem(e.status_code, e.detail, headers)

    @app.exception_handler(InputError)
    async def _input(request: Request, e: InputError) -> JSONResponse:
        return input_problem(e)

    @app.exception_handler(QueueFullError)
    async def _full(request: Request, e: QueueFullError) -> JSONResponse:
        return _problem(503, str(e), {"Retry-After": str(e.retry_after_s)})

    @app.exception_handler(LLMError)
    async def _llm(request: Request, e: LLMError) -> JSONResponse:
        return _problem(502, f"the model failed: {e}")

    @app.exception_handler(ConfigError)
    async def _config(request: Request, e: ConfigError) -> JSONResponse:
        return _problem(503, f"the service cannot summarise: {e}")

    @app.exception_handler(Exception)
    async def _internal(request: Request, e: Exception) -> JSONResponse:
        log.error("internal error on %s %s", request.method, request.url.path, exc_info=e)
        return _problem(500, f"internal error ({type(e).__name__}); the server log has more")
