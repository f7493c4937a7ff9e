"""A scripted OpenAI-compatible server on 127.0.0.1 for fault tests (bounded, loopback only)."""

from __future__ import annotations

import json
import re
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from loopback import serve

#: The longest a hanging or trickling reply keeps a handler thread busy, whatever the client does.
MAX_STALL_S = 30.0


@dataclass
class Reply:
    """One scripted answer.

    ``raw`` replaces the body (sent as ``content_type``); ``trickle_s`` sends the body one byte
    at a time with that pause before each byte; ``hang`` never answers (until the server
    closes); ``reset_after`` sends the headers and that many bytes of the body, then resets the
    connection (TCP RST).
    """

    status: int = 200
    content: str | None = None
    finish_reason: str = "stop"
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    raw: bytes | None = None
    content_type: str = "application/json"
    trickle_s: float = 0.0
    hang: bool = False
    reset_after: int | None = None


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
    arrivals: list[float] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0


def asked_sentence(request: dict[str, Any]) -> str:
    """The sentence a request asks the model about."""
    content: str = request["messages"][-1]["content"]
    return content.split("Sentence: ", 1)[-1]


def asks_recipient(request: dict[str, Any]) -> bool:
    """Whether the request's schema asks who received the people the sentence counts."""
    schema = request["response_format"]["json_schema"]["schema"]
    return "received_by" in json.dumps(schema) or len(schema.get("prefixItems", [])) == 2


def label_reply(
    label: str, received_by: str = "each_side", delay_s: float = 0.0
) -> Callable[[dict[str, Any]], Reply]:
    """A responder answering every request with ``label`` (and ``received_by`` if asked)."""

    def respond(request: dict[str, Any]) -> Reply:
        answer = [label, received_by] if asks_recipient(request) else [label]
        return Reply(content=json.dumps(answer), delay_s=delay_s)

    return respond


def extraction_reply(request: dict[str, Any], delay_s: float = 0.0) -> Reply:
    """A valid answer for whatever sentence ``request`` asks about.

    A sentence with a number in it is a prisoner exchange (each side), any other "none".
    So any article with such a sentence (the synthetic batch articles have one) yields one
    grounded exchange.
    """
    label = "exchange" if re.search(r"\b\d{1,4}\b", asked_sentence(request)) else "none"
    return label_reply(label, delay_s=delay_s)(request)


@contextmanager
def fake_llm_server(
    replies: list[Reply], respond: Callable[[dict[str, Any]], Reply] | None = None
) -> Iterator[FakeServer]:
    """Serve ``replies`` in order (once they run out, repeat the last one), or ``respond``."""
    state = FakeServer(base_url="", replies=list(replies))
    lock = threading.Lock()
    closing = threading.Event()  # set on exit: hanging and trickling replies stop

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", 0))
            request = json.loads(self.rfile.read(length))
            with lock:  # concurrent requests: one reply each, in arrival order
                state.requests.append(request)
                state.headers.append({k.lower(): v for k, v in self.headers.items()})
                state.arrivals.append(time.monotonic())
                index = min(len(state.requests) - 1, len(state.replies) - 1)
                state.in_flight += 1
                state.max_in_flight = max(state.max_in_flight, state.in_flight)
            try:
                self._answer(respond(request) if respond is not None else state.replies[index])
            finally:
                with lock:
                    state.in_flight -= 1

        def _answer(self, reply: Reply) -> None:
            if reply.hang:
                closing.wait(MAX_STALL_S)
                return
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
                self.send_header("content-type", reply.content_type)
                self.send_header("content-length", str(len(body)))
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                if reply.reset_after is not None:
                    self.wfile.write(body[: reply.reset_after])
                    self._reset()
                elif reply.trickle_s:
                    self._trickle(body, reply.trickle_s)
                else:
                    self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def _trickle(self, body: bytes, pause_s: float) -> None:
            stop_at = time.monotonic() + MAX_STALL_S
            for i in range(len(body)):
                if closing.wait(pause_s) or time.monotonic() > stop_at:
                    return
                self.wfile.write(body[i : i + 1])

        def _reset(self) -> None:
            # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()

    try:
        with serve(Handler) as root:
            state.base_url = root + "/v1"
            yield state
    finally:
        closing.set()
