"""`mailflow assemble` (a new draft version, optionally mailed to the Office) and
`mailflow status` (the department × section grid as a table or a standalone HTML page).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mailflow.cli.base import (
    AppContext,
    cli,
    console,
    fail,
    lazy_function,
    lazy_module,
    pass_app,
    pick_campaign,
)
from mailflow.cli.common import add_row, plain, say
from mailflow.cli.progress import Progress
from mailflow.i18n import get_lang, t

if TYPE_CHECKING:
    from mailflow.adapters.archive import Archive
    from mailflow.adapters.store import Store
    from mailflow.config import Config
    from mailflow.core.plan import DraftPlan
    from mailflow.model import Campaign

# heavy (python-docx, docxcompose, SMTP): loaded when a command runs, not for --help.
# The planner, the model, the archive, the locks, the clock and rich's tables are
# imported inside the functions that use them: `mailflow status --help` needs none.
bootstrap = lazy_module("mailflow.bootstrap")
outbox = lazy_module("mailflow.services.outbox")
assemble = lazy_function("mailflow.services.assemble", "assemble")
gather_plan = lazy_function("mailflow.services.assemble", "gather_plan")
flush = lazy_function("mailflow.services.office_mail", "flush")
send_draft = lazy_function("mailflow.services.office_mail", "send_draft")
match_pending = lazy_function("mailflow.services.match", "match_pending")


@cli.command(name="assemble")
@click.option("--campaign", "campaign_id", default=None, help="Campaign id")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Copy to PATH"
)
@click.option("--send", "send", is_flag=True, help="Mail the draft to the Office now")
@click.option("--no-pdf", is_flag=True, help="Do not make a PDF")
@click.option("--keep", is_flag=True, help="With --out: also keep it as a numbered version")
@pass_app
def assemble_cmd(
    app: AppContext,
    campaign_id: str | None,
    out: Path | None,
    send: bool,
    no_pdf: bool,
    keep: bool,
) -> None:
    """Tổng hợp dự thảo mới / assemble a new draft version."""
    from mailflow.adapters.locks import Busy, assemble_lock_path, held

    cfg = app.config()
    campaign = pick_campaign(cfg, campaign_id)
    lock = assemble_lock_path(cfg.state_path, campaign.id)
    try:
        with held(lock):
            _assemble(cfg, campaign, out, send, no_pdf, keep=keep or send or out is None)
    except Busy:
        fail(t("review.assemble_busy", campaign=campaign.id), t("review.assemble_busy_hint"))


def _assemble(
    cfg: Config, campaign: Campaign, out: Path | None, send: bool, no_pdf: bool, *, keep: bool
) -> None:
    """One draft version, under the campaign's assemble lock.

    ``keep`` False (``--out`` alone): a preview file with no version number. A kept
    draft is a new version only when something changed since the last one."""
    from rich.text import Text

    from mailflow.clock import aware_now
    from mailflow.model import SendStatus

    store = bootstrap.store(cfg)
    archive = bootstrap.archive(cfg)
    now = aware_now()
    with Progress(2, t("cli.progress.match")) as progress:
        progress.step(t("cli.progress.match"))
        match_pending(cfg, store, archive, now)  # replies polled but not matched yet
        progress.advance(say=False)
        progress.step(t("cli.progress.draft") if no_pdf else t("cli.progress.draft_pdf"))
        result = assemble(
            cfg,
            store,
            archive,
            campaign,
            now,
            out=out,
            pdf=keep and not no_pdf,
            keep=keep,
            only_if_changed=keep,
        )
        progress.advance(say=False)
    if not keep:
        say(t("review.assembled_preview", path=out, parts=len(result.plan.parts)))
    elif result.unchanged:
        say(t("review.assembled_unchanged", version=result.version, path=result.docx_path))
    else:
        say(
            t(
                "review.assembled",
                version=result.version,
                path=result.docx_path,
                parts=len(result.plan.parts),
            )
        )
    if result.pdf_path:
        say(t("review.assembled_pdf", path=result.pdf_path))
    elif result.pdf_note:
        say(result.pdf_note)
    if out is not None and keep:
        say(t("review.assembled_out", path=out))
    if result.isolated:  # the draft is made; a person should know some parts lost something
        say(t("assemble.isolated", count=result.isolated))
    for line in result.change_lines:
        say(f"  - {line}")
    for warning in result.warnings:
        console.print(Text(f"! {warning}", style="yellow"))
    if send and result.unchanged:
        say(t("review.send_unchanged", version=result.version))
    elif send:
        row = send_draft(cfg, store, archive, campaign, result, now, reason="manual")
        receipts = outbox.rows(
            store, campaign=campaign.id, kind="receipt", statuses=[SendStatus.QUEUED]
        )
        report = flush(cfg, store, archive, bootstrap.build(cfg).servers, [*receipts, row])
        _report_flush(store, archive, report, row, cfg.office.emails)
    store.close()


def _report_flush(
    store: Store, archive: Archive, report: Any, draft: Any, office: Sequence[str]
) -> None:
    """Say what happened to the draft itself, and to each other mail the flush carried.

    The receipts queued before are sent in the same SMTP session; a 550 for one of
    them is that receipt's failure (subject, recipient, the server's words), not the
    draft's: the command fails (exit 1) only when the draft did not go."""
    from rich.text import Text

    from mailflow.model import SendStatus

    mine = outbox.get(store, draft.dedupe_key)
    others = [r for r in [*report.failed, *report.deferred] if r.id != draft.id]
    for r in others:
        console.print(
            Text(
                "! "
                + t(
                    "review.flush_other_failed",
                    subject=mail_subject(archive, r.archive_path),
                    to=", ".join(r.recipients),
                    error=r.last_error or "-",
                ),
                style="yellow",
            )
        )
    if mine is not None and mine.status is SendStatus.SENT:
        say(t("review.sent_office", to=", ".join(office)))
        return
    why = (mine.last_error if mine is not None else None) or report.stopped or "-"
    fail(t("review.send_failed", to=", ".join(office), error=why))


