"""The embedded model's reading of a prompt's static part, kept on disk between runs.

Every request starts with the same ~1,000 tokens (instructions and worked examples); reading
them costs a small model on two cores about 25 s. llama.cpp can write the state of its slot
(the keys and values of those tokens, 28 MB) to a file and load it back in a fraction of a
second, so each run after the first starts where the last one was.

A state file belongs to one model file, one prompt and one context size (its name hashes
them). It is written under a temporary name and moved into place with a SHA-256 beside it;
a file whose hash does not match (cut short, damaged) is deleted and the prompt read again.
The server is on loopback; the only requests sent are to its own ``/slots`` endpoint.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import urllib.request
from pathlib import Path

log = logging.getLogger(__name__)

#: Bound on one save or restore call (a restore takes about 0.3 s).
SLOT_CALL_TIMEOUT_S = 60.0


def state_name(*parts: str) -> str:
    """The file name of the state for these identities (model, prompt, context size)."""
    digest = hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:24]
    return f"prefix-{digest}.bin"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def _slot_call(root_url: str, action: str, filename: str) -> dict[str, object]:
    request = urllib.request.Request(
        f"{root_url}/slots/0?action={action}",
        data=json.dumps({"filename": filename}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=SLOT_CALL_TIMEOUT_S) as response:
        answer: dict[str, object] = json.loads(response.read())
    return answer


def restore(root_url: str, directory: Path, name: str) -> bool:
    """Load a saved state into slot 0; False when there is none or it cannot be used."""
    path = directory / name
    check = path.with_suffix(".sha256")
    if not path.is_file():
        return False
    try:
        intact = check.is_file() and check.read_text().strip() == _sha256(path)
    except OSError:
        intact = False
    if not intact:
        log.warning("the saved reading of the prompt at %s is damaged; it is read again", path)
        path.unlink(missing_ok=True)
        check.unlink(missing_ok=True)
        return False
    try:
        answer = _slot_call(root_url, "restore", name)
    except (OSError, ValueError) as e:
        log.warning("the saved reading of the prompt could not be loaded (%s); read again", e)
        return False
    return bool(answer.get("n_restored"))


def save(root_url: str, directory: Path, name: str) -> None:
    """Write slot 0's state to ``directory/name`` (atomically, with its hash); never raises."""
    temporary = f"{name}.{os.getpid()}.part"
    try:
        _slot_call(root_url, "save", temporary)
        part = directory / temporary
        digest = _sha256(part)
        os.replace(part, directory / name)
        (directory / name).with_suffix(".sha256").write_text(digest + "\n")
    except (OSError, ValueError) as e:
        log.warning("the reading of the prompt could not be saved for the next run: %s", e)
        (directory / temporary).unlink(missing_ok=True)
