"""Downloading feeds and pages: timeouts, a total deadline, a size limit, one-line failures.

Every failure is an :class:`InputError` naming the URL, so a page that will not download is
one failed input of a batch, never the end of it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx2

from summarizer import __version__
from summarizer.config import redact_url
from summarizer.errors import InputError
from summarizer.ingest.articles import MAX_INPUT_BYTES
from summarizer.ingest.link_guard import PrivateAddressError, PublicOnlyBackend, PublicOnlyTransport

#: Seconds to connect, and between two chunks of a response.
DEFAULT_TIMEOUT_S = 20.0
MAX_REDIRECTS = 5


def is_url(source: str) -> bool:
    """Whether a batch source names an HTTP(S) URL rather than a file."""
    return urlsplit(source).scheme.lower() in ("http", "https")


@dataclass(frozen=True)
class Fetched:
    """A downloaded document."""

    url: str
    content: bytes
    content_type: str


class Fetcher:
    """An HTTP client for feeds and pages; safe to share between threads.

    URLs the user named may lead anywhere. Links found inside what was fetched (a feed
    entry's page, and where it redirects) are refused when they lead to a loopback, private,
    link-local, multicast or reserved address, unless ``allow_private_links``.
    """

    def __init__(
        self,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        max_bytes: int = MAX_INPUT_BYTES,
        allow_private_links: bool = False,
        link_backend: PublicOnlyBackend | None = None,
        public_only: bool = False,
    ) -> None:
        """Create the client.

        Args:
            timeout_s: Limit to connect and between chunks; the whole download may take at
                most four times this.
            max_bytes: Larger documents are refused (checked before and while reading).
            allow_private_links: Follow links found in fetched content to any address.
            link_backend: Opens the connections of found links (tests give it a fake
                resolver); its checks apply unless ``allow_private_links``.
            public_only: Check every URL as a found link, named ones too (URLs that remote
                clients of the service name are no more trusted than links in a feed).

        """
        self.timeout_s = timeout_s
        self.max_bytes = max_bytes
        self.public_only = public_only
        options: dict[str, Any] = {
            "timeout": httpx2.Timeout(timeout_s),
            "follow_redirects": True,
            "max_redirects": MAX_REDIRECTS,
            "headers": {"User-Agent": f"summarizer/{__version__}"},
        }
        self._client = httpx2.Client(**options)
        self._link_client = (
            self._client
            if allow_private_links
            else httpx2.Client(transport=PublicOnlyTransport(link_backend), **options)
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the connections."""
        self._client.close()
        self._link_client.close()

    def get(self, url: str, *, found_in_content: bool = False) -> Fetched:
        """Download ``url``.

        Args:
            url: What to download.
            found_in_content: The URL is a link found inside fetched content (not named by
                the user): it, and every redirect, must lead to a public address.

        Raises:
            InputError: Not HTTP(S), unreachable, slow, an HTTP error status, too large, or
                a found link that leads to a private address.

        """
        where = redact_url(url)
        if not is_url(url):
            raise InputError(where, "not an http(s) URL")
        deadline = time.monotonic() + 4 * self.timeout_s
        client = self._link_client if found_in_content or self.public_only else self._client
        try:
            with client.stream("GET", url) as response:
                if response.status_code >= 400:
                    raise InputError(where, f"download failed: HTTP {response.status_code}")
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > self.max_bytes:
                    raise InputError(where, self._too_large(int(declared)))
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise InputError(where, self._too_large(size, at_least=True))
                    if time.monotonic() > deadline:
                        raise InputError(
                            where, f"download took longer than {4 * self.timeout_s:.0f}s"
                        )
                    chunks.append(chunk)
                return Fetched(
                    url=str(response.url),
                    content=b"".join(chunks),
                    content_type=response.headers.get("content-type", ""),
                )
        except PrivateAddressError as e:
            what = "a link found in a feed" if found_in_content else "a URL sent to the service"
            raise InputError(
                where,
                f"refused: {e}; {what} may only lead to a public address "
                "(SUMMARIZER_ALLOW_PRIVATE_LINKS=1 lifts this)"
                if self.public_only
                else f"refused: {e}; {what} may only lead to a public address "
                "(--allow-private-links lifts this)",
            ) from None
        except httpx2.TimeoutException:
            raise InputError(
                where, f"download timed out (no answer within {self.timeout_s:g}s)"
            ) from None
        except httpx2.TooManyRedirects:
            raise InputError(where, f"more than {MAX_REDIRECTS} redirects") from None
        except httpx2.HTTPError as e:
            raise InputError(where, f"download failed: {type(e).__name__}: {e}") from None

    def _too_large(self, size: int, *, at_least: bool = False) -> str:
        more = "over " if at_least else ""
        return f"too large ({more}{size:,} bytes; limit {self.max_bytes:,})"
