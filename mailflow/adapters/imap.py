"""IMAP through imap-tools, with the safety rules intake depends on.

- Capabilities are re-read after login: Dovecot and pymap announce MOVE only then, and
  imap-tools would otherwise fall back to copy + delete + a bare EXPUNGE that could
  remove other mail.
- We never expunge what we did not flag ourselves: without MOVE we copy and set our own
  keyword, and expunge only by UID when UIDPLUS is offered.
- Raw bytes are fetched with BODY.PEEK[] so \\Seen is never touched and never used as
  state; (folder, UIDVALIDITY, UID) is.
- Every call has a socket timeout; an error is raised, never taken as "no new mail".
- TLS is verified (chain and host name, ``netdiag.tls_context``) before LOGIN; a server
  without STARTTLS when ``security = "starttls"`` is an error, never plaintext.
"""

from __future__ import annotations

import contextlib
import imaplib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted
from imap_tools.errors import MailboxFolderCreateError
from imap_tools.message import MailMessage

from mailflow.adapters.netdiag import explain, tls_context
from mailflow.config import Endpoint, Mailbox
from mailflow.errors import MailflowError

PROCESSED_KEYWORD = "$MailflowDone"
_MESSAGE_PARTS = "(BODY.PEEK[] UID RFC822.SIZE)"


@dataclass(frozen=True)
class FolderState:
    name: str
    uidvalidity: int
    uidnext: int
    messages: int


