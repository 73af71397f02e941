"""Config values + outline + campaign → who gets which directive (pure).

Who receives the directive: every department of the campaign, also one that writes no
section of its own. The directive is addressed to "Các phòng, đơn vị thuộc Sở" as a
whole, so leaving a unit out would be a surprise; its mail and letter say plainly that
no section is its own (and the plan table shows it), which is what the Office expects
to see before pressing ``--send``.

The dedupe key ``directive:<campaign>:<code>`` is the outbox's unit of exactly-once: it
does not depend on addresses or wording, so re-running after an edit never sends a
second directive to the same department.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from mailflow.core.outline import section_label, top_sections
from mailflow.model import Campaign, Department, Outline, Section, UnresolvedAssignment

KIND_DIRECTIVE = "directive"


@dataclass(frozen=True)
class PlannedAttachment:
    role: str  # "directive" | "outline"
    filename: str


@dataclass(frozen=True)
class DepartmentPlan:
    department: Department
    recipients: tuple[str, ...]
    sections: tuple[Section, ...]  # top-most sections it writes (children are covered)
    labels: tuple[str, ...]  # the same sections as readers find them: "II › 1 › - Kết quả …"
    attachments: tuple[PlannedAttachment, ...]
    reminder_dates: tuple[date, ...]
    dedupe_key: str

    @property
    def section_keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.sections)


@dataclass(frozen=True)
class SendPlan:
    campaign: Campaign
    items: tuple[DepartmentPlan, ...]
    unresolved: tuple[UnresolvedAssignment, ...] = ()

    @property
    def without_sections(self) -> tuple[str, ...]:
        return tuple(i.department.code for i in self.items if not i.sections)


def outbox_key(campaign_id: str, code: str, kind: str = KIND_DIRECTIVE) -> str:
    return f"{kind}:{campaign_id}:{code}"


def reminder_dates(deadline: date, days: Sequence[int]) -> tuple[date, ...]:
    """Reminder days relative to the deadline (-3 = three days before), sorted, unique."""
    return tuple(sorted({deadline + timedelta(days=d) for d in days}))


def _safe_name(text: str) -> str:
    """A file name people can read: keep letters (Vietnamese too), drop path characters."""
    cleaned = "".join(c if c.isalnum() or c in " -_.&()" else " " for c in text)
    return " ".join(cleaned.split())


def attachment_names(campaign: Campaign, department: Department, lang: str) -> tuple[str, str]:
    """File names of the directive and the marked outline, as the department sees them."""
    words = {"vi": ("Công văn", "Đề cương"), "en": ("Directive", "Outline")}[
        "en" if lang == "en" else "vi"
    ]
    token, code = _safe_name(campaign.token or campaign.id), _safe_name(department.code)
    return (f"{words[0]} {token} - {code}.docx", f"{words[1]} {token} - {code}.docx")


def plan_directive(
    campaign: Campaign,
    departments: Sequence[Department],
    outline: Outline,
    lang: str = "vi",
) -> SendPlan:
    """One item per department of the campaign, in config order."""
    items = []
    for dep in departments:
        sections = top_sections(outline, dep.code)
        directive_name, outline_name = attachment_names(campaign, dep, lang)
        items.append(
            DepartmentPlan(
                department=dep,
                recipients=tuple(dict.fromkeys(dep.emails)),
                sections=sections,
                labels=tuple(section_label(outline, s) for s in sections),
                attachments=(
                    PlannedAttachment("directive", directive_name),
                    PlannedAttachment("outline", outline_name),
                ),
                reminder_dates=reminder_dates(campaign.deadline, campaign.reminder_days),
                dedupe_key=outbox_key(campaign.id, dep.code),
            )
        )
    return SendPlan(campaign, tuple(items), outline.unresolved)
