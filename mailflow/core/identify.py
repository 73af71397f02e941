"""Who sent a mail, for which campaign, and what kind of mail it is — from headers alone.

Pure: the shell parses the mail (``adapters/mail_parse.py``) into :class:`MailHeaders` and
gathers what we know (our sent Message-IDs, departments, open campaigns) into
:class:`KnownState`; this module only decides. Reasons are message-catalogue KEYS with
parameters (``Identification.reason`` + ``params``), rendered by the shell with
``t(reason, **dict(params))``, so the core needs no language.

Order of the checks, and why:
1. our own mail (loop header) — never process what we sent;
2. read receipts / abuse reports — machine mail that is not a bounce;
3. bounces — so the send they belong to can be marked failed;
4. spoofing — a mail that *claims* a department address but our own receiving server
   says SPF or DMARC failed is quarantined before anything trusts its sender;
5. auto-replies, then mailing lists — recorded, never answered, never drafted;
6. a report needs a known sender address AND a campaign; anything less goes to review,
   never straight into a draft.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from mailflow.core import names
from mailflow.core.campaign import (
    CLOSED_PENALTY,
    MARGIN,
    MIN_SCORE,
    CampaignProfile,
    Decision,
    MailContent,
    decide,
)
from mailflow.model import Campaign, Department, MailKind

LOOP_HEADER = "x-mailflow-id"


@dataclass(frozen=True)
class DsnRecipient:
    """One per-recipient block of a message/delivery-status part (RFC 3464)."""

    recipient: str = ""
    action: str = ""
    status: str = ""
    diagnostic: str = ""


@dataclass(frozen=True)
class MailHeaders:
    """The parsed values identify needs; built by ``mail_parse.mail_headers(parsed)``."""

    message_id: str = ""
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    from_addr: str = ""
    from_name: str = ""
    subject: str = ""
    date: datetime | None = None
    headers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    content_type: str = "text/plain"
    report_type: str = ""
    dsn: tuple[DsnRecipient, ...] = ()
    returned_message_id: str = ""  # Message-ID of the original inside a bounce
    returned_recipients: tuple[str, ...] = ()  # To: of the original inside a bounce
    body_text: str = ""  # first text part, capped; for plain-text bounces and return dates
    attachment_count: int = 0
    not_mail: str = ""  # set by the parser when the bytes are not an RFC 5322 mail
    #: ("received" | "authentication-results", value), top first, in the mail's order
    trace: tuple[tuple[str, str], ...] = ()

    def get(self, name: str) -> tuple[str, ...]:
        return tuple(self.headers.get(name.lower(), ()))

    def first(self, name: str) -> str:
        values = self.get(name)
        return values[0].strip() if values else ""


@dataclass(frozen=True)
class OpenCampaign:
    """A campaign a reply may answer; title/subject/outline feed the content layer."""

    id: str
    token: str
    title: str = ""
    subject: str = ""  # the directive's subject line (trích yếu), when one was sent
    outline: Any = field(default=None, compare=False)  # model.Outline, parsed by the shell
    closed: bool = False  # past its final draft: still a candidate for late replies

    def profile(self) -> CampaignProfile:
        return CampaignProfile(self.id, self.title, self.subject, self.outline, self.closed)


@dataclass(frozen=True)
class KnownState:
    """What we know when a mail arrives: our sends, departments, open campaigns, trust."""

    sent: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # msg-id → (camp, dept)
    addresses: Mapping[str, str] = field(default_factory=dict)  # address → dept code
    aliases: Mapping[str, str] = field(default_factory=dict)  # folded name/alias → dept code
    campaigns: tuple[OpenCampaign, ...] = ()
    trusted_authserv_ids: tuple[str, ...] = ()
    require_auth_pass: bool = False
    own_addresses: tuple[str, ...] = ()
    #: characters of a body (quotes aside) that make list/system mail a report
    #: (``[matching] report_body_chars``; same default as ``REPORT_BODY_CHARS``)
    report_body_chars: int = 200
    #: the content layer's bounds (``[matching] campaign_*``; defaults in core/campaign.py)
    campaign_min_points: float = MIN_SCORE
    campaign_margin: float = MARGIN
    campaign_closed_penalty: float = CLOSED_PENALTY

    @classmethod
    def build(
        cls,
        departments: Iterable[Department],
        campaigns: Iterable[Campaign],
        *,
        sent: Mapping[str, tuple[str, str]] | None = None,
        open_campaigns: Iterable[str] | None = None,
        own_address: str = "",
        trusted_authserv_ids: Iterable[str] = (),
        require_auth_pass: bool = False,
        report_body_chars: int = 200,
        campaign_min_points: float = MIN_SCORE,
        campaign_margin: float = MARGIN,
        campaign_closed_penalty: float = CLOSED_PENALTY,
    ) -> KnownState:
        """Build from the departments and campaigns (plain values; the shell reads them and
        the bounds from the config); ``open_campaigns`` = ids still taking replies (all)."""
        addresses: dict[str, str] = {}
        aliases: dict[str, str] = {}
        for d in departments:
            for e in (*d.head_emails, *d.deputy_emails, *d.emails):
                addresses[e.lower()] = d.code
            for n in d.names:
                aliases[_fold_name(n)] = d.code
        wanted = set(open_campaigns) if open_campaigns is not None else None
        camps = tuple(
            OpenCampaign(c.id, c.token or c.id, c.title)
            for c in campaigns
            if wanted is None or c.id in wanted
        )
        return cls(
            sent={normalize_msgid(k): v for k, v in (sent or {}).items()},
            addresses=addresses,
            aliases=aliases,
            campaigns=camps,
            trusted_authserv_ids=tuple(trusted_authserv_ids),
            require_auth_pass=require_auth_pass,
            own_addresses=(own_address.lower(),) if own_address else (),
            report_body_chars=report_body_chars,
            campaign_min_points=campaign_min_points,
            campaign_margin=campaign_margin,
            campaign_closed_penalty=campaign_closed_penalty,
        )


@dataclass(frozen=True)
class Bounce:
    original_message_id: str = ""
    recipient: str = ""
    status: str = ""
    diagnostic: str = ""
    action: str = ""
    failed: bool = True  # False for "delayed"/"delivered" notices: the send is not failed


@dataclass(frozen=True)
class Identification:
    kind: MailKind
    campaign: str | None
    department: str | None
    reason: str  # message catalogue key, "intake.why.*"
    params: tuple[tuple[str, str], ...] = ()
    return_date: date | None = None
    bounce: Bounce | None = None

    @property
    def reason_params(self) -> dict[str, str]:
        return dict(self.params)


# --- small helpers ------------------------------------------------------------------


def _fold_name(text: str) -> str:
    """Display names compare like outline names do, diacritics kept (they carry meaning)."""
    return names.fold(text or "", diacritics=True)


def normalize_msgid(value: str) -> str:
    """``<id@host>`` without spaces; "" when there is none."""
    value = (value or "").strip()
    m = re.search(r"<([^<>]+)>", value)
    core = m.group(1) if m else value.strip("<> ")
    core = re.sub(r"\s+", "", core)
    return f"<{core}>" if core else ""


_PREFIX = re.compile(
    r"^\s*(re|fw|fwd|tl|tr|sv|vs|aw|wg|rv|antw|trả lời|chuyển tiếp|phản hồi)"
    r"\s*(\[\d+\])?\s*[:：]\s*",
    re.IGNORECASE,
)


def strip_subject_prefixes(subject: str) -> str:
    """ "Re: TL: Fwd: Trả lời: X" → "X"."""
    text = unicodedata.normalize("NFC", subject or "")
    while True:
        new = _PREFIX.sub("", text, count=1)
        if new == text:
            return text.strip()
        text = new


@functools.lru_cache(maxsize=256)  # a handful of open campaigns, asked about every mail
def _token_re(token: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in re.split(r"[\s\-_/.]+", token.strip()) if p]
    body = r"[\s\-_/.]?".join(parts)
    return re.compile(rf"(?<![0-9a-z]){body}(?![0-9a-z])", re.IGNORECASE)


_DAEMONS = {
    "mailer-daemon",
    "postmaster",
    "mail-daemon",
    "maildaemon",
    "mailerdaemon",
    "mdaemon",
    "bounce",
    "bounces",
    "mail-delivery-system",
    "mailer_daemon",
    "post_master",
    "nobody",
    "daemon",
    "root",
    "majordomo",
    "smtp",
    "exim",
    "qmail-send",
}
_DAEMON_NAME = re.compile(
    r"mail delivery (sub)?system|mailer.?daemon|postmaster|"
    r"mail administrator|hệ thống gửi thư",
    re.IGNORECASE,
)
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|undelivered|delivery (status )?notification|delivery fail|failure notice|"
    r"returned mail|mail delivery failed|delivery has failed|could not be delivered|"
    r"non.?delivery|nondeliverable|not delivered|delivery problem|delivery report|"
    r"returned to sender|returning to sender|mail failure|failed delivery|bounce notification|"
    r"не доставлено|message not delivered|warning: could not send|rejected|"
    r"mail system error|permanent error|delivery error|unzustellbar|"
    r"không (thể )?gửi được|không gửi được|thư bị trả lại|gửi thư thất bại",
    re.IGNORECASE,
)
_AUTO_SUBJECT = re.compile(
    r"trả lời tự động|thư trả lời tự động|phản hồi tự động|vắng mặt|nghỉ phép|"
    r"out of (the )?office|automatic reply|auto[- ]?reply|autoreply|auto[- ]?response|"
    r"autoresponse|automatische antwort|réponse automatique|respuesta automática|"
    r"abwesenheit|on vacation|vacation reply|away from (the )?office|i am away",
    re.IGNORECASE,
)
_STATUS = re.compile(r"(?<![\d.])([245]\.\d{1,3}\.\d{1,3})(?![\d.])")
_SMTP_CODE = re.compile(r"(?<!\d)([45]\d\d)[ -]")
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_BODY_MSGID = re.compile(r"^\s*message-id\s*:\s*(<[^<>\s]+>)", re.IGNORECASE | re.MULTILINE)


def _local(addr: str) -> str:
    return addr.split("@", 1)[0].lower() if addr else ""


def _is_daemon(h: MailHeaders) -> bool:
    return (
        _local(h.from_addr) in _DAEMONS
        or bool(h.from_name and _DAEMON_NAME.search(h.from_name))
        or (not h.from_addr and bool(_DAEMON_NAME.search(h.first("from"))))
    )


def _null_return_path(h: MailHeaders) -> bool:
    return (
        any(v.strip() in ("<>", "") for v in h.get("return-path"))
        if h.get("return-path")
        else False
    )


# --- bounces ------------------------------------------------------------------------


def _bounce(h: MailHeaders, known: KnownState) -> Bounce | None:
    is_dsn = h.report_type.lower() == "delivery-status" or bool(h.dsn)
    from_department = h.from_addr in known.addresses
    if not is_dsn:
        subject_says = bool(_BOUNCE_SUBJECT.search(h.subject or ""))
        if not (
            _is_daemon(h)
            or (
                subject_says
                and not from_department
                and (
                    _null_return_path(h)
                    or h.returned_message_id
                    or bool(_STATUS.search(h.body_text))
                )
            )
        ):
            return None
        if _is_daemon(h) and _AUTO_SUBJECT.search(h.subject or "") and not subject_says:
            return None  # a postmaster's own out-of-office is an auto-reply, not a bounce
    own = {h.from_addr, *known.own_addresses}
    recipient = action = status = diagnostic = ""
    failed = True
    if h.dsn:
        chosen = next((r for r in h.dsn if r.action.lower() == "failed"), h.dsn[0])
        recipient, action = chosen.recipient, chosen.action.lower()
        status, diagnostic = chosen.status, chosen.diagnostic
        failed = any(r.action.lower() == "failed" or r.status.startswith("5") for r in h.dsn)
        if all(
            r.action.lower() in ("delayed", "delivered", "relayed", "expanded")
            for r in h.dsn
            if r.action
        ):
            failed = not all(r.action for r in h.dsn)
    body = h.body_text or ""
    if not recipient:
        recipient = _bounce_recipient(body, own, h.returned_recipients)
    if not status:
        m = _STATUS.search(body)
        status = m.group(1) if m else ""
        if not status:
            m2 = _SMTP_CODE.search(body)
            status = m2.group(1) if m2 else ""
    if not diagnostic:
        diagnostic = _diagnostic(body, status)
    if status.startswith("4") and not h.dsn:
        failed = bool(re.search(r"permanent|giving up|failed", body, re.IGNORECASE))
    original = normalize_msgid(h.returned_message_id)
    if not original:
        for m in _BODY_MSGID.finditer(body):
            candidate = normalize_msgid(m.group(1))
            if candidate and candidate != normalize_msgid(h.message_id):
                original = candidate
                break
    return Bounce(original, recipient.lower().strip("<>"), status, diagnostic[:300], action, failed)


def _bounce_recipient(body: str, own: set[str], returned: tuple[str, ...]) -> str:
    for pattern in (
        r"(?:original|final)-recipient\s*:\s*(?:rfc822\s*;)?\s*<?([^\s<>;]+@[^\s<>;]+)",
        r"^\s*<([^<>\s]+@[^<>\s]+)>\s*:",
        r"^\s*<?([^\s<>@:]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})>?\s*$",
        r"rcpt to\s*:?\s*<([^<>\s]+@[^<>\s]+)>",
    ):
        for m in re.finditer(pattern, body, re.IGNORECASE | re.MULTILINE):
            addr = m.group(1).strip(".,;").lower()
            if addr not in own and _local(addr) not in _DAEMONS:
                return addr
    for addr in returned:
        if addr and addr.lower() not in own:
            return addr.lower()
    for m in _EMAIL.finditer(body):
        addr = m.group(0).strip(".").lower()
        if addr not in own and _local(addr) not in _DAEMONS:
            return addr
    return ""


def _diagnostic(body: str, status: str) -> str:
    for line in body.splitlines():
        low = line.lower()
        if (
            "diagnostic-code" in low
            or (status and status in line)
            or re.search(r"(?<!\d)5\d\d[ -]", line)
        ):
            return " ".join(line.split())
    return ""


# --- auto-replies, lists, authentication --------------------------------------------

_VI_RETURN = re.compile(
    r"(?:đến|tới|cho đến|trở lại|quay lại|quay về|đi làm lại|làm việc lại|hết)"
    r"(?:\s+(?:làm việc|văn phòng|cơ quan|vào|hết|lại))*"
    r"\s*(?:ngày|hôm)?\s*(?:thứ\s+\S+\s*,?\s*)?"
    r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?:\s*[/.\-]\s*(\d{2,4}))?",
    re.IGNORECASE,
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _month(name: str) -> int:
    return _MONTHS.index(name.lower()[:3]) + 1


_MON = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_EN_LEAD = (
    r"(?:until|till|til|through|thru|back on|back in the office on|return(?:ing)? on|"
    r"return(?:ing)? to the office on|back at work on)"
    r"\s+(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?(?:the\s+)?"
)
_EN_DMY = re.compile(
    _EN_LEAD + r"(\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?\s+" + _MON + r"(?:,?\s+(\d{4}))?",
    re.IGNORECASE,
)
_EN_MDY = re.compile(
    _EN_LEAD + _MON + r"\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?", re.IGNORECASE
)
_EN_NUM = re.compile(_EN_LEAD + r"(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{2,4}))?", re.IGNORECASE)


def _mkdate(year: str | None, month: int, day: int, ref: datetime | None) -> date | None:
    if year:
        y = int(year)
        y = y + 2000 if y < 100 else y
    elif ref is not None:
        y = ref.year
    else:
        return None
    try:
        found = date(y, month, day)
    except ValueError:
        return None
    if not year and ref is not None and found < ref.date():
        try:  # "until 5/1" written in late December means next year
            found = date(y + 1, month, day) if (ref.date() - found).days > 180 else found
        except ValueError:
            return None
    return found


def return_date(text: str, ref: datetime | None) -> date | None:
    """The date an out-of-office says its writer is back ("đến ngày 25/7/2023", "until July 25")."""
    text = unicodedata.normalize("NFC", text or "")[:4000]
    m = _VI_RETURN.search(text)
    if m:
        return _mkdate(m.group(3), int(m.group(2)), int(m.group(1)), ref)
    m = _EN_DMY.search(text)
    if m:
        return _mkdate(m.group(3), _month(m.group(2)), int(m.group(1)), ref)
    m = _EN_MDY.search(text)
    if m:
        return _mkdate(m.group(3), _month(m.group(1)), int(m.group(2)), ref)
    m = _EN_NUM.search(text)
    if m:
        a, b = int(m.group(1)), int(m.group(2))
        day, month = (a, b) if a > 12 or b <= 12 else (b, a)
        return _mkdate(m.group(3), month, day, ref)
    return None


def _auto_reply_signal(h: MailHeaders) -> str | None:
    """The header or subject that marks an automatic reply, or None."""
    auto = h.first("auto-submitted").lower()
    if auto and not auto.startswith("no"):
        return f"Auto-Submitted: {auto}"
    for name in ("x-autoreply", "x-autorespond", "x-autoresponder", "x-autogenerated"):
        if h.get(name):
            return f"{name}: {h.first(name)}"
    prec = h.first("precedence").lower()
    if prec == "auto_reply":
        return f"Precedence: {prec}"
    if _AUTO_SUBJECT.search(h.subject or "") and h.attachment_count == 0:
        return f"Subject: {h.subject}"
    # Weak signals: some clients set them on ordinary mail, so a mail that carries
    # attachments is not called an auto-reply on their word alone.
    if h.attachment_count == 0:
        if prec in ("bulk", "junk"):
            return f"Precedence: {prec}"
        suppress = h.first("x-auto-response-suppress").lower()
        if suppress and any(w in suppress for w in ("all", "oof", "autoreply")):
            return f"X-Auto-Response-Suppress: {suppress}"
    return None


def _list_signal(h: MailHeaders) -> str | None:
    for name in ("list-id", "list-unsubscribe", "list-post"):
        if h.get(name):
            return name
    if h.first("precedence").lower() == "list":
        return "precedence: list"
    return None


def list_addresses(h: MailHeaders) -> tuple[str, ...]:
    """Addresses a list or group put on a mail (List-Post, Sender, Reply-To of list mail):
    a receipt must never go to them (RFC 3834 §2)."""
    if _list_signal(h) is None:
        return ()
    found: list[str] = []
    for name in ("list-post", "sender", "reply-to"):
        for value in h.get(name):
            found.extend(m.group(0).lower() for m in _EMAIL.finditer(value))
    return tuple(dict.fromkeys(found))


# X-Mailer / User-Agent of document-management systems (hệ thống quản lý văn bản) that
# send official documents by mail on a department's behalf; folded, no diacritics.
_DOCUMENT_SYSTEM = re.compile(
    r"i-?office|e-?office|v-?office|\bqlvb\b|quan ly van ban|van ban dieu hanh|\bedoc\b|"
    r"e-?doc(ument)? ?(system|management)|document management|\bdms\b|\becm\b|"
    r"\bigate\b|egov",
)
#: A mail body at least this long (quoted lines aside) is report text, not a note.
REPORT_BODY_CHARS = 200


def _out_of_office(h: MailHeaders) -> bool:
    """The auto signals an out-of-office sets (auto-replied, X-Autoreply, its subject)."""
    auto = h.first("auto-submitted").lower()
    if auto.startswith("auto-replied"):
        return True
    if any(h.get(n) for n in ("x-autoreply", "x-autorespond", "x-autoresponder")):
        return True
    if "reply" in h.first("x-autogenerated").lower():
        return True
    if h.first("precedence").lower() == "auto_reply":
        return True
    return bool(_AUTO_SUBJECT.search(h.subject or ""))


def _system_signal(h: MailHeaders) -> str | None:
    """A program (a document system) sent this mail — not an out-of-office."""
    auto = h.first("auto-submitted").lower()
    if auto and not auto.startswith("no") and not auto.startswith("auto-replied"):
        return f"Auto-Submitted: {auto}"
    for name in ("x-mailer", "user-agent"):
        value = h.first(name)
        if value and _DOCUMENT_SYSTEM.search(names.fold(value)):
            return f"{name}: {value}"
    return None


def _carries_report(h: MailHeaders, body_chars: int = REPORT_BODY_CHARS) -> bool:
    """A document attached, or a body long enough to be report text."""
    if h.attachment_count > 0:
        return True
    own = [x for x in (h.body_text or "").splitlines() if not x.lstrip().startswith(">")]
    return len(" ".join(" ".join(own).split())) >= body_chars


_AR_RESULT = re.compile(r"^\s*(spf|dmarc|dkim)\s*=\s*([a-z]+)\b(.*)$", re.IGNORECASE | re.DOTALL)
_AR_PROP = re.compile(r"\b(header\.from|header\.d|header\.i|smtp\.mailfrom)\s*=\s*([^\s;]+)", re.I)


@dataclass(frozen=True)
class AuthResult:
    """One method's result in an Authentication-Results header, and the domain it is for."""

    method: str  # spf | dmarc | dkim
    result: str  # pass | fail | none | softfail | …
    domain: str  # header.from / smtp.mailfrom / header.d domain; "" when not stated


