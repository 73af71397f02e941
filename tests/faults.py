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


# --- SMTP -------------------------------------------------------------------------------

#: Faults the SMTP fault server can play, one per mail transaction (MAIL FROM … DATA):
#: ``"421"`` answers MAIL with 421 and closes the connection; ``"drop-after-354"`` says
#: 354 to DATA and closes before the message is in; ``"451"`` takes the whole message
#: and then refuses it for now. ``None`` (or an empty plan) accepts normally.
SMTP_FAULTS = ("421", "drop-after-354", "451")


@dataclass
class FaultySmtpServer:
    """An aiosmtpd server on loopback that fails on purpose and counts what it accepted.

    ``plan`` is consumed one entry per MAIL FROM, so ``["421"]`` fails the first attempt
    and accepts the retry. ``refuse`` holds recipients always answered with 550 (an
    address that does not exist). ``delivered`` lists (recipient, Message-ID) of every
    mail the server said 250 to: the only honest count of "how many got through".
    Any AUTH PLAIN/LOGIN login is accepted (mailflow always logs in).
    """

    plan: list[str | None] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    port: int = field(default_factory=free_port)
    delivered: list[tuple[str, str]] = field(default_factory=list)
    transactions: int = 0
    faults_played: list[str] = field(default_factory=list)
    _controller: object | None = None

    def start(self) -> FaultySmtpServer:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import SMTP, AuthResult

        server = self

        def accept_any(*_args: object) -> AuthResult:
            return AuthResult(success=True)

        class Handler:
            async def handle_RCPT(
                self, smtp: object, session: object, envelope: object, address: str, opts: object
            ) -> str:
                if address.lower() in server.refuse:
                    return "550 5.1.1 <" + address + ">: Recipient address rejected"
                envelope.rcpt_tos.append(address)  # type: ignore[attr-defined]
                return "250 OK"

            async def handle_DATA(self, smtp: object, session: object, envelope: object) -> str:
                fault = getattr(envelope, "mailflow_fault", None)
                if fault == "451":
                    return "451 4.3.0 Temporary local problem, try again later"
                import email

                msg = email.message_from_bytes(envelope.original_content)  # type: ignore[attr-defined]
                for rcpt in envelope.rcpt_tos:  # type: ignore[attr-defined]
                    server.delivered.append((rcpt.lower(), str(msg.get("Message-ID", ""))))
                return "250 2.0.0 Ok: queued"

        class FaultySMTP(SMTP):
            async def smtp_MAIL(self, arg: str | None) -> None:
                fault = server.plan.pop(0) if server.plan else None
                server.transactions += 1
                if fault is not None:
                    server.faults_played.append(fault)
                if fault == "421":
                    await self.push("421 4.3.2 Service shutting down, closing channel")
                    if self.transport is not None:
                        self.transport.close()
                    return
                await super().smtp_MAIL(arg)
                if self.envelope is not None:
                    self.envelope.mailflow_fault = fault  # type: ignore[attr-defined]

            async def smtp_DATA(self, arg: str) -> None:
                fault = getattr(self.envelope, "mailflow_fault", None)
                if fault == "drop-after-354" and self.envelope and self.envelope.rcpt_tos:
                    await self.push("354 End data with <CR><LF>.<CR><LF>")
                    if self.transport is not None:
                        self.transport.close()
                    return
                await super().smtp_DATA(arg)

        class FaultController(Controller):
            def factory(self) -> SMTP:
                return FaultySMTP(
                    self.handler,
                    authenticator=accept_any,
                    auth_require_tls=False,
                    hostname="faulty.mailflow.test",
                )

        controller = FaultController(Handler(), hostname="127.0.0.1", port=self.port)
        controller.start()
        self._controller = controller
        return self

    def close(self) -> None:
        if self._controller is not None:
            self._controller.stop()  # type: ignore[attr-defined]
            self._controller = None

    def __enter__(self) -> FaultySmtpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def count(self, message_id: str | None = None, rcpt: str | None = None) -> int:
        return sum(
            1
            for r, m in self.delivered
            if (message_id is None or m == message_id) and (rcpt is None or r == rcpt.lower())
        )
