"""Keep what the department wrote in a mail body; drop the quoted original and signature.

A department that pastes its report into the reply also sends back our whole directive
below it ("On ... wrote:", Outlook's "From: ... Sent: ..." block) and its signature.
Placing that quoted directive into the draft would duplicate our own text under every
section, so everything from the first quote header on is cut, as are "> " lines and the
signature. Forwarded-message markers are *not* cut: a forwarded report is the report.
"""

from __future__ import annotations

import re

# One-line reply headers (Gmail, Apple Mail, Thunderbird; English and Vietnamese).
_WROTE = re.compile(
    r"^\s*(on\b.{0,300}\bwrote\s*:|vào\b.{0,300}đã viết\s*:|le\b.{0,300}a écrit\s*:"
    r"|am\b.{0,300}schrieb\s*:|.{0,200}\bwrote\s*:$|.{0,200}đã viết\s*:$)\s*$",
    re.IGNORECASE,
)
# Two-line Gmail header: "On Mon, 3 Jul 2023 at 09:00, Name <" / "addr> wrote:".
_WROTE_START = re.compile(r"^\s*(on|vào)\s+\S.{0,200}$", re.IGNORECASE)
_WROTE_END = re.compile(r"(wrote|đã viết)\s*:\s*$", re.IGNORECASE)
_ORIGINAL = re.compile(
    r"^\s*-{2,}\s*(original message|thư gốc|tin nhắn gốc|message d'origine|"
    r"ursprüngliche nachricht)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_OUTLOOK_FROM = re.compile(r"^\s*\**\s*(from|từ|người gửi)\s*\**\s*:\s*\S", re.IGNORECASE)
_OUTLOOK_NEXT = re.compile(
    r"^\s*\**\s*(sent|date|to|subject|cc|đã gửi|ngày|gửi|đến|tới|chủ đề|tiêu đề)\s*\**\s*:",
    re.IGNORECASE,
)
_UNDERSCORES = re.compile(r"^\s*_{10,}\s*$")
_SIG_DELIM = re.compile(r"^-- ?$")
_CLOSING = re.compile(
    r"^\s*(trân trọng|trân thành cảm ơn|xin trân trọng cảm ơn|thân ái|kính thư|"
    r"best regards|kind regards|warm regards|regards|best wishes|sincerely|yours sincerely|"
    r"thanks and regards|thanks & regards|many thanks|cheers)\b[\s!.,;:/]*(\S.*)?$",
    re.IGNORECASE,
)
_DEVICE = re.compile(
    r"^\s*(sent from my \w+|get outlook for \w+|gửi từ \S+ của tôi|được gửi từ .{0,40})\s*\.?\s*$",
    re.IGNORECASE,
)
SIGNATURE_MAX_LINES = 15


def _quote_start(lines: list[str]) -> int | None:
    """Index of the first line of the quoted original, or None."""
    for i, line in enumerate(lines):
        if _ORIGINAL.match(line) or _WROTE.match(line):
            return i
        if _WROTE_START.match(line) and i + 1 < len(lines) and _WROTE_END.search(lines[i + 1]):
            return i
        if _OUTLOOK_FROM.match(line) or (
            _UNDERSCORES.match(line) and i + 1 < len(lines) and _OUTLOOK_FROM.match(lines[i + 1])
        ):
            window = lines[i + 1 : i + 6]
            if sum(1 for w in window if _OUTLOOK_NEXT.match(w)) >= 2:
                return i
    return None


def _signature_start(lines: list[str]) -> int | None:
    """Index where the signature begins: "-- ", a device footer, or a closing near the end."""
    for i, line in enumerate(lines):
        if _SIG_DELIM.match(line):
            return i
    for i, line in enumerate(lines):
        if _DEVICE.match(line) and len(lines) - i <= SIGNATURE_MAX_LINES:
            return i
    for i, line in enumerate(lines):
        if i > 0 and _CLOSING.match(line) and len(lines) - i <= SIGNATURE_MAX_LINES:
            return i
    return None


def strip_reply(text: str) -> str:
    """The part of a reply body the sender wrote, without quoted original or signature."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cut = _quote_start(lines)
    if cut is not None:
        lines = lines[:cut]
    lines = [ln for ln in lines if not ln.lstrip().startswith(">")]
    while lines and not lines[-1].strip():
        lines.pop()
    sig = _signature_start(lines)
    if sig is not None:
        lines = lines[:sig]
    out = "\n".join(ln.rstrip() for ln in lines).strip("\n")
    return re.sub(r"\n{3,}", "\n\n", out).strip()


def kept_lines(lines: list[str]) -> int:
    """How many leading ``lines`` (paragraphs of an HTML body, in order) the sender wrote:
    the same cut as :func:`strip_reply` — before the quoted original, then the signature."""
    cut = _quote_start(lines)
    head = lines[: len(lines) if cut is None else cut]
    while head and not head[-1].strip():
        head.pop()
    sig = _signature_start(head)
    return len(head) if sig is None else sig