def _authserv_id(value: str) -> str:
    head = re.sub(r"\([^)]*\)", " ", value).split(";", 1)[0].split()
    return head[0].lower().rstrip(".") if head else ""


def _domain_of(value: str) -> str:
    return value.strip().strip('<>"').rsplit("@", 1)[-1].lower().rstrip(".")


def _parse_ar(value: str) -> list[AuthResult]:
    """The results of one header: ``authserv-id; dmarc=pass header.from=x; spf=…``."""
    out: list[AuthResult] = []
    body = re.sub(r"\([^)]*\)", " ", value)
    for resinfo in body.split(";")[1:]:
        m = _AR_RESULT.match(resinfo)
        if not m:
            continue
        props = {k.lower(): v for k, v in _AR_PROP.findall(m.group(3))}
        method = m.group(1).lower()
        if method == "dmarc":
            domain = props.get("header.from", "")
        elif method == "spf":
            domain = props.get("smtp.mailfrom", "")
        else:
            domain = props.get("header.d") or props.get("header.i", "")
        out.append(AuthResult(method, m.group(2).lower(), _domain_of(domain) if domain else ""))
    return out


def _auth_results(h: MailHeaders, trusted: tuple[str, ...]) -> list[AuthResult]:
    """Results from the topmost contiguous block of our trusted servers' headers (RFC 8601 §5).

    A receiving server prepends its Authentication-Results, so what it wrote is on top;
    anything below its trace (a Received line) or below a header of another authserv-id
    was in the mail when it arrived — written by the sender, who can claim any
    authserv-id. Only the first run of trusted headers counts, read top down: Received
    lines and other servers' results above it are skipped, the run ends at the next
    Received line or the next header of an untrusted authserv-id.
    """
    wanted = {t.lower().rstrip(".") for t in trusted}
    trace = h.trace or tuple(("authentication-results", v) for v in h.get("authentication-results"))
    block: list[AuthResult] = []
    started = False
    for name, value in trace:
        if name == "received":
            if started:
                break
            continue
        if _authserv_id(value) in wanted:
            started = True
            block.extend(_parse_ar(value))
        elif started:
            break
    return block


