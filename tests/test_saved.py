"""Reading saved outputs back for `merge`: line numbers, pathological JSON, bad lines alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_evaluate import result
from test_merge import record
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.errors import InputError
from summarizer.timeline.saved import load_saved_records


def saved_line(article_id: str) -> str:
    """One article result with one record, as `records.jsonl` holds it."""
    return result(article_id, [record(f"{article_id}#0").record]).model_dump_json()


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_bad_json_lines_line_is_named_by_its_number_and_the_others_are_kept(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path / "records.jsonl",
        "\n".join([saved_line("a"), '{"article": oops}', "", saved_line("c"), "[1, 2]"]) + "\n",
    )
    saved = load_saved_records(path)
    assert [r.record.id for r in saved.records] == ["a#0", "c#0"]
    assert [str(e) for e in saved.errors] == [
        f"{path}:2: not JSON (expected value at column 13)",
        f"{path}:5: not a summarizer output (expected articles, a timeline or an article result)",
    ]


def test_a_bad_first_line_costs_only_that_line(tmp_path: Path) -> None:
    path = write(tmp_path / "records.jsonl", "{broken\n" + saved_line("b") + "\n")
    saved = load_saved_records(path)
    assert [r.record.id for r in saved.records] == ["b#0"]
    assert [str(e) for e in saved.errors] == [
        f"{path}:1: not JSON (key must be a string at column 2)"
    ]


def test_a_pretty_printed_document_names_the_line_of_its_error(tmp_path: Path) -> None:
    doc = json.dumps({"articles": [json.loads(saved_line("a"))]}, indent=2).splitlines()
    doc.insert(5, '    "stray": ,')
    path = write(tmp_path / "run.json", "\n".join(doc))
    with pytest.raises(InputError) as error:
        load_saved_records(path)
    assert str(error.value) == f"{path}:6: not JSON (expected value at column 14)"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[" * 100_000 + "]" * 100_000, "not JSON (nested too deeply at column 202)"),
        ('{"a": ' * 100_000, "not JSON (nested too deeply at column 1207)"),
    ],
    ids=["brackets", "objects"],
)
def test_pathological_nesting_is_one_error_not_a_recursion_error(
    tmp_path: Path, text: str, reason: str
) -> None:
    path = write(tmp_path / "deep.json", text)
    with pytest.raises(InputError) as error:
        load_saved_records(path)
    assert str(error.value) == f"{path}:1: {reason}"


def test_deep_nesting_on_one_json_lines_line_costs_that_line(tmp_path: Path) -> None:
    path = write(tmp_path / "deep.jsonl", f"{saved_line('a')}\n{'[' * 100_000}\n")
    saved = load_saved_records(path)
    assert [r.record.id for r in saved.records] == ["a#0"]
    assert [str(e) for e in saved.errors] == [
        f"{path}:2: not JSON (nested too deeply at column 202)"
    ]


def test_schema_errors_name_the_line_and_field_on_one_line(tmp_path: Path) -> None:
    wrong = json.loads(saved_line("b"))
    wrong["article"]["title"] = {"not": "a string"}
    articles_not_a_list = json.dumps({"articles": {"a": 1}})
    path = write(
        tmp_path / "records.jsonl",
        "\n".join([saved_line("a"), json.dumps(wrong), articles_not_a_list]),
    )
    saved = load_saved_records(path)
    assert [r.record.id for r in saved.records] == ["a#0"]
    assert [str(e) for e in saved.errors] == [
        f"{path}:2: does not match the output schema at article.title: Input should be a valid string",
        f'{path}:3: "articles" is not a list',
    ]


def test_merge_cli_one_line_per_bad_input_exit_2_and_the_rest_merged(tmp_path: Path) -> None:
    lines = write(tmp_path / "records.jsonl", f"{saved_line('a')}\n{{oops\n{saved_line('c')}\n")
    deep = write(tmp_path / "deep.json", "[" * 100_000)
    other = write(tmp_path / "other.jsonl", saved_line("d") + "\n")
    result = CliRunner().invoke(app, ["merge", "-f", "json", str(lines), str(deep), str(other)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"summarizer: error: {lines}:2: not JSON (key must be a string at column 2)",
        f"summarizer: error: {deep}:1: not JSON (nested too deeply at column 202)",
    ]
    merged = json.loads(result.stdout)
    assert sorted(s["sourced"]["record"]["article_id"] for s in merged["sources"]) == [
        "a",
        "c",
        "d",
    ]
