"""API v1 (JSON): articles, batch jobs, the merged timeline, health and metrics."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import ValidationError

from summarizer.records import ArticleResult, EventKind, Side
from summarizer.service.auth import bearer, key_matches
from summarizer.service.core import Service
from summarizer.service.jobs import JobView
from summarizer.service.limits import AdmissionGate
from summarizer.service.models import (
    ArticleRequest,
    BatchAccepted,
    BatchRequest,
    BatchStatus,
    EventsPage,
    EventView,
    Failure,
    Health,
    Problem,
    ResultsPage,
    ValidationProblem,
)
from summarizer.service.summarise import BudgetExceededError, summarise_request
from summarizer.service.timeline_index import EventFilter, StoredEvent, decode_cursor

#: Content types of a JSON Lines body.
JSON_LINES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines")


def service_of(request: Request) -> Service:
    """The running service."""
    service: Service = request.app.state.service
    return service


def require_key(request: Request) -> None:
    """With keys configured, the API needs ``Authorization: Bearer KEY``.

    Raises:
        HTTPException: 401 without a valid key.

    """
    keys: tuple[str, ...] = request.app.state.service_settings.api_keys
    if keys and not key_matches(bearer(request.headers.get("authorization")), keys):
        raise HTTPException(
            401,
            "a valid API key is needed: Authorization: Bearer KEY",
            {"WWW-Authenticate": "Bearer"},
        )


def single_query_values(request: Request) -> None:
    """Every query parameter of the API takes one value: one given twice is a 422.

    (Left to FastAPI, ``?title=a&title=b`` would quietly keep the last.)

    Raises:
        RequestValidationError: naming the repeated parameter.

    """
    names = [name for name, _ in request.query_params.multi_items()]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise RequestValidationError(
            [
                {"loc": ["query", name], "msg": "given more than once", "type": "value_error"}
                for name in repeated
            ]
        )


def _problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    what = {
        401: "No valid API key (when keys are configured).",
        404: "No such thing.",
        413: "The request body, or the article, is too large.",
        415: "A content type the operation does not take.",
        422: "Bad input: which field, and why.",
        429: "Too many requests from this client: see Retry-After.",
        502: "The model failed after its retries.",
        503: "The summary queue is full (see Retry-After), or no model can be used.",
        504: "The article's time budget ran out; its summary is kept when it is done.",
    }
    return {
        code: {"model": ValidationProblem if code == 422 else Problem, "description": what[code]}
        for code in codes
    }


def _json_problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    """Problems of an operation that answers text: still JSON (documented as such)."""
    return {
        code: {
            "description": spec["description"],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for code, spec in _problems(*codes).items()
    }


router = APIRouter(
    prefix="/v1", dependencies=[Depends(require_key), Depends(single_query_values)], tags=["v1"]
)
health = APIRouter(tags=["health"])
scrape = APIRouter(dependencies=[Depends(require_key)], tags=["health"])

_ARTICLE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": ArticleRequest.model_json_schema()},
            "text/plain": {"schema": {"type": "string"}},
            "text/html": {"schema": {"type": "string"}},
        },
    }
}


def _validation(e: ValidationError) -> RequestValidationError:
    # What was sent is not echoed back (it may be large, or bytes that are not text).
    return RequestValidationError(
        [
            {"loc": ("body", *err["loc"]), "msg": err["msg"], "type": err["type"]}
            for err in e.errors(include_url=False, include_input=False, include_context=False)
        ]
    )


def _query_text(value: str | None, name: str) -> str | None:
    if value is not None and not value.strip():
        raise RequestValidationError(
            [{"loc": ("query", name), "msg": "must not be empty", "type": "value_error"}]
        )
    return value


@router.post(
    "/articles",
    response_model=ArticleResult,
    summary="Summarise one article now",
    description="Send JSON (`text`, `url` or `html`, and optionally `published`, `title`, "
    "`id`), or the article itself as `text/plain` or `text/html` (then `published`, `title` "
    "and `id` may be query parameters). A result already in the store answers at once.",
    openapi_extra=_ARTICLE_BODY,
    responses=_problems(401, 413, 415, 422, 429, 502, 503, 504),
)
async def post_article(
    request: Request,
    published: Annotated[str | None, Query(description="Publication date (text bodies).")] = None,
    title: Annotated[str | None, Query(max_length=1000)] = None,
    id: Annotated[
        str | None, Query(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9._~:-]+$")
    ] = None,
) -> Response:
    """Summarise one article."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    try:
        if kind in ("text/plain", "text/html"):
            text = body.decode("utf-8", errors="replace")
            field = "html" if kind == "text/html" else "text"
            article = ArticleRequest.model_validate(
                {field: text, "published": published, "title": title, "id": id}
            )
        elif kind in ("application/json", ""):
            article = ArticleRequest.model_validate_json(body or b"null")
        else:
            raise HTTPException(415, f"unsupported content type {kind!r}: send JSON, text or HTML")
    except ValidationError as e:
        raise _validation(e) from None
    try:
        summary = await summarise_request(service_of(request), _gate(request), article)
    except BudgetExceededError as e:
        return JSONResponse({"detail": str(e)}, status_code=504)
    return Response(summary.json(), media_type="application/json")


