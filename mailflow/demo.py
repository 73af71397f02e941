"""`mailflow demo`: a whole campaign on this machine, without a mail account.

What it does, in order: start the embedded mail server (maildir under the demo folder,
free ports), write a workspace with the seed campaign and a config pointing at that
server, send the directives, then let simulated departments answer over simulated days
in the ways real offices do (headings copied verbatim, paraphrased, typed without
diacritics, a table, text in the mail body, an out-of-office, a revision, one late),
while the daemon (in this process, on a simulated clock) takes the mail in, reminds
whoever still owes sections and mails drafts to the Office. It ends with the status grid
and the paths of the final draft (.docx and .pdf).

The departments' replies are generated from the seed outline at run time, so the demo
follows the outline and needs no fixture files. The same code is the end-to-end test.
"""

from __future__ import annotations

import io
import json
import logging
import random
import re
import shutil
import smtplib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

import docx

from mailflow import bootstrap
from mailflow.adapters.mailserver import EmbeddedMailServer, accounts_for
from mailflow.clock import FrozenClock, aware
from mailflow.config import Config, load
from mailflow.core.draft_plan import DraftPlan
from mailflow.core.names import strip_diacritics
from mailflow.core.outline import top_sections
from mailflow.errors import MailflowError
from mailflow.i18n import t
from mailflow.model import Outline, Section

MARKER = ".mailflow-demo"
PASSWORD = "mailflow-demo"
DOMAIN = "sokhcn.example"
#: The directive goes on Monday 10 July 2023; the seed deadline is Friday 21 July.
START = datetime(2023, 7, 10, 8, 0)
END = datetime(2023, 7, 24, 18, 0)


# --- the script: who answers when, and how -------------------------------------------------


@dataclass(frozen=True)
class Act:
    """One thing a simulated department does at ``at``."""

    at: datetime
    code: str
    style: str  # verbatim | paraphrased | no-diacritics | table | body | out-of-office


SCRIPT: tuple[Act, ...] = (
    Act(datetime(2023, 7, 10, 10, 5), "VP", "out-of-office"),  # back on 19/7; deputy covers
    Act(datetime(2023, 7, 13, 9, 40), "QLKH", "verbatim"),
    Act(datetime(2023, 7, 17, 14, 10), "QLCN", "paraphrased"),
    Act(datetime(2023, 7, 18, 10, 20), "KHTC", "table"),
    Act(datetime(2023, 7, 19, 15, 30), "QLKH", "revision"),
    Act(datetime(2023, 7, 20, 9, 15), "VP", "no-diacritics"),
    Act(datetime(2023, 7, 21, 11, 0), "TTCG", "body"),
    Act(datetime(2023, 7, 24, 9, 30), "TDC", "late"),
)

#: Extra addresses of the demo config: the Office's deputy and the TĐC head.
DEPUTY_VP = f"pho.vp@{DOMAIN}"
HEAD_TDC = f"truong.tdc@{DOMAIN}"


# --- generated replies ---------------------------------------------------------------------

_PARAPHRASE = (
    (r"^Những kết quả đạt được$", "Kết quả đạt được"),
    (r"^Những hạn chế, khuyết điểm$", "Hạn chế, tồn tại"),
    (r"^Nguyên nhân hạn chế, khuyết điểm$", "Nguyên nhân của những hạn chế"),
    (r"^Đánh giá kết quả thực hiện$", "Đánh giá chung"),
    (r"^Dự báo kết quả thực hiện", "Dự báo khả năng hoàn thành nhiệm vụ, giải pháp"),
    (r"^MỘT SỐ NHIỆM VỤ, GIẢI PHÁP TRONG THỜI GIAN TỚI$", "Nhiệm vụ, giải pháp thời gian tới"),
    (r"^Kết quả (nhiệm vụ )?", "Về "),
    (r"^Tình hình triển khai thực hiện", "Công tác triển khai"),
)

_SENTENCES = (
    "Trong 6 tháng đầu năm 2023, {dep} đã chủ động tham mưu và triển khai nội dung {topic}.",
    "Đã tổ chức {n} cuộc họp, hội thảo với sự tham gia của các sở, ngành và doanh nghiệp.",
    "Kết quả đạt {p}% kế hoạch năm; một số chỉ tiêu vượt so với cùng kỳ năm trước.",
    "Công tác phối hợp với các địa phương được duy trì thường xuyên, đúng tiến độ.",
    "Còn một số khó khăn về kinh phí và nhân lực, cần tiếp tục được quan tâm tháo gỡ.",
    "Thời gian tới, {dep} tiếp tục bám sát kế hoạch, nâng cao chất lượng {topic}.",
)


