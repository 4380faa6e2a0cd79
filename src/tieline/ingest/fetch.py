"""Fetching web pages: httpx, main text by trafilatura, and a guard against internal addresses.

Every hop (the first URL and each redirect) is resolved first; if any DNS answer is a private,
loopback, link-local or otherwise non-public address the fetch is refused (unless
``allow_private``), and the connection then goes to the address that was checked, so a second
DNS answer cannot swap it. The body is capped in size and the whole fetch in time.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from tieline.config import Settings
from tieline.errors import InputError, MissingExtraError
from tieline.ingest.decode import decode_bytes
from tieline.ingest.sources import load_text
from tieline.records import Document, InputFailure

MAX_REDIRECTS = 5
USER_AGENT = "tieline/0.1 (+https://github.com/; news knowledge graph)"
KINDS = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "text",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
}
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/xml",
    "text/xml",
    "application/rdf+xml",
    "application/feed+json",
)

Resolver = Callable[[str, int], list[str]]


class FetchError(InputError):
    """A URL could not be fetched or was refused; the run skips it and goes on."""


@dataclass(frozen=True, slots=True)
class Fetched:
    """A fetched response: where it ended up, its type and its body."""

    url: str
    final_url: str
    status: int
    content_type: str
    charset: str | None
    body: bytes


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        raise FetchError(f"cannot resolve host {host!r}: {e.strerror}") from e
    except (UnicodeError, ValueError) as e:
        raise FetchError(f"bad host name {host!r} ({e})") from e
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


# IPv6 forms that carry an IPv4 address in their last 32 bits: IPv4-compatible (deprecated),
# IPv4-mapped, IPv4-translated (SIIT) and the well-known NAT64 prefix. A NAT64 gateway sends
# 64:ff9b::a9fe:a9fe to 169.254.169.254, so each is judged by the IPv4 address it carries.
_EMBEDS_IPV4 = tuple(
    ipaddress.IPv6Network(n) for n in ("::/96", "::ffff:0:0/96", "::ffff:0:0:0/96", "64:ff9b::/96")
)
# Local-use NAT64 (RFC 8215): translated inside a network, never a public destination.
_LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]  # the client's address
    for net in _EMBEDS_IPV4:
        if ip in net:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public(address: str) -> bool:
    """Whether an IP address is a public one (not private, loopback, link-local, reserved...).

    IPv6 forms that embed an IPv4 address (mapped, compatible, translated, NAT64, 6to4,
    Teredo) are judged by that address; site-local and local-use NAT64 are never public.
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.is_site_local or ip in _LOCAL_NAT64:
            return False
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return is_public(str(embedded))
    return bool(ip.is_global) and not ip.is_multicast


