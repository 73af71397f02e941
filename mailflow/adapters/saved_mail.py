"""Mail that arrives without IMAP: saved .eml, mbox and Maildir files for `mailflow ingest`,
and a report file wrapped as a mail for `mailflow import`.

Why an adapter of its own: these are file reads (and, for import, building the bytes of a
mail), and the intake service takes the same bytes from here as from the IMAP inbox.
"""

from __future__ import annotations

import getpass
import mailbox
import mimetypes
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.utils import parsedate_to_datetime
from pathlib import Path

from mailflow.adapters.archive import sha256
from mailflow.errors import ConfigError, MailflowError
from mailflow.i18n import t


@dataclass(frozen=True)
class SavedMail:
    """One saved mail, read lazily: sorting needs only its Date."""

    origin: str
    date: datetime | None
    load: Callable[[], bytes]


def _date_of(head: bytes) -> datetime | None:
    try:
        value = BytesHeaderParser().parsebytes(head).get("date")
        parsed = parsedate_to_datetime(str(value)) if value else None
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _head(data: bytes) -> bytes:
    end = data.find(b"\n\n")
    end2 = data.find(b"\r\n\r\n")
    cut = min(x for x in (end, end2, len(data)) if x >= 0)
    return data[:cut]


def read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise MailflowError(t("ingest.unreadable", path=path, error=exc.strerror)) from exc


def _held(data: bytes) -> Callable[[], bytes]:
    """A loader for bytes already read: each closure keeps its own message."""
    return lambda: data


def _eml(path: Path) -> SavedMail:
    data = read_file(path)
    return SavedMail(str(path), _date_of(_head(data)), lambda: data)


def _mbox(path: Path) -> Iterator[SavedMail]:
    box = mailbox.mbox(str(path), create=False)
    try:
        for key in box.iterkeys():
            data = box.get_bytes(key)
            yield SavedMail(f"{path}#{key}", _date_of(_head(data)), _held(data))
    finally:
        box.close()


def _is_mbox(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(5) == b"From "
    except OSError as exc:
        raise MailflowError(t("ingest.unreadable", path=path, error=exc.strerror)) from exc


def saved_mails(paths: tuple[Path, ...]) -> list[SavedMail]:
    """Every mail in .eml files, mbox files, Maildir folders (or folders of .eml files)."""
    found: list[SavedMail] = []
    for path in paths:
        if not path.exists():
            raise ConfigError(t("ingest.not_found", path=path), t("ingest.not_found_hint"))
        if path.is_dir():
            if (path / "cur").is_dir() or (path / "new").is_dir():
                files = sorted(
                    p
                    for sub in ("new", "cur")
                    if (path / sub).is_dir()
                    for p in (path / sub).iterdir()
                )
                found.extend(_eml(p) for p in files if p.is_file())
            else:
                for p in sorted(path.rglob("*")):
                    if p.is_file() and p.suffix.lower() in (".eml", ".mbox", ".msg", ".txt"):
                        found.extend(_mbox(p) if _is_mbox(p) else [_eml(p)])
        elif _is_mbox(path):
            found.extend(_mbox(path))
        else:
            found.append(_eml(path))
    # date order, as the mails were written; undated ones last, in the order given
    floor = datetime.max.replace(tzinfo=UTC)
    return [s for _, s in sorted(enumerate(found), key=lambda p: (p[1].date or floor, p[0]))]


def import_message(path: Path, data: bytes, campaign: str, department: str) -> bytes:
    """Wrap a report file in a mail so it takes the same road as a mailed one.

    The bytes depend only on the file, campaign and department (no Date, no random
    Message-ID), so importing the same file twice records it once.
    """
    digest = sha256(data)
    msg = EmailMessage()
    user = getpass.getuser()
    msg["From"] = f"{user}@localhost"
    msg["Subject"] = t("import.subject", "vi", name=path.name)
    msg["Message-ID"] = f"<import.{digest[:24]}.{campaign}.{department}@mailflow.invalid>"
    msg["X-Mailflow-Import"] = f"{campaign}/{department}"
    ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    maintype, _, subtype = ctype.partition("/")
    msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=path.name)
    msg.set_boundary(f"mailflow-import-{digest[:32]}")  # a random one would defeat dedupe
    return msg.as_bytes()