def mail_subject(archive: Archive, archive_path: str) -> str:
    """The Subject of a stored outgoing mail ("-" when it cannot be read)."""
    from email.parser import BytesHeaderParser
    from email.policy import default

    try:
        headers = BytesHeaderParser(policy=default).parsebytes(archive.read(archive_path))
    except (OSError, ValueError):
        return "-"
    return str(headers.get("Subject") or "-")


# --- status ------------------------------------------------------------------------------


def _yes(flag: bool) -> str:
    return t("review.yes") if flag else ""


def grid_rows(plan: DraftPlan) -> list[list[str]]:
    """The per-department grid: the same columns as the draft's appendix."""
    from mailflow.core.plan import format_when

    rows = []
    for g in plan.grid:
        away = _yes(g.out_of_office)
        if g.out_of_office and g.returns_on:
            away = t("review.away_until", until=g.returns_on.strftime("%d/%m/%Y"))
        rows.append(
            [
                f"{g.code} — {g.name}",
                format_when(g.sent_at),
                _yes(g.bounced),
                away,
                format_when(g.received_at),
                _yes(g.late),
                ", ".join(plan.section_name(k) for k in g.missing),
            ]
        )
    return rows


GRID_COLUMNS = ("department", "sent", "bounced", "away", "received", "late", "missing")


def matrix_rows(plan: DraftPlan) -> list[list[str]]:
    """One line per section, named as the grid's "missing" column names it."""
    from mailflow.core.plan import Cell

    marks = {Cell.RECEIVED: "✓{n}", Cell.EXTRA: "+{n}", Cell.MISSING: "✗", Cell.NONE: ""}
    return [
        [plan.section_name(line.key), *(marks[cell].format(n=n) for cell, n in line.cells)]
        for line in plan.matrix
    ]


