"""Logging, configured once per process by the command line (--log-level).

Our own lines (outages, segment hand-overs) show at the chosen level;
kafka-python logs every failed retry at ERROR and Beam announces optional
Google Cloud libraries at import, so those are kept quiet unless --log-level
is debug (the job reports outages itself, once per state change).
"""
from __future__ import annotations

import logging
import sys

_NOISY = ("kafka", "apache_beam", "urllib3", "redis")
_NOISE = ("apitools not found",)


class _DropNoise(logging.Filter):
    def filter(self, record):
        return not any(text in record.getMessage() for text in _NOISE)


def configure(level: str = "warning", stream=sys.stderr) -> None:
    """Set the root logger to `level` with one handler on `stream` (again
    and again: a later call replaces the earlier set-up)."""
    numeric = getattr(logging, level.upper())
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))
    handler.addFilter(_DropNoise())
    root.addHandler(handler)
    root.setLevel(numeric)
    for name in _NOISY:
        logging.getLogger(name).setLevel(logging.DEBUG if numeric <= logging.DEBUG else logging.CRITICAL)