def _own_sections(outline: Outline, code: str) -> list[Section]:
    """The department's sections in outline order: its top ones and everything under them."""
    tops = {s.key for s in top_sections(outline, code)}
    return [
        s for s in outline.sections if s.key in tops or any(s.key.startswith(k + ".") for k in tops)
    ]


def _heading(section: Section, style: str) -> str:
    text = section.heading
    if section.level == 1:
        text = f"{section.number}: {section.title}"
    if style == "paraphrased":
        text = section.title
        for pattern, repl in _PARAPHRASE:
            new = re.sub(pattern, repl, text)
            if new != text:
                text = new[0].upper() + new[1:]
                break
    if style == "no-diacritics":
        text = strip_diacritics(text)
    return text


def _topic(section: Section) -> str:
    words = section.title.split()
    return " ".join(words[:10]).lower().rstrip(",;:")


def _paragraphs(section: Section, dep_name: str, rng: random.Random, version: int) -> list[str]:
    picks = rng.sample(range(len(_SENTENCES)), 3)
    out = [
        _SENTENCES[i].format(
            dep=dep_name, topic=_topic(section), n=rng.randint(2, 9), p=rng.randint(45, 80)
        )
        for i in sorted(picks)
    ]
    text = " ".join(out)
    if version > 1:
        text += " (Số liệu đã được cập nhật đến ngày 19/7/2023.)"
    return [text]


@dataclass
class Report:
    """A generated reply: the .docx bytes (None for a body-only reply) and the body text."""

    docx: bytes | None
    body: str
    file_name: str = ""


def build_report(outline: Outline, cfg: Config, code: str, style: str, seed: int = 7) -> Report:
    """A department's report written in ``style``, from the outline sections it owns."""
    dep = cfg.department(code)
    rng = random.Random(f"{seed}:{code}:{style}")
    version = 2 if style == "revision" else 1
    shape = "verbatim" if style in ("revision", "late") else style
    sections = _own_sections(outline, code)
    lines: list[tuple[str, str]] = []  # (kind, text): heading | para | table
    for s in sections:
        lines.append(("heading", _heading(s, shape)))
        has_children = any(c.parent == s.key for c in sections)
        if has_children:
            continue
        paras = _paragraphs(s, dep.name, rng, version)
        if shape == "no-diacritics":
            paras = [strip_diacritics(p) for p in paras]
        lines.extend(("para", p) for p in paras)
        if shape == "table":
            lines.append(("table", _topic(s)))
    if style == "body":
        body_lines = ["Kính gửi Văn phòng Sở,", "", f"{dep.name} báo cáo như sau:", ""]
        body_lines += [text for kind, text in lines if kind != "table"]
        body_lines += ["", "Trân trọng.", dep.name]
        return Report(None, "\n".join(body_lines))
    document = docx.Document()
    document.add_paragraph("SỞ KHOA HỌC VÀ CÔNG NGHỆ").runs[0].bold = True
    document.add_paragraph(dep.name.upper())
    title = document.add_paragraph("BÁO CÁO")
    title.runs[0].bold = True
    document.add_paragraph(
        "Sơ kết 6 tháng đầu năm 2023" + (" (bản sửa đổi)" if version > 1 else "")
    )
    intro = f"Thực hiện Công văn của Sở về việc báo cáo sơ kết, {dep.name} báo cáo như sau:"
    document.add_paragraph(strip_diacritics(intro) if shape == "no-diacritics" else intro)
    for kind, text in lines:
        if kind == "heading":
            run = document.add_paragraph().add_run(text)
            run.bold = True
        elif kind == "para":
            document.add_paragraph(text)
        else:
            table = document.add_table(rows=3, cols=4)
            table.style = "Table Grid"
            head = ("Chỉ tiêu", "Kế hoạch", "Thực hiện", "Tỷ lệ (%)")
            for i, value in enumerate(head):
                table.cell(0, i).text = value
            for r in (1, 2):
                plan, done = rng.randint(10, 40), rng.randint(5, 30)
                row = (f"{text[:40]} ({r})", str(plan), str(done), f"{100 * done // plan}")
                for i, value in enumerate(row):
                    table.cell(r, i).text = value
    document.add_paragraph("Nơi nhận: Văn phòng Sở; Lưu: VT.")
    buf = io.BytesIO()
    document.save(buf)
    suffix = "-sua-doi" if version > 1 else ""
    name = f"Bao cao 6 thang {dep.code}{suffix}.docx"
    if shape == "verbatim":
        name = f"Báo cáo sơ kết 6 tháng - {dep.name}{' (sửa đổi)' if version > 1 else ''}.docx"
    body = f"Kính gửi Văn phòng Sở,\n\n{dep.name} gửi báo cáo theo đề cương (tệp đính kèm).\n"
    return Report(buf.getvalue(), body, name)


