"""Intake commands: ``poll``, ``ingest`` and ``import`` — one pipeline, three doors."""

from __future__ import annotations

import getpass
import mailbox
import mimetypes
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.utils import parsedate_to_datetime
from pathlib import Path

import click

from mailflow.adapters.archive import sha256
from mailflow.cli.base import AppContext, cli, console, err_console, pass_app, pick_campaign
from mailflow.cli.progress import Progress
from mailflow.display import safe
from mailflow.errors import ConfigError, MailflowError
from mailflow.i18n import t
from mailflow.messages import CATALOGUE
from mailflow.services.intake import Intake, Outcome, Override, reason_text
from mailflow.services.match import match_pending
from mailflow.services.poll import PollResult, poll_loop, poll_once


def kind_name(kind: str) -> str:
    """The mail kind ("report", "review"…) in the run's language; an unknown one as is."""
    key = f"poll.kind.{kind}"
    return t(key) if key in CATALOGUE else str(kind)


def _mail_line(o: Outcome) -> str:
    reason = ""
    if o.attention:
        reason = " — " + reason_text(o.reason, o.reason_params)
    return t(
        "poll.mail_line",
        kind=kind_name(o.kind),
        who=safe(o.from_addr or "?"),
        subject=safe((o.subject or "")[:80]),
        campaign=o.campaign or "-",
        department=o.department or "-",
        documents=o.documents,
        reason=reason,
    )


def _office_replies(app: AppContext) -> None:
    """The Office's reply commands are applied and answered at once (jobs.office_reply);
    the answer and any new draft go out now, each mail's outcome told as that mail's."""
    from mailflow.services.office_mail import flush
    from mailflow.services.office_reply import answer_office_replies

    cfg, adapters = app.config(), app.adapters()
    store, archive = adapters.store, adapters.archive
    outcomes = answer_office_replies(cfg, store, archive, app.now(), adapters.converter)
    for o in outcomes:
        console.print(
            t(
                "reply.poll_line",
                id=o.mail_id,
                sender=safe(o.sender),
                done=len(o.done),
                failed=len(o.failed) + len(o.unreadable),
            )
            if not o.duplicate
            else t("reply.poll_duplicate", id=o.mail_id, sender=safe(o.sender))
        )
    rows = [row for o in outcomes for row in o.queued]
    if rows:
        flush(cfg, store, archive, adapters.servers, rows)


def _match_new(app: AppContext) -> None:
    """Reports taken in are placed at once, so `review` and `status` are current."""
    adapters = app.adapters()
    results = [
        r
        for r in match_pending(app.config(), adapters.store, adapters.archive, app.now())
        if not r.already
    ]
    _office_replies(app)
    if results:
        console.print(
            t(
                "poll.matched",
                mails=len(results),
                placed=sum(r.placed for r in results),
                review=sum(r.review for r in results),
                unplaced=sum(r.unplaced for r in results),
            )
        )


def _print_poll(result: PollResult) -> None:
    if result.resync is not None:
        r = result.resync
        err_console.print(
            "[bold red]"
            + t("poll.uidvalidity_changed", folder=result.folder, old=r.old, new=r.new)
            + "[/]"
        )
        err_console.print(
            t(
                "poll.uidvalidity_resync",
                seen=r.seen,
                known=r.known,
                same_id=r.same_id,
                new=r.new_mails,
            )
        )
        err_console.print("[yellow]" + t("poll.uidvalidity_hint") + "[/]")
        return
    if result.recovered:
        console.print(t("poll.recovered_moves", count=result.recovered, folder=result.folder))
    if not result.fetched:
        console.print(t("poll.nothing_new"))
        return
    for outcome in result.new:
        console.print(_mail_line(outcome), markup=False)
    console.print(
        t(
            "poll.summary",
            new=len(result.new),
            fetched=result.fetched,
            duplicates=result.duplicates,
            moved=result.moved,
        )
    )