def _gate(request: Request) -> AdmissionGate:
    gate: AdmissionGate = request.app.state.gate
    return gate


ArticleId = Annotated[str, Path(min_length=1, max_length=200)]


@router.get(
    "/articles/{article_id}",
    response_model=ArticleResult,
    summary="A summarised article",
    description="By its id, or the start (12+ hex digits) of its text's sha256.",
    responses=_problems(401, 404, 429),
)
def get_article(article_id: ArticleId, request: Request) -> ArticleResult:
    """A finished article's result."""
    found = service_of(request).article(article_id)
    if found is None:
        raise HTTPException(404, f"no summarised article {article_id!r}")
    return found.result


@router.get(
    "/articles/{article_id}/text",
    response_class=PlainTextResponse,
    summary="A summarised article's normalised text (what evidence spans point into)",
    responses={**_json_problems(401, 404, 429), 200: {"content": {"text/plain": {}}}},
)
def get_article_text(article_id: ArticleId, request: Request) -> PlainTextResponse:
    """The text evidence offsets point into."""
    found = service_of(request).article(article_id)
    if found is None or found.text is None:
        raise HTTPException(404, f"no kept text for article {article_id!r}")
    return PlainTextResponse(found.text)


_BATCH_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": BatchRequest.model_json_schema()},
            "application/x-ndjson": {
                "schema": {
                    "type": "string",
                    "description": 'One article per line: {"text", "id"?, "url"?, "title"?, '
                    '"published"?}',
                }
            },
        },
    }
}


@router.post(
    "/batches",
    status_code=202,
    response_model=BatchAccepted,
    summary="Summarise many articles in the background",
    description="JSON Lines (one article a line, as `summarizer batch` reads them) or "
    '`{"sources": [feed or page URLs]}`. Answers at once with the job id.',
    openapi_extra=_BATCH_BODY,
    responses=_problems(401, 413, 415, 422, 429),
)
async def post_batch(request: Request) -> BatchAccepted:
    """Queue a batch job."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    service = service_of(request)
    if kind in JSON_LINES:
        if not body.strip():
            raise RequestValidationError(
                [{"loc": ("body",), "msg": "no lines: the body is empty", "type": "value_error"}]
            )
        job_id = service.jobs.submit(jsonl=body)
    elif kind in ("application/json", ""):
        try:
            batch = BatchRequest.model_validate_json(body or b"null")
        except ValidationError as e:
            raise _validation(e) from None
        bad = [i for i, url in enumerate(batch.sources) if not _is_http_url(url)]
        if bad:
            raise RequestValidationError(
                [
                    {"loc": ("body", "sources", i), "msg": "not an http(s) URL", "type": "url"}
                    for i in bad
                ]
            )
        job_id = service.jobs.submit(urls=batch.sources)
    else:
        raise HTTPException(415, f"unsupported content type {kind!r}: send JSON or JSON Lines")
    return BatchAccepted(
        id=job_id,
        state="queued",
        status_url=f"/v1/batches/{job_id}",
        results_url=f"/v1/batches/{job_id}/results",
    )


def _is_http_url(url: str) -> bool:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _status(service: Service, view: JobView) -> BatchStatus:
    return BatchStatus(
        id=view.id,
        state=view.state,
        total=view.total,
        done=view.done,
        cached=view.cached,
        failed=view.failed,
        duplicate=view.duplicate,
        prompt_tokens=view.prompt_tokens,
        completion_tokens=view.completion_tokens,
        cost_usd=service.jobs.cost_usd(view),
        failures=[Failure(source=s, error=e) for s, e in view.failures],
        error=view.error,
        created_at=view.created_at,
        finished_at=view.finished_at,
    )


JobId = Annotated[str, Path(min_length=1, max_length=64)]


@router.get(
    "/batches/{job_id}",
    response_model=BatchStatus,
    summary="A batch job's state, counts, tokens, cost and failures",
    responses=_problems(401, 404, 429),
)
def get_batch(job_id: JobId, request: Request) -> BatchStatus:
    """A job's state."""
    service = service_of(request)
    view = service.jobs.view(job_id)
    if view is None:
        raise HTTPException(404, f"no batch job {job_id!r}")
    return _status(service, view)


