"""The web pages: the timeline, an article with its evidence marked, a form to add one, login.

Server-rendered with Jinja2 (autoescaped: article text is data, never markup), no script:
events open with ``<details>``, filters and forms are plain HTML forms, so the pages work
with JavaScript off.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from pydantic import ValidationError

from summarizer.errors import ConfigError, InputError, LLMError
from summarizer.records import EventRecord
from summarizer.service.auth import COOKIE_NAME, session_for, session_valid
from summarizer.service.core import Service
from summarizer.service.highlight import excerpt_window, highlight, spans_for
from summarizer.service.limits import AdmissionGate, QueueFullError
from summarizer.service.models import ArticleRequest
from summarizer.service.summarise import BudgetExceededError, summarise_request
from summarizer.service.timeline_index import EventFilter, StoredEvent, decode_cursor
from summarizer.timeline.merge import CountReport, MergedEvent, SourceRef
from summarizer.timeline.render import KIND_TITLES, SIDE_WORDS, format_date

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
KINDS = list(KIND_TITLES)
SIDES = list(SIDE_WORDS)
_QUALIFIER_WORDS = {"exact": "", "about": "about ", "over": "over ", "under": "under ",
                    "up_to": "up to ", "at_least": "at least "}  # fmt: skip

router = APIRouter(include_in_schema=False)


class LoginRequiredError(Exception):
    """A page was asked for without a session while keys are configured."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def _service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


def _logged_in(request: Request) -> bool:
    keys: tuple[str, ...] = request.app.state.service_settings.api_keys
    return not keys or session_valid(request.cookies.get(COOKIE_NAME), keys)


def _require_login(request: Request) -> None:
    if not _logged_in(request):
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequiredError(path)


def _same_origin(request: Request) -> bool:
    """A form post from a page of this service (a browser sends Origin with every post)."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    own = f"{request.url.scheme}://{request.headers.get('host', '')}"
    return origin == own


def _page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    keys: tuple[str, ...] = request.app.state.service_settings.api_keys
    context.setdefault("logged_in", bool(keys) and _logged_in(request))
    return TEMPLATES.TemplateResponse(request, name, context, status_code=status)


# --- view models ---------------------------------------------------------------------------


@dataclass
class FigureRow:
    """One figure of an event, in words, and the other values sources gave."""

    side: str
    category: str
    value: str
    conflict: bool
    versions: list[str]


@dataclass
class SourceView:
    """A source record of an event: who, where, and its evidence marked in the article."""

    ref: str
    article_id: str
    title: str
    where: str
    published: str | None
    claimed_by: str
    excerpt: Markup
    text_kept: bool


@dataclass
class EventCard:
    """An event as the timeline page shows it."""

    id: str
    title: str
    date: str
    place: str | None
    mediators: list[str]
    figures: list[FigureRow]
    conflicts: list[str]
    article_count: int
    sources: list[SourceView] = field(default_factory=list)


def _figure_value(value: int | None, qualifier: str) -> str:
    return "not stated" if value is None else f"{_QUALIFIER_WORDS[qualifier]}{value:,}"


def _figure_rows(counts: list[CountReport], claims: dict[str, str]) -> list[FigureRow]:
    rows = []
    for count in counts:
        versions = []
        if count.conflict:
            for reported in count.reported:
                who = ", ".join(sorted({claims.get(r, "unattributed") for r in reported.sources}))
                versions.append(
                    f"{_figure_value(reported.value, reported.qualifier)} "
                    f"({who}; {', '.join(reported.sources)})"
                )
        rows.append(
            FigureRow(
                side=SIDE_WORDS[count.side],
                category=count.category,
                value=_figure_value(count.value, count.qualifier),
                conflict=count.conflict,
                versions=versions,
            )
        )
    return rows


def _title(event: MergedEvent) -> str:
    title = KIND_TITLES[event.kind]
    if event.kind == "talks_round" and isinstance(event.round_number.chosen, int):
        title = f"Round {event.round_number.chosen} of talks"
    return title


def _excerpt(text: str | None, label: str, record: EventRecord) -> tuple[Markup, bool]:
    """The record's evidence marked in a window of its article, or the quotes alone."""
    if text is not None:
        spans = spans_for(text, [(f"{label}-{i}", e) for i, e in enumerate(record.evidence)])
        if spans:
            start, end = excerpt_window(text, spans)
            html = highlight(text, spans, start, end)
            before = "… " if start > 0 else ""
            after = " …" if end < len(text) else ""
            return Markup(f"{escape(before)}{html}{escape(after)}"), True
    quotes = "".join(f"<p><mark>{escape(q)}</mark></p>" for q in record.quotes)
    return Markup(quotes), False


