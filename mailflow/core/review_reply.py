"""The Office's review decisions, read from its reply to a draft mail.

The Office never opens a terminal: it answers the draft mail with one command a line, in
Vietnamese or English, with or without diacritics (phones drop them):

    đặt 33 vào 2.1        place 33 2.1        (put part 33 under section 2.1)
    phụ lục 33            appendix 33         (part 33 to the appendix)
    nhận thư 9 của QLKH   release 9 QLKH      (held mail 9 is QLKH's report)
    đợt 2024-kh cho thư 12  campaign 12 2024-kh  (held mail 12 answers campaign 2024-kh)
    khôi phục 41          restore 41          (undo the replacement of part 41)

Only what the person wrote counts: the quoted draft mail (which lists these very
commands as examples) and the signature are cut first (``core.reply_body.strip_reply``).
Every other non-empty line is reported back as not understood, with the accepted forms.
Pure: text in, commands out; whether the sender may command anything is
:func:`reply_trusted`'s decision, from the headers alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from mailflow.core.identify import MailHeaders, authenticated
from mailflow.core.names import fold
from mailflow.core.reply_body import strip_reply

#: at most this many command lines are read from one reply (the rest: not understood)
MAX_COMMANDS = 50


@dataclass(frozen=True)
class Place:
    part: int
    section: str  # as typed: "2.1", "1.2.2.1", a title prefix


@dataclass(frozen=True)
class Appendix:
    part: int


@dataclass(frozen=True)
class Release:
    mail: int
    department: str  # as typed; the config decides whether it is a department code


@dataclass(frozen=True)
class Restore:
    part: int


@dataclass(frozen=True)
class SetCampaign:
    """A held mail is this campaign's report (issue 18: the content could not tell)."""

    mail: int
    campaign: str  # as typed, folded; the config decides whether it is a campaign id


Command = Place | Appendix | Release | Restore | SetCampaign


@dataclass(frozen=True)
class ParsedReply:
    commands: tuple[tuple[str, Command], ...]  # (the line as written, the command)
    unreadable: tuple[str, ...]  # lines that are not a command, as written


_BULLET = re.compile(r"^\s*(?:[-*•·+]|\d{1,2}[.)])\s+")
_N = r"(?:#\s*)?(\d{1,9})"
_PART = r"(?:phan|part|doan)?\s*"
_MAIL = r"(?:thu|mail|email|e-mail|message)?\s*"
_APPENDIX_WORDS = r"(?:phu luc|appendix|none|-)"

# matched against the folded line (lower case, no diacritics, single spaces)
_FORMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            rf"^(?:dat|xep|place|put)\s+{_PART}{_N}\s+(?:vao|to|in|into|under)?\s*"
            rf"(?:muc\s+|section\s+)?{_APPENDIX_WORDS}$"
        ),
        "appendix",
    ),
    (re.compile(rf"^(?:phu luc|appendix|unplace)\s+{_PART}{_N}$"), "appendix"),
    (
        re.compile(
            rf"^(?:dat|xep|place|put)\s+{_PART}{_N}\s+(?:vao|to|in|into|under)?\s*"
            r"(?:muc\s+|section\s+)?(\S.*)$"
        ),
        "place",
    ),
    (
        re.compile(
            rf"^(?:nhan|chap nhan|release|accept)\s+{_MAIL}{_N}\s+"
            r"(?:cua|la cua|of|for|from|as)?\s*(?:phong\s+|department\s+)?([a-z0-9_&.-]+)$"
        ),
        "release",
    ),
    (re.compile(rf"^(?:khoi phuc|phuc hoi|restore|undo)\s+{_PART}{_N}$"), "restore"),
)


_CAMPAIGN_ID = r"([a-z0-9][a-z0-9_.-]*)"
# "đợt 2024-kh cho thư 12", "campaign 2024-kh for 12"; "campaign 12 2024-kh", "đợt thư 12
# là 2024-kh": which comes first is told by the number (a campaign id is never digits only)
_CAMPAIGN_FORMS = (
    re.compile(rf"^(?:dot|campaign)\s+{_CAMPAIGN_ID}\s+(?:cho|for|of)\s+{_MAIL}{_N}$"),
    re.compile(
        rf"^(?:dot|campaign)\s+{_MAIL}{_N}\s+(?:la|thuoc|vao|is|to|in)?\s*"
        rf"(?:dot\s+|campaign\s+)?{_CAMPAIGN_ID}$"
    ),
)