@cli.command()
@click.option("--once", is_flag=True, help="Kiểm tra một lần rồi thoát / poll once and exit")
@pass_app
def poll(app: AppContext, once: bool) -> None:
    """Nhận thư trả lời từ hộp thư IMAP / take replies in from the IMAP mailbox."""
    cfg, adapters = app.config(), app.adapters()
    store, archive, servers = adapters.store, adapters.archive, adapters.servers
    try:
        with Intake(cfg, store, archive, clock=app.now, converter=adapters.converter) as intake:
            console.print(
                t("poll.connecting", address=cfg.mailbox.address, folder=cfg.mailbox.inbox)
            )
            if once:
                _print_poll(poll_once(cfg, store, archive, servers, clock=app.now, intake=intake))
                _match_new(app)
                return
            seconds = max(cfg.daemon.poll_seconds, 1)
            console.print(t("poll.loop_started", seconds=seconds))

            def after(result: PollResult) -> None:
                _print_poll(result)
                _match_new(app)

            def on_error(exc: MailflowError) -> None:
                err_console.print(
                    t(
                        "poll.loop_error",
                        at=app.now().strftime("%H:%M:%S"),
                        error=exc.message,
                        seconds=seconds,
                    ),
                    markup=False,
                )

            # Ctrl+C ends it (the CLI group turns it into exit 130)
            poll_loop(
                cfg,
                store,
                archive,
                servers,
                intake=intake,
                clock=app.now,
                after=after,
                on_error=on_error,
            )
    finally:
        app.close()


# --- ingest ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Saved:
    """One saved mail, read lazily: sorting needs only its Date."""

    origin: str
    date: datetime | None
    load: Callable[[], bytes]


def _date_of(head: bytes) -> datetime | None:
    try:
        value = BytesHeaderParser().parsebytes(head).get("date")
        parsed = parsedate_to_datetime(str(value)) if value else None
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _head(data: bytes) -> bytes:
    end = data.find(b"\n\n")
    end2 = data.find(b"\r\n\r\n")
    cut = min(x for x in (end, end2, len(data)) if x >= 0)
    return data[:cut]


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise MailflowError(t("ingest.unreadable", path=path, error=exc.strerror)) from exc


def _held(data: bytes) -> Callable[[], bytes]:
    """A loader for bytes already read: each closure keeps its own message."""
    return lambda: data


def _eml(path: Path) -> _Saved:
    data = _read(path)
    return _Saved(str(path), _date_of(_head(data)), lambda: data)


def _mbox(path: Path) -> Iterator[_Saved]:
    box = mailbox.mbox(str(path), create=False)
    try:
        for key in box.iterkeys():
            data = box.get_bytes(key)
            yield _Saved(f"{path}#{key}", _date_of(_head(data)), _held(data))
    finally:
        box.close()


