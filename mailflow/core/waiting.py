"""What waits for a person, one line each, for the end of every Office mail.

Pure: the rows come from the store (parts in review or unplaced, held mails, replaced
parts), the unread documents from the draft plan, and the sentences from the caller's
``say`` (the message catalogue in the mail's language) and ``reason`` (a stored reason
key rendered for people), so the same facts always give the same lines.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from mailflow.core.draft_plan import UnreadDocument
from mailflow.core.sections import name_of_key
from mailflow.model import Outline

#: the kinds of mail held for a person (the list's "held mails")

#: renders catalogue entry ``key`` with its params (``KeyError`` if there is none)
Say = Callable[..., str]


def short(text: str | None, width: int) -> str:
    """``text`` on one line, cut to ``width`` characters with an ellipsis."""
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def waiting_lines(
    outline: Outline,
    open_parts: Sequence[Mapping[str, Any]],
    held_mails: Sequence[Mapping[str, Any]],
    unread: Sequence[UnreadDocument],
    replaced: Sequence[Mapping[str, Any]],
    say: Say,
    reason: Callable[[str, dict[str, str]], str],
) -> list[str]:
    """The lines, in this order: parts in review or unplaced (with their best three
    candidates by the outline's number), held mails, report files that gave no text
    (``unread``: the draft's own list, so the mail and the draft name the same files;
    one whose text is in the draft waits on nothing), replaced parts. The ids are the
    ones the reply commands take."""
    none = say("review.none_section")
    lines: list[str] = []
    for r in open_parts:
        best = [name_of_key(outline, k, none) for k, _ in json.loads(r["candidates"] or "[]")[:3]]
        lines.append(
            say(
                "office.wait_part",
                id=r["id"],
                department=r["department"] or "-",
                text=short(r["heading"] or r["text"], 60),
                best="; ".join(short(b, 50) for b in best) or "-",
            )
        )
    for m in held_mails:
        try:
            params = json.loads(m["detail"] or "{}").get("reason_params") or {}
        except ValueError:
            params = {}
        lines.append(
            say(
                "office.wait_mail",
                id=m["id"],
                sender=m["from_addr"] or "?",
                subject=short(m["subject"], 50),
                reason=reason(m["reason"] or "", params if isinstance(params, dict) else {}),
            )
        )
    for d in unread:
        if d.gave_text:
            continue  # its text is in the draft: nothing waits on it
        try:
            why = say(d.reason.key, **d.reason.kwargs)
        except (KeyError, IndexError, ValueError):
            why = d.reason.key
        lines.append(
            say(
                "office.wait_doc",
                name=short(d.file_name, 50),
                department=d.department or "-",
                sender=d.sender or "-",
                reason=short(why, 80),
            )
        )
    for g in replaced:
        lines.append(
            say(
                "office.wait_replaced",
                id=g["id"],
                department=g["department"] or "-",
                section=name_of_key(outline, g["section_key"], none),
            )
        )
    return lines
