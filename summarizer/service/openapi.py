"""The service's OpenAPI document, exported to ``schemas/openapi.json`` beside the other schemas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from summarizer.config import Settings
from summarizer.service.settings import ServiceSettings

OPENAPI_FILE = "openapi.json"


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of API v1 (the same whatever the settings)."""
    from summarizer.service.app import create_app

    app = create_app(Settings(), ServiceSettings(), Path("unused.sqlite"))
    return app.openapi()


def render_openapi(document: dict[str, Any]) -> str:
    """Canonical text of the file (stable key order, trailing newline)."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_openapi(directory: Path) -> Path:
    """Write ``openapi.json`` into ``directory``; returns its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / OPENAPI_FILE
    path.write_text(render_openapi(openapi_document()), encoding="utf-8")
    return path


def openapi_drifted(directory: Path) -> list[str]:
    """``["openapi.json"]`` if the file is missing or differs from the app, else ``[]``."""
    path = directory / OPENAPI_FILE
    current = render_openapi(openapi_document())
    if not path.is_file() or path.read_text(encoding="utf-8") != current:
        return [OPENAPI_FILE]
    return []
