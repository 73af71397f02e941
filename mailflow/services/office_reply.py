"""The Office reviews by replying to a draft mail: read its commands, apply, answer.

Intake has already decided who may command (``core.review_reply.office_reply_kind``):
only a reply from an ``office.emails`` address that our trusted server authenticated is
kind "office-reply"; anything else was held for a person and never reaches this module.
Here each such mail is handled once — keyed by its Message-ID, so the same reply
delivered twice (a resend, a second copy in another folder) changes nothing — through
the very functions `mailflow place/release/restore` use (``jobs.review``), signed with
the Office's address so `history` names who decided. The Office gets an answer saying
what was done and which lines could not be read (with the accepted forms), never when
the reply was automatic (RFC 3834), and a new draft when a placement changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mailflow.adapters import mail_parse
from mailflow.adapters.archive import Archive
from mailflow.adapters.store import Store
from mailflow.config import Config
from mailflow.core.identify import may_auto_answer, normalize_msgid
from mailflow.core.review_reply import (
    Appendix,
    Place,
    Release,
    Restore,
    SetCampaign,
    parse_reply,
)
from mailflow.core.sections import name_of_key
from mailflow.errors import MailflowError
from mailflow.i18n import speaking, t
from mailflow.model import MailKind
from mailflow.services.assemble import assemble
from mailflow.services.basics import load_outline
from mailflow.services.office_mail import send_draft
from mailflow.services.outbox import queue_mail
from mailflow.services.review import place_part, release_mail, restore

if TYPE_CHECKING:
    from mailflow.adapters.convert import Converter

ANSWER_KIND = "answer"


@dataclass
class ReplyOutcome:
    mail_id: int
    sender: str
    done: list[str] = field(default_factory=list)  # one line per applied command
    failed: list[str] = field(default_factory=list)  # command line — why
    unreadable: list[str] = field(default_factory=list)
    duplicate: bool = False
    changed: bool = False  # a placement changed: a new draft follows
    queued: list[Any] = field(default_factory=list)  # outbox rows (answer, draft)


def _pending(store: Store) -> list[dict[str, Any]]:
    return store.unhandled_mails(MailKind.OFFICE_REPLY.value)


def _seen(store: Store, mail_id: int, message_id: str) -> bool:
    """Another mail with this Message-ID was handled already: this one is a repeat."""
    if not message_id:
        return False
    return store.handled_elsewhere(MailKind.OFFICE_REPLY.value, message_id, mail_id)


def _apply(
    cfg: Config,
    store: Store,
    archive: Archive,
    command: Any,
    campaign: str | None,
    user: str,
    now: datetime,
    converter: Converter,
) -> tuple[str, bool]:
    """(what was done, whether the draft changed); MailflowError when refused."""
    _own_campaign(store, command, campaign)
    if isinstance(command, Place | Appendix):
        section = command.section if isinstance(command, Place) else "none"
        placed = place_part(cfg, store, command.part, section, user=user, now=now)
        if not placed.changed:
            return t("reply.done_unchanged", id=command.part, section=placed.after), False
        line = t("reply.done_place", id=command.part, before=placed.before, after=placed.after)
        if placed.replaced:
            # the reply's own undo form, not the terminal's (the Office has no terminal)
            line += " " + t("reply.placed_replaces", ids=", ".join(map(str, placed.replaced)))
        return line, True
    if isinstance(command, Release):
        done = release_mail(
            cfg,
            store,
            archive,
            command.mail,
            command.department,
            campaign_id=campaign,
            user=user,
            now=now,
            converter=converter,
        )
        r = done.result
        text = t("reply.done_release", id=command.mail, department=done.department, parts=r.parts)
        if r.waiting:
            text += " " + t("review.match_waiting", n=r.waiting)
        return text, r.parts > 0
    if isinstance(command, SetCampaign):
        return _set_campaign(cfg, store, archive, command, user, now, converter)
    assert isinstance(command, Restore)
    row = restore(store, command.part, user=user, now=now)
    outline = load_outline(cfg, cfg.campaign(row["campaign"]))
    section = name_of_key(outline, row.get("section_key"), t("review.none_section"))
    return t("reply.done_restore", id=command.part, section=section), True


def _own_campaign(store: Store, command: Any, campaign: str | None) -> None:
    """A reply acts only on what its own campaign's mail could list: parts of that
    campaign, and held mails of that campaign or of none yet (those are listed in every
    campaign's mail; settling them is what ``release`` / ``đợt`` are for). A reply to
    campaign A's draft that names campaign B's part is refused before anything changes.
    A reply tied to no campaign (answering an answer that had none) is not limited."""
    if not campaign:
        return
    if isinstance(command, Place | Appendix | Restore):
        part = store.part(command.part)
        other = part["campaign"] if part else None
        if other and other != campaign:
            raise MailflowError(
                t("reply.other_campaign_part", id=command.part, other=other, campaign=campaign)
            )
    elif isinstance(command, Release | SetCampaign):
        mail = store.mail_by_id(command.mail)
        other = mail["campaign"] if mail else None
        if other and other != campaign:
            raise MailflowError(
                t("reply.other_campaign_mail", id=command.mail, other=other, campaign=campaign)
            )


def _set_campaign(
    cfg: Config,
    store: Store,
    archive: Archive,
    command: SetCampaign,
    user: str,
    now: datetime,
    converter: Converter,
) -> tuple[str, bool]:
    """``đợt 2024-kh cho thư 12``: what `mailflow campaign 12 2024-kh` does — the held
    mail's department is already known, so it is released under that campaign
    (``release_mail``: same checks, extraction, matching, receipt)."""
    typed = command.campaign.lower()
    campaign_id = next(
        (c.id for c in cfg.campaigns if typed in (c.id.lower(), (c.token or "").lower())),
        command.campaign,
    )
    cfg.campaign(campaign_id)  # an unknown id is refused before anything changes
    try:
        department = store.mail_department(command.mail)
    except KeyError:
        raise MailflowError(
            t("review.no_mail", id=command.mail), t("review.no_mail_hint")
        ) from None
    if not department:
        raise MailflowError(
            t("review.campaign_no_department", id=command.mail),
            t("review.campaign_no_department_hint", id=command.mail, campaign=campaign_id),
        )
    done = release_mail(
        cfg,
        store,
        archive,
        command.mail,
        department,
        campaign_id=campaign_id,
        user=user,
        now=now,
        converter=converter,
    )
    text = t(
        "reply.done_campaign",
        id=command.mail,
        campaign=campaign_id,
        department=done.department,
        parts=done.result.parts,
    )
    if done.result.waiting:
        text += " " + t("review.match_waiting", n=done.result.waiting)
    return text, done.result.parts > 0


def handle_reply(
    cfg: Config,
    store: Store,
    archive: Archive,
    row: dict[str, Any],
    now: datetime,
    converter: Converter,
) -> ReplyOutcome:
    """Apply one Office reply's commands once, record them, queue the answer (and draft).

    Everything the Office reads is in the config's language, whatever the terminal's."""
    with speaking(cfg.lang):
        sender = (row["from_addr"] or "").lower()
        out = ReplyOutcome(row["id"], sender)
        message_id = normalize_msgid(row["message_id"] or "")
        raw = archive.path(row["archive_path"]).read_bytes()
        parsed = mail_parse.parse(raw)
        headers = mail_parse.mail_headers(parsed)
        if _seen(store, row["id"], row["message_id"] or ""):
            out.duplicate = True
        else:
            reply = parse_reply(headers.body_text)
            out.unreadable = list(reply.unreadable)
            for line, command in reply.commands:
                try:
                    text, changed = _apply(
                        cfg, store, archive, command, row["campaign"], sender, now, converter
                    )
                except MailflowError as exc:
                    out.failed.append(t("reply.failed_line", line=line, why=exc.message))
                    continue
                out.done.append(text)
                out.changed = out.changed or changed
        with store.transaction():
            store.set_matched(row["id"], now.isoformat(timespec="seconds"))
            store.event(
                "review.reply_duplicate" if out.duplicate else "review.reply",
                now,
                campaign=row["campaign"],
                mail_id=row["id"],
                message_id=message_id,
                by=sender,
                done=len(out.done),
                failed=len(out.failed),
                unreadable=len(out.unreadable),
            )
        if out.duplicate or not may_auto_answer(headers):
            return out  # a repeat was answered the first time; an automatic mail never is
        out.queued.append(_answer(cfg, store, archive, row, out, message_id, now))
        if out.changed and row["campaign"]:
            out.queued.extend(_new_draft(cfg, store, archive, row["campaign"], now))
        return out


def _answer(
    cfg: Config,
    store: Store,
    archive: Archive,
    row: dict[str, Any],
    out: ReplyOutcome,
    message_id: str,
    now: datetime,
) -> Any:
    lang = cfg.lang
    lines = [t("reply.answer_intro", lang), ""]
    if out.done:
        lines += [t("reply.answer_done", lang)] + [f"  - {x}" for x in out.done] + [""]
    if out.failed:
        lines += [t("reply.answer_failed", lang)] + [f"  - {x}" for x in out.failed] + [""]
    if out.unreadable:
        lines += [t("reply.answer_unreadable", lang)] + [f"  - {x}" for x in out.unreadable]
        lines += [""]
    if not (out.done or out.failed or out.unreadable):
        lines += [t("reply.answer_nothing", lang), ""]
    if out.failed or out.unreadable or not out.done:
        lines += [t("reply.forms", lang), ""]
    if out.changed:
        lines += [t("reply.answer_draft", lang), ""]
    lines.append(t("review.office_signoff_short", lang))
    subject = row["subject"] or ""
    if not subject.lower().startswith("re:"):
        subject = "Re: " + subject
    return queue_mail(
        cfg,
        store,
        archive,
        kind=ANSWER_KIND,
        campaign=row["campaign"] or "",
        department=None,
        to=[out.sender],
        subject=subject,
        text="\n".join(lines),
        dedupe_key=f"answer:{message_id or row['id']}",
        now=now,
        auto_submitted="auto-replied",
        in_reply_to=f"<{message_id}>" if message_id else "",
        detail={"mail_id": row["id"], "done": len(out.done), "failed": len(out.failed)},
    )


def _new_draft(
    cfg: Config, store: Store, archive: Archive, campaign_id: str, now: datetime
) -> list[Any]:
    campaign = cfg.campaign(campaign_id)
    result = assemble(cfg, store, archive, campaign, now, pdf=cfg.daemon.draft_pdf == "all")
    return [send_draft(cfg, store, archive, campaign, result, now, reason="update")]


def answer_office_replies(
    cfg: Config, store: Store, archive: Archive, now: datetime, converter: Converter
) -> list[ReplyOutcome]:
    """Handle every Office reply not handled yet, oldest first (after each poll)."""
    return [handle_reply(cfg, store, archive, row, now, converter) for row in _pending(store)]


def outcome_json(o: ReplyOutcome) -> str:
    return json.dumps({"mail": o.mail_id, "done": o.done, "failed": o.failed}, ensure_ascii=False)