def _host_allowed(host: str, address: str, allowed: Iterable[str]) -> bool:
    """Whether the user named this host (by name or address) as one to fetch from anyway."""
    names = {a.strip().lower().strip("[]").rstrip(".") for a in allowed if a.strip()}
    if host.lower().rstrip(".") in names:
        return True
    try:
        return any(
            ipaddress.ip_address(address.split("%", 1)[0]) == ipaddress.ip_address(n)
            for n in names
            if _is_ip(n)
        )
    except ValueError:
        return False


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def check_address(
    url: str, allow_private: bool, allowed: Iterable[str] = (), resolver: Resolver = _resolve
) -> str:
    """Resolve the URL's host and return the address to connect to; refuse non-public ones."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"{url}: only http and https URLs are fetched")
    host = parts.hostname
    if not host:
        raise FetchError(f"{url}: no host in the URL")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as e:
        raise FetchError(f"{url}: bad port") from e
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        try:
            # A name the IDNA codec cannot encode (an empty or 64+ character label) fails here.
            host.encode("idna")
        except UnicodeError as e:
            raise FetchError(f"{url}: bad host name {host!r} ({e})") from e
        addresses = resolver(host, port)
    if not addresses:
        raise FetchError(f"{url}: host {host!r} has no address")
    allowed = tuple(allowed)
    if not allow_private:
        for a in addresses:
            if not is_public(a) and not _host_allowed(host, a, allowed):
                raise FetchError(
                    f"{url}: refused, {host} resolves to the non-public address {a} "
                    f"(pass --allow-host {host} to fetch from this host, or --allow-private "
                    "for any private, loopback or link-local host)"
                )
    return addresses[0]


def _pinned(url: str, address: str) -> tuple[str, str]:
    """The URL with its host replaced by the checked address, and the Host header to send."""
    parts = urlsplit(url)
    host_header = parts.netloc.rsplit("@", 1)[-1]
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    literal = f"[{ip}]" if ip.version == 6 else str(ip)
    netloc = literal + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")), host_header


def _content_type(value: str) -> tuple[str, str | None]:
    main, _, params = value.partition(";")
    charset = None
    for p in params.split(";"):
        k, _, v = p.strip().partition("=")
        if k.lower() == "charset" and v:
            charset = v.strip().strip('"').lower()
    return main.strip().lower(), charset


def _too_slow(url: str, settings: Settings) -> FetchError:
    return FetchError(
        f"{url}: took longer than {settings.fetch_timeout_s:g} s (raise fetch_timeout_s)"
    )


def _deadline_transport(deadline: float) -> Any:
    """An httpx transport whose every socket read, write and TLS handshake waits at most until
    ``deadline``: httpx's own timeouts are per operation, so a server sending its headers a
    byte a second would never time out."""
    import httpcore
    import httpx

    class Stream(httpcore.NetworkStream):
        def __init__(self, inner: Any) -> None:
            self.inner = inner

        def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            return bytes(self.inner.read(max_bytes, _left(timeout)))

        def write(self, buffer: bytes, timeout: float | None = None) -> None:
            self.inner.write(buffer, _left(timeout))

        def close(self) -> None:
            self.inner.close()

        def start_tls(
            self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
        ) -> Stream:
            return Stream(self.inner.start_tls(ssl_context, server_hostname, _left(timeout)))

        def get_extra_info(self, info: str) -> Any:
            return self.inner.get_extra_info(info)

    class Backend(httpcore.NetworkBackend):
        def __init__(self) -> None:
            self.inner = httpcore.SyncBackend()

        def connect_tcp(
            self,
            host: str,
            port: int,
            timeout: float | None = None,
            local_address: str | None = None,
            socket_options: Any = None,
        ) -> httpcore.NetworkStream:
            return Stream(
                self.inner.connect_tcp(host, port, _left(timeout), local_address, socket_options)
            )

        def connect_unix_socket(
            self, path: str, timeout: float | None = None, socket_options: Any = None
        ) -> httpcore.NetworkStream:
            raise httpcore.ConnectError("unix sockets are not fetched")

        def sleep(self, seconds: float) -> None:
            time.sleep(min(seconds, max(0.0, deadline - time.monotonic())))

    def _left(timeout: float | None) -> float:
        left = deadline - time.monotonic()
        if left <= 0:
            raise httpcore.ReadTimeout("the time limit of the whole fetch is spent")
        return left if timeout is None else min(timeout, left)

    transport = httpx.HTTPTransport(trust_env=False)
    # httpx takes no network backend of its own; its connection pool does.
    transport._pool._network_backend = Backend()
    return transport


def fetch_url(
    url: str,
    settings: Settings,
    *,
    allowed: Iterable[str] = (),
    resolver: Resolver = _resolve,
    accept: str = "text/html,text/plain;q=0.9,*/*;q=0.5",
) -> Fetched:
    """GET a URL under the address guard, following up to 5 redirects, within the caps.

    Args:
        url: an http or https URL.
        settings: ``allow_private``, ``allow_hosts``, ``fetch_max_mb`` and ``fetch_timeout_s``
            apply; the time limit bounds the whole fetch, every hop and header included.
        allowed: hosts or addresses let through even when not public, besides
            ``settings.allow_hosts``.
        resolver: host, port -> addresses; the system resolver by default.
    Raises:
        FetchError: refused, malformed, unreachable, too big, too slow, or an HTTP error status.
    """
    try:
        import httpx
    except ImportError as e:
        raise MissingExtraError("query", "fetching URLs") from e
    cap = max(1, settings.fetch_max_mb) << 20
    deadline = time.monotonic() + settings.fetch_timeout_s
    current = url.split("#", 1)[0]
    allowed = (*settings.allow_hosts, *allowed)
    timeout = httpx.Timeout(settings.fetch_timeout_s)
    with httpx.Client(
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
        transport=_deadline_transport(deadline),
    ) as client:
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                got = _get(client, current, settings, allowed, resolver, accept, cap, deadline)
            except httpx.TimeoutException as e:
                raise _too_slow(current, settings) from e
            except httpx.HTTPError as e:
                raise FetchError(f"{current}: {e.__class__.__name__}: {e}") from e
            except httpx.InvalidURL as e:
                # httpx builds the next request of a redirect even when not following it.
                raise FetchError(f"{current}: bad URL or redirect Location ({e})") from e
            except (ValueError, UnicodeError) as e:
                # A malformed URL or redirect Location ("http://[::1/x", "http://a..b/", a
                # 300-character label): refused like any bad input, never a crash.
                raise FetchError(f"{current}: bad URL ({e.__class__.__name__}: {e})") from e
            if time.monotonic() > deadline:
                raise _too_slow(current, settings)
            if isinstance(got, Fetched):
                return replace(got, url=url)
            current = got
    raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")


def _get(
    client: Any,
    current: str,
    settings: Settings,
    allowed: tuple[str, ...],
    resolver: Resolver,
    accept: str,
    cap: int,
    deadline: float,
) -> Fetched | str:
    """One hop: the response, or the next URL to go to."""
    address = check_address(current, settings.allow_private, allowed, resolver)
    target, host_header = _pinned(current, address)
    host = urlsplit(current).hostname or ""
    headers = {"Host": host_header, "User-Agent": USER_AGENT, "Accept": accept}
    ext = {"sni_hostname": host} if current.startswith("https") else {}
    with client.stream("GET", target, headers=headers, extensions=ext) as resp:
        if resp.status_code in (301, 302, 303, 307, 308):
            location = resp.headers.get("location")
            if not location:
                raise FetchError(f"{current}: redirect without a Location")
            nxt = urljoin(current, location.strip()).split("#", 1)[0]
            if urlsplit(nxt).scheme not in ("http", "https"):
                raise FetchError(
                    f"{current}: redirect to a {urlsplit(nxt).scheme or 'bad'}: "
                    "URL refused (only http and https are fetched)"
                )
            return str(nxt)
        if resp.status_code >= 400:
            raise FetchError(f"{current}: HTTP {resp.status_code}")
        length = resp.headers.get("content-length")
        if length and length.isdigit() and int(length) > cap:
            raise FetchError(
                f"{current}: {int(length) >> 20} MB is over the limit of "
                f"{settings.fetch_max_mb} MB (raise fetch_max_mb)"
            )
        chunks, size = [], 0
        for chunk in resp.iter_bytes():
            size += len(chunk)
            if size > cap:
                raise FetchError(
                    f"{current}: body over the limit of "
                    f"{settings.fetch_max_mb} MB (raise fetch_max_mb)"
                )
            if time.monotonic() > deadline:
                raise _too_slow(current, settings)
            chunks.append(chunk)
        ctype, charset = _content_type(resp.headers.get("content-type", ""))
        return Fetched(current, current, resp.status_code, ctype, charset, b"".join(chunks))


def decode_body(fetched: Fetched) -> str:
    """The body as text: the declared charset when it works, else detection."""
    if fetched.charset:
        try:
            return fetched.body.decode(fetched.charset)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_bytes(fetched.body)


def to_document(fetched: Fetched) -> Document:
    """Turn a fetched page into a document (trafilatura takes the main text of HTML)."""
    kind = KINDS.get(fetched.content_type)
    if kind is None:
        if fetched.content_type:
            raise FetchError(
                f"{fetched.final_url}: content type {fetched.content_type} is not an "
                "article (html or plain text)"
            )
        kind = "html"
    raw = decode_body(fetched)
    loaded = load_text(raw, kind, source_key=fetched.url, name=fetched.url, url=fetched.final_url)
    doc = loaded.documents[0]
    return doc if doc.url else replace(doc, url=fetched.final_url)


def fetch_document(url: str, settings: Settings, **kw: object) -> Document:
    """Fetch a URL and read it into a document; raises FetchError or InputError."""
    return to_document(fetch_url(url, settings, **kw))  # type: ignore[arg-type]


def fetch_documents(
    urls: Iterable[str],
    settings: Settings,
    progress: Callable[[str, int, int], None] | None = None,
    on_failure: Callable[[InputFailure], None] | None = None,
) -> tuple[list[Document], list[InputFailure]]:
    """Fetch each URL once into a document; failures are collected (and reported), never raised."""
    todo = list(dict.fromkeys(u.split("#", 1)[0] for u in urls))
    docs: list[Document] = []
    failures: list[InputFailure] = []
    for i, url in enumerate(todo, 1):
        try:
            docs.append(fetch_document(url, settings))
        except InputError as e:
            failure = InputFailure(url, str(e).removeprefix(f"{url}: "))
            failures.append(failure)
            if on_failure:
                on_failure(failure)
        except (RecursionError, MemoryError) as e:
            failure = InputFailure(url, f"too deeply nested or too large ({e.__class__.__name__})")
            failures.append(failure)
            if on_failure:
                on_failure(failure)
        if progress:
            progress("fetch", i, len(todo))
    return docs, failures
