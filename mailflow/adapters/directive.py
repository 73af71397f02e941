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
from jinja2 import StrictUndefined, TemplateError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from mailflow.adapters.mail_templates import unknown_tags_error
from mailflow.core.outline import section_label, top_sections
from mailflow.core.sanity import campaign_year
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
    except UndefinedError as exc:  # a misspelt tag: name it and list the valid ones
        unknown = unknown_tags(template, context)
        if unknown:
            raise unknown_tags_error(template, unknown, context) from exc
        raise _template_error(template, exc) from exc
    except (TemplateError, OSError, KeyError, ValueError) as exc:
        raise _template_error(template, exc) from exc
    return out.getvalue()


def _template_error(template: Path, exc: Exception) -> MailflowError:
    """A broken template (Jinja's error) or one that cannot be read (file, zip, XML)."""
    key = (
        "outline.template_error"
        if isinstance(exc, TemplateError)
        else "outline.template_unreadable"
    )
    return MailflowError(t(key, path=template, error=exc), t("outline.template_error_hint"))


def unknown_tags(template: Path, context: Mapping[str, Any]) -> list[str]:
    """Variables ``template`` uses that ``context`` does not provide, sorted.

    One rule for `send` (when rendering fails) and `check` (before anything is sent):
    docxtpl joins the tags Word split across runs, then Jinja lists the free names
    (loop variables such as ``s`` in ``{%p for s in sections %}`` are not free).
    """
    try:
        tpl = DocxTemplate(str(template))
        env = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
        used = tpl.get_undeclared_template_variables(jinja_env=env)
    except (TemplateError, OSError, KeyError, ValueError) as exc:
        raise _template_error(template, exc) from exc
    return sorted(set(used) - set(context))


def template_text(template: Path) -> str:
    """The visible text of the directive template (paragraphs and table cells), for the
    year check: a literal year in the letter goes stale when the campaign changes."""
    tpl = DocxTemplate(str(template))
    document = tpl.get_docx()
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


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
        "title": campaign.title,
        "campaign_year": str(campaign_year(campaign.title, campaign.deadline)),
        "department": department.name,
        "deadline": campaign.deadline.strftime("%d/%m/%Y"),
        "mailbox": mailbox,
        "signer": campaign.signer,
        "signer_title": campaign.signer_title,
        "sections": [section_label(outline, s) for s in top_sections(outline, department.code)],
        "token": campaign.token,
    }