def _is_mbox(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(5) == b"From "
    except OSError as exc:
        raise MailflowError(t("ingest.unreadable", path=path, error=exc.strerror)) from exc


#: mails analysed and committed together by ``ingest``; more than one batch shows progress
INGEST_BATCH = 50


def saved_mails(paths: tuple[Path, ...]) -> list[_Saved]:
    """Every mail in .eml files, mbox files, Maildir folders (or folders of .eml files)."""
    found: list[_Saved] = []
    for path in paths:
        if not path.exists():
            raise ConfigError(t("ingest.not_found", path=path), t("ingest.not_found_hint"))
        if path.is_dir():
            if (path / "cur").is_dir() or (path / "new").is_dir():
                files = sorted(
                    p
                    for sub in ("new", "cur")
                    if (path / sub).is_dir()
                    for p in (path / sub).iterdir()
                )
                found.extend(_eml(p) for p in files if p.is_file())
            else:
                for p in sorted(path.rglob("*")):
                    if p.is_file() and p.suffix.lower() in (".eml", ".mbox", ".msg", ".txt"):
                        found.extend(_mbox(p) if _is_mbox(p) else [_eml(p)])
        elif _is_mbox(path):
            found.extend(_mbox(path))
        else:
            found.append(_eml(path))
    # date order, as the mails were written; undated ones last, in the order given
    floor = datetime.max.replace(tzinfo=UTC)
    return [s for _, s in sorted(enumerate(found), key=lambda p: (p[1].date or floor, p[0]))]


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@pass_app
def ingest(app: AppContext, files: tuple[Path, ...]) -> None:
    """Đưa thư đã lưu (.eml, mbox, Maildir) vào như khi nhận / run saved mail through intake."""
    cfg = app.config()
    saved = saved_mails(files)
    if not saved:
        raise MailflowError(t("ingest.no_files", paths=", ".join(map(str, files))))
    adapters = app.adapters()
    try:
        with Intake(
            cfg, adapters.store, adapters.archive, clock=app.now, converter=adapters.converter
        ) as intake:
            if len(saved) > INGEST_BATCH:  # many mails: show how far it got
                with Progress(len(saved), t("cli.progress.ingest")) as progress:
                    outcomes = ingest_saved(intake, saved, on_batch=progress.advance)
            else:
                outcomes = ingest_saved(intake, saved)
    finally:
        app.close()
    by_kind: dict[str, int] = {}
    for o in outcomes:
        by_kind[o.kind] = by_kind.get(o.kind, 0) + 1
        if o.created and o.attention:
            console.print(_mail_line(o), markup=False)
    new = sum(1 for o in outcomes if o.created)
    console.print(t("ingest.summary", total=len(outcomes), new=new, duplicates=len(outcomes) - new))
    for kind, count in sorted(by_kind.items()):
        console.print(t("ingest.by_kind", kind=kind_name(kind), count=count))


def ingest_saved(
    intake: Intake,
    saved: list[_Saved],
    batch: int = INGEST_BATCH,
    on_batch: Callable[[int], None] | None = None,
) -> list[Outcome]:
    """Same path as poll (archive → one commit per batch), source "ingest".

    ``on_batch`` hears how many mails each committed batch held (the progress bar)."""
    outcomes: list[Outcome] = []
    for start in range(0, len(saved), batch):
        chunk = [(item.load(), None) for item in saved[start : start + batch]]
        outcomes.extend(intake.commit(intake.prepare_many(chunk, source="ingest")))
        if on_batch is not None:
            on_batch(len(chunk))
    return outcomes


# --- import ---------------------------------------------------------------------------


def import_message(path: Path, data: bytes, campaign: str, department: str) -> bytes:
    """Wrap a report file in a mail so it takes the same road as a mailed one.

    The bytes depend only on the file, campaign and department (no Date, no random
    Message-ID), so importing the same file twice records it once.
    """
    digest = sha256(data)
    msg = EmailMessage()
    user = getpass.getuser()
    msg["From"] = f"{user}@localhost"
    msg["Subject"] = t("import.subject", "vi", name=path.name)
    msg["Message-ID"] = f"<import.{digest[:24]}.{campaign}.{department}@mailflow.invalid>"
    msg["X-Mailflow-Import"] = f"{campaign}/{department}"
    ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    maintype, _, subtype = ctype.partition("/")
    msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=path.name)
    msg.set_boundary(f"mailflow-import-{digest[:32]}")  # a random one would defeat dedupe
    return msg.as_bytes()


@cli.command("import")
@click.option("--campaign", "campaign_id", default=None)
@click.option("--department", "code", required=True, help="Mã đơn vị / department code")
@click.argument("file", type=click.Path(path_type=Path))
@pass_app
def import_cmd(app: AppContext, campaign_id: str | None, code: str, file: Path) -> None:
    """Nhập báo cáo nhận qua đường khác (USB, Zalo...) / record a report that came another way."""
    cfg = app.config()
    campaign = pick_campaign(cfg, campaign_id)
    department = cfg.department(code)
    if not file.is_file():
        raise ConfigError(t("import.not_found", path=file))
    data = _read(file)
    if not data:
        raise MailflowError(t("import.empty", path=file))
    user = getpass.getuser()
    raw = (
        data
        if file.suffix.lower() == ".eml"
        else import_message(file, data, campaign.id, department.code)
    )
    adapters = app.adapters()
    try:
        with Intake(
            cfg, adapters.store, adapters.archive, clock=app.now, converter=adapters.converter
        ) as intake:
            outcome = intake.process(
                raw,
                source="import",
                override=Override(campaign.id, department.code, imported_by=user),
            )
    finally:
        app.close()
    if not outcome.created:
        console.print(t("import.already", name=file.name, mail_id=outcome.mail_id))
        return
    console.print(
        t(
            "import.done",
            name=file.name,
            department=department.code,
            campaign=campaign.id,
            user=user,
            documents=outcome.documents,
        )
    )
