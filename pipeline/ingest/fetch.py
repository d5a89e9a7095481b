"""HTTP(S) GET with every limit a crawler of other people's servers needs.

In: a URL, optional validators (ETag, Last-Modified). Out: a `Response`
(status 200 with the body, or 304 without), or a `FetchError` whose `kind`
names what went wrong (timeout, status, redirects, too_large, content_type,
connection, url). Connect and read timeouts are separate, the read timeout
bounds the whole body (a server trickling one byte a second cannot hold us),
bodies are capped while they are read, redirects are followed by hand (a
limit, loops detected, http/https only), and each host gets a polite gap
between requests. Nothing here parses what it fetched.
"""
from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
import zlib
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

USER_AGENT = "news-pipeline-ingest/0.1 (+https://example.invalid/news-pipeline)"
DEFAULT_MAX_BYTES = 5_000_000
_CHUNK = 65536


class FetchError(RuntimeError):
    """A fetch that gave no usable body; `kind` is a short stable name for
    counters and log lines, `retry_after` the server's wish in seconds."""

    def __init__(self, kind: str, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.kind = kind
        self.retry_after = retry_after


@dataclass
class Response:
    """What a GET gave: the final URL after redirects, status 200 or 304,
    lower-cased headers, the body (empty on 304)."""

    url: str
    status: int
    headers: dict = field(default_factory=dict)
    body: bytes = b""

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


@dataclass
class Limits:
    """Timeouts in seconds, sizes in bytes, and the gap between two requests
    to the same host (politeness)."""

    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    max_bytes: int = DEFAULT_MAX_BYTES
    max_redirects: int = 5
    host_gap: float = 1.0


class Fetcher:
    """GETs with `limits`; one instance per process keeps the per-host gaps."""

    def __init__(self, limits: Limits | None = None, user_agent: str = USER_AGENT):
        self.limits = limits or Limits()
        self.user_agent = user_agent
        self._last_request: dict[str, float] = {}
        self._lock = threading.Lock()
        self._ssl = ssl.create_default_context()

    def get(self, url: str, accept: str = "*/*", etag: str | None = None, modified: str | None = None,
            allowed_types: tuple[str, ...] | None = None) -> Response:
        """GET `url`, following redirects. `allowed_types` (media types or
        prefixes ending in '/') refuses other bodies before they are read."""
        visited = []
        current = url
        for _ in range(self.limits.max_redirects + 1):
            if current in visited:
                chain = " -> ".join(visited + [current])
                raise FetchError("redirects", f"redirect loop: {chain}")
            visited.append(current)
            response, location = self._once(current, accept, etag, modified, allowed_types)
            if location is None:
                return response
            current = location
        raise FetchError("redirects", f"more than {self.limits.max_redirects} redirects from {url}")

    def _wait_turn(self, host: str) -> None:
        """Sleep until `host` was last asked at least host_gap seconds ago."""
        with self._lock:
            now = time.monotonic()
            due = self._last_request.get(host, 0.0) + self.limits.host_gap
            self._last_request[host] = max(now, due)
        if due > now:
            time.sleep(due - now)

    def _once(self, url, accept, etag, modified, allowed_types) -> tuple[Response | None, str | None]:
        """One request: (response, None), or (None, next URL) for a redirect."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError("url", f"not an http(s) URL: {url}")
        try:
            port = parts.port
        except ValueError as exc:
            raise FetchError("url", f"bad port in {url}") from exc
        self._wait_turn(parts.netloc)
        limits = self.limits
        if parts.scheme == "https":
            conn = http.client.HTTPSConnection(parts.hostname, port, timeout=limits.connect_timeout, context=self._ssl)
        else:
            conn = http.client.HTTPConnection(parts.hostname, port, timeout=limits.connect_timeout)
        headers = {"User-Agent": self.user_agent, "Accept": accept, "Accept-Encoding": "gzip"}
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        deadline = time.monotonic() + limits.read_timeout
        try:
            try:
                conn.connect()
            except (socket.timeout, TimeoutError) as exc:
                raise FetchError("timeout", f"no connection to {parts.netloc} within {limits.connect_timeout:g} s") from exc
            # from here on the read timeout: per socket wait and, below, for the whole body
            conn.sock.settimeout(limits.read_timeout)
            conn.request("GET", path, headers=headers)
            reply = conn.getresponse()
            got = {k.lower(): v for k, v in reply.getheaders()}
            status = reply.status
            if status in (301, 302, 303, 307, 308):
                location = got.get("location")
                if not location:
                    raise FetchError("status", f"HTTP {status} without a Location from {url}")
                return None, urljoin(url, location.strip())
            if status == 304:
                return Response(url, 304, got), None
            if status != 200:
                raise FetchError("status", f"HTTP {status} {reply.reason} from {url}", _retry_after(got))
            kind = got.get("content-type", "").split(";")[0].strip().lower()
            if allowed_types is not None and not _allowed(kind, allowed_types):
                raise FetchError("content_type", f"content type {kind or 'missing'} from {url} is not one of "
                                 f"{', '.join(allowed_types)}")
            declared = got.get("content-length", "")
            if declared.isdigit() and int(declared) > limits.max_bytes:
                raise FetchError("too_large", f"{url} is {int(declared)} bytes, over the limit of {limits.max_bytes}")
            body = self._read_body(reply, url, deadline)
            if got.get("content-encoding", "").lower() == "gzip":
                body = _gunzip(body, limits.max_bytes, url)
            return Response(url, 200, got, body), None
        except FetchError:
            raise
        except (socket.timeout, TimeoutError) as exc:
            raise FetchError("timeout", f"{url} did not answer within {limits.read_timeout:g} s") from exc
        except ssl.SSLError as exc:
            raise FetchError("connection", f"TLS error with {parts.netloc}: {exc.reason or exc}") from exc
        except (OSError, http.client.HTTPException) as exc:
            raise FetchError("connection", f"{url}: {type(exc).__name__}: {exc}") from exc
        finally:
            conn.close()

    def _read_body(self, reply, url: str, deadline: float) -> bytes:
        """The body, at most max_bytes, read before `deadline`."""
        limit = self.limits.max_bytes
        chunks, size = [], 0
        while True:
            if time.monotonic() > deadline:
                raise FetchError("timeout", f"{url} sent its body too slowly (over {self.limits.read_timeout:g} s)")
            chunk = reply.read1(_CHUNK)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > limit:
                raise FetchError("too_large", f"{url} is over the limit of {limit} bytes")
            chunks.append(chunk)


def _allowed(kind: str, allowed: tuple[str, ...]) -> bool:
    return any(kind.startswith(a) if a.endswith("/") else kind == a for a in allowed)


def _gunzip(data: bytes, limit: int, url: str) -> bytes:
    """Inflate a gzip body without letting a small bomb become a large page."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise FetchError("connection", f"{url}: broken gzip body: {exc}") from exc
    if len(out) > limit or inflater.unconsumed_tail:
        raise FetchError("too_large", f"{url} inflates to over the limit of {limit} bytes")
    return out


def _retry_after(headers: dict) -> float | None:
    value = headers.get("retry-after", "").strip()
    return float(value) if value.isdigit() else None
