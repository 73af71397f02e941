"""`mailflow assemble`: a new draft version, optionally mailed to the Office."""

from __future__ import annotations

from collections.abc import Sequence
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
from mailflow.cli.common import say
from mailflow.cli.progress import Progress
from mailflow.i18n import t

if TYPE_CHECKING:
    from mailflow.adapters.archive import Archive
    from mailflow.adapters.store import Store
    from mailflow.model import Campaign

# heavy (python-docx, docxcompose, SMTP): loaded when a command runs, not for --help.
# The planner, the model, the archive, the locks, the clock and rich's tables are
# imported inside the functions that use them: `mailflow status --help` needs none.
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
            _assemble(app, campaign, out, send, no_pdf, keep=keep or send or out is None)
    except Busy:
        fail(t("review.assemble_busy", campaign=campaign.id), t("review.assemble_busy_hint"))


def _assemble(
    app: AppContext, campaign: Campaign, out: Path | None, send: bool, no_pdf: bool, *, keep: bool
) -> None:
    """One draft version, under the campaign's assemble lock.

    ``keep`` False (``--out`` alone): a preview file with no version number. A kept
    draft is a new version only when something changed since the last one."""
    from rich.text import Text

    from mailflow.model import SendStatus

    cfg, adapters = app.config(), app.adapters()
    store, archive = adapters.store, adapters.archive
    now = app.now()
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
        report = flush(cfg, store, archive, adapters.servers, [*receipts, row])
        _report_flush(store, archive, report, row, cfg.office.emails)


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
