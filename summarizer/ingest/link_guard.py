"""Keeping links found inside fetched content away from private addresses (SSRF).

A feed can link its entries to ``http://127.0.0.1:8080/admin`` or to a cloud metadata service
(``169.254.169.254``). The check is made where the connection is opened: the host is resolved
once, every address is checked, and the connection goes to a checked address itself, so a
name that resolves to something else a moment later (DNS rebinding) and redirects are
covered too.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterable
from ipaddress import IPv4Address, IPv6Address, ip_address

import httpcore2
import httpx2

#: Resolves ``(host, port)`` to IP address strings.
Resolver = Callable[[str, int], list[str]]


class PrivateAddressError(Exception):
    """A link led to an address that is not on the public internet."""

    def __init__(self, host: str, address: str, kind: str) -> None:
        named = address if host == address else f"{host} resolves to {address}, which"
        super().__init__(f"{named} is a {kind} address")
        self.host = host
        self.address = address
        self.kind = kind


def non_public_kind(address: IPv4Address | IPv6Address) -> str | None:
    """What kind of non-public address this is (``loopback``, ``private``, ...); ``None`` if public.

    An IPv6 address that carries an IPv4 one (mapped, 6to4, Teredo) is judged by that too.
    """
    if isinstance(address, IPv6Address):
        if address.ipv4_mapped is not None:
            return non_public_kind(address.ipv4_mapped)
        carried = address.sixtofour or (address.teredo[1] if address.teredo else None)
        if carried is not None and (kind := non_public_kind(carried)):
            return kind
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address.is_unspecified:
        return "unspecified"
    if address.is_private:
        return "private"
    if address.is_reserved:
        return "reserved"
    if not address.is_global:
        return "non-public"  # e.g. 100.64.0.0/10, shared by carriers
    return None


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to for a TCP connection (literal IPs as they are)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as e:
        raise httpcore2.ConnectError(f"cannot resolve {host}: {e}") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class PublicOnlyBackend(httpcore2.NetworkBackend):
    """A network backend that connects only to public addresses, and only to the one it checked."""

    def __init__(
        self, inner: httpcore2.NetworkBackend | None = None, resolver: Resolver = resolve
    ) -> None:
        """Wrap a backend.

        Args:
            inner: Opens the connection to a checked address (default: plain sockets).
            resolver: Turns a host into addresses (default: the system resolver).

        """
        self._inner = inner or httpcore2.SyncBackend()
        self._resolve = resolver

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore2.SOCKET_OPTION] | None = None,
    ) -> httpcore2.NetworkStream:
        """Resolve ``host``, refuse it if any address is not public, else connect to one.

        Raises:
            PrivateAddressError: ``host`` is or resolves to a non-public address.
            httpcore2.ConnectError: It cannot be resolved or reached.

        """
        addresses = self._resolve(host, port)
        if not addresses:
            raise httpcore2.ConnectError(f"cannot resolve {host}: no address")
        for address in addresses:
            kind = non_public_kind(ip_address(address.split("%", 1)[0]))
            if kind is not None:
                raise PrivateAddressError(host, address, kind)
        for address in addresses[:-1]:
            try:
                return self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore2.ConnectError, httpcore2.ConnectTimeout):
                continue  # the next address, as socket.create_connection does
        return self._inner.connect_tcp(addresses[-1], port, timeout, local_address, socket_options)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore2.SOCKET_OPTION] | None = None,
    ) -> httpcore2.NetworkStream:
        """Refused: a link never names a local socket."""
        raise PrivateAddressError(path, path, "local socket")

    def sleep(self, seconds: float) -> None:
        """Sleep as the wrapped backend does."""
        self._inner.sleep(seconds)


class PublicOnlyTransport(httpx2.HTTPTransport):
    """httpx's own transport, its connections opened by a :class:`PublicOnlyBackend`.

    A client given this transport also ignores proxy settings from the environment: through
    a proxy, the address finally connected to could not be checked.
    """

    def __init__(self, backend: PublicOnlyBackend | None = None) -> None:
        """Create the transport.

        Args:
            backend: The checking backend (tests give it a fake resolver and connector).

        """
        super().__init__()
        limits = httpx2.Limits()
        self._pool = httpcore2.ConnectionPool(
            ssl_context=httpx2.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend or PublicOnlyBackend(),
        )
