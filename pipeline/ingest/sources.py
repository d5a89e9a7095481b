"""The sources a command line names, and one poll of each.

In: a SOURCE argument (an http(s) URL of a feed, ninjs or NewsML-G2
document or page; a file; `dir://PATH` or a directory path). Out: per poll
a `Poll`: the stories found, the items that could not be read, and what to
record once the stories are on the topic (HTTP validators, files read).
A poll that fails as a whole raises `SourceError`.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from .documents import DocumentError, Parsed, parse_document
from .fetch import FetchError, Fetcher
from .state import SeenStore

# What a feed or document URL may answer with; anything else (an image, a
# PDF, a video) is refused before its body is read.
DOCUMENT_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
                  "text/xml", "application/json", "application/ld+json", "application/vnd.iptc.ninjs+json",
                  "text/html", "application/xhtml+xml", "text/plain", "application/octet-stream", "")
ACCEPT = ("application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, "
          "application/json;q=0.9, text/xml;q=0.9, text/html;q=0.5, */*;q=0.1")


class SourceError(RuntimeError):
    """A poll that gave nothing; `kind` for counters, `retry_after` seconds."""

    def __init__(self, kind: str, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.kind = kind
        self.retry_after = retry_after


@dataclass
class Poll:
    """One poll's outcome. `commit` runs once its stories were sent."""

    parsed: Parsed = field(default_factory=Parsed)
    not_modified: bool = False
    commit: list = field(default_factory=list)  # callables, no arguments


class UrlSource:
    """A feed, ninjs/NewsML-G2 document or page at an http(s) URL, fetched
    with the validators of the last good poll."""

    kind = "url"

    def __init__(self, url: str):
        self.name = url
        self.url = url

    def poll(self, fetcher: Fetcher, store: SeenStore, settle_s: float = 0.0) -> Poll:
        etag, modified = store.validators(self.url)
        try:
            response = fetcher.get(self.url, ACCEPT, etag, modified, allowed_types=DOCUMENT_TYPES)
        except FetchError as exc:
            raise SourceError(exc.kind, str(exc), exc.retry_after) from exc
        if response.status == 304:
            return Poll(not_modified=True)
        try:
            parsed = parse_document(response.body, response.url, response.content_type)
        except DocumentError as exc:
            raise SourceError(exc.kind, str(exc)) from exc
        new_etag, new_modified = response.headers.get("etag"), response.headers.get("last-modified")
        return Poll(parsed, commit=[lambda: store.set_validators(self.url, new_etag, new_modified)])


class DirectorySource:
    """A directory whose new (or changed) files are documents. Hidden files
    and names ending in .tmp or .part are someone's write in progress; a file
    younger than `settle_s` is left for the next poll for the same reason."""

    kind = "dir"

    def __init__(self, path: str, name: str | None = None, max_bytes: int = 5_000_000):
        self.path = os.path.abspath(path)
        self.name = name or path
        self.max_bytes = max_bytes

    def _files(self) -> list[str]:
        try:
            names = sorted(os.listdir(self.path))
        except FileNotFoundError as exc:
            raise SourceError("missing", f"directory {self.path} does not exist") from exc
        except OSError as exc:
            raise SourceError("connection", f"cannot list {self.path}: {exc.strerror}") from exc
        return [os.path.join(self.path, n) for n in names
                if not n.startswith(".") and not n.endswith((".tmp", ".part", "~"))]

    def poll(self, fetcher: Fetcher, store: SeenStore, settle_s: float = 0.0) -> Poll:
        return self._read(self._files(), store, settle_s)

    def _read(self, paths, store: SeenStore, settle_s: float) -> Poll:
        out = Poll()
        now = time.time()
        unchanged = []
        for path in paths:
            try:
                info = os.stat(path)
            except OSError:
                continue  # gone between the listing and now
            if not os.path.isfile(path):
                continue
            if not store.file_changed(path, info.st_size, info.st_mtime_ns):
                unchanged.append(path)
                continue
            if now - info.st_mtime < settle_s:
                continue
            # a file that cannot be read is recorded all the same: it is not read again until it changes
            done = (lambda p=path, s=info.st_size, m=info.st_mtime_ns: store.remember_file(p, s, m))
            out.commit.append(done)
            if info.st_size > self.max_bytes:
                out.parsed.skipped.append(("too_large", f"{path} is {info.st_size} bytes, over the limit of "
                                           f"{self.max_bytes}"))
                continue
            try:
                with open(path, "rb") as f:
                    data = f.read(self.max_bytes + 1)
            except OSError as exc:
                out.parsed.skipped.append(("connection", f"cannot read {path}: {exc.strerror}"))
                continue
            try:
                parsed = parse_document(data, path, name=path)
            except DocumentError as exc:
                out.parsed.skipped.append((exc.kind, str(exc)))
                continue
            out.parsed.stories.extend(parsed.stories)
            out.parsed.skipped.extend(parsed.skipped)
            out.parsed.notes.extend(parsed.notes)
        if unchanged:
            out.commit.append(lambda: store.touch_files(unchanged))
        return out


class FileSource(DirectorySource):
    """One file, read again whenever it changes."""

    kind = "file"

    def __init__(self, path: str, name: str | None = None, max_bytes: int = 5_000_000):
        super().__init__(os.path.dirname(os.path.abspath(path)), name or path, max_bytes)
        self.file = os.path.abspath(path)

    def poll(self, fetcher: Fetcher, store: SeenStore, settle_s: float = 0.0) -> Poll:
        if not os.path.isfile(self.file):
            raise SourceError("missing", f"file {self.file} does not exist")
        return self._read([self.file], store, 0.0)


def make_source(argument: str, max_bytes: int = 5_000_000):
    """A SOURCE argument -> its source; ValueError when it names none."""
    if argument.startswith(("http://", "https://")):
        return UrlSource(argument)
    if argument.startswith("dir://"):
        return DirectorySource(unquote(argument[len("dir://"):]), argument, max_bytes)
    path = argument
    if argument.startswith("file://"):
        path = unquote(urlsplit(argument).path)
    if os.path.isdir(path):
        return DirectorySource(path, argument, max_bytes)
    if os.path.isfile(path):
        return FileSource(path, argument, max_bytes)
    raise ValueError(f"source {argument!r} is neither an http(s) URL, dir://PATH, nor an existing file or directory")
