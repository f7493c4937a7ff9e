from __future__ import annotations

import pytest

from summarizer.errors import PromptError
from summarizer.extraction.prompts import list_prompts, parse_prompt

GOOD = """---
name: demo
version: 3
params: [article, when]
---
[[system]]
Extract. Costs $$5.
[[user]]
Date: $when
$article
"""


def test_render_fills_messages_in_order() -> None:
    prompt = parse_prompt(GOOD)
    messages = prompt.render({"article": "Text.", "when": "2025-01-01"})
    assert [(m.role, m.content) for m in messages] == [
        ("system", "Extract. Costs $5."),
        ("user", "Date: 2025-01-01\nText."),
    ]
    assert (prompt.name, prompt.version) == ("demo", "3")


def test_missing_variable_is_a_clear_error() -> None:
    with pytest.raises(PromptError, match=r"prompt 'demo': missing variable\(s\): when"):
        parse_prompt(GOOD).render({"article": "x"})


def test_unknown_variable_is_an_error() -> None:
    with pytest.raises(PromptError, match="unknown variable"):
        parse_prompt(GOOD).render({"article": "x", "when": "y", "extra": "z"})


def test_undeclared_template_variable_is_rejected_at_load() -> None:
    with pytest.raises(PromptError, match="undeclared variable\\(s\\): oops"):
        parse_prompt(GOOD.replace("$when", "$oops"), "p.md")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("no front matter", "must start with '---'"),
        ("---\nname: x\nparams: []\n---\n[[user]]\nhi\n", "lacks 'version'"),
        (
            "---\nname: x\nversion: 1\nparams: []\n---\nstray\n[[user]]\nhi\n",
            "text before the first",
        ),
        ("---\nname: x\nversion: 1\nparams: []\n---\n", "no \\[\\[system\\]\\]"),
    ],
)
def test_malformed_prompt_files(text: str, message: str) -> None:
    with pytest.raises(PromptError, match=message):
        parse_prompt(text, "p.md")


def test_hash_changes_with_any_edit() -> None:
    assert parse_prompt(GOOD).sha256 != parse_prompt(GOOD.replace("Extract.", "Extract!")).sha256


def test_shipped_prompts_load_and_declare_what_they_use() -> None:
    prompts = {p.name: p for p in list_prompts()}
    assert "extract_events" in prompts
    prompt = prompts["extract_events"]
    assert prompt.params == ("sentence",)
    messages = prompt.render({"sentence": "SENTENCE"})
    # Static instructions and examples first, the sentence last: the server's prefix cache
    # (and the reading of it saved between runs) then serves everything but the sentence.
    assert messages[0].role == "system"
    assert messages[-1].content.endswith("SENTENCE")
    assert all("SENTENCE" not in m.content for m in messages[:-1])
