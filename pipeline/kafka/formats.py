"""Messages as `feed` sends them and as `consume` shows them.

- the messages a file stands for (one per article, raw bytes), sent at a pace;
- a consumed message as JSON (Avro records decoded, anything else as text or
  base64, headers as text), or an article record as its ninjs document.
"""
from __future__ import annotations

import base64
import json
import time

from ..news import ninjs, record


def file_messages(path: str, data: bytes):
    """The messages a file stands for, as (key, value) pairs.

    JSON lines: one message per non-empty line, keyed by its "id" when it
    has one. Anything else (plain text, one JSON envelope, bytes that are not
    even UTF-8): one message, the file's bytes unchanged, keyed by the path.
    Nothing is validated here: bad input goes on the wire as it is and the
    pipeline's dead-letter topic is where it lands.
    """
    lines = [line for line in data.splitlines() if line.strip()]
    if len(lines) > 1 and all(line.lstrip().startswith(b"{") for line in lines):
        try:
            parsed = [json.loads(line) for line in lines]
        except (json.JSONDecodeError, UnicodeDecodeError):
            parsed = None
        if parsed is not None and all(isinstance(p, dict) for p in parsed):
            for number, (line, obj) in enumerate(zip(lines, parsed), start=1):
                key = str(obj.get("id") or f"{path}:{number}")
                yield key.encode(), line
            return
    yield path.encode(), data


def paced(messages, rate: float | None):
    """Yield messages no faster than `rate` per second (None: as fast as possible)."""
    interval = 1.0 / rate if rate else 0.0
    next_at = time.monotonic()
    for message in messages:
        if interval:
            delay = next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            next_at = max(next_at, time.monotonic()) + interval
        yield message


def _text_or_base64(data: bytes | None):
    if data is None:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(data).decode()}


def display(message, fmt: str = "json") -> dict:
    """A consumed message as a JSON-ready dict: Avro records decoded with the
    schema their fingerprint names (times as ISO-8601 text; one that cannot
    be decoded says why), any other value as text (or base64), headers as text.
    fmt "ninjs": an article record comes out as its ninjs document alone
    (news/ninjs.py); every other message as with "json"."""
    shown = {
        "topic": message.topic,
        "partition": message.partition,
        "offset": message.offset,
        "timestamp": message.timestamp,
        "key": _text_or_base64(message.key),
        "headers": {k: _text_or_base64(v) for k, v in (message.headers or [])},
    }
    value = message.value or b""
    written = record.writer_schema(value)
    if written is not None:
        name, _ = written
        try:
            decoded = record.decode(value, name)
        except (ValueError, OverflowError, EOFError) as exc:  # a damaged record, or a date no datetime holds
            shown["value"] = {"error": f"cannot decode this {name} record: {type(exc).__name__}: {exc}",
                              "base64": base64.b64encode(value).decode()}
            return shown
        if fmt == "ninjs" and name == "article":
            return ninjs.to_ninjs(decoded)
        for field, content in decoded.items():  # timestamp-millis fields come back as datetimes: show ISO-8601
            if hasattr(content, "isoformat"):
                decoded[field] = content.isoformat()
        shown["value"] = decoded
    else:
        shown["value"] = _text_or_base64(value)
    return shown
