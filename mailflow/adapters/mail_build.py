"""The bytes of every mail mailflow sends, built with the stdlib ``email`` package.

Why build the bytes ourselves (and not let yagmail do it): the outbox stores the exact
bytes and the Message-ID *before* SMTP, so that a crash can be resolved by looking for
that Message-ID in the Sent folder and a resend is byte-for-byte the same mail.
yagmail's Message-ID is not unique per send, so it must never be used.

Conventions every outgoing mail follows:

- ``policy.SMTP``: CRLF line ends and folded headers, as they go on the wire.
- ``Message-ID`` from :func:`new_message_id` with the mailbox's own domain.
- ``Reply-To`` is the mailbox, so a reply comes back to where intake reads even when a
  department's client would pick another address.
- ``X-Mailflow-Id: <campaign>/<kind>/<dedupe-key>``: intake recognises its own mail
  by it (a copy in the Sent folder, a department forwarding it back, a mail loop).
- ``Auto-Submitted`` only for machine mail (reminders, receipts, drafts); the directive
  is an ordinary letter and must not look like an auto-reply to filters.
- Text parts are quoted-printable: no reliance on the server's 8BITMIME.
- Attachment names are RFC 2231 (``filename*=utf-8''…``), which Outlook, Gmail and
  Thunderbird all decode. No Content-Type ``name`` copy: the stdlib folds a long
  Content-Type with an RFC 2231 parameter into an encoded word and breaks the type.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from mailflow.clock import aware
from mailflow.config import EMAIL_RE
from mailflow.errors import MailflowError

LOOP_HEADER = "X-Mailflow-Id"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
AUTO_SUBMITTED = ("auto-generated", "auto-replied")


@dataclass(frozen=True)
class Attachment:
    filename: str  # shown to people; may be Vietnamese, never used as a path by us
    data: bytes
    content_type: str = DOCX_TYPE


@dataclass(frozen=True)
class Outgoing:
    """Everything that varies between mails; the conventions above are added by compose."""

    from_addr: str
    from_name: str
    to: tuple[str, ...]
    subject: str
    text: str
    html: str = ""
    attachments: tuple[Attachment, ...] = ()
    loop_id: str = ""  # value of X-Mailflow-Id, see loop_id()
    auto_submitted: str = ""  # "" | "auto-generated" | "auto-replied"
    cc: tuple[str, ...] = ()
    reply_to: str = ""  # default: from_addr
    in_reply_to: str = ""
    references: tuple[str, ...] = ()


def new_message_id(mailbox_address: str) -> str:
    """A fresh, globally unique Message-ID in the mailbox's domain."""
    domain = mailbox_address.rpartition("@")[2] or "mailflow.invalid"
    return make_msgid(idstring="mailflow", domain=domain)


def loop_id(campaign: str, kind: str, dedupe_key: str) -> str:
    return f"{campaign}/{kind}/{dedupe_key}"


def _encoded(value: str) -> str:
    """The whole value as base64 RFC 2047 words of at most 75 characters, one per line.

    Why not the stdlib folders: on Python 3.11 ``policy.SMTP`` drops the space between an
    encoded word and a following ASCII word when it folds ("Sơ kết 6 tháng" reads back
    as "Sơ kết6 tháng"), and ``email.header.Header`` leaves ASCII runs bare, so an office
    name ending in "(KH&CN)" reads back with that part taken as a comment. Encoding every
    character keeps spaces and specials inside the words, where they are plain text.
    Each line stays under 78 characters so ``policy.SMTP`` never refolds it.
    (Python's own address parser adds a space between encoded words in a display name
    where RFC 2047 says to drop it; mail clients follow the RFC, so we do too.)
    """
    words, chunk = [], ""
    for char in value:
        if len((chunk + char).encode("utf-8")) > 39:  # 52 base64 chars: a line stays < 78
            cut = chunk.rfind(" ") + 1  # break after a space, so each word keeps its own
            if 0 < cut < len(chunk):
                words.append(chunk[:cut])
                chunk = chunk[cut:]
            else:
                words.append(chunk)
                chunk = ""
        chunk += char
    words.append(chunk)
    encoded = (base64.b64encode(w.encode("utf-8")).decode("ascii") for w in words)
    return "\r\n ".join(f"=?utf-8?b?{e}?=" for e in encoded)


