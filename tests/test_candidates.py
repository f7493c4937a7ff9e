from __future__ import annotations

from summarizer.extraction.candidates import Candidate, candidate_sentences, numbered, sentences

TEXT = (
    "Talks in Geneva\n"
    "The delegations met on 3 May. They agreed to exchange 500 prisoners each. "
    "On Friday 120 soldiers were swapped. Some had been held since 2022. "
    "Kyiv says 4,100 people have been freed in total. "
    '"We want a deal," he said. A total of 80 bodies followed.'
)


def test_sentences_split_on_sentence_ends_and_lines() -> None:
    assert sentences("A b. C d!\nE f")[:3] == ["A b.", "C d!", "E f"]
    assert sentences('He said "It ends." Then') == ['He said "It ends."', "Then"]


def test_candidates_name_an_agreement_or_count_with_a_running_total_word() -> None:
    # A year is not a count ("since 2022"); a swap without agreement or total words is left out.
    found = candidate_sentences(TEXT)
    assert [c.sentence for c in found] == [
        "They agreed to exchange 500 prisoners each.",
        "Kyiv says 4,100 people have been freed in total.",
        '"We want a deal," he said.',
        "A total of 80 bodies followed.",
    ]
    # Each with the sentence before it, where its date often is.
    assert found[0].before == "The delegations met on 3 May."
    assert [c.sentence for c in candidate_sentences(TEXT, limit=1)] == [found[0].sentence]
    assert candidate_sentences("Nothing here. 250 were swapped.") == []
    assert candidate_sentences("They agreed.")[0].before is None


def test_numbered_list() -> None:
    assert numbered([Candidate("B.", "A."), Candidate("C.", None)]) == (
        "[1] after: A.\n    check: B.\n[2] after: (start of the article)\n    check: C."
    )
