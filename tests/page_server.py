"""A scripted web server on 127.0.0.1 for feeds and pages: slow, missing and oversize ones too."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from loopback import serve


@dataclass
class Page:
    body: bytes
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    delay_s: float = 0.0
    #: Send without Content-Length, in chunks (the size is only known while reading).
    chunked: bool = False
    #: Extra response headers (e.g. ``location`` for a redirect).
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class PageServer:
    root: str
    pages: dict[str, Page]
    hits: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.root + path


@contextmanager
def page_server(pages: dict[str, Page]) -> Iterator[PageServer]:
    """Serve ``pages`` by path; any other path is a 404."""
    state = PageServer(root="", pages=pages)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            state.hits.append(self.path)
            page = state.pages.get(self.path, Page(b"not found", status=404))
            if page.delay_s:
                time.sleep(page.delay_s)
            try:
                self.send_response(page.status)
                self.send_header("content-type", page.content_type)
                for key, value in page.headers.items():
                    self.send_header(key, value)
                if page.chunked:
                    self.send_header("transfer-encoding", "chunked")
                    self.end_headers()
                    for start in range(0, len(page.body), 4096):
                        chunk = page.body[start : start + 4096]
                        self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                    self.wfile.write(b"0\r\n\r\n")
                else:
                    self.send_header("content-length", str(len(page.body)))
                    self.end_headers()
                    self.wfile.write(page.body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    with serve(Handler) as root:
        state.root = root
        yield state
