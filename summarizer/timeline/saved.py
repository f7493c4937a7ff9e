"""Reading saved outputs back: `summarise -f json` documents, timelines, JSONL of results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from summarizer.errors import InputError
from summarizer.records import ArticleResult
from summarizer.timeline.merge import SourcedRecord, Timeline, sourced_records


def _records_from(doc: Any, source: str) -> list[SourcedRecord]:
    if isinstance(doc, dict) and "events" in doc and "sources" in doc:
        return Timeline.model_validate(doc).records()
    if isinstance(doc, dict) and "articles" in doc:
        records = sourced_records(ArticleResult.model_validate(a) for a in doc["articles"])
        if isinstance(doc.get("timeline"), dict):
            records += Timeline.model_validate(doc["timeline"]).records()
        return records
    if isinstance(doc, dict) and "article" in doc and "records" in doc:
        return sourced_records([ArticleResult.model_validate(doc)])
    raise InputError(
        source, "not a summarizer output (expected articles, a timeline or an article result)"
    )


def load_saved_records(path: Path) -> list[SourcedRecord]:
    """Every sourced record in a saved output file.

    Accepts the JSON of `summarise -f json`, a timeline JSON (`merge -f json`), one article
    result, or JSON Lines of any of these.

    Raises:
        InputError: Missing, unreadable, not JSON, or not a summarizer output.

    """
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(source, "no such file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(source, f"cannot read: {getattr(e, 'strerror', None) or e}") from None
    if not text.strip():
        raise InputError(source, "empty input")
    try:
        try:
            docs = [json.loads(text)]
        except json.JSONDecodeError:
            docs = [json.loads(line) for line in text.splitlines() if line.strip()]
    except json.JSONDecodeError as e:
        raise InputError(source, f"not JSON or JSON Lines (line {e.lineno}: {e.msg})") from None
    try:
        return [record for doc in docs for record in _records_from(doc, source)]
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(
            source, f"does not match the output schema at {where}: {first['msg']}"
        ) from None