def _campaign_command(folded: str) -> SetCampaign | None:
    folded = folded.rstrip(". ")  # "… cho thư 12." — a campaign id never ends with a dot
    m = _CAMPAIGN_FORMS[0].match(folded)
    if m and not m.group(1).isdigit():
        return SetCampaign(int(m.group(2)), m.group(1))
    m = _CAMPAIGN_FORMS[1].match(folded)
    if m and not m.group(2).isdigit():
        return SetCampaign(int(m.group(1)), m.group(2))
    return None


def _folded(line: str) -> str:
    return " ".join(fold(line).split())


def parse_command(line: str) -> Command | None:
    """One line → a command, or None when it is not one of the accepted forms."""
    text = _BULLET.sub("", line).strip().rstrip(";,")
    folded = _folded(text)
    by_campaign = _campaign_command(folded)
    if by_campaign is not None:
        return by_campaign
    for pattern, what in _FORMS:
        m = pattern.match(folded)
        if not m:
            continue
        number = int(m.group(1))
        if what == "appendix":
            return Appendix(number)
        if what == "restore":
            return Restore(number)
        if what == "release":
            return Release(number, m.group(2).upper())
        # the section as the person typed it (diacritics kept for a title prefix):
        # the same number of trailing words as the folded match took
        words = text.split()
        taken = len(m.group(2).split())
        return Place(number, " ".join(words[-taken:]))
    return None


def parse_reply(body: str) -> ParsedReply:
    """The commands in what the person wrote, and the lines that were not commands."""
    commands: list[tuple[str, Command]] = []
    unreadable: list[str] = []
    for raw in strip_reply(body).splitlines():
        line = raw.strip()
        if not line:
            continue
        command = parse_command(line) if len(commands) < MAX_COMMANDS else None
        if command is None:
            unreadable.append(line)
        else:
            commands.append((line, command))
    return ParsedReply(tuple(commands), tuple(unreadable))


def reply_trusted(
    h: MailHeaders,
    office_emails: tuple[str, ...],
    trusted_authserv_ids: tuple[str, ...],
    trust_unauthenticated: bool,
) -> str | None:
    """None when mailflow may act on this reply; otherwise the reason key it may not.

    The sender must be an ``office.emails`` address and our trusted server must say the
    From address passed (``identify.authenticated``: RFC 8601, topmost trusted block);
    ``trust_unauthenticated`` (``office.trust_unauthenticated_replies``) waives the
    second check, for the embedded demo server that writes no Authentication-Results.
    A failure named by the trusted server is never waived.
    """
    if (h.from_addr or "").lower() not in {e.lower() for e in office_emails}:
        return "reply.why.not_office"
    verdict = authenticated(h, trusted_authserv_ids)
    if verdict is False:
        return "reply.why.auth_fail"
    if verdict is None and not trust_unauthenticated:
        return "reply.why.auth_missing"
    return None


#: what identify may have called a reply of the Office before we look at it as one
_REREAD = {"report", "review"}
_REREAD_HELD = {"intake.why.auth_fail", "intake.why.auth_missing"}


def office_reply_kind(
    h: MailHeaders,
    ident_kind: str,
    ident_reason: str,
    sent: Mapping[str, tuple[str, str]],
    office_emails: tuple[str, ...],
    trusted_authserv_ids: tuple[str, ...],
    trust_unauthenticated: bool,
) -> tuple[str, str | None, str, dict[str, str]] | None:
    """(kind, campaign, reason, params) when this mail is the Office answering one of
    our Office mails (draft, digest, final, an answer), else None (identify's verdict
    stands). ``sent``: our Message-IDs → (campaign, department); an Office mail has no
    department. An authenticated one is "office-reply"; otherwise it is held ("review")
    and changes nothing. Auto-replies, bounces and our own mail are never read here."""
    from mailflow.core.identify import normalize_msgid

    if (h.from_addr or "").lower() not in {e.lower() for e in office_emails}:
        return None
    if ident_kind not in _REREAD and not (
        ident_kind == "quarantined" and ident_reason in _REREAD_HELD
    ):
        return None
    campaign = None
    for raw in (h.in_reply_to, *reversed(h.references)):
        hit = sent.get(normalize_msgid(raw))
        if hit is not None and not hit[1]:
            campaign = hit[0] or None
            break
    else:
        return None
    why = reply_trusted(h, office_emails, trusted_authserv_ids, trust_unauthenticated)
    if why is None:
        return "office-reply", campaign, "reply.why.office_reply", {"address": h.from_addr}
    return "review", campaign, why, {"address": h.from_addr}