def out_of_office(directive: dict[str, str], sender: str, back: str) -> EmailMessage:
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = sender
    msg["To"] = directive["from"]
    msg["Subject"] = f"Trả lời tự động: {directive['subject']}"
    msg["Auto-Submitted"] = "auto-replied"
    msg["X-Autoreply"] = "yes"
    msg["In-Reply-To"] = directive["message_id"]
    msg.set_content(
        f"Tôi đang nghỉ phép đến ngày {back}. Việc gấp xin liên hệ đồng chí Phó Văn phòng.\n"
    )
    return msg


def reply(directive: dict[str, str], sender: str, report: Report, revision: bool) -> EmailMessage:
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = sender
    msg["To"] = directive["from"]
    subject = f"RE: {directive['subject']}"
    msg["Subject"] = ("Bản sửa đổi - " + subject) if revision else subject
    msg["In-Reply-To"] = directive["message_id"]
    msg["References"] = directive["message_id"]
    msg.set_content(report.body)
    if report.docx is not None:
        msg.add_attachment(
            report.docx,
            maintype="application",
            subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
            filename=report.file_name,
        )
    return msg


# --- the workspace -------------------------------------------------------------------------


def prepare_folder(directory: Path) -> Path:
    """An empty demo folder; a previous demo's folder (with our marker) is replaced."""
    directory = directory.resolve()
    if directory.exists() and any(directory.iterdir()):
        if not (directory / MARKER).exists():
            raise MailflowError(
                t("demo.folder_not_empty", path=directory), t("demo.folder_not_empty_hint")
            )
        shutil.rmtree(directory)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / MARKER).write_text("mailflow demo workspace; safe to delete\n")
    return directory


def write_config(directory: Path, imap_port: int, smtp_port: int) -> Path:
    """The sample workspace, pointed at the embedded server, fast-polling, with a deputy/head."""
    bootstrap.write_sample_workspace(directory)
    path = directory / "config.toml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(imap = \{[^}]*port = )\d+", rf"\g<1>{imap_port}", text)
    text = re.sub(r"(smtp = \{[^}]*port = )\d+", rf"\g<1>{smtp_port}", text)
    text = re.sub(r"(?m)^imap_port = \d+", f"imap_port = {imap_port}", text)
    text = re.sub(r"(?m)^smtp_port = \d+", f"smtp_port = {smtp_port}", text)
    text = re.sub(r"(?m)^poll_seconds = \d+", "poll_seconds = 1", text)
    text = re.sub(r"(?m)^rate_per_minute = \d+", "rate_per_minute = 100000", text)
    text = text.replace(
        "[daemon]\n", '[daemon]\ndraft_pdf = "final"\nlog_file = "mailflow.log"\n', 1
    )
    text = _add_to_department(text, "VP", f'deputy_emails = ["{DEPUTY_VP}"]')
    text = _add_to_department(text, "TDC", f'head_emails = ["{HEAD_TDC}"]')
    path.write_text(text, encoding="utf-8")
    return path


def _add_to_department(text: str, code: str, line: str) -> str:
    marker = f'code = "{code}"\n'
    start = text.index(marker)
    end = text.find("\n\n", start)
    end = len(text) if end < 0 else end
    return text[:end] + "\n" + line + text[end:]


# --- running it ----------------------------------------------------------------------------


