from __future__ import annotations

from summarizer.candidates import candidate_sentences, numbered, sentences

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
    assert candidate_sentences(TEXT) == [
        "They agreed to exchange 500 prisoners each.",
        "Kyiv says 4,100 people have been freed in total.",
        '"We want a deal," he said.',
        "A total of 80 bodies followed.",
    ]
    assert candidate_sentences(TEXT, limit=1) == ["They agreed to exchange 500 prisoners each."]
    assert candidate_sentences("Nothing here. 250 were swapped.") == []


def test_numbered_list() -> None:
    assert numbered(["A.", "B."]) == "[1] A.\n[2] B."
