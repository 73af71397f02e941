"""``--json`` output of ``status``, ``review``, ``outline`` and ``history``: stable keys.

Why a module of its own: scripts depend on these keys, so they are written in one place,
each document says its ``schema`` ("mailflow.<command>/<version>"), and a key is only
ever added — renaming or removing one bumps the version. Values are plain JSON: times
and dates in ISO 8601, absent values ``null``, texts as stored (not shortened), reasons
both as the machine key (``reason_key``) and as the sentence in the run's language.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from mailflow.core.draft_plan import DraftPlan
    from mailflow.model import Campaign, Outline

SCHEMA_VERSION = 1


def emit(command: str, document: dict[str, Any]) -> None:
    """Print one JSON document on stdout (UTF-8, Vietnamese kept readable)."""
    body = {"schema": f"mailflow.{command}/{SCHEMA_VERSION}", **document}
    click.echo(json.dumps(body, ensure_ascii=False, indent=2, default=_plain))


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


def iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def outline_document(campaign: Campaign, parsed: Outline) -> dict[str, Any]:
    """``mailflow outline --json``: the tree as mailflow understood it."""
    return {
        "campaign": campaign.id,
        "title": parsed.title,
        "sections": [
            {
                "key": s.key,
                "number": s.number,
                "level": s.level,
                "title": s.title,
                "heading": s.heading,
                "parent": s.parent,
                "assignees": list(s.assignees),
                "all_departments": s.all_departments,
                "assignment_text": s.assignment_text,
            }
            for s in parsed.sections
        ],
        "unresolved": [
            {
                "section": u.section_key,
                "fragment": u.fragment,
                "text": u.text,
                "closest": list(u.closest),
            }
            for u in parsed.unresolved
        ],
    }


def status_document(plan: DraftPlan, waiting: list[Any]) -> dict[str, Any]:
    """``mailflow status --json``: the department grid, the section × department matrix,
    and the mails stuck in the outbox."""
    codes = [code for code, _ in plan.departments]
    return {
        "campaign": plan.campaign,
        "title": plan.title,
        "deadline": iso(plan.deadline),
        "now": iso(plan.now),
        "departments": [
            {
                "code": g.code,
                "name": g.name,
                "sent_at": iso(g.sent_at),
                "bounced": g.bounced,
                "out_of_office": g.out_of_office,
                "returns_on": iso(g.returns_on),
                "received_at": iso(g.received_at),
                "late": g.late,
                "missing": list(g.missing),
            }
            for g in plan.grid
        ],
        "sections": [
            {
                "key": line.key,
                "heading": line.heading,
                "cells": {
                    code: {"state": cell.value or "none", "parts": n}
                    for code, (cell, n) in zip(codes, line.cells, strict=False)
                },
            }
            for line in plan.matrix
        ],
        "waiting": [
            {
                "kind": row.kind,
                "department": row.department,
                "to": list(row.recipients),
                "since": row.created_at,
                "error": row.last_error,
            }
            for row in waiting
        ],
    }
