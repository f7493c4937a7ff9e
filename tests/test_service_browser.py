"""The pages in a real headless browser: Debian's chromium driven by Playwright.

The service runs under uvicorn on 127.0.0.1 with the fake model endpoint; the browser loads
the timeline, opens an event to its evidence, submits the form, and an article holding
``<script>`` is shown as text, never run. The timeline page's screenshot is written to
``$TIMELINE_SCREENSHOT`` when that is set (the README's picture), else into tmp_path.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_llm_server import extraction_reply, fake_llm_server

from summarizer.config import Settings
from summarizer.service.app import create_app
from summarizer.service.settings import ServiceSettings

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.block_network(allowed_hosts=["127.0.0.1"]),
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)",
    ),
]
#: The flags this machine's closed network needs (no background connections at all).
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip

ARTICLES = [
    ("swap-ministry", "2025-05-24", "Moscow says 84 prisoners came home",
     "Russia and Ukraine exchanged 84 prisoners of war on May 23, 2025, the Russian Defense "
     "Ministry said.\n\nThe exchange took place on the Belarusian border."),
    ("swap-kyiv", "2025-05-24", "Kyiv: 90 defenders are home",
     "Ukraine and Russia swapped 90 prisoners of war on May 23, Zelenskyy said in the evening.\n\n"
     "Families waited at the border all day."),
    ("istanbul-july", "2025-07-24", "Round three in Istanbul",
     "Russia and Ukraine exchanged 250 servicemen on July 23, 2025 after the third round of "
     "talks in Istanbul, officials said."),
]  # fmt: skip
HOSTILE = (
    "Russia and Ukraine exchanged 12 prisoners on June 2, 2025, officials said.\n\n"
    '<script>document.title = "pwned"; window.pwned = true;</script>'
    '<img src="x" onerror="window.pwned = true"> The end.'
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Any]]:
    """The service under uvicorn on 127.0.0.1, with three articles in its timeline."""
    import uvicorn

    with fake_llm_server([], respond=extraction_reply) as llm:
        settings = Settings.resolve(base_url=llm.base_url, model="fake-model")
        app = create_app(settings, ServiceSettings(), tmp_path / "store.sqlite")
        started = threading.Event()

        class Server(uvicorn.Server):
            async def startup(self, sockets: Any = None) -> None:
                await super().startup(sockets)
                started.set()

        port = free_port()
        server = Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        try:
            assert started.wait(30), "the server did not start"
            service = app.state.service
            root = f"http://127.0.0.1:{port}"
            import httpx2

            for article_id, published, title, text in ARTICLES:
                r = httpx2.post(f"{root}/v1/articles", timeout=30, json={
                    "id": article_id, "published": published, "title": title, "text": text})  # fmt: skip
                assert r.status_code == 200, r.text
            service.timeline.wait_current()
            yield root, service
        finally:
            server.should_exit = True
            thread.join(30)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield lambda **options: p.chromium.launch_persistent_context(
            str(tmp_path / f"profile-{len(os.listdir(tmp_path))}"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=FLAGS,
            viewport={"width": 1100, "height": 1400},
            **options,
        )


def test_timeline_form_and_evidence_with_javascript_off(
    site: tuple[str, Any], browser: Any, tmp_path: Path
) -> None:
    root, _service = site
    context = browser(java_script_enabled=False)
    page = context.new_page()
    page.goto(root + "/")
    assert page.locator("h1").inner_text() == "Timeline"
    events = page.locator("article.event")
    # The two reports of May 23 are one event; July 23 has the swap and the round of talks.
    assert events.count() == 3
    may = events.nth(0)
    assert "Sources disagree" in may.locator("h3").inner_text()
    assert "84" in may.inner_text() and "90" in may.inner_text()
    # Keyboard: focus the event's summary and open it with Enter; the evidence is marked.
    may.locator("summary").focus()
    page.keyboard.press("Enter")
    marks = may.locator("details mark")
    assert marks.first.is_visible()
    assert sorted(marks.all_inner_texts()) == [
        "Russia and Ukraine exchanged 84 prisoners of war on May 23, 2025, the Russian Defense "
        "Ministry said.",
        "Ukraine and Russia swapped 90 prisoners of war on May 23, Zelenskyy said in the evening.",
    ]
    # The marked passages sit inside their articles' text (what is around them is shown).
    quoted = " ".join(may.locator("blockquote").all_inner_texts())
    assert "Belarusian border" in quoted and "waited at the border" in quoted
    shot = Path(os.environ.get("TIMELINE_SCREENSHOT") or tmp_path / "timeline.png")
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    # Filters are a plain form.
    page.select_option("#f-kind", "prisoner_exchange")
    page.fill("#f-q", "Istanbul")
    with page.expect_navigation():
        page.click("text=Filter")
    assert page.locator("article.event").count() == 1
    assert "250" in page.locator("article.event").inner_text()
    # The form: paste an article, see its events with the evidence marked.
    page.goto(root + "/new")
    page.fill("#n-text", "Russia and Ukraine exchanged 95 prisoners of war on June 5, 2025.")
    page.fill("#n-published", "2025-06-06")
    with page.expect_navigation():
        page.click("button:has-text('Find its events')")
    assert "/articles/" in page.url, page.locator(".error").all_inner_texts()
    assert page.locator("mark").first.inner_text() == (
        "Russia and Ukraine exchanged 95 prisoners of war on June 5, 2025."
    )
    assert "each side: 95 servicemen" in page.locator(".records").inner_text()
    context.close()


def test_an_article_with_a_script_is_shown_never_run(site: tuple[str, Any], browser: Any) -> None:
    root, service = site
    context = browser()  # JavaScript on: a script that got through would run
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(root + "/new")
    page.fill("#n-text", HOSTILE)
    with page.expect_navigation():
        page.click("button:has-text('Find its events')")
    assert "/articles/" in page.url
    assert page.title() != "pwned"
    assert page.evaluate("window.pwned === undefined")
    assert page.locator("script").count() == 0 and page.locator(".article-text img").count() == 0
    assert '<script>document.title = "pwned"' in page.locator(".article-text").inner_text()
    service.timeline.wait_current()
    page.goto(root + "/?q=prisoners")
    page.locator("summary").first.click()
    assert page.evaluate("window.pwned === undefined")
    assert dialogs == []
    context.close()
