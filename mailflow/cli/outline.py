"""``mailflow outline --campaign ID``: show the parsed outline so a person can check it.

Why a command of its own: the outline decides who is asked for what, so before anything
is mailed the office should see the tree as mailflow understood it, and every assignment
line naming a department the config does not know (exit 1, with the closest names).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from mailflow.cli.base import AppContext, cli, console, pass_app, pick_campaign
from mailflow.cli.common import escape
from mailflow.i18n import t

if TYPE_CHECKING:  # python-docx is loaded when the command runs, not for --help
    from rich.tree import Tree

    from mailflow.model import Outline, Section


@cli.command()
@click.option("--campaign", "campaign_id", default=None)
@click.option("--json", "as_json", is_flag=True)
@pass_app
def outline(app: AppContext, campaign_id: str | None, as_json: bool) -> None:
    """Xem cây đề cương và phân công / show the outline tree and who writes what."""
    from mailflow.adapters.outline_docx import load_outline

    cfg = app.config()
    campaign = pick_campaign(cfg, campaign_id)
    departments = cfg.campaign_departments(campaign)
    parsed = load_outline(cfg.resolve(campaign.outline), departments)
    names = {d.code: d.code for d in departments}
    if as_json:  # same exit codes as the tree: 1 when no section or an unknown unit
        from mailflow.cli import jsonout

        jsonout.emit("outline", jsonout.outline_document(campaign, parsed))
        if not parsed.sections or parsed.unresolved:
            raise click.exceptions.Exit(1)
        return
    console.print(_tree(parsed, names, campaign.id))
    if not parsed.sections:
        console.print(t("outline.cli_no_sections", path=campaign.outline))
        raise click.exceptions.Exit(1)
    if parsed.unresolved:
        console.print(t("outline.cli_unresolved_title", count=len(parsed.unresolved)))
        for u in parsed.unresolved:
            section = parsed.section(u.section_key)
            closest = ", ".join(u.closest) or t("outline.cli_no_closest")
            console.print(
                t(
                    "outline.cli_unresolved_line",
                    key=u.section_key,
                    heading=escape(_short(section.heading)),
                    fragment=escape(u.fragment),
                    text=escape(u.text),
                    closest=escape(closest),
                )
            )
        console.print(t("outline.cli_unresolved_hint"))
        raise click.exceptions.Exit(1)
    unassigned = [s for s in parsed.sections if not s.assignees and not parsed.children(s.key)]
    console.print(
        t("outline.cli_summary", sections=len(parsed.sections), unassigned=len(unassigned))
    )


def _tree(parsed: Outline, names: dict[str, str], campaign_id: str) -> Tree:
    from rich.tree import Tree

    root = Tree(f"[bold]{escape(parsed.title or campaign_id)}[/]")
    nodes: dict[str | None, Tree] = {None: root}
    for s in parsed.sections:
        parent = nodes.get(s.parent, root)
        nodes[s.key] = parent.add(_node_label(s, names))
    return root


def _node_label(s: Section, names: dict[str, str]) -> str:
    if s.all_departments:
        who = t("outline.cli_all")
    elif s.assignees:
        who = ", ".join(names.get(c, c) for c in s.assignees)
    else:
        who = "-"
    heading = s.heading if s.number and not s.number.startswith("Phần") else f"{s.number} {s.title}"
    return f"[dim]{s.key}[/] [cyan]\\[{escape(who)}][/] {escape(_short(heading, 70))}"


def _short(text: str, width: int = 90) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
