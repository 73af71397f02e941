"""Mail servers for the tests: the embedded one and a real Postfix + Dovecot.

The same integration tests run against both (test ids ``[embedded]`` and ``[real]``).
The real pair is started by the test run itself through tests/servers/real-start.sh,
one instance per pytest-xdist worker, on free loopback ports. Under ``CI=true`` a
missing Postfix/Dovecot is a failure, not a skip: CI must prove the real path.
"""

from __future__ import annotations

import os
import shutil
import smtplib
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imap_tools import MailBoxUnencrypted

from mailflow.adapters.mailserver import EmbeddedMailServer, free_port

HERE = Path(__file__).parent
DOMAIN = "sokhcn.example"
PASSWORD = "secret"
#: Everyone the seed config and the tests write to; spare1..3 are for tests that need
#: an address no department has (unknown senders, relays). "nobody" is never created.
LOCAL_PARTS = (
    "baocao",
    "vanphong",
    "qlkh",
    "qlcn",
    "tdc",
    "khtc",
    "trungtam",
    "spare1",
    "spare2",
    "spare3",
    "pho.vp",
    "truong.qlkh",
)


def real_available() -> bool:
    return bool(shutil.which("postfix") and shutil.which("dovecot")) and os.geteuid() == 0


def real_required() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@dataclass
class MailEnv:
    """One running server pair, seen from a test: addresses, ports and helpers."""

    kind: str  # "embedded" | "real"
    host: str
    smtp_port: int
    imap_port: int
    domain: str = DOMAIN
    password: str = PASSWORD
    _embedded: EmbeddedMailServer | None = field(default=None, repr=False)
    _root: Path | None = field(default=None, repr=False)
    #: the test run's throw-away CA (real servers): mailflow's config then says
    #: security = "starttls" with ca_file, so the real pair is used over verified TLS
    ca_file: Path | None = None

    def addr(self, local: str) -> str:
        return f"{local}@{self.domain}"

    def users(self) -> list[str]:
        return [self.addr(u) for u in LOCAL_PARTS]

    def smtp_send(self, sender: str, recipients: Iterable[str], data: bytes) -> None:
        """Submit as a mail client would (AUTH as the sender)."""
        with smtplib.SMTP(self.host, self.smtp_port, timeout=30) as s:
            s.login(sender, self.password)
            s.sendmail(sender, list(recipients), data)

    def imap(self, user: str) -> MailBoxUnencrypted:
        return MailBoxUnencrypted(self.host, self.imap_port, timeout=30).login(user, self.password)

    def messages(self, user: str, folder: str = "INBOX") -> list[bytes]:
        """Raw bytes of every message in ``folder`` (waits briefly for async delivery)."""
        from mailflow.adapters.imap import ImapClient

        with self.imap(user) as box:
            if not box.folder.exists(folder):
                return []
        from mailflow.config import Endpoint

        client = ImapClient(Endpoint(self.host, self.imap_port, "none"), user, self.password)
        with client:
            client.select(folder)
            return [raw for _, raw in client.fetch_raw(client.uids_above(0))]

    def wait_for(
        self, user: str, count: int, folder: str = "INBOX", timeout: float = 20.0
    ) -> list[bytes]:
        """Postfix delivers asynchronously: poll until ``count`` messages are there."""
        import time

        deadline = time.monotonic() + timeout
        while True:
            msgs = self.messages(user, folder)
            if len(msgs) >= count or time.monotonic() > deadline:
                return msgs
            time.sleep(0.1)

    def config_text(self, **extra: str) -> str:
        """A config.toml for the seed campaign that talks to this server."""
        text = (HERE / "fixtures" / "config.template.toml").read_text(encoding="utf-8")
        repo = HERE.parent
        values = {
            "host": self.host,
            "imap_port": str(self.imap_port),
            "smtp_port": str(self.smtp_port),
            "domain": self.domain,
            "templates": str(repo / "templates"),
            "outline": str(repo / "campaigns" / "2023-h1" / "outline.docx"),
            "directive": str(repo / "templates" / "directive.docx"),
            "deadline": "2023-07-21",
            "tdc": "tdc",
        }
        values.update(extra)
        for key, value in values.items():
            text = text.replace("{{" + key + "}}", value)
        if self.ca_file is not None:
            text = text.replace(
                'security = "none" }', f'security = "starttls", ca_file = "{self.ca_file}" }}'
            )
        return text

    def reset(self) -> None:
        """Empty every mailbox so each test starts clean (real server only)."""
        if self.kind == "real" and self._root is not None:
            mail = self._root / "mail" / self.domain
            if mail.exists():
                subprocess.run(["find", str(mail), "-mindepth", "1", "-delete"], check=False)


