"""The embedded mail server: pymap (IMAP) and aiosmtpd (SMTP) on one asyncio loop.

Why it exists: people can try mailflow and run the demo without a mail account, and the
fast tests get a real IMAP/SMTP peer in-process. Why one loop: pymap's IDLE only wakes
for appends made on its own loop, so SMTP delivery must run there too. Delivery is by
envelope recipient and stores the exact received bytes (no header rewriting), like a
real MTA + LMTP would.

pymap internals (Identity.set, new_session, mailbox.append) are used, so pymap is pinned
to 0.36.7 in pyproject.toml; tests/test_mailserver_*.py cover this adapter.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from argparse import Namespace
from collections.abc import Callable, Iterable, Mapping
from contextlib import AsyncExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

from mailflow.clock import utc_now
from mailflow.errors import MailflowError
from mailflow.i18n import t

if TYPE_CHECKING:
    from pymap.config import IMAPConfig
    from pymap.interfaces.backend import BackendInterface


class _LoginDataNoise(logging.Filter):
    """Drops aiosmtpd's "Session.login_data is deprecated" line.

    aiosmtpd itself assigns the deprecated ``Session.login_data`` on every successful
    AUTH and logs that warning each time; we never read it, so the server printed one
    line of noise per login (the demo logs in for every poll and send).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Session.login_data is deprecated")


_LOGIN_DATA_NOISE = _LoginDataNoise()
logging.getLogger("mail.log").addFilter(_LOGIN_DATA_NOISE)  # aiosmtpd's logger

#: A test hook: given the envelope recipient, return an SMTP reply to refuse it
#: (e.g. "550 5.1.1 mailbox unavailable") or None to accept.
RcptPolicy = Callable[[str], str | None]


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class _SmtpHandler:
    def __init__(self, server: EmbeddedMailServer) -> None:
        self.server = server

    async def handle_RCPT(
        self, smtp: SMTP, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        address = address.lower()
        if self.server.rcpt_policy is not None:
            refusal = self.server.rcpt_policy(address)
            if refusal:
                return refusal
        if address not in self.server.users:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp: SMTP, session: Any, envelope: Any) -> str:
        data: bytes = envelope.original_content
        for rcpt in envelope.rcpt_tos:
            await self.server.deliver_async(rcpt, data)
        return "250 Message accepted for delivery"