class ImapClient:
    """One logged-in IMAP session. Use as a context manager."""

    def __init__(
        self, endpoint: Endpoint, username: str, password: str, timeout: float = 30.0
    ) -> None:
        self.endpoint = endpoint
        self.username = username
        self._password = password
        self.timeout = timeout
        self.box: MailBox | MailBoxStartTls | MailBoxUnencrypted | None = None
        self.capabilities: frozenset[str] = frozenset()

    @classmethod
    def from_config(cls, mailbox: Mailbox) -> ImapClient:
        return cls(mailbox.imap, mailbox.username, mailbox.password(), mailbox.timeout)

    # --- session -----------------------------------------------------------------------

    def connect(self) -> ImapClient:
        ep = self.endpoint
        try:
            if ep.security == "ssl":
                box: MailBox | MailBoxStartTls | MailBoxUnencrypted = MailBox(
                    ep.host, ep.port, timeout=self.timeout, ssl_context=tls_context(ep)
                )
            elif ep.security == "starttls":
                box = MailBoxStartTls(
                    ep.host, ep.port, timeout=self.timeout, ssl_context=tls_context(ep)
                )
            else:
                box = MailBoxUnencrypted(ep.host, ep.port, timeout=self.timeout)
            # no implicit SELECT INBOX: on a big inbox it costs more than the idle poll
            # itself; every caller selects what it needs
            box.login(self.username, self._password, initial_folder=None)
            # the connect timeout is also the timeout of every later call
            box.client.sock.settimeout(self.timeout)
            self.box = box
            self.capabilities = self._refresh_capabilities()
        except Exception as exc:
            raise explain(exc, "IMAP", ep) from exc
        return self

    def _refresh_capabilities(self) -> frozenset[str]:
        assert self.box is not None
        typ, data = self.box.client.capability()
        if typ == "OK" and data and data[-1]:
            caps = tuple(data[-1].decode("ascii", "replace").upper().split())
            self.box.client.capabilities = caps
        return frozenset(self.box.client.capabilities)

    def close(self) -> None:
        if self.box is not None:
            with contextlib.suppress(OSError, imaplib.IMAP4.error, EOFError):
                self.box.logout()
            self.box = None

    def __enter__(self) -> ImapClient:
        return self.connect() if self.box is None else self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, what: str, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        """Run one imap-tools call; every failure becomes a MailflowError with a reason."""
        if self.box is None:
            self.connect()
        try:
            return fn(*args, **kwargs)
        except MailflowError:
            raise
        except (TimeoutError, OSError, imaplib.IMAP4.error, EOFError) as exc:
            raise explain(exc, "IMAP", self.endpoint) from exc
        except Exception as exc:  # imap-tools' own errors carry the server's answer
            raise explain(exc, "IMAP", self.endpoint) from exc

    # --- folders -------------------------------------------------------------------------

    def ensure_folder(self, name: str) -> None:
        assert self.box is not None
        if self._call("exists", self.box.folder.exists, name):
            return
        try:
            self._call("create", self.box.folder.create, name)
        except MailflowError as exc:
            if isinstance(exc.__cause__, MailboxFolderCreateError) and self.box.folder.exists(name):
                return
            raise

    def status(self, name: str) -> FolderState:
        assert self.box is not None
        st = self._call(
            "status", self.box.folder.status, name, ["UIDVALIDITY", "UIDNEXT", "MESSAGES"]
        )
        return FolderState(
            name, int(st["UIDVALIDITY"]), int(st.get("UIDNEXT", 0)), int(st.get("MESSAGES", 0))
        )

    def select(self, name: str) -> FolderState:
        """Select ``name`` read-write and return its state (UIDVALIDITY from the server)."""
        assert self.box is not None
        self._call("select", self.box.folder.set, name)
        return self.status(name)

    # --- messages ------------------------------------------------------------------------

    def uids_above(self, last_uid: int) -> list[int]:
        """UIDs > last_uid in the selected folder (``n:*`` always returns the last one)."""
        assert self.box is not None
        raw = self._call("search", self.box.uids, f"UID {last_uid + 1}:*")
        return sorted(u for u in (int(x) for x in raw) if u > last_uid)

    def uids_present(self, uids: Sequence[int], unflagged: str = PROCESSED_KEYWORD) -> list[int]:
        """Which of ``uids`` are still in the selected folder and not yet flagged by us.

        Used to repair a crash between commit and move: only mail still waiting is moved,
        and with copy+flag servers (no MOVE, no UIDPLUS) a copy is never made twice.
        """
        assert self.box is not None
        if not uids:
            return []
        uid_set = ",".join(str(u) for u in sorted(set(uids)))
        raw = self._call("search", self.box.uids, f"UID {uid_set} UNKEYWORD {unflagged}")
        wanted = set(uids)
        return sorted(u for u in (int(x) for x in raw) if u in wanted)

    def fetch_raw(self, uids: Sequence[int], batch: int = 50) -> Iterator[tuple[int, bytes]]:
        """Exact bytes of each message, in UID order, ``batch`` per FETCH command."""
        assert self.box is not None
        uid_list = [str(u) for u in uids]
        for start in range(0, len(uid_list), max(batch, 1)):
            chunk = uid_list[start : start + batch]
            fetched = self._call(
                "fetch",
                lambda c=chunk: list(self.box._fetch_in_bulk(c, _MESSAGE_PARTS, False, True)),
            )
            for item in fetched:
                raw, raw_uid, raw_flags = MailMessage._get_message_data_parts(item)
                uid = _uid_of(raw_uid, raw_flags)
                if uid is not None:
                    yield uid, raw

    def move(self, uids: Sequence[int], destination: str) -> str:
        """Move by UID. Returns how: "move" | "copy+expunge" | "copy+flag"."""
        assert self.box is not None
        if not uids:
            return "none"
        uid_set = ",".join(str(u) for u in uids)
        if "MOVE" in self.capabilities:
            self._call("move", self.box.move, uid_set, destination)
            return "move"
        self._call("copy", self.box.copy, uid_set, destination)
        self._call("flag", self.box.flag, uid_set, [PROCESSED_KEYWORD], True)
        if "UIDPLUS" in self.capabilities:
            self._call("flag", self.box.flag, uid_set, ["\\Deleted"], True)
            self._call("uid expunge", self.box.client.uid, "EXPUNGE", uid_set)
            return "copy+expunge"
        return "copy+flag"

    def append(
        self,
        folder: str,
        data: bytes,
        flags: Sequence[str] = ("\\Seen",),
        *,
        folder_known: bool = False,
    ) -> None:
        """Store ``data`` in ``folder``. ``folder_known``: the caller made sure the folder
        exists (a run copying many sent mails asks once, not per mail)."""
        assert self.box is not None
        if not folder_known:
            self.ensure_folder(folder)
        self._call("append", self.box.append, data, folder, None, list(flags))

    def find_message_id(self, folder: str, message_id: str) -> list[int]:
        """UIDs in ``folder`` whose Message-ID header is ``message_id``."""
        assert self.box is not None
        if not self._call("exists", self.box.folder.exists, folder):
            return []
        self.select(folder)
        quoted = message_id.replace("\\", "\\\\").replace('"', '\\"')
        raw = self._call("search", self.box.uids, f'HEADER Message-ID "{quoted}"')
        return [int(x) for x in raw]

    def folders(self) -> list[str]:
        assert self.box is not None
        return [f.name for f in self._call("list", self.box.folder.list)]


_UID_RE = re.compile(rb"UID\s+(\d+)")


def _uid_of(raw_uid: bytes, raw_flags: list[bytes]) -> int | None:
    for item in [raw_uid, *raw_flags]:
        match = _UID_RE.search(item or b"")
        if match:
            return int(match.group(1))
    return None
