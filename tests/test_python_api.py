"""The Python API: `from summarizer import summarise, merge, Settings` and the batch runner."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fake_llm_server import extraction_reply, fake_llm_server
from service_support import EXCHANGE

import summarizer
from summarizer import ArticleResult, Settings, Timeline, merge, run_batch, summarise
from summarizer.errors import InputError

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])


def test_all_names_every_public_name_and_each_resolves() -> None:
    public = {name for name in dir(summarizer) if not name.startswith("_")} - {"annotations"}
    submodules = {"batch", "config", "errors", "extraction", "ingest", "library", "records",
                  "redaction", "run", "schema_export", "sqlite_damage", "timeline", "evaluation",
                  "cli", "service"}  # fmt: skip
    assert public - submodules == set(summarizer.__all__) - {"__version__"}
    for name in summarizer.__all__:
        assert getattr(summarizer, name) is not None
    with pytest.raises(AttributeError):
        summarizer.no_such_thing  # noqa: B018
    assert (Path(summarizer.__file__).parent / "py.typed").is_file()


def test_importing_the_package_loads_no_model_code() -> None:
    code = "import sys, summarizer; print(sorted(m for m in sys.modules if m.startswith(('openai', 'instructor', 'summarizer.extraction'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_summarise_text_and_paths_then_merge(tmp_path: Path) -> None:
    path = tmp_path / "swap.txt"
    path.write_text(EXCHANGE.replace("84", "90"))
    with fake_llm_server([], respond=extraction_reply) as llm:
        settings = Settings.resolve(base_url=llm.base_url, model="fake-model")
        from_text = summarise(EXCHANGE, published="2025-07-24", settings=settings)
        from_path = summarise(path, published="2025-07-24", settings=settings)
        from_name = summarise(str(path), published="2025-07-24", settings=settings)
    assert isinstance(from_text, ArticleResult)
    assert from_text.article.id.startswith("a-")
    assert from_text.records[0].counts[0].value == 84
    assert from_path.article.id == from_name.article.id == "swap"
    timeline = merge([from_text, from_path])
    assert isinstance(timeline, Timeline)
    [event] = timeline.events  # the same day's exchange, 84 and 90 within tolerance
    assert event.article_count == 2
    assert sorted(r.value for r in event.counts[0].reported) == [84, 90]
    with pytest.raises(InputError, match="not a date"):
        summarise(EXCHANGE, published="soon", settings=settings)
    with pytest.raises(InputError, match="empty"):
        summarise("   ", settings=settings)


def test_the_batch_runner_is_part_of_the_api(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(EXCHANGE)
    with fake_llm_server([], respond=extraction_reply) as llm:
        settings = Settings.resolve(base_url=llm.base_url, model="fake-model")
        report = run_batch([str(folder)], settings, store_path=tmp_path / "s.sqlite")
    assert report.counts["done"] == 1
    assert merge(report.results).events[0].kind == "prisoner_exchange"