class EmbeddedMailServer:
    """Start with ``start()``, stop with ``stop()``; also a context manager.

    ``backend="dict"`` keeps mail in memory (tests); ``"maildir"`` keeps it under
    ``data_dir`` across restarts, UIDVALIDITY included (the demo and `mailflow mailserver`).
    """

    def __init__(
        self,
        users: Mapping[str, str],
        backend: str = "dict",
        data_dir: Path | None = None,
        host: str = "127.0.0.1",
        smtp_port: int | None = None,
        imap_port: int | None = None,
        hostname: str = "mail.mailflow.test",
        rcpt_policy: RcptPolicy | None = None,
    ) -> None:
        if backend not in ("dict", "maildir"):
            raise ValueError(f"unknown backend {backend!r}")
        if backend == "maildir" and data_dir is None:
            raise ValueError("the maildir backend needs data_dir")
        self.users = {u.lower(): p for u, p in users.items()}
        self.backend_name = backend
        self.data_dir = Path(data_dir) if data_dir else None
        self.host = host
        self.smtp_port = smtp_port or free_port(host)
        self.imap_port = imap_port or free_port(host)
        self.hostname = hostname
        self.rcpt_policy = rcpt_policy
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._identities: dict[str, Any] = {}
        self._thread = threading.Thread(target=self._run, name="mailflow-mailserver", daemon=True)

    # --- lifecycle -------------------------------------------------------------------

    def start(self, timeout: float = 15) -> EmbeddedMailServer:
        self._thread.start()
        if not self._ready.wait(timeout):
            raise MailflowError(t("mailserver.start_timeout"))
        if self._error is not None:
            raise MailflowError(t("mailserver.start_failed", error=self._error)) from self._error
        return self

    def stop(self, timeout: float = 10) -> None:
        if self._loop is not None and self._stop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)

    def __enter__(self) -> EmbeddedMailServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and self._ready.is_set() and self._error is None

    # --- delivery --------------------------------------------------------------------

    def deliver(self, user: str, data: bytes, folder: str = "INBOX") -> None:
        """Put ``data`` into a mailbox as if it arrived (tests and `ingest` demos)."""
        if self._loop is None:
            raise MailflowError(t("mailserver.not_running"))
        fut = asyncio.run_coroutine_threadsafe(
            self.deliver_async(user.lower(), data, folder), self._loop
        )
        fut.result(30)

    async def deliver_async(self, user: str, data: bytes, folder: str = "INBOX") -> None:
        from pymap.parsing.message import AppendMessage

        async with self._identities[user].new_session() as session:
            mailbox_set = session.mailbox_set
            if folder != "INBOX" and folder not in await mailbox_set.list_mailboxes_names():
                await mailbox_set.add_mailbox(folder)
            mailbox = await mailbox_set.get_mailbox(folder)
            await mailbox.append(AppendMessage(data, utc_now(), frozenset()))

    # --- internals -------------------------------------------------------------------

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported through start()
            self._error = exc
            self._ready.set()

    async def _init_backend(self) -> tuple[Any, Any]:
        from pymap.user import Passwords, UserMetadata
        from pysasl.hashing import BuiltinHash

        common: dict[str, Any] = dict(
            host=self.host,
            port=self.imap_port,
            debug=False,
            cert=None,
            key=None,
            passlib_cfg=None,
            tls=False,
            proxy_protocol=None,
            inherited_sockets=None,
        )
        make_identity: Callable[[str], Any]
        backend: BackendInterface
        config: IMAPConfig
        if self.backend_name == "dict":
            from pymap.backend.dict import DictBackend
            from pymap.backend.dict import Identity as DictIdentity

            args = Namespace(demo_data=False, demo_user="demouser", demo_password="x", **common)
            dict_backend, config = await DictBackend.init(args)
            backend = dict_backend

            def make_identity(name: str) -> Any:
                return DictIdentity(name, dict_backend.login, None, frozenset())
        else:
            from pymap.backend.maildir import Identity as MaildirIdentity
            from pymap.backend.maildir import MaildirBackend

            assert self.data_dir is not None
            self.data_dir.mkdir(parents=True, exist_ok=True)
            args = Namespace(
                base_dir=str(self.data_dir), concurrency=None, layout="++", colon=None, **common
            )
            maildir_backend, maildir_config = await MaildirBackend.init(args)
            backend, config = maildir_backend, maildir_config

            def make_identity(name: str) -> Any:
                return MaildirIdentity(
                    maildir_config, maildir_backend.login.tokens, name, None, frozenset()
                )

        # pymap's default hash is PBKDF2 with 500,000 rounds: ~0.2 s per user at start and
        # per IMAP login. This server lives on loopback with throw-away passwords, so a
        # cheap hash keeps start-up and every test login fast without weakening anything.
        # pymap types it Final; the maildir backend's init() takes no overrides to set it.
        config.hash_context = BuiltinHash(rounds=1000)  # type: ignore[misc]
        config.apply_context()
        passwords = Passwords(config)
        for name, password in self.users.items():
            identity = make_identity(name)
            metadata = UserMetadata(config, name, password=await passwords.hash_password(password))
            await identity.set(metadata)
            self._identities[name] = identity
        return backend, config

    def _smtp_auth(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and self.users.get(auth_data.login.decode().lower()) == auth_data.password.decode()
        )
        # handled=False: aiosmtpd then answers 535 itself (True would leave the client hanging)
        return AuthResult(success=ok, handled=False)

    async def _main(self) -> None:
        from pymap.imap import IMAPService

        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        backend, config = await self._init_backend()
        async with AsyncExitStack() as stack:
            await backend.start(stack)
            await IMAPService(backend, config).start(stack)
            handler = _SmtpHandler(self)
            smtp_server = await self._loop.create_server(
                lambda: SMTP(
                    handler,
                    hostname=self.hostname,
                    enable_SMTPUTF8=True,
                    authenticator=self._smtp_auth,
                    auth_require_tls=False,
                    auth_required=False,
                    data_size_limit=60 * 1024 * 1024,
                ),
                self.host,
                self.smtp_port,
            )
            stack.push_async_callback(smtp_server.wait_closed)
            stack.callback(smtp_server.close)
            self._ready.set()
            await self._stop.wait()


def accounts_for(addresses: Iterable[str], password: str) -> dict[str, str]:
    """Every address gets the same password: the demo server is for trying, not for secrets."""
    return {a.lower(): password for a in addresses}
