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

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

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


def _address(addr: str, name: str = "") -> Address:
    local, _, domain = addr.partition("@")
    try:
        return Address(display_name=name, username=local, domain=domain)
    except (ValueError, IndexError) as exc:
        raise MailflowError(f"{addr!r}: {exc}") from exc


def compose(mail: Outgoing, message_id: str, date: datetime) -> bytes:
    """The message as it goes on the wire (CRLF); a naive ``date`` is local time."""
    if mail.auto_submitted and mail.auto_submitted not in AUTO_SUBMITTED:
        raise ValueError(f"Auto-Submitted must be one of {AUTO_SUBMITTED}")
    if date.tzinfo is None:  # mailflow's clock is naive local time
        date = date.astimezone()
    msg = EmailMessage(policy=policy.SMTP)
    msg["Message-ID"] = message_id
    msg["Date"] = format_datetime(date)
    msg["From"] = _address(mail.from_addr, mail.from_name)
    msg["To"] = [_address(a) for a in mail.to]
    if mail.cc:
        msg["Cc"] = [_address(a) for a in mail.cc]
    msg["Reply-To"] = _address(mail.reply_to or mail.from_addr, mail.from_name)
    msg["Subject"] = mail.subject
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
    for att in mail.attachments:
        maintype, _, subtype = att.content_type.partition("/")
        msg.add_attachment(
            att.data,
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=att.filename,
        )
    return msg.as_bytes()


def recipients(mail: Outgoing) -> Sequence[str]:
    """Envelope recipients: To and Cc, in order, without repeats."""
    return list(dict.fromkeys((*mail.to, *mail.cc)))