def _spoof(h: MailHeaders, known: KnownState) -> tuple[str, tuple[tuple[str, str], ...]] | None:
    """A department's address our own server says failed, or (strict mode) did not pass.

    A failure counts whatever domain it names (caution costs a person one look); a pass
    counts only when it is for the From address's own domain: a genuine ``dmarc=pass``
    for the sender's domain says nothing about a department's address.
    """
    results = _auth_results(h, known.trusted_authserv_ids)
    for r in results:
        if r.method in ("dmarc", "spf") and r.result == "fail":
            return "intake.why.auth_fail", (("method", r.method), ("address", h.from_addr))
    domain = _domain_of(h.from_addr) if "@" in h.from_addr else ""
    passed = any(r.result == "pass" and domain and r.domain == domain for r in results)
    if known.require_auth_pass and not passed:
        return "intake.why.auth_missing", (("address", h.from_addr),)
    return None


def authenticated(h: MailHeaders, trusted: tuple[str, ...]) -> bool | None:
    """Did our trusted server authenticate the From address? True: a pass for the From
    domain and no failure; False: a failure (any domain, as in ``_spoof``); None: our
    server said nothing that decides it. The Office's reply commands act on True only."""
    results = _auth_results(h, trusted)
    if any(r.method in ("dmarc", "spf", "dkim") and r.result == "fail" for r in results):
        return False
    domain = _domain_of(h.from_addr) if "@" in (h.from_addr or "") else ""
    if any(r.result == "pass" and domain and r.domain == domain for r in results):
        return True
    return None


