"""JSON Schema export of the pydantic models: the public contract of the outputs.

``schemas/`` holds these files; a test fails when they drift from the models. The hash of the
extraction schemas is recorded with every output and is part of every cache key.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from summarizer.records import ArticleResult, SentenceAnswer
from summarizer.timeline.merge import Timeline

#: File name -> model. ``extraction`` is what the model is asked for (sent with each request).
SCHEMA_MODELS: dict[str, type[BaseModel]] = {
    "extraction.schema.json": SentenceAnswer,
    "article_result.schema.json": ArticleResult,
    "timeline.schema.json": Timeline,
}


def schema_documents() -> dict[str, dict[str, Any]]:
    """Every exported schema by file name."""
    return {name: model.model_json_schema() for name, model in SCHEMA_MODELS.items()}


def render_schema(document: dict[str, Any]) -> str:
    """Canonical text of a schema file (stable key order, trailing newline)."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


#: The schemas an extraction depends on; the timeline's is left out so that a merger change
#: does not invalidate cached extractions.
EXTRACTION_SCHEMAS = ("extraction.schema.json", "article_result.schema.json")


@cache
def schema_sha256() -> str:
    """One hash over the schemas of what the model returns and what extraction outputs."""
    digest = hashlib.sha256()
    documents = schema_documents()
    for name in sorted(EXTRACTION_SCHEMAS):
        document = documents[name]
        digest.update(name.encode())
        digest.update(render_schema(document).encode())
    return digest.hexdigest()


def write_schemas(directory: Path) -> list[Path]:
    """Write every schema file into ``directory``; returns the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, document in schema_documents().items():
        path = directory / name
        path.write_text(render_schema(document), encoding="utf-8")
        written.append(path)
    return written


def drifted_schemas(directory: Path) -> list[str]:
    """Names of schema files in ``directory`` that are missing or differ from the models."""
    drifted = []
    for name, document in schema_documents().items():
        path = directory / name
        if not path.is_file() or path.read_text(encoding="utf-8") != render_schema(document):
            drifted.append(name)
    return drifted
