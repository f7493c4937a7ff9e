from __future__ import annotations

import json
from pathlib import Path

import pytest
from factories import label
from fake_llm_server import Reply, fake_llm_server
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.extraction.prompts import load_prompt

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

ARTICLE = (
    "On May 23, 2025, each side returned 270 servicemen and 120 civilians on the "
    "Ukrainian-Belarusian border."
)
ANSWER = label("exchange")


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    files = {
        "good": tmp_path / "good.txt",
        "empty": tmp_path / "empty.txt",
        "binary": tmp_path / "binary.txt",
        "missing": tmp_path / "missing.txt",
    }
    files["good"].write_text(ARTICLE, encoding="utf-8")
    files["empty"].write_bytes(b"")
    files["binary"].write_bytes(b"\x00\x01\x02garbage\xff")
    return files


def run(*args: str, base_url: str, stdin: str | None = None) -> tuple[int, str, str]:
    runner = CliRunner()
    result = runner.invoke(
        app,
        list(args),
        env={"SUMMARIZER_BASE_URL": base_url, "SUMMARIZER_MODEL": "fake"},
        input=stdin,
    )
    return result.exit_code, result.stdout, result.stderr


def test_bad_inputs_fail_alone_with_one_line_each(inputs: dict[str, Path]) -> None:
    with fake_llm_server([Reply(content=ANSWER)]) as server:
        code, out, err = run(
            "summarise", "--format", "json", *map(str, inputs.values()), base_url=server.base_url
        )
    assert code == 2
    assert err.splitlines() == [
        f"summarizer: error: {inputs['empty']}: empty input",
        f"summarizer: error: {inputs['binary']}: binary file (contains NUL bytes), not an article",
        f"summarizer: error: {inputs['missing']}: no such file",
    ]
    doc = json.loads(out)
    assert [a["article"]["id"] for a in doc["articles"]] == ["good"]
    assert doc["articles"][0]["records"][0]["counts"][1]["value"] == 120
    assert [f["source"] for f in doc["failures"]] == [
        str(inputs[k]) for k in ("empty", "binary", "missing")
    ]


def test_second_run_makes_no_llm_call_and_no_cache_does(inputs: dict[str, Path]) -> None:
    with fake_llm_server([Reply(content=ANSWER)]) as server:
        first = run("summarise", str(inputs["good"]), base_url=server.base_url)
        second = run("summarise", str(inputs["good"]), base_url=server.base_url)
        assert len(server.requests) == 1
        third = run("summarise", "--no-cache", str(inputs["good"]), base_url=server.base_url)
        assert len(server.requests) == 2
    assert first[0] == second[0] == third[0] == 0
    assert "**Prisoner exchange** · 2025-05-23" in first[1]
    assert "each side: 270 servicemen; each side: 120 civilians" in first[1]
    assert first[1].replace(", cached", "") == second[1].replace(", cached", "")
    assert ", cached" in second[1] and ", cached" not in first[1]


def test_output_file_and_stdin(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    with fake_llm_server([Reply(content=ANSWER)]) as server:
        code, stdout, _ = run(
            "summarise", "-", "-f", "json", "-o", str(out), base_url=server.base_url, stdin=ARTICLE
        )
    assert (code, stdout) == (0, "")
    doc = json.loads(out.read_text())
    assert doc["articles"][0]["article"]["source"] == "<stdin>"
    assert doc["articles"][0]["provenance"]["endpoint"] == server.base_url


def test_llm_failure_is_reported_per_article_with_exit_code_4(inputs: dict[str, Path]) -> None:
    with fake_llm_server([Reply(status=400)]) as server:
        code, _, err = run("summarise", str(inputs["good"]), base_url=server.base_url)
    assert code == 4
    assert err.startswith(f"summarizer: error: {inputs['good']}: ") and "HTTP 400" in err


def test_model_commands_without_a_model(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["model", "status"], env={"SUMMARIZER_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 3
    assert "installed: no" in result.stdout and "summarizer model install" in result.stdout
    result = runner.invoke(app, ["model", "path"], env={"SUMMARIZER_DATA_DIR": str(tmp_path)})
    assert result.stdout.strip() == str(
        tmp_path / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
    )
    result = runner.invoke(app, ["summarise", "x.txt"], env={"SUMMARIZER_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 2  # the input is bad before any model is needed


def test_missing_model_is_a_config_error_naming_the_command(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE)
    result = CliRunner().invoke(
        app, ["summarise", str(article)], env={"SUMMARIZER_DATA_DIR": str(tmp_path)}
    )
    assert result.exit_code == 3
    assert result.stderr.strip() == (
        "summarizer: error: the embedded model is not installed; run `summarizer model install` "
        "(1.1 GB, once), or set SUMMARIZER_BASE_URL to use another endpoint"
    )


def test_schemas_check_and_prompts_listing() -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["schemas", "--check"]).exit_code == 0
    listing = runner.invoke(app, ["prompts"]).stdout
    prompt = load_prompt("extract_events")
    assert f"extract_events\tv{prompt.version}\t{prompt.sha256[:16]}\t" in listing


def test_summarise_prints_records_then_the_timeline_and_merge_rereads_it(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    saved = tmp_path / "run.json"
    with fake_llm_server([Reply(content=ANSWER)]) as server:
        code, out, _ = run("summarise", str(article), base_url=server.base_url)
        assert code == 0
        assert out.index("## a") < out.index("# Timeline")
        assert (
            "- **2025-05-23** — Prisoner exchange at the Ukrainian-Belarusian border: each side: 270 servicemen; each side: 120 civilians. [S1]"
            in out
        )
        code, only, _ = run(
            "summarise", "--show", "timeline", str(article), base_url=server.base_url
        )
        assert only.startswith("# Timeline")
        run("summarise", "-f", "json", "-o", str(saved), str(article), base_url=server.base_url)
    doc = json.loads(saved.read_text())
    assert doc["timeline"]["events"][0]["source_count"] == 1
    runner = CliRunner()
    merged = runner.invoke(app, ["merge", "-f", "json", str(saved)])
    assert merged.exit_code == 0
    assert json.loads(merged.stdout) == doc["timeline"]
    again = tmp_path / "timeline.json"
    again.write_text(merged.stdout)
    # Merging a saved timeline with the run it came from changes nothing.
    assert (
        runner.invoke(app, ["merge", "-f", "json", str(again), str(saved)]).stdout == merged.stdout
    )
    explained = runner.invoke(app, ["merge", "--explain", str(saved)]).stdout
    assert "  - merge: a#0: first report" in explained


def test_merge_reports_bad_files_and_keeps_the_rest(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    other = tmp_path / "other.json"
    other.write_text('{"something": 1}')
    result = CliRunner().invoke(app, ["merge", str(bad), str(other), str(tmp_path / "nope.json")])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"summarizer: error: {bad}:1: not JSON (key must be a string at column 2)",
        f"summarizer: error: {other}: not a summarizer output (expected articles, a timeline or an article result)",
        f"summarizer: error: {tmp_path / 'nope.json'}: no such file",
    ]
    assert "_No events._" in result.stdout


def test_an_impossible_published_date_is_one_line_before_any_model_call(
    inputs: dict[str, Path],
) -> None:
    with fake_llm_server([Reply(content=ANSWER)]) as server:
        code, out, err = run(
            "summarise", "--published", "2025-13-45", str(inputs["good"]), base_url=server.base_url
        )
        assert server.requests == []
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "summarizer: error: --published: '2025-13-45' is not a date "
        "(YYYY, YYYY-MM, YYYY-MM-DD or an ISO datetime)"
    ]
