"""Links found inside feeds never reach private addresses; named sources may be anywhere."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from ipaddress import ip_address
from pathlib import Path

import httpcore2
import pytest
from fake_llm_server import extraction_reply, fake_llm_server
from page_server import Page, page_server
from test_fetch import PAGE, item, rss
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.errors import InputError
from summarizer.ingest.articles import Article
from summarizer.ingest.fetch import Fetcher
from summarizer.ingest.link_guard import PublicOnlyBackend, non_public_kind
from summarizer.ingest.sources import Failure, iter_articles

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

#: A public address (TEST-NET ranges are not public, so one that is) that stands for a news
#: site; the test connector sends its connections to the local page server instead.
PUBLIC = "93.184.215.14"
WHY = (
    "; a link found in a feed may only lead to a public address (--allow-private-links lifts this)"
)


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("2002:7f00:1::1", "loopback"),  # 6to4 carrying 127.0.0.1
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fc00::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),  # Python calls it global
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "private"),
        ("100.64.0.1", "non-public"),
        (PUBLIC, None),
        ("2606:4700::1111", None),
        ("::ffff:8.8.8.8", None),
    ],
)
def test_address_kinds(address: str, kind: str | None) -> None:
    assert non_public_kind(ip_address(address)) == kind


def test_feed_links_to_private_addresses_are_refused_and_never_requested() -> None:
    teaser = "Teaser: 84 prisoners swapped on Friday."
    pages: dict[str, Page] = {"/admin": Page(b"<html><body>secret admin page</body></html>")}
    with page_server(pages) as server:
        port = server.root.rsplit(":", 1)[1]
        links = {
            "loopback": server.url("/admin"),
            "ten": "http://10.0.0.5/internal",
            "metadata": "http://169.254.169.254/latest/meta-data/",
            "ipv6": f"http://[::1]:{port}/admin",
            "name": f"http://localhost:{port}/admin",
        }
        pages["/feed.xml"] = Page(
            rss(
                item("loopback", links["loopback"], teaser),
                *(item(guid, link) for guid, link in links.items() if guid != "loopback"),
            ),
            content_type="application/rss+xml",
        )
        with Fetcher(timeout_s=2) as fetcher:
            loopback, ten, metadata, ipv6, name = iter_articles(
                [server.url("/feed.xml")], fetcher=fetcher
            )
    # The feed was named by the user (on loopback, allowed); nothing it links to was fetched.
    assert server.hits == ["/feed.xml"]
    # With text of its own, the entry is kept, with a note that its link was refused.
    assert isinstance(loopback, Article) and loopback.text == f"Entry loopback\n\n{teaser}"
    assert loopback.notes == (
        f"linked page not read ({links['loopback']}: refused: 127.0.0.1 is a loopback "
        f"address{WHY}); used the feed entry's own text",
    )
    # Without, it is one failure naming the entry, the link and why.
    feed = server.url("/feed.xml")
    assert [(f.source, f.reason) for f in (ten, metadata, ipv6) if isinstance(f, Failure)] == [
        (f"{feed}#ten", f"linked page {links['ten']}: refused: 10.0.0.5 is a private address{WHY}"),
        (
            f"{feed}#metadata",
            f"linked page {links['metadata']}: refused: 169.254.169.254 is a link-local "
            f"address{WHY}",
        ),
        (f"{feed}#ipv6", f"linked page {links['ipv6']}: refused: ::1 is a loopback address{WHY}"),
    ]
    # A name that resolves to a private address is refused by the address it resolves to.
    assert isinstance(name, Failure) and name.source == f"{feed}#name"
    assert re.fullmatch(
        rf"linked page {re.escape(links['name'])}: refused: localhost resolves to "
        rf"(127\.0\.0\.1|::1), which is a loopback address{re.escape(WHY)}",
        name.reason,
    )


@dataclass
class FakeDns:
    """Answers for names; records every lookup."""

    answers: dict[str, list[list[str]]]
    lookups: list[str] = field(default_factory=list)

    def __call__(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        if host not in self.answers:  # an IP literal resolves to itself
            return [host]
        answers = self.answers[host]
        return answers.pop(0) if len(answers) > 1 else answers[0]


@dataclass
class ToLocalServer(httpcore2.NetworkBackend):
    """Connects the stand-in public address to the local page server; records connections."""

    port: int
    connected: list[str] = field(default_factory=list)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore2.SOCKET_OPTION] | None = None,
    ) -> httpcore2.NetworkStream:
        self.connected.append(host)
        assert host == PUBLIC, f"asked to connect to {host}"
        return httpcore2.SyncBackend().connect_tcp("127.0.0.1", self.port, timeout)


def test_a_redirect_from_a_public_page_to_a_private_one_is_refused() -> None:
    pages: dict[str, Page] = {"/story": Page(PAGE), "/admin": Page(b"secret")}
    with page_server(pages) as server:
        port = int(server.root.rsplit(":", 1)[1])
        pages["/moved"] = Page(b"", status=302, headers={"location": server.url("/admin")})
        dns = FakeDns({"news.example.test": [[PUBLIC]]})
        connector = ToLocalServer(port)
        backend = PublicOnlyBackend(inner=connector, resolver=dns)
        site = f"http://news.example.test:{port}"
        with Fetcher(timeout_s=2, link_backend=backend) as fetcher:
            # A link to a public address is followed.
            assert fetcher.get(f"{site}/story", found_in_content=True).content == PAGE
            with pytest.raises(InputError) as refused:
                fetcher.get(f"{site}/moved", found_in_content=True)
            # The same redirect from a URL the user named is followed.
            assert fetcher.get(server.url("/moved")).content == b"secret"
    assert str(refused.value) == (f"{site}/moved: refused: 127.0.0.1 is a loopback address{WHY}")
    assert server.hits == ["/story", "/moved", "/moved", "/admin"]
    assert connector.connected == [PUBLIC]  # one kept-alive connection, to the checked address


def test_the_address_connected_to_is_the_one_checked() -> None:
    """DNS rebinding: the name is resolved once per connection, and that address is used."""
    with page_server({"/story": Page(PAGE)}) as server:
        port = int(server.root.rsplit(":", 1)[1])
        # Public for the check, loopback for anyone who asks again.
        dns = FakeDns({"rebind.example.test": [[PUBLIC], ["127.0.0.1"]]})
        connector = ToLocalServer(port)
        backend = PublicOnlyBackend(inner=connector, resolver=dns)
        with Fetcher(timeout_s=2, link_backend=backend) as fetcher:
            page = fetcher.get(f"http://rebind.example.test:{port}/story", found_in_content=True)
        assert page.content == PAGE
        assert (dns.lookups, connector.connected) == (["rebind.example.test"], [PUBLIC])
        # A new connection resolves again, and the private answer is refused.
        with (
            Fetcher(timeout_s=2, link_backend=backend) as fetcher,
            pytest.raises(
                InputError,
                match=r"rebind\.example\.test resolves to 127\.0\.0\.1, which is a loopback",
            ),
        ):
            fetcher.get(f"http://rebind.example.test:{port}/story", found_in_content=True)
    assert connector.connected == [PUBLIC]


def test_a_name_with_any_private_address_is_refused() -> None:
    dns = FakeDns({"mixed.example.test": [[PUBLIC, "10.0.0.7"]]})
    connector = ToLocalServer(9)
    backend = PublicOnlyBackend(inner=connector, resolver=dns)
    with (
        Fetcher(timeout_s=2, link_backend=backend) as fetcher,
        pytest.raises(
            InputError, match=r"mixed\.example\.test resolves to 10\.0\.0\.7, which is a private"
        ),
    ):
        fetcher.get("http://mixed.example.test/x", found_in_content=True)
    assert connector.connected == []


def test_permission_lets_found_links_reach_private_addresses() -> None:
    pages: dict[str, Page] = {"/story": Page(PAGE)}
    with page_server(pages) as server:
        pages["/feed.xml"] = Page(rss(item("story", server.url("/story"))))
        with Fetcher(timeout_s=2, allow_private_links=True) as fetcher:
            [story] = iter_articles([server.url("/feed.xml")], fetcher=fetcher)
    assert isinstance(story, Article) and "84 prisoners of war" in story.text
    assert server.hits == ["/feed.xml", "/story"]


@pytest.mark.parametrize("permission", ["none", "option", "environment"])
def test_batch_refuses_found_private_links_unless_allowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, permission: str
) -> None:
    teaser = "Teaser: Russia and Ukraine exchanged 84 prisoners on Friday."
    pages: dict[str, Page] = {"/admin": Page(PAGE)}
    with page_server(pages) as web, fake_llm_server([], respond=extraction_reply) as llm:
        feed = tmp_path / "news.rss"
        feed.write_bytes(rss(item("admin", web.url("/admin"), teaser)))
        monkeypatch.setenv("SUMMARIZER_BASE_URL", llm.base_url)
        monkeypatch.setenv("SUMMARIZER_MODEL", "fake-model")
        if permission == "environment":
            monkeypatch.setenv("SUMMARIZER_ALLOW_PRIVATE_LINKS", "1")
        out = tmp_path / "out"
        args = ["batch", str(feed), "--out", str(out), "--quiet"]
        if permission == "option":
            args.append("--allow-private-links")
        result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    [saved] = [json.loads(line) for line in (out / "records.jsonl").read_text().splitlines()]
    if permission == "none":
        assert web.hits == []
        assert saved["article"]["chars"] == len(f"Entry admin\n\n{teaser}")
        assert saved["warnings"] == [
            f"linked page not read ({web.url('/admin')}: refused: 127.0.0.1 is a loopback "
            f"address{WHY}); used the feed entry's own text"
        ]
    else:
        assert web.hits == ["/admin"]
        assert saved["article"]["chars"] > 400 and saved["warnings"] == []
