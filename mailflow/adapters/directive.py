"""Render the directive (công văn) for one department from our docxtpl template.

Why a sandbox, StrictUndefined and autoescape: the template is ours (``templates/``), but
the values come from config and outlines ("KH&CN", "<", quotes) and must land in the XML
as text, never as markup; a misspelt variable must stop the campaign before anything is
mailed rather than send a letter with a blank "Kính gửi". Department files are never
rendered as templates: only the path the campaign config names is.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from mailflow.core.outline import section_label, top_sections
from mailflow.errors import MailflowError
from mailflow.i18n import t
from mailflow.model import Campaign, Department, Outline


def render_directive(template: Path, context: Mapping[str, Any]) -> bytes:
    """The rendered .docx bytes; a broken template or missing value → MailflowError."""
    try:
        tpl = DocxTemplate(str(template))
        env = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
        tpl.render(dict(context), jinja_env=env, autoescape=True)
        out = io.BytesIO()
        tpl.save(out)
    except TemplateError as exc:
        raise MailflowError(
            t("outline.template_error", path=template, error=exc),
            t("outline.template_error_hint"),
        ) from exc
    except (OSError, KeyError, ValueError) as exc:
        raise MailflowError(
            t("outline.template_unreadable", path=template, error=exc),
            t("outline.template_error_hint"),
        ) from exc
    return out.getvalue()


def directive_context(
    campaign: Campaign, department: Department, outline: Outline, mailbox: str, today: date
) -> dict[str, Any]:
    """The values ``templates/directive.docx`` uses, for one department.

    ``sections`` lists the top-most sections the department writes (a section whose
    parent is also theirs is covered by the parent), each as "Phần thứ nhất › II › 1 ›
    - Kết quả …" so the reader can find it in the outline.
    """
    return {
        "number": campaign.number,
        "place": campaign.place,
        "day": f"{today.day:02d}",
        "month": f"{today.month:02d}",
        "year": str(today.year),
        "subject": campaign.title,
        "department": department.name,
        "deadline": campaign.deadline.strftime("%d/%m/%Y"),
        "mailbox": mailbox,
        "signer": campaign.signer,
        "signer_title": campaign.signer_title,
        "sections": [section_label(outline, s) for s in top_sections(outline, department.code)],
        "token": campaign.token,
    }
