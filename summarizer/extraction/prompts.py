"""Prompt templates as files: load, hash and render (pure; no I/O besides reading the file).

A prompt file has YAML front matter (``name``, ``version``, ``description``, ``params``) and a
body split into chat messages by lines that read ``[[system]]``, ``[[user]]`` or
``[[assistant]]``. Variables are ``$name`` or ``${name}`` (``$$`` is a literal dollar sign).
The prompt's identity is the SHA-256 of the file's bytes, so any edit changes the cache key and
breaks cassette replay loudly.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Literal

import yaml

from summarizer.errors import PromptError

Role = Literal["system", "user", "assistant"]
_ROLE_LINE = re.compile(r"^\[\[(system|user|assistant)\]\]\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Message:
    """One chat message."""

    role: Role
    content: str

    def as_dict(self) -> dict[str, str]:
        """Return the OpenAI chat format."""
        return {"role": self.role, "content": self.content}


@dataclass(frozen=True)
class Prompt:
    """A parsed prompt file."""

    name: str
    version: str
    description: str
    params: tuple[str, ...]
    messages: tuple[tuple[Role, Template], ...]
    sha256: str
    path: str

    def render(self, values: Mapping[str, str]) -> list[Message]:
        """Fill the template.

        Args:
            values: One value per declared parameter.

        Returns:
            The chat messages.

        Raises:
            PromptError: A declared parameter has no value, or a value has no parameter.

        """
        missing = [p for p in self.params if p not in values]
        if missing:
            raise PromptError(f"prompt {self.name!r}: missing variable(s): {', '.join(missing)}")
        unknown = sorted(set(values) - set(self.params))
        if unknown:
            raise PromptError(f"prompt {self.name!r}: unknown variable(s): {', '.join(unknown)}")
        return [Message(role, tpl.substitute(values)) for role, tpl in self.messages]


def default_prompts_dir() -> Path:
    """The prompts directory: ``SUMMARIZER_PROMPTS_DIR`` or the project's ``prompts/``."""
    override = os.environ.get("SUMMARIZER_PROMPTS_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "prompts"


def parse_prompt(text: str, path: str = "<string>") -> Prompt:
    """Parse the text of a prompt file.

    Args:
        text: The whole file.
        path: Where it came from, for error messages.

    Returns:
        The prompt.

    Raises:
        PromptError: Bad front matter, no messages, or a variable not declared in ``params``.

    """
    if not text.startswith("---\n"):
        raise PromptError(f"{path}: prompt file must start with '---' front matter")
    try:
        _, front, body = text.split("---\n", 2)
        meta = yaml.safe_load(front) or {}
    except (ValueError, yaml.YAMLError) as e:
        raise PromptError(f"{path}: unreadable front matter: {e}") from None
    for key in ("name", "version", "params"):
        if key not in meta:
            raise PromptError(f"{path}: front matter lacks {key!r}")
    params = tuple(str(p) for p in meta["params"])
    parts = _ROLE_LINE.split(body)
    if parts[0].strip():
        raise PromptError(f"{path}: text before the first [[role]] line")
    messages: list[tuple[Role, Template]] = []
    for role, content in zip(parts[1::2], parts[2::2], strict=True):
        template = Template(content.strip("\n"))
        if not template.is_valid():
            raise PromptError(f"{path}: invalid $-placeholder in the {role} message")
        undeclared = set(template.get_identifiers()) - set(params)
        if undeclared:
            raise PromptError(f"{path}: undeclared variable(s): {', '.join(sorted(undeclared))}")
        messages.append((role, template))  # type: ignore[arg-type]
    if not messages:
        raise PromptError(f"{path}: no [[system]]/[[user]] messages")
    return Prompt(
        name=str(meta["name"]),
        version=str(meta["version"]),
        description=str(meta.get("description", "")),
        params=params,
        messages=tuple(messages),
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        path=path,
    )


def load_prompt(name: str, directory: Path | None = None) -> Prompt:
    """Load ``<directory>/<name>.md``.

    Args:
        name: Prompt name (file stem).
        directory: Where prompts live; :func:`default_prompts_dir` when omitted.

    Returns:
        The prompt.

    Raises:
        PromptError: The file is missing or malformed.

    """
    path = (directory or default_prompts_dir()) / f"{name}.md"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise PromptError(f"{path}: cannot read prompt: {e.strerror}") from None
    return parse_prompt(text, str(path))


def list_prompts(directory: Path | None = None) -> list[Prompt]:
    """Every prompt in the directory, sorted by name."""
    directory = directory or default_prompts_dir()
    return [load_prompt(p.stem, directory) for p in sorted(directory.glob("*.md"))]
