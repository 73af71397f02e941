"""A person's review decisions — the same functions for the CLI and for the Office's reply.

`mailflow place` / `release` / `restore` and a command line in the Office's reply to a
draft mail (``jobs.office_reply``) both come here, so a decision made by mail is exactly
the decision the terminal makes: a new placement row (append-only), an event for
`history` signed with who decided, the revision rule applied the same way.
Errors are MailflowError with a one-line message and a hint, for either caller to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mailflow.adapters.archive import Archive
from mailflow.adapters.store import Store
from mailflow.config import Config
from mailflow.core.sections import name_of_key, resolve_section, section_name
from mailflow.errors import ConfigError, MailflowError
from mailflow.i18n import t
from mailflow.model import ATTENTION_KINDS, MailKind, PlacementStatus
from mailflow.services.basics import load_outline
from mailflow.services.intake import Intake, Override, insert_documents
from mailflow.services.match import (
    MatchResult,
    match_mail,
    record_decision,
    restore_part,
    revise_on_place,
)

if TYPE_CHECKING:
    from mailflow.adapters.convert import Converter

APPENDIX_WORDS = ("none", "appendix", "-", "phụ lục", "phu luc")


@dataclass(frozen=True)
class Placed:
    part: int
    campaign: str
    before: str  # the section's name before, as people read it
    after: str  # the section's name now ("(phụ lục)" for the appendix)
    replaced: tuple[int, ...]  # earlier parts the revision rule superseded
    changed: bool  # False when the part already sat there


def place_part(
    cfg: Config, store: Store, part_id: int, section: str, *, user: str, now: datetime
) -> Placed:
    """Put part ``part_id`` under ``section`` (number, key, unique title prefix or
    "none"/"phụ lục" for the appendix). Ambiguous or unknown: ConfigError naming the
    candidates; nothing is written."""
    row = store.current_placement(part_id)
    if row is None:
        raise ConfigError(t("review.no_part", id=part_id), t("review.no_part_hint"))
    outline = load_outline(cfg, cfg.campaign(row["campaign"]))
    key: str | None
    if section.strip().casefold() in APPENDIX_WORDS:
        key = None
    else:
        found = resolve_section(outline, section)
        if found.section is None:
            names = [section_name(outline, s) for s in found.candidates]
            if names:
                raise ConfigError(
                    t("review.section_ambiguous", section=section),
                    t("review.section_candidates", names="; ".join(names[:8])),
                )
            raise ConfigError(
                t("review.no_section", section=section),
                t("review.no_section_hint", keys=", ".join(s.key for s in outline.sections)),
            )
        key = found.section.key
    if row["status"] == PlacementStatus.SUPERSEDED.value:
        raise ConfigError(t("review.part_superseded", id=part_id), t("review.part_superseded_hint"))
    none = t("review.none_section")
    before, after = name_of_key(outline, row["section_key"], none), name_of_key(outline, key, none)
    status = PlacementStatus.REVIEWED if key else PlacementStatus.UNPLACED
    if row["section_key"] == key and row["status"] == status.value:
        return Placed(part_id, row["campaign"], before, after, (), False)
    record_decision(
        store,
        row,
        part_id,
        "review.placed",
        section_key=key,
        score=row["score"],
        status=status.value,
        candidates=row["candidates"],
        user=user,
        now=now,
        before=row["section_key"],
        after=key,
    )
    gone = revise_on_place(store, part_id, key, user=user, now=now)
    return Placed(part_id, row["campaign"], before, after, tuple(gone), True)


@dataclass(frozen=True)
class Released:
    mail: int
    campaign: str
    department: str  # the department's name
    result: MatchResult


def release_mail(
    cfg: Config,
    store: Store,
    archive: Archive,
    mail_id: int,
    code: str,
    *,
    campaign_id: str | None,
    user: str,
    now: datetime,
    converter: Converter,
    send_receipt: bool = True,
) -> Released:
    """Accept held mail ``mail_id`` as department ``code``'s report, unpack and match it
    (``converter``: for old Word formats in a mail held before its documents were read)."""
    department = cfg.department(code)
    mail = store.mail_by_id(mail_id)
    if mail is None:
        raise ConfigError(t("review.no_mail", id=mail_id), t("review.no_mail_hint"))
    if mail["kind"] not in ATTENTION_KINDS:
        raise ConfigError(
            t("review.not_held", id=mail_id, kind=mail["kind"] or "-"), t("review.not_held_hint")
        )
    if campaign_id:
        campaign = cfg.campaign(campaign_id)
    elif mail["campaign"]:
        campaign = cfg.campaign(mail["campaign"])
    elif len(cfg.campaigns) == 1:
        campaign = cfg.campaigns[0]
    else:
        known = ", ".join(c.id for c in cfg.campaigns) or "-"
        raise ConfigError(
            t("review.campaign_needed", known=known), t("review.campaign_needed_hint")
        )
    with store.transaction():
        store.release_mail_as(
            mail_id,
            kind=MailKind.REPORT.value,
            campaign=campaign.id,
            department=department.code,
            by=user,
            reason="review.released",
        )
        store.event(
            "review.released",
            now,
            campaign=campaign.id,
            department=department.code,
            mail_id=mail_id,
            before=mail["kind"],
            reason=mail["reason"],
            by=user,
        )
    extract_again(cfg, store, archive, mail_id, user=user, now=now, converter=converter)
    result = match_mail(cfg, store, archive, mail_id, now, send_receipt=send_receipt)
    return Released(mail_id, campaign.id, department.name, result)


def extract_again(
    cfg: Config,
    store: Store,
    archive: Archive,
    mail_id: int,
    *,
    user: str,
    now: datetime,
    converter: Converter,
) -> int:
    """Unpack a held mail that has no document rows (quarantined before extraction).

    Runs the archived bytes through intake's own extraction (as a person-accepted
    report) and records the documents; returns how many were added. It lives here, not
    in match: only a person's release asks for it, and match stays below intake's rank.
    """
    mail = store.mail_by_id(mail_id)
    if mail is None:
        raise MailflowError(t("review.no_mail", id=mail_id), t("review.no_mail_hint"))
    if store.has_documents(mail_id):
        return 0
    raw = archive.read(mail["archive_path"])
    override = Override(mail["campaign"] or "", mail["department"] or "", user)
    with Intake(cfg, store, archive, clock=lambda: now, converter=converter) as intake:
        prepared = intake.prepare_many([(raw, None)], source="release", override=override)[0]
    with store.transaction():
        insert_documents(store, mail_id, prepared.documents)
    return len(prepared.documents)


def restore(store: Store, part_id: int, *, user: str, now: datetime) -> dict[str, Any]:
    """``services.match.restore_part``: re-exported so both callers name one module."""
    return restore_part(store, part_id, user=user, now=now)


__all__ = [
    "MailflowError",
    "Placed",
    "Released",
    "extract_again",
    "place_part",
    "release_mail",
    "restore",
]