def status_html(plan: DraftPlan) -> str:
    """A standalone page (inline CSS, no scripts, no outside files) of both grids."""
    import html  # only for --html

    from mailflow.core.plan import format_when

    e = html.escape
    codes = [c for c, _ in plan.departments]

    def table(head: list[str], rows: list[list[str]], cls: str) -> str:
        out = [f'<table class="{cls}"><thead><tr>']
        out += [f"<th>{e(h)}</th>" for h in head]
        out.append("</tr></thead><tbody>")
        for row in rows:
            cells = []
            for i, value in enumerate(row):
                kind = ""
                if cls == "matrix" and i:
                    kind = {"✗": "missing"}.get(value, "received" if value.startswith("✓") else "")
                    kind = kind or ("extra" if value.startswith("+") else "")
                elif cls == "grid" and i == len(row) - 1 and value:
                    kind = "missing"
                cells.append(
                    f'<td class="{kind}">{e(value)}</td>' if kind else f"<td>{e(value)}</td>"
                )
            out.append("<tr>" + "".join(cells) + "</tr>")
        out.append("</tbody></table>")
        return "".join(out)

    title = t("review.status_title", campaign=plan.campaign, title=plan.title)
    grid = table([t(f"review.grid_{c}") for c in GRID_COLUMNS], grid_rows(plan), "grid")
    matrix = table([t("review.grid_section"), *codes], matrix_rows(plan), "matrix")
    legend = t("review.matrix_legend")
    when = t(
        "review.status_when",
        when=format_when(plan.now),
        deadline=plan.deadline.strftime("%d/%m/%Y"),
    )
    lang = get_lang()
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<title>{e(title)}</title>
<style>
body {{ font-family: "Times New Roman", serif; margin: 2em; color: #111; }}
table {{ border-collapse: collapse; margin: 1em 0; }}
th, td {{ border: 1px solid #888; padding: 4px 8px; vertical-align: top; }}
th {{ background: #eee; }}
td.missing {{ background: #fde2e2; color: #900; font-weight: bold; }}
td.received {{ background: #e3f6e3; }}
td.extra {{ background: #fff6d6; }}
.matrix td:not(:first-child) {{ text-align: center; }}
</style></head><body>
<h1>{e(title)}</h1>
<p>{e(when)}</p>
{grid}
<h2>{e(t("review.matrix_title"))}</h2>
<p><em>{e(legend)}</em></p>
{matrix}
</body></html>
"""


@cli.command()
@click.option("--campaign", "campaign_id", default=None, help="Campaign id")
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the grid as a standalone HTML page",
)
@click.option("--json", "as_json", is_flag=True)
@pass_app
def status(app: AppContext, campaign_id: str | None, html_path: Path | None, as_json: bool) -> None:
    """Bảng phòng × mục: đã gửi, thư lỗi, vắng mặt, đã nhận, muộn, còn thiếu / the grid."""
    from rich.table import Table
    from rich.text import Text

    from mailflow.adapters.archive import write_atomic
    from mailflow.clock import aware_now

    cfg = app.config()
    campaign = pick_campaign(cfg, campaign_id)
    store = bootstrap.store(cfg)
    archive = bootstrap.archive(cfg)
    now = aware_now()
    plan = gather_plan(cfg, store, archive, campaign, now)
    minutes = cfg.mailbox.retry_warn_minutes
    stuck = outbox.waiting(store, now, timedelta(minutes=minutes))
    store.close()
    if as_json:
        from mailflow.cli import jsonout

        jsonout.emit("status", jsonout.status_document(plan, stuck))
        if html_path is not None:
            write_atomic(html_path, status_html(plan).encode("utf-8"))
        return
    if stuck:  # first: a mail that cannot get out is what the Office must hear about
        console.print(Text(t("send.waiting", n=len(stuck), minutes=minutes), style="bold red"))
        for row in stuck:
            line = t(
                "send.waiting_line",
                kind=row.kind,
                to=", ".join(row.recipients),
                since=row.created_at,
                error=row.last_error or "",
            )
            console.print(Text(f"  - {line}", style="red"))
    table = Table(title=plain("review.status_title", campaign=campaign.id, title=campaign.title))
    for c in GRID_COLUMNS:
        table.add_column(t(f"review.grid_{c}"), overflow="fold")
    for row in grid_rows(plan):
        add_row(table, *row[:-1], Text(row[-1], style="red"))
    console.print(table)
    matrix = Table(title=plain("review.matrix_title"))
    matrix.add_column(t("review.grid_section"), overflow="fold")
    for code, _ in plan.departments:
        matrix.add_column(code, justify="center")
    for row in matrix_rows(plan):
        cells = [Text(v, style="red") if v == "✗" else v for v in row[1:]]
        add_row(matrix, row[0], *cells)
    console.print(matrix)
    say(t("review.matrix_legend"))
    if html_path is not None:
        write_atomic(html_path, status_html(plan).encode("utf-8"))  # errors say path and why
        say(t("review.status_html", path=html_path))