def event_card(stored: StoredEvent, texts: dict[str, str]) -> EventCard:
    """The timeline page's view of one event."""
    event = stored.event
    claims = {s.ref: s.sourced.record.claimed_by or "unattributed" for s in stored.sources}
    sources = [_source_view(event.id, s, texts) for s in stored.sources]
    return EventCard(
        id=event.id,
        title=_title(event),
        date=format_date(event.date),
        place=event.location.chosen if isinstance(event.location.chosen, str) else None,
        mediators=event.mediators,
        figures=_figure_rows(event.counts, claims),
        conflicts=event.conflicts,
        article_count=event.article_count,
        sources=sources,
    )


def _source_view(event_id: str, source: SourceRef, texts: dict[str, str]) -> SourceView:
    sourced = source.sourced
    excerpt, kept = _excerpt(
        texts.get(sourced.article_sha256), f"{event_id}-{source.ref}", sourced.record
    )
    return SourceView(
        ref=source.ref,
        article_id=sourced.record.article_id,
        title=sourced.title or sourced.record.article_id,
        where=sourced.url or sourced.source,
        published=format_date(sourced.published) if sourced.published.value else None,
        claimed_by=sourced.record.claimed_by or "not attributed",
        excerpt=excerpt,
        text_kept=kept,
    )


def _filters(request: Request) -> tuple[EventFilter, list[str], dict[str, str]]:
    """The timeline's filters from the query string, and what was wrong with any."""
    params = request.query_params
    shown = {k: params.get(k, "") for k in ("kind", "from", "to", "side", "q", "article")}
    errors = []
    kind = shown["kind"] or None
    if kind is not None and kind not in KINDS:
        errors.append(f"unknown kind {kind!r}")
        kind = None
    side = shown["side"] or None
    if side is not None and side not in SIDES:
        errors.append(f"unknown side {side!r}")
        side = None
    dates: dict[str, str | None] = {}
    for name in ("from", "to"):
        value = shown[name].strip()
        try:
            dates[name] = dt.date.fromisoformat(value).isoformat() if value else None
        except ValueError:
            errors.append(f'"{name}" must be a date, YYYY-MM-DD')
            dates[name] = None
    where = EventFilter(
        kind=kind,
        date_from=dates["from"],
        date_to=dates["to"],
        side=side,
        q=shown["q"].strip()[:200] or None,
        article=shown["article"].strip()[:200] or None,
    )
    return where, errors, shown


# --- pages ---------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def timeline_page(request: Request) -> Response:
    """The merged timeline, filtered, a page at a time."""
    _require_login(request)
    service = _service(request)
    where, errors, shown = _filters(request)
    after = None
    cursor = request.query_params.get("cursor")
    if cursor:
        try:
            after = decode_cursor(cursor)
        except ValueError:
            errors.append("that page link is not valid any more; showing the first page")
    events, following = service.timeline.index.page(where, after=after, limit=25)
    texts = service.article_texts({s.sourced.article_sha256 for e in events for s in e.sources})
    cards = [event_card(e, texts) for e in events]
    groups: list[tuple[str, list[EventCard]]] = []
    for card in cards:
        if groups and groups[-1][0] == card.date:
            groups[-1][1].append(card)
        else:
            groups.append((card.date, [card]))
    next_url = None
    if following:
        query = {k: v for k, v in shown.items() if v}
        next_url = "/?" + urlencode({**query, "cursor": following})
    return _page(
        request,
        "timeline.html",
        groups=groups,
        errors=errors,
        shown=shown,
        kinds=[(k, KIND_TITLES[k]) for k in KINDS],
        sides=[(s, SIDE_WORDS[s]) for s in SIDES],
        next_url=next_url,
        status=400 if errors else 200,
    )


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(article_id: str, request: Request) -> Response:
    """One article: its records, and its text with every piece of evidence marked."""
    _require_login(request)
    found = _service(request).article(article_id)
    if found is None:
        return _page(request, "missing.html", status=404, what=f"article {article_id}")
    result = found.result
    text = found.text
    labelled = [
        (f"r{i}-e{j}", evidence)
        for i, record in enumerate(result.records)
        for j, evidence in enumerate(record.evidence)
    ]
    body = highlight(text, spans_for(text, labelled)) if text is not None else None
    return _page(
        request,
        "article.html",
        result=result,
        records=[_record_view(i, r) for i, r in enumerate(result.records)],
        body=body,
    )