_LABEL = r"[A-Za-z0-9\u00c0-\uffff-]+"
_ADDRESS_LIKE = re.compile(r"[^\s<>\"'(),;:@]+@" + _LABEL + r"(?:\." + _LABEL + r")+")


def name_claims_other_address(h: MailHeaders) -> str | None:
    """The address a display name spells out when it is not the real sender address.

    ``"qlkh@sokhcn.example" <attacker@evil.test>`` shows people (and some mail clients)
    a department's address that the mail does not come from: a classic look-alike.
    """
    for m in _ADDRESS_LIKE.finditer(h.from_name or ""):
        claimed = m.group(0).strip(".").lower()
        if claimed != (h.from_addr or "").lower():
            return claimed
    return None


# --- campaign and department ----------------------------------------------------------


def _campaign(
    h: MailHeaders, known: KnownState
) -> tuple[str | None, str | None, str, tuple[tuple[str, str], ...]]:
    """(campaign, department-of-send, how, params)."""
    # layer 1: the thread — any mail we sent for a campaign (directive, reminder,
    # receipt, Office answer); a send with no campaign says nothing, look further back
    ids = [h.in_reply_to, *reversed(h.references)]
    for raw in ids:
        mid = normalize_msgid(raw)
        if mid and mid in known.sent and known.sent[mid][0]:
            camp, dept = known.sent[mid]
            return camp, dept or None, "intake.why.campaign_reply", (("message_id", mid),)
    # layer 2: the campaign token in the subject
    subject = strip_subject_prefixes(h.subject)
    hits = [c for c in known.campaigns if c.token and _token_re(c.token).search(subject)]
    if len(hits) == 1:
        return hits[0].id, None, "intake.why.campaign_token", (("token", hits[0].token),)
    if len(hits) > 1:
        return (
            None,
            None,
            "intake.why.campaign_ambiguous",
            (("campaigns", ", ".join(c.id for c in hits)),),
        )
    if len(known.campaigns) == 1:
        return known.campaigns[0].id, None, "intake.why.campaign_only_open", ()
    if not known.campaigns:
        return None, None, "intake.why.campaign_none_open", ()
    # layer 3 (headers and body only here; intake repeats it with the documents' text)
    sender_dept = known.addresses.get(h.from_addr.lower()) if h.from_addr else None
    decision = decide_campaign(known, MailContent(h.subject, h.body_text, (), sender_dept))
    return (decision.campaign, None, *campaign_reason(decision))


