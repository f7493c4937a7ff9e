"""An HTTP transport whose every socket operation ends by the deadline of the current attempt.

httpx2's timeouts apply to each socket operation, not to a request: a server that sends one
byte a second never trips a 5 s read timeout, and a request can last as long as the server
likes. Here the network backend under httpx2's connection pool bounds each connect, read and
write by the time left to the attempt running on the calling thread (an
:class:`AttemptDeadline`), so no attempt outlives its deadline by more than one system call.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Iterable
from typing import Any

import httpcore2
import httpx2

#: httpx2's default connection limits (its transport's pool, which is replaced here).
LIMITS = httpx2.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)


class AttemptDeadline(threading.local):
    """When the attempt running on this thread must end (``None``: no attempt limit).

    Thread-local: each thread sends its own requests, and a connection is used by one
    request at a time.
    """

    def __init__(self) -> None:
        """Start with no deadline."""
        self.at: float | None = None

    def bound(self, timeout: float | None, error: type[Exception]) -> float | None:
        """The timeout for one socket operation: ``timeout`` or the time left, if shorter.

        Raises:
            error: No time is left.

        """
        if self.at is None:
            return timeout
        left = self.at - time.monotonic()
        if left <= 0:
            raise error("the attempt's time limit was reached")
        return left if timeout is None else min(timeout, left)


class _BoundedStream(httpcore2.NetworkStream):
    def __init__(self, inner: httpcore2.NetworkStream, deadline: AttemptDeadline) -> None:
        self._inner = inner
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._deadline.bound(timeout, httpcore2.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._deadline.bound(timeout, httpcore2.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore2.NetworkStream:
        timeout = self._deadline.bound(timeout, httpcore2.ConnectTimeout)
        return _BoundedStream(
            self._inner.start_tls(ssl_context, server_hostname, timeout), self._deadline
        )

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _BoundedBackend(httpcore2.NetworkBackend):
    def __init__(self, deadline: AttemptDeadline) -> None:
        self._inner = httpcore2.SyncBackend()
        self._deadline = deadline

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore2.SOCKET_OPTION] | None = None,
    ) -> httpcore2.NetworkStream:
        timeout = self._deadline.bound(timeout, httpcore2.ConnectTimeout)
        stream = self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return _BoundedStream(stream, self._deadline)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore2.SOCKET_OPTION] | None = None,
    ) -> httpcore2.NetworkStream:
        timeout = self._deadline.bound(timeout, httpcore2.ConnectTimeout)
        stream = self._inner.connect_unix_socket(path, timeout, socket_options)
        return _BoundedStream(stream, self._deadline)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class BoundedHTTPTransport(httpx2.HTTPTransport):
    """``httpx2.HTTPTransport`` with every socket operation bounded by ``deadline``."""

    def __init__(self, deadline: AttemptDeadline) -> None:
        """Create the transport; ``deadline`` is set by whoever times the attempts."""
        super().__init__()
        # httpx2 has no parameter for the network backend of the pool it builds: build the
        # pool again, with httpx2's defaults and the bounded backend. handle_request stays
        # httpx2's own (so that vcrpy's cassettes still patch it).
        self._pool = httpcore2.ConnectionPool(
            ssl_context=httpx2.create_ssl_context(),
            max_connections=LIMITS.max_connections,
            max_keepalive_connections=LIMITS.max_keepalive_connections,
            keepalive_expiry=LIMITS.keepalive_expiry,
            network_backend=_BoundedBackend(deadline),
        )