def _record_view(index: int, record: EventRecord) -> dict[str, Any]:
    return {
        "title": KIND_TITLES[record.kind]
        + (f" (round {record.round_number})" if record.round_number else ""),
        "date": format_date(record.event_date),
        "place": record.location,
        "mediators": record.mediators,
        "figures": [
            f"{SIDE_WORDS[c.side]}: {_figure_value(c.value, c.qualifier)} {c.category}"
            for c in record.counts
        ],
        "claimed_by": record.claimed_by or "not attributed",
        "evidence": [(f"r{index}-e{j}", e.text) for j, e in enumerate(record.evidence)],
    }


@router.get("/new", response_class=HTMLResponse)
def new_page(request: Request) -> Response:
    """A form to paste an article or give its URL."""
    _require_login(request)
    recent = _service(request).recent_articles(10)
    return _page(request, "new.html", form={}, error=None, recent=recent)


@router.post("/new", response_class=HTMLResponse)
async def new_submit(request: Request) -> Response:
    """Summarise the pasted article or URL, then show its page."""
    _require_login(request)
    if not _same_origin(request):
        return _page(request, "new.html", status=403, form={}, recent=[],
                     error="this form can only be sent from this site's own page")  # fmt: skip
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in ("text", "url", "published", "title")}
    payload = {k: v for k, v in values.items() if v}
    service = _service(request)
    gate: AdmissionGate = request.app.state.gate
    status, error = 422, None
    try:
        article = ArticleRequest.model_validate(payload)
        summary = await summarise_request(service, gate, article)
    except ValidationError as e:
        error = "; ".join(_field_message(err) for err in e.errors(include_url=False))
    except InputError as e:
        error = f"{e.source}: {e.reason}"
        status = 413 if e.reason.startswith(("too large", "too long")) else 422
    except QueueFullError as e:
        status, error = 503, f"{e}; please try again"
    except BudgetExceededError as e:
        status, error = 504, str(e)
    except LLMError as e:
        status, error = 502, f"the model failed: {e}"
    except ConfigError as e:
        status, error = 503, f"the service cannot summarise: {e}"
    else:
        return RedirectResponse(f"/articles/{summary.article_id}", status_code=303)
    recent = service.recent_articles(10)
    return _page(request, "new.html", status=status, form=values, error=error, recent=recent)


def _field_message(error: Any) -> str:
    where = ".".join(str(p) for p in error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    """The login form (only when keys are configured)."""
    return _page(request, "login.html", next=_local(request.query_params.get("next")), error=None)


@router.post("/login", response_class=HTMLResponse)
async def login_submit(request: Request) -> Response:
    """Check the key and open a session (an HttpOnly, SameSite=Strict cookie)."""
    form = await request.form()
    next_path = _local(str(form.get("next", "/")))
    if not _same_origin(request):
        return _page(request, "login.html", status=403, next=next_path,
                     error="this form can only be sent from this site's own page")  # fmt: skip
    keys: tuple[str, ...] = request.app.state.service_settings.api_keys
    token = session_for(str(form.get("key", "")), keys) if keys else None
    if token is None:
        return _page(
            request, "login.html", status=401, next=next_path, error="that key is not valid"
        )
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(
        COOKIE_NAME,
        token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    """End the session."""
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="strict")
    return response


def _local(path: str | None) -> str:
    """A path on this site to go to after logging in (never another site)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    parts = urlsplit(path)
    return path if not parts.scheme and not parts.netloc else "/"
