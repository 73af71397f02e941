"""Throw-away certificates and a tiny recording IMAP/SMTP server for the TLS tests.

Why a server of our own and not Dovecot here: the test must prove what reached the
server *before* login, byte for byte. ``RecordingServer`` speaks just enough IMAP or
SMTP for a login (greeting, CAPABILITY / EHLO, LOGIN / AUTH, LOGOUT / QUIT), over
implicit TLS or plain text, and keeps every line it received after TLS was set up.
If TLS was refused, nothing was decrypted and nothing is recorded.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import subprocess
import threading
from pathlib import Path

HERE = Path(__file__).parent


def make_certs(folder: Path) -> Path:
    """Run tests/servers/make-certs.sh into ``folder`` (a CA and four server certs)."""
    subprocess.run(
        ["bash", str(HERE / "servers" / "make-certs.sh"), str(folder)],
        check=True,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=120,
    )
    return folder


class RecordingServer(threading.Thread):
    """One loopback listener; ``lines`` are the commands it received, in order."""

    def __init__(self, protocol: str, cert: Path | None = None, starttls: bool = False) -> None:
        super().__init__(daemon=True)
        self.protocol = protocol  # "imap" | "smtp"
        self.cert = cert  # None: plain text; else implicit TLS with cert/.key beside it
        self.offer_starttls = starttls
        self.lines: list[bytes] = []
        self.tls_errors: list[str] = []
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self._halt = threading.Event()

    def __enter__(self) -> RecordingServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._halt.set()
        with contextlib.suppress(OSError):  # wakes the accept() the thread is blocked in
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        self.join(2)

    def commands(self) -> list[str]:
        out = []
        for line in self.lines:
            words = line.decode("utf-8", "replace").split()
            if self.protocol == "imap" and len(words) >= 2:
                out.append(words[1].upper())
            elif words:
                out.append(words[0].upper())
        return out

    def run(self) -> None:
        while not self._halt.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(10)
                try:
                    if self.cert is not None:
                        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                        ctx.load_cert_chain(self.cert, self.cert.with_suffix(".key"))
                        try:
                            conn = ctx.wrap_socket(conn, server_side=True)
                        except (ssl.SSLError, OSError) as exc:
                            self.tls_errors.append(str(exc))
                            continue
                    self._dialogue(conn)
                except OSError:
                    continue

    def _dialogue(self, conn: socket.socket) -> None:
        reader = conn.makefile("rb")
        send = conn.sendall
        if self.protocol == "imap":
            send(b"* OK test IMAP ready\r\n")
        else:
            send(b"220 test ESMTP ready\r\n")
        in_data = False
        for line in reader:
            if in_data:
                if line == b".\r\n":
                    in_data = False
                    send(b"250 2.0.0 queued\r\n")
                continue
            self.lines.append(line)
            words = line.split()
            if not words:
                continue
            if self.protocol == "imap":
                tag, cmd = words[0], (words[1].upper() if len(words) > 1 else b"")
                if cmd == b"CAPABILITY":
                    caps = b"IMAP4rev1 AUTH=PLAIN" + (b" STARTTLS" if self.offer_starttls else b"")
                    send(b"* CAPABILITY " + caps + b"\r\n" + tag + b" OK done\r\n")
                elif cmd == b"LOGOUT":
                    send(b"* BYE\r\n" + tag + b" OK bye\r\n")
                    return
                else:
                    send(tag + b" OK done\r\n")
            else:
                cmd = words[0].upper()
                if cmd in (b"EHLO", b"HELO"):
                    extra = b"250-STARTTLS\r\n" if self.offer_starttls else b""
                    send(b"250-test\r\n" + extra + b"250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n")
                elif cmd == b"AUTH":
                    send(b"235 2.7.0 accepted\r\n")
                elif cmd == b"DATA":
                    in_data = True
                    send(b"354 go on\r\n")
                elif cmd == b"QUIT":
                    send(b"221 bye\r\n")
                    return
                else:
                    send(b"250 ok\r\n")
