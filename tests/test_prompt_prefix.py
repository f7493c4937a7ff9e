"""The saved reading of the prompt: loaded when intact, read again when damaged, saved whole."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from loopback import serve

from summarizer.extraction import prompt_prefix

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])


@contextmanager
def slot_server(directory: Path, calls: list[tuple[str, str]]) -> Iterator[str]:
    """llama.cpp's /slots endpoint as it behaves: save writes the file, restore reads it."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            action = self.path.split("action=", 1)[1]
            name = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["filename"]
            calls.append((action, name))
            if action == "save":
                (directory / name).write_bytes(b"kv" * 1000)
                body = {"n_saved": 987}
            else:
                body = {"n_restored": 987 if (directory / name).is_file() else 0}
            payload = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    with serve(Handler) as root:
        yield root


def test_a_state_is_saved_whole_then_loaded(tmp_path: Path) -> None:
    calls: list[tuple[str, str]] = []
    name = prompt_prefix.state_name("model", "prompt", "4096")
    with slot_server(tmp_path, calls) as root:
        assert not prompt_prefix.restore(root, tmp_path, name)  # nothing saved yet
        prompt_prefix.save(root, tmp_path, name)
        assert sorted(p.name for p in tmp_path.iterdir()) == [
            name,
            name.replace(".bin", ".sha256"),
        ]  # the temporary file was moved into place
        assert prompt_prefix.restore(root, tmp_path, name)
    assert [action for action, _ in calls] == ["save", "restore"]
    assert calls[0][1] != name  # written under a temporary name first


def test_a_damaged_state_is_deleted_and_never_loaded(tmp_path: Path) -> None:
    calls: list[tuple[str, str]] = []
    name = prompt_prefix.state_name("model", "prompt", "4096")
    with slot_server(tmp_path, calls) as root:
        prompt_prefix.save(root, tmp_path, name)
        with (tmp_path / name).open("r+b") as f:
            f.truncate(100)  # cut short, as by a full disk or a killed copy
        assert not prompt_prefix.restore(root, tmp_path, name)
    assert not (tmp_path / name).exists()
    assert [action for action, _ in calls] == ["save"]  # the server never got the bad file


def test_a_server_that_cannot_save_costs_nothing_but_time(tmp_path: Path) -> None:
    name = prompt_prefix.state_name("model", "prompt", "4096")
    prompt_prefix.save("http://127.0.0.1:9", tmp_path, name)  # nothing listens: no raise
    assert list(tmp_path.iterdir()) == []


def test_the_state_name_changes_with_model_prompt_and_context() -> None:
    base = prompt_prefix.state_name("model", "prompt", "4096")
    assert base == prompt_prefix.state_name("model", "prompt", "4096")
    assert len({
        base,
        prompt_prefix.state_name("other model", "prompt", "4096"),
        prompt_prefix.state_name("model", "other prompt", "4096"),
        prompt_prefix.state_name("model", "prompt", "8192"),
    }) == 4  # fmt: skip
