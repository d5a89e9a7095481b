"""A TCP proxy on loopback that can be cut and restored: a broker outage
without losing the embedded broker's memory (tests, `make chaos`).

Run the broker with `advertised_port` = the proxy's port, so that clients
reach it only through the proxy. `cut()` closes every connection and stops
listening (clients see connection refused); `restore()` listens again.
Written here because no maintained Python package offers a cuttable proxy
(toxiproxy needs its own server binary).
"""
from __future__ import annotations

import socket
import threading

from .broker import LOOPBACK


class CuttableProxy:
    """127.0.0.1:listen_port -> 127.0.0.1:target_port, until cut."""

    def __init__(self, listen_port: int, target_port: int):
        self.listen_port, self.target_port = listen_port, target_port
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._server: socket.socket | None = None

    def start(self) -> "CuttableProxy":
        self.restore()
        return self

    def restore(self) -> None:
        """Listen (again) and forward new connections."""
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((LOOPBACK, self.listen_port))
        server.listen(64)
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True, name="proxy-accept").start()

    def cut(self) -> None:
        """Stop listening and drop every open connection."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
        with self._lock:
            open_sockets, self._sockets = self._sockets, set()
        for sock in open_sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by its peer: nothing left to cut
            sock.close()

    stop = cut

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return  # the listening socket was closed by cut()
            try:
                upstream = socket.create_connection((LOOPBACK, self.target_port), timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                if self._server is not server:  # cut meanwhile
                    client.close()
                    upstream.close()
                    return
                self._sockets.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True, name="proxy-pump").start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass  # the other side or cut() closed the connection: the pump ends
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # already shut