@dataclass
class DemoResult:
    workspace: Path
    config: Path
    final_docx: Path | None = None
    final_pdf: Path | None = None
    directives: dict[str, int] = field(default_factory=dict)  # address → directives in INBOX
    reminders: list[tuple[str, str, str]] = field(default_factory=list)  # (day, dept, reason)
    office_mails: int = 0
    office_address: str = ""
    grid: list[dict[str, Any]] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)


def grid_of(plan: DraftPlan) -> list[dict[str, Any]]:
    """The demo's closing grid, one row per department. Missing sections are named as the
    draft and ``mailflow status`` name them (outline number and heading), never by the
    internal section key."""
    return [
        {
            "code": row.code,
            "name": row.name,
            "sent": row.sent_at,
            "received": row.received_at,
            "late": row.late,
            "away": row.out_of_office,
            "missing": tuple(plan.section_name(k) for k in row.missing),
        }
        for row in plan.grid
    ]


class Demo:
    """The demo's moving parts, so the test can drive and inspect the same run."""

    def __init__(
        self,
        directory: Path,
        say: Callable[[str], None] = print,
        backend: str = "maildir",
        script: Sequence[Act] = SCRIPT,
    ) -> None:
        self.dir = prepare_folder(directory)
        self.say = say
        self.backend = backend
        self.script = sorted(script, key=lambda a: a.at)
        self.clock = FrozenClock(START)
        self.server: EmbeddedMailServer | None = None
        self.cfg: Config | None = None
        self.result = DemoResult(self.dir, self.dir / "config.toml")
        self._app: bootstrap.App | None = None

    def adapters(self) -> bootstrap.App:
        """The run's one App over the workspace's config and the demo's clock, shared by
        the directives' send and the daemon, as the CLI and the daemon share theirs."""
        assert self.cfg is not None
        if self._app is None:
            self._app = bootstrap.build(self.cfg, self.clock)
        return self._app

    # the embedded server and the workspace
    def start(self) -> None:
        from mailflow.adapters.mailserver import free_port

        logging.getLogger("mail.log").setLevel(logging.ERROR)  # aiosmtpd's deprecation chatter

        imap_port, smtp_port = free_port(), free_port()
        config_path = write_config(self.dir, imap_port, smtp_port)
        self.cfg = load(config_path)
        users = accounts_for(bootstrap.all_addresses(self.cfg), PASSWORD)
        self.server = bootstrap.embedded_server(
            users,
            backend=self.backend,
            data_dir=self.dir / "mailserver-data",
            smtp_port=smtp_port,
            imap_port=imap_port,
        ).start()
        self.say(t("demo.server", imap=imap_port, smtp=smtp_port, n=len(users)))
        self.say(t("demo.workspace", path=self.dir))

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    # mail as the departments see it
    def _imap(self, user: str) -> Any:
        from imap_tools import MailBoxUnencrypted

        assert self.server is not None
        return MailBoxUnencrypted(self.server.host, self.server.imap_port, timeout=30).login(
            user, PASSWORD
        )

    def inbox(self, user: str) -> list[Any]:
        with self._imap(user) as box:
            return list(box.fetch(mark_seen=False))

    def _submit(self, sender: str, msg: EmailMessage, when: datetime) -> None:
        assert self.server is not None and self.cfg is not None
        msg["Date"] = format_datetime(aware(when))
        msg["Message-ID"] = make_msgid(domain=DOMAIN)
        with smtplib.SMTP(self.server.host, self.server.smtp_port, timeout=30) as smtp:
            smtp.login(sender, PASSWORD)
            smtp.sendmail(sender, [self.cfg.mailbox.address], msg.as_bytes())

    def _directive_for(self, address: str) -> dict[str, str]:
        assert self.cfg is not None
        for m in self.inbox(address):
            loop = m.headers.get("x-mailflow-id", ("",))[0]
            if "/directive/" in loop:
                return {
                    "from": self.cfg.mailbox.address,
                    "subject": m.subject,
                    "message_id": m.headers.get("message-id", ("",))[0].strip(),
                }
        raise MailflowError(t("demo.no_directive", address=address))

    def act(self, a: Act, outline: Outline) -> None:
        assert self.cfg is not None
        dep = self.cfg.department(a.code)
        sender = dep.emails[0]
        directive = self._directive_for(sender)
        if a.style == "out-of-office":
            msg = out_of_office(directive, sender, "19/7/2023")
        else:
            report = build_report(outline, self.cfg, a.code, a.style)
            msg = reply(directive, sender, report, revision=a.style == "revision")
        self._submit(sender, msg, a.at)
        self.say(t("demo.act", when=a.at, code=a.code, style=t(f"demo.style_{a.style}")))

    # the campaign
    def send_directives(self) -> None:
        from mailflow.services import send as send_job

        assert self.cfg is not None
        prepared = send_job.prepare(self.cfg, self.cfg.campaigns[0].id)
        adapters = self.adapters()
        outcome = send_job.send(
            self.cfg,
            prepared,
            lambda: aware(adapters.clock.now()),
            store=adapters.store,
            archive=adapters.archive,
            servers=adapters.servers,
            templates=adapters.templates,
            allow_unresolved=True,
        )
        self.say(t("demo.directives", n=outcome.sent_now, when=self.clock.now()))

    def run(self) -> DemoResult:
        from mailflow.daemon import Daemon, setup_logging
        from mailflow.services.basics import load_outline

        assert self.cfg is not None
        campaign = self.cfg.campaigns[0]
        outline = load_outline(self.cfg, campaign)
        self.clock.set(START + timedelta(minutes=30))
        try:
            self.send_directives()
        except BaseException:
            self.adapters().close()  # the daemon below would have closed the shared App
            raise
        setup_logging(self.cfg, stream=False)  # the daemon's log goes to the workspace
        daemon = Daemon.of(self.adapters()).open()
        try:
            for moment in self.timeline():
                self.clock.set(moment)
                for a in self.script:
                    if a.at == moment:
                        self.act(a, outline)
                daemon.run_all()
            self._collect(daemon)
        finally:
            daemon.close()
        return self.result

    def timeline(self) -> list[datetime]:
        """Moments the daemon wakes: reminders in the morning, the digest (and the final
        draft) in the afternoon of each working day, and right after each act."""
        moments = {a.at for a in self.script}
        day = START.date()
        while day <= END.date():
            if day.weekday() < 5:
                for hour, minute in ((8, 0), (17, 0)):
                    moments.add(datetime(day.year, day.month, day.day, hour, minute))
            day += timedelta(days=1)
        return sorted(m for m in moments if START < m <= END)

    def _collect(self, daemon: Any) -> None:
        from mailflow.services.assemble import gather_plan

        assert self.cfg is not None
        store = daemon.store
        campaign = self.cfg.campaigns[0]
        for row in store.reminder_log():
            reason = json.loads(row["detail"] or "{}").get("reason", "")
            self.result.reminders.append((row["created_at"][:10], row["department"], reason))
        draft = store.latest_draft(campaign.id)
        if draft is not None:
            self.result.final_docx = daemon.archive.root / draft["path"]
            pdf = json.loads(draft["summary"] or "{}").get("pdf")
            self.result.final_pdf = daemon.archive.root / pdf if pdf else None
            if self.result.final_pdf is None:
                self.result.final_pdf = self._pdf(self.result.final_docx)
        plan = gather_plan(self.cfg, store, daemon.archive, campaign, self.clock.now())
        self.result.grid.extend(grid_of(plan))
        for address in [a for d in self.cfg.departments for a in d.emails]:
            self.result.directives[address] = sum(
                1
                for m in self.inbox(address)
                if "/directive/" in m.headers.get("x-mailflow-id", ("",))[0]
            )
        self.result.office_address = self.cfg.office.emails[0]
        self.result.office_mails = sum(
            1
            for m in self.inbox(self.result.office_address)
            if re.search(r"/(draft|digest)/", m.headers.get("x-mailflow-id", ("",))[0])
        )

    def _pdf(self, docx_path: Path) -> Path | None:
        from mailflow.adapters.pdf import to_pdf

        out = self.dir / "final" / docx_path.with_suffix(".pdf").name
        out.parent.mkdir(parents=True, exist_ok=True)
        made = to_pdf(docx_path, out)
        return made.path


def run_demo(
    directory: Path, say: Callable[[str], None] = print, backend: str = "maildir"
) -> DemoResult:
    demo = Demo(directory, say=say, backend=backend)
    try:
        demo.start()
        return demo.run()
    finally:
        demo.stop()
