"""Reading saved outputs back: `summarise -f json` documents, timelines, JSONL of results.

A malformed input is one :class:`InputError` naming the file and, where there is one, the
line (``path:LINE``); in JSON Lines one bad line costs only that line.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jiter
from pydantic import ValidationError

from summarizer.errors import InputError
from summarizer.records import ArticleResult
from summarizer.timeline.merge import SourcedRecord, Timeline, sourced_records

# jiter rather than json: it stops at a nesting depth (json raises RecursionError on 100,000
# brackets) and every error it raises says where, as " at line L column C".
_WHERE = re.compile(r" at line (\d+) column (\d+)$")


@dataclass
class SavedRecords:
    """What a saved output file held: its records, and the lines that could not be read."""

    records: list[SourcedRecord] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)


def _records_from(doc: Any, source: str) -> list[SourcedRecord]:
    try:
        if isinstance(doc, dict) and "events" in doc and "sources" in doc:
            return Timeline.model_validate(doc).records()
        if isinstance(doc, dict) and "articles" in doc:
            articles = doc["articles"]
            if not isinstance(articles, list):
                raise InputError(source, '"articles" is not a list')
            records = sourced_records(ArticleResult.model_validate(a) for a in articles)
            if isinstance(doc.get("timeline"), dict):
                records += Timeline.model_validate(doc["timeline"]).records()
            return records
        if isinstance(doc, dict) and "article" in doc and "records" in doc:
            return sourced_records([ArticleResult.model_validate(doc)])
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the top level"
        message = " ".join(str(first["msg"]).split())
        raise InputError(
            source, f"does not match the output schema at {where}: {message}"
        ) from None
    raise InputError(
        source, "not a summarizer output (expected articles, a timeline or an article result)"
    )


def _not_json(error: ValueError, source: str, first_line: int = 1) -> InputError:
    """The one-line error for unparseable JSON, naming ``source:LINE`` (from ``first_line``)."""
    message = str(error)
    found = _WHERE.search(message)
    if found is None:
        return InputError(source, f"not JSON ({message})")
    line, column = int(found[1]) + first_line - 1, found[2]
    what = message[: found.start()]
    if what == "recursion limit exceeded":
        what = "nested too deeply"
    return InputError(f"{source}:{line}", f"not JSON ({what} at column {column})")


def _is_json_lines(lines: list[bytes]) -> bool:
    """Whether a file that is not one JSON value holds one value per line.

    It does when one of its first two lines is a whole JSON object (so a bad first line
    costs only that line); a pretty-printed document never starts so.
    """
    for line in [line for line in lines if line.strip()][:2]:
        try:
            if isinstance(jiter.from_json(line), dict):
                return True
        except ValueError:
            pass
    return False


def load_saved_records(path: Path) -> SavedRecords:
    """Every sourced record in a saved output file, and every part of it that was unreadable.

    Accepts the JSON of `summarise -f json`, a timeline JSON (`merge -f json`), one article
    result, or JSON Lines of any of these. In JSON Lines each bad line is one error
    (``path:LINE``) and the other lines are still read.

    Raises:
        InputError: Missing, unreadable, empty, or (one JSON document) not JSON or not a
            summarizer output; the error names the line where there is one.

    """
    source = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(source, "no such file") from None
    except OSError as e:
        raise InputError(source, f"cannot read: {e.strerror}") from None
    if not data.strip():
        raise InputError(source, "empty input")
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        doc = jiter.from_json(data)
    except ValueError as e:
        lines = data.splitlines()
        if len(lines) > 1 and _is_json_lines(lines):
            return _load_json_lines(lines, source)
        raise _not_json(e, source) from None
    return SavedRecords(records=_records_from(doc, source))


def _load_json_lines(lines: list[bytes], source: str) -> SavedRecords:
    saved = SavedRecords()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            doc = jiter.from_json(line)
        except ValueError as e:
            saved.errors.append(_not_json(e, source, number))
            continue
        try:
            saved.records += _records_from(doc, f"{source}:{number}")
        except InputError as e:
            saved.errors.append(e)
    return saved
