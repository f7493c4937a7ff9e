"""A scripted OpenAI-compatible server on 127.0.0.1 for fault tests (bounded, loopback only)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    content: str | None = None
    finish_reason: str = "stop"
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    raw: bytes | None = None


def completion(content: str, finish_reason: str = "stop") -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": "fake-model",
        "choices": [
            {
                "index": 0,
                "finish_reason": finish_reason,
                "message": {"role": "assistant", "content": content},
            }
        ],
        "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
    }


@dataclass
class FakeServer:
    base_url: str
    replies: list[Reply]
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)


@contextmanager
def fake_llm_server(replies: list[Reply]) -> Iterator[FakeServer]:
    """Serve ``replies`` in order; once they run out, repeat the last one."""
    state = FakeServer(base_url="", replies=list(replies))

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", 0))
            state.requests.append(json.loads(self.rfile.read(length)))
            state.headers.append({k.lower(): v for k, v in self.headers.items()})
            index = min(len(state.requests) - 1, len(state.replies) - 1)
            reply = state.replies[index]
            if reply.delay_s:
                time.sleep(reply.delay_s)
            if reply.raw is not None:
                body = reply.raw
            elif reply.status == 200:
                body = json.dumps(completion(reply.content or "", reply.finish_reason)).encode()
            else:
                body = json.dumps(
                    {"error": {"message": f"status {reply.status}", "type": "x"}}
                ).encode()
            try:
                self.send_response(reply.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
