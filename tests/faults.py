"""Fault injection on loopback: a TCP proxy that cuts or slows a connection.

Put between mailflow and a real server, it shows what happens when the network fails
mid-command: the adapters must raise a readable error, never report "no new mail".
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from dataclasses import dataclass, field

from mailflow.adapters.mailserver import free_port


@dataclass
class FaultyProxy:
    """Forwards 127.0.0.1:port → target; ``cut_after`` bytes server→client then closes.

    ``delay`` sleeps before forwarding each server chunk (a slow server). Counters tell
    a test how far connections got. Stops by itself on ``close()``; every thread is a
    daemon and every socket has a timeout, so a failing test cannot hang the run.
    """

    target_port: int
    cut_after: int | None = None
    delay: float = 0.0
    cut_only_connection: int | None = None  # 1-based: only this connection is cut
    port: int = field(default_factory=free_port)
    connections: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _listener: socket.socket | None = None

    def start(self) -> FaultyProxy:
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._listener.settimeout(0.2)
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def close(self) -> None:
        self._stop.set()
        if self._listener is not None:
            self._listener.close()

    def __enter__(self) -> FaultyProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _accept(self) -> None:
        assert self._listener is not None
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            cut = self.cut_after
            if (
                self.cut_only_connection is not None
                and self.connections != self.cut_only_connection
            ):
                cut = None
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=30)
            threading.Thread(
                target=self._pipe, args=(client, upstream, None, 0.0), daemon=True
            ).start()
            threading.Thread(
                target=self._pipe, args=(upstream, client, cut, self.delay), daemon=True
            ).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, cut: int | None, delay: float) -> None:
        sent = 0
        src.settimeout(60)
        try:
            while not self._stop.is_set():
                data = src.recv(65536)
                if not data:
                    break
                if delay:
                    time.sleep(delay)
                if cut is not None and sent + len(data) >= cut:
                    dst.sendall(data[: max(cut - sent, 0)])
                    break
                dst.sendall(data)
                sent += len(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