def start_embedded(users: Iterable[str] | None = None) -> MailEnv:
    accounts = {u: PASSWORD for u in (users or [f"{p}@{DOMAIN}" for p in LOCAL_PARTS])}
    server = EmbeddedMailServer(accounts).start()
    return MailEnv("embedded", server.host, server.smtp_port, server.imap_port, _embedded=server)


def stop_embedded(env: MailEnv) -> None:
    if env._embedded is not None:
        env._embedded.stop()


def start_real(local_parts: Iterable[str] = LOCAL_PARTS, domain: str = DOMAIN) -> MailEnv:
    root = Path(tempfile.mkdtemp(prefix="mf-real-"))
    root.chmod(0o755)
    smtp_port, imap_port, lmtp_port = free_port(), free_port(), free_port()
    certs = root / "test-ca"
    subprocess.run(
        ["bash", str(HERE / "servers" / "make-certs.sh"), str(certs)],
        check=True,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=120,
    )
    env = dict(
        os.environ,
        MAILTEST_ROOT=str(root),
        MAILTEST_DOMAIN=domain,
        MAILTEST_USERS=" ".join(local_parts),
        MAILTEST_PASSWORD=PASSWORD,
        MAILTEST_SMTP_PORT=str(smtp_port),
        MAILTEST_IMAP_PORT=str(imap_port),
        MAILTEST_LMTP_PORT=str(lmtp_port),
        MAILTEST_TLS_CERT=str(certs / "server.pem"),
        MAILTEST_TLS_KEY=str(certs / "server.key"),
    )
    result = subprocess.run(
        ["bash", str(HERE / "servers" / "real-start.sh")],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=120,
    )
    if result.returncode != 0:
        raise RuntimeError(f"real mail servers did not start:\n{result.stdout}")
    return MailEnv(
        "real",
        "127.0.0.1",
        smtp_port,
        imap_port,
        domain=domain,
        _root=root,
        ca_file=certs / "ca.pem",
    )


def stop_real(env: MailEnv) -> None:
    if env._root is None:
        return
    subprocess.run(
        ["bash", str(HERE / "servers" / "real-stop.sh")],
        env=dict(os.environ, MAILTEST_ROOT=str(env._root), MAILTEST_WIPE="1"),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )
    shutil.rmtree(env._root, ignore_errors=True)


def session_real() -> Iterator[MailEnv | None]:
    """Generator for a session fixture: a real server, or None where it cannot run."""
    if not real_available():
        yield None
        return
    env = start_real()
    try:
        yield env
    finally:
        stop_real(env)


def real_env(request: Any) -> MailEnv:
    """The session's real server, emptied for the caller.

    Where Postfix/Dovecot cannot run, the test skips here but FAILS under ``CI=true``:
    CI must prove the real path, never skip it.
    """
    import pytest

    real = request.getfixturevalue("_real_server")
    if real is None:
        if real_required():
            pytest.fail("CI=true but Postfix/Dovecot are not available: run `make test` as root")
        pytest.skip("Postfix/Dovecot not available here (not root or not installed); CI runs these")
    real.reset()
    return real
