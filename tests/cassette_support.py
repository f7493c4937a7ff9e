"""Cassette plumbing: readable JSON bodies, a body matcher that explains mismatches, filters."""

from __future__ import annotations

import json
from typing import Any

import yaml

RERECORD_COMMAND = "python -m pytest --record-mode=rewrite -m vcr"

#: Headers that may carry credentials or session state: never written to a cassette.
FILTERED_HEADERS = [
    "authorization",
    "api-key",
    "x-api-key",
    "openai-organization",
    "openai-project",
    "cookie",
    "set-cookie",
]
_VERSION_HEADERS = ("x-summarizer-prompt", "x-summarizer-schema")


def _as_text(body: Any) -> str | None:
    if body is None:
        return None
    if isinstance(body, bytes):
        return body.decode("utf-8", errors="replace")
    return str(body)


def _parse_json(body: Any) -> Any:
    text = _as_text(body)
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _header(request: Any, name: str) -> str | None:
    for key, value in request.headers.items():
        if key.lower() == name:
            return value[0] if isinstance(value, list) else value
    return None


def _differences(recorded: Any, current: Any, path: str = "") -> list[str]:
    if isinstance(recorded, dict) and isinstance(current, dict):
        out: list[str] = []
        for key in sorted(set(recorded) | set(current)):
            where = f"{path}.{key}" if path else key
            if key not in current:
                out.append(f"{where} was removed")
            elif key not in recorded:
                out.append(f"{where} was added")
            else:
                out += _differences(recorded[key], current[key], where)
        return out
    if isinstance(recorded, list) and isinstance(current, list):
        if len(recorded) != len(current):
            return [f"{path} has {len(current)} items, recorded {len(recorded)}"]
        out = []
        for i, (a, b) in enumerate(zip(recorded, current, strict=True)):
            out += _differences(a, b, f"{path}[{i}]")
        return out
    if recorded != current:
        return [f"{path} changed"]
    return []


def json_body_matcher(current: Any, recorded: Any) -> None:
    """vcrpy matcher: request bodies equal as parsed JSON (key order ignored).

    Raises:
        AssertionError: With what changed (prompt, schema, parameters) and how to re-record.
    """
    a, b = _parse_json(recorded.body), _parse_json(current.body)
    if a == b:
        return
    reasons = []
    for name in _VERSION_HEADERS:
        was, now = _header(recorded, name), _header(current, name)
        if was != now:
            reasons.append(f"{name[len('x-summarizer-') :]} changed: recorded {was}, now {now}")
    diffs = _differences(a, b)
    reasons.append(
        "request differs at: " + ", ".join(diffs[:8]) + (" ..." if len(diffs) > 8 else "")
    )
    raise AssertionError(
        "; ".join(reasons) + f". If the change is intended, re-record: {RERECORD_COMMAND}"
    )


def _readable(body: Any) -> Any:
    parsed = _parse_json(body)
    return {"json": parsed} if isinstance(parsed, dict | list) else body


def _raw(body: Any) -> Any:
    if isinstance(body, dict) and set(body) == {"json"}:
        return json.dumps(body["json"], ensure_ascii=False)
    return body


class _LiteralDumper(yaml.SafeDumper):
    """Writes multi-line strings (prompts, articles) as literal blocks."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value and not any(ch in value for ch in "\r\t") and value == value.rstrip(" "):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_LiteralDumper.add_representer(str, _str_representer)


class ReadableYamlSerializer:
    """vcrpy serializer storing JSON bodies as YAML structures, so cassettes can be read."""

    @staticmethod
    def serialize(cassette: dict[str, Any]) -> str:
        _map_bodies(cassette, _readable)
        return yaml.dump(
            cassette, Dumper=_LiteralDumper, allow_unicode=True, sort_keys=False, width=100
        )

    @staticmethod
    def deserialize(text: str) -> dict[str, Any]:
        cassette: dict[str, Any] = yaml.safe_load(text) or {}
        _map_bodies(cassette, _raw)
        return cassette


def _map_bodies(cassette: dict[str, Any], convert: Any) -> None:
    """Apply ``convert`` to every request body and response body string, in place."""
    for interaction in cassette.get("interactions", []):
        request, response = interaction["request"], interaction["response"]
        request["body"] = convert(request.get("body"))
        body = response.get("body", {})
        if isinstance(body, dict) and "string" in body:
            body["string"] = convert(body["string"])


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """Drop response headers that could carry session state, and the length of a body that
    is stored re-formatted."""
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() in [*FILTERED_HEADERS, "content-length"]:
            del headers[name]
    return response


def unused_interactions(cassette: Any) -> list[int]:
    """Indices of a replayed cassette's interactions that no request used."""
    return [i for i in range(len(cassette.data)) if cassette.play_counts[i] == 0]