@router.get(
    "/batches/{job_id}/results",
    response_model=ResultsPage,
    summary="A batch job's article results, a page at a time",
    responses=_problems(401, 404, 422, 429),
)
def get_batch_results(
    job_id: JobId,
    request: Request,
    cursor: Annotated[str | None, Query(pattern=r"^[0-9]{1,12}$")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ResultsPage:
    """A page of a job's results."""
    service = service_of(request)
    if service.jobs.view(job_id) is None:
        raise HTTPException(404, f"no batch job {job_id!r}")
    results, following = service.jobs.results(
        job_id, after=int(cursor) if cursor else -1, limit=limit
    )
    return ResultsPage(results=results, next_cursor=None if following is None else str(following))


@router.delete(
    "/batches/{job_id}",
    response_model=BatchStatus,
    summary="Cancel a batch job (what finished stays in the store)",
    responses=_problems(401, 404, 429),
)
def delete_batch(job_id: JobId, request: Request) -> BatchStatus:
    """Cancel a job."""
    service = service_of(request)
    view = service.jobs.cancel(job_id)
    if view is None:
        raise HTTPException(404, f"no batch job {job_id!r}")
    return _status(service, view)


_DAY = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def _day(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise RequestValidationError(
            [
                {
                    "loc": ("query", name),
                    "msg": f"{value!r} is not a day",
                    "type": "date_from_datetime_parsing",
                }
            ]
        ) from None


def event_filter(
    kind: Annotated[EventKind | None, Query(description="Kind of event.")] = None,
    date_from: Annotated[
        str | None,
        Query(
            alias="from",
            pattern=_DAY,
            description="First day (YYYY-MM-DD).",
            json_schema_extra={"format": "date"},
        ),
    ] = None,
    date_to: Annotated[
        str | None,
        Query(
            alias="to",
            pattern=_DAY,
            description="Last day (YYYY-MM-DD).",
            json_schema_extra={"format": "date"},
        ),
    ] = None,
    side: Annotated[Side | None, Query(description="A side that received people.")] = None,
    q: Annotated[
        str | None,
        Query(max_length=200, description="Text in the evidence, places or mediators."),
    ] = None,
    article: Annotated[
        str | None, Query(max_length=200, description="Id of an article that reported it.")
    ] = None,
) -> EventFilter:
    """The timeline's filters from the query string."""
    return EventFilter(
        kind=kind,
        date_from=_day(date_from, "from"),
        date_to=_day(date_to, "to"),
        side=side,
        q=_query_text(q, "q"),
        article=_query_text(article, "article"),
    )


def view_of(stored: StoredEvent) -> EventView:
    """The API's form of a stored event."""
    return EventView(event=stored.event, sources=stored.sources)


@router.get(
    "/events",
    response_model=EventsPage,
    summary="The merged timeline over everything in the store",
    description="Events in date order (undated last), each with its figures per side, "
    "conflicts and source records. Pages: pass `next_cursor` as `cursor`.",
    responses=_problems(401, 422, 429),
)
def get_events(
    request: Request,
    where: Annotated[EventFilter, Depends(event_filter)],
    cursor: Annotated[str | None, Query(max_length=400)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    """A page of the timeline."""
    after = None
    if cursor is not None:
        try:
            after = decode_cursor(cursor)
        except ValueError as e:
            raise RequestValidationError(
                [{"loc": ("query", "cursor"), "msg": str(e), "type": "value_error"}]
            ) from None
    # The stored events are already the API's JSON: no parsing, no validation per read.
    body = service_of(request).timeline.index.page_json(where, after=after, limit=limit)
    return Response(body, media_type="application/json")


@router.get(
    "/events/{event_id}",
    response_model=EventView,
    summary="One merged event with its sources",
    responses=_problems(401, 404, 429),
)
def get_event(
    event_id: Annotated[str, Path(min_length=1, max_length=64)], request: Request
) -> EventView:
    """One event."""
    stored = service_of(request).timeline.index.event(event_id)
    if stored is None:
        raise HTTPException(404, f"no event {event_id!r}")
    return view_of(stored)


@health.get("/healthz", response_model=Health, summary="The process is up")
def healthz() -> Health:
    """Liveness."""
    return Health(status="ok")


@health.get(
    "/readyz",
    response_model=Health,
    summary="The model is ready or the endpoint reachable",
    responses={503: {"model": Health, "description": "Not ready, and why."}},
)
def readyz(request: Request, response: Response) -> Health:
    """Readiness."""
    ready, why = service_of(request).readiness()
    if not ready:
        response.status_code = 503
    return Health(status="ready" if ready else "not ready", detail=why)


@scrape.get(
    "/metrics",
    response_class=PlainTextResponse,
    summary="Prometheus metrics",
    responses={**_json_problems(401), 200: {"content": {"text/plain": {}}}},
)
def metrics(request: Request) -> Response:
    """Metrics in Prometheus' text format."""
    return Response(
        service_of(request).metrics.render(),
        media_type="text/plain; version=0.0.4; charset=utf-8",
    )