def _mailbox(addr: str, name: str = "") -> str:
    if not EMAIL_RE.match(addr):
        raise MailflowError(f"{addr!r}: not an e-mail address")
    if not name:
        return addr
    if name.isascii():
        return formataddr((name, addr))  # quotes specials such as "(" or "&"
    # the whole name as encoded words: "(KH&CN)" left bare would read back as a comment
    return f"{_encoded(name)} <{addr}>"


def _set(msg: EmailMessage, name: str, value: str) -> None:
    """Store a header we encoded ourselves (see _encoded); ASCII goes in as it is."""
    if value.isascii() and len(value) < 900:
        msg.set_raw(name, value)
    else:
        msg.set_raw(name, _encoded(value))


def compose(mail: Outgoing, message_id: str, date: datetime) -> bytes:
    """The message as it goes on the wire (CRLF); a naive ``date`` is office wall time."""
    if mail.auto_submitted and mail.auto_submitted not in AUTO_SUBMITTED:
        raise ValueError(f"Auto-Submitted must be one of {AUTO_SUBMITTED}")
    if date.tzinfo is None:  # mailflow's clock gives the office's wall time
        date = aware(date)
    msg = EmailMessage(policy=policy.SMTP)
    msg["Message-ID"] = message_id
    msg["Date"] = format_datetime(date)
    msg.set_raw("From", _mailbox(mail.from_addr, mail.from_name))
    msg.set_raw("To", ", ".join(_mailbox(a) for a in mail.to))
    if mail.cc:
        msg.set_raw("Cc", ", ".join(_mailbox(a) for a in mail.cc))
    msg.set_raw("Reply-To", _mailbox(mail.reply_to or mail.from_addr, mail.from_name))
    _set(msg, "Subject", mail.subject)
    if mail.in_reply_to:
        msg["In-Reply-To"] = mail.in_reply_to
    if mail.references:
        msg["References"] = " ".join(mail.references)
    if mail.loop_id:
        msg[LOOP_HEADER] = mail.loop_id
    if mail.auto_submitted:
        msg["Auto-Submitted"] = mail.auto_submitted
    msg.set_content(mail.text, cte="quoted-printable")
    if mail.html:
        msg.add_alternative(mail.html, subtype="html", cte="quoted-printable")
    bodies: dict[bytes, bytes] = {}
    for att in mail.attachments:
        maintype, _, subtype = att.content_type.partition("/")
        # a placeholder body, swapped for the base64 text after generation (see below)
        marker = f"MAILFLOW-ATTACHMENT-{len(bodies)}-{secrets.token_hex(16)}"
        msg.add_attachment(
            marker.encode("ascii"),
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=att.filename,
            cte="7bit",
        )
        parts = msg.get_payload()
        assert isinstance(parts, list)  # multipart once an attachment is added
        part = parts[-1]
        assert isinstance(part, EmailMessage)  # the part add_attachment just made
        part.replace_header("Content-Transfer-Encoding", "base64")
        bodies[marker.encode("ascii")] = base64.encodebytes(att.data).replace(b"\n", b"\r\n")
    data = msg.as_bytes()
    # Why the swap: the email generator writes a base64 body line by line in Python,
    # ~20 ms for two .docx files; the C encoder makes the same 76-column CRLF lines at once.
    for placeholder, body in bodies.items():
        data = data.replace(placeholder + b"\r\n", body, 1)
    return data


def recipients(mail: Outgoing) -> Sequence[str]:
    """Envelope recipients: To and Cc, in order, without repeats."""
    return list(dict.fromkeys((*mail.to, *mail.cc)))