def decide_campaign(known: KnownState, content: MailContent) -> Decision:
    """The content layer over every campaign we know (closed ones rank after open)."""
    return decide(
        content,
        [c.profile() for c in known.campaigns],
        margin=known.campaign_margin,
        min_score=known.campaign_min_points,
        closed_penalty=known.campaign_closed_penalty,
    )


def campaign_reason(decision: Decision) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The reason key and params of a content decision: the evidence, best first."""
    if decision.campaign is not None:
        return "intake.why.campaign_content", (
            ("campaign", decision.campaign),
            ("evidence", decision.evidence()),
        )
    return "intake.why.campaign_unknown", (
        ("campaigns", ", ".join(e.campaign for e in decision.ranked)),
        ("evidence", decision.evidence()),
    )


def _department(h: MailHeaders, known: KnownState) -> tuple[str | None, str]:
    """(code, "address" | "alias" | "")."""
    if h.from_addr and h.from_addr.lower() in known.addresses:
        return known.addresses[h.from_addr.lower()], "address"
    name = _fold_name(h.from_name)
    if name and name in known.aliases:
        return known.aliases[name], "alias"
    return None, ""


def _ident(
    kind: MailKind,
    camp: str | None,
    dept: str | None,
    reason: str,
    params: Iterable[tuple[str, Any]] = (),
    **extra: Any,
) -> Identification:
    return Identification(kind, camp, dept, reason, tuple((k, str(v)) for k, v in params), **extra)


_HELD = {"unparseable": "intake.why.unparseable", "too-large": "intake.why.too_large"}
_RECEIPT_REASONS = {
    "disposition-notification": "intake.why.read_receipt",
    "feedback-report": "intake.why.feedback_report",
}


def identify(h: MailHeaders, known: KnownState) -> Identification:
    """Decide campaign, department and kind of one mail, with the reason."""
    if h.not_mail in _HELD:
        # a real mail we could not read: a person must see it, never a silent shelf
        return _ident(MailKind.QUARANTINED, None, None, _HELD[h.not_mail], ())
    if h.not_mail:
        return _ident(MailKind.IGNORED, None, None, "intake.why.not_mail", (("what", h.not_mail),))
    loop = h.first(LOOP_HEADER)
    if loop:
        return _ident(
            MailKind.OWN,
            loop.split("/", 1)[0].strip() or None,
            None,
            "intake.why.own_loop",
            (("value", loop),),
        )
    if h.from_addr and h.from_addr.lower() in known.own_addresses:
        return _ident(
            MailKind.OWN, None, None, "intake.why.own_address", (("address", h.from_addr),)
        )
    report_type = h.report_type.lower()
    if report_type in _RECEIPT_REASONS:
        # what a department's own address sends is shown to a person, never shelved: a read
        # receipt is not a report, but a report sent as one (or misread as one) must be seen
        dept, dept_how = _department(h, known)
        if dept_how != "address":
            return _ident(MailKind.IGNORED, None, None, _RECEIPT_REASONS[report_type])
        spoof = _spoof(h, known)
        if spoof is not None:
            return _ident(MailKind.QUARANTINED, None, dept, spoof[0], spoof[1])
        camp = _campaign(h, known)[0]
        return _ident(MailKind.REVIEW, camp, dept, _RECEIPT_REASONS[report_type])

    bounce = _bounce(h, known)
    if bounce is not None:
        camp = dept = None
        if bounce.original_message_id in known.sent:
            camp, dept = known.sent[bounce.original_message_id]
        else:
            camp, dept, _, _ = (
                _campaign(h, known)
                if any(normalize_msgid(x) in known.sent for x in (h.in_reply_to, *h.references))
                else (None, None, "", ())
            )
        if dept is None and bounce.recipient in known.addresses:
            dept = known.addresses[bounce.recipient]
        reason = (
            "intake.why.bounce_dsn"
            if h.dsn or report_type == "delivery-status"
            else "intake.why.bounce_text"
        )
        if not bounce.failed:
            reason = "intake.why.bounce_delayed"
        return _ident(
            MailKind.BOUNCE,
            camp,
            dept,
            reason,
            (("recipient", bounce.recipient or "?"), ("status", bounce.status or "?")),
            bounce=bounce,
        )

    dept, dept_how = _department(h, known)
    if dept_how == "address":
        spoof = _spoof(h, known)
        if spoof is not None:
            return _ident(MailKind.QUARANTINED, None, dept, spoof[0], spoof[1])

    camp, send_dept, camp_how, camp_params = _campaign(h, known)
    # Mail not to be answered, but to be read: a department's report sent through its
    # group address or by a document system is a report (never answered: RFC 3834, see
    # may_auto_answer); an out-of-office stays an auto-reply.
    readable = _carries_report(h, known.report_body_chars) and (
        dept_how == "address" or send_dept is not None or camp is not None
    )
    system = _system_signal(h)
    auto = _auto_reply_signal(h)
    if auto is not None and readable and system is not None and not _out_of_office(h):
        auto = None
    if auto is not None:
        back = return_date(f"{h.subject}\n{h.body_text}", h.date)
        return _ident(
            MailKind.AUTO_REPLY,
            camp,
            dept or send_dept,
            "intake.why.auto_reply",
            (("signal", auto), ("back", back.isoformat() if back else "")),
            return_date=back,
        )
    lst = _list_signal(h)
    via: tuple[str, tuple[tuple[str, str], ...]] | None = None
    if system is not None:
        via = ("intake.why.report_from_system", (("signal", system),))
    if lst is not None:
        from_department = dept_how == "address" or send_dept is not None
        if not (readable and from_department):
            # what a department's address sends is shown to a person, never shelved
            kind = MailKind.REVIEW if dept_how == "address" else MailKind.IGNORED
            reason = (
                "intake.why.list_from_department"
                if dept_how == "address"
                else "intake.why.mailing_list"
            )
            return _ident(kind, camp, dept, reason, (("header", lst),))
        via = ("intake.why.report_via_list", (("header", lst),))
    if h.report_type or h.content_type.lower() == "multipart/report":
        return _ident(
            MailKind.REVIEW if dept_how == "address" else MailKind.IGNORED,
            camp,
            dept,
            "intake.why.machine_report",
            (("type", h.report_type or h.content_type),),
        )

    claimed = name_claims_other_address(h)
    if claimed is not None:  # a name that shows another address: a person decides
        return _ident(
            MailKind.REVIEW,
            camp,
            None,
            "intake.why.name_claims_address",
            (("address", h.from_addr or "?"), ("claimed", claimed)),
        )
    if dept_how == "":
        return _ident(
            MailKind.REVIEW,
            camp,
            send_dept,
            "intake.why.unknown_sender",
            (("address", h.from_addr or "?"), ("name", h.from_name)),
        )
    if dept_how == "alias":
        return _ident(
            MailKind.REVIEW,
            camp,
            dept,
            "intake.why.alias_only",
            (("address", h.from_addr or "?"), ("name", h.from_name), ("code", dept)),
        )
    if camp is None:
        return _ident(MailKind.REVIEW, None, dept, camp_how, camp_params)
    if via is not None:
        return _ident(MailKind.REPORT, camp, dept, via[0], via[1])
    return _ident(MailKind.REPORT, camp, dept, camp_how, camp_params)


def may_auto_answer(h: MailHeaders) -> bool:
    """RFC 3834: never answer an automatic mail, a bounce, a list or ourselves."""
    if h.first(LOOP_HEADER) or _is_daemon(h) or _null_return_path(h):
        return False
    if h.content_type.lower() == "multipart/report" or h.report_type or h.dsn:
        return False
    if _list_signal(h) is not None or _system_signal(h) is not None:
        return False
    auto = h.first("auto-submitted").lower()
    if auto and not auto.startswith("no"):
        return False
    if any(
        h.get(n) for n in ("x-autoreply", "x-autorespond", "x-autoresponder", "x-autogenerated")
    ):
        return False
    if h.first("precedence").lower() in ("bulk", "junk", "list", "auto_reply"):
        return False
    suppress = h.first("x-auto-response-suppress").lower()
    if suppress and any(w in suppress for w in ("all", "oof", "autoreply")):
        return False
    return not _AUTO_SUBJECT.search(h.subject or "") and not _BOUNCE_SUBJECT.search(h.subject or "")
