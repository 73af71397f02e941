"""Simulated departments for the daemon tests: they read their mailbox, answer by SMTP.

Used by the 10-day campaign test (in-process daemon, frozen clock) and by the kill -9
test (daemon subprocess on a simulated clock). The replies are the demo's generated ones
(``mailflow.demo.build_report``), so the tests and the demo exercise the same mail.
"""

from __future__ import annotations

import email
import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

import docx

from mailenv import MailEnv
from mailflow import bootstrap
from mailflow import config as config_mod
from mailflow.clock import FrozenClock, aware
from mailflow.config import Config
from mailflow.core.draft_plan import DraftPlan
from mailflow.daemon import Daemon
from mailflow.demo import Act, build_report, out_of_office, reply
from mailflow.model import Outline
from mailflow.services.assemble import gather_plan


def with_daemon_settings(text: str, **settings: str) -> str:
    """The test config with extra ``[daemon]`` keys (values written as TOML)."""
    lines = "".join(f"{k} = {v}\n" for k, v in settings.items())
    return text.replace("[daemon]\n", "[daemon]\n" + lines, 1)


def parsed(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=policy.default)  # type: ignore[return-value]


def loop_kind(msg: email.message.EmailMessage) -> str:
    """directive | reminder | draft | digest | receipt | "" from our X-Mailflow-Id."""
    value = str(msg.get("X-Mailflow-Id", ""))
    parts = value.split("/")
    return parts[1] if len(parts) > 2 else ""


class Departments:
    """The departments' side of the campaign, over real SMTP/IMAP of ``env``."""

    def __init__(self, env: MailEnv, cfg: Config, outline: Outline) -> None:
        self.env = env
        self.cfg = cfg
        self.outline = outline
        self._directives: dict[str, dict[str, str]] = {}

    def mails(self, address: str, kind: str) -> list[email.message.EmailMessage]:
        return [m for m in map(parsed, self.env.messages(address)) if loop_kind(m) == kind]

    def directive(self, address: str) -> dict[str, str]:
        if address in self._directives:  # an IMAP login costs; the directive stays the same
            return self._directives[address]
        found = self.mails(address, "directive")
        if not found and self.env.kind == "real":
            self.env.wait_for(address, 1)
            found = self.mails(address, "directive")
        assert found, f"{address} has no directive"
        msg = found[0]
        self._directives[address] = {
            "from": self.cfg.mailbox.address,
            "subject": str(msg["Subject"]),
            "message_id": str(msg["Message-ID"]).strip(),
        }
        return self._directives[address]

    def act(self, a: Act) -> str:
        """Do ``a`` (reply, revise, auto-reply); returns the Message-ID it sent."""
        dep = self.cfg.department(a.code)
        sender = dep.emails[0]
        directive = self.directive(sender)
        if a.style == "out-of-office":
            msg: EmailMessage = out_of_office(directive, sender, "20/7/2023")
        else:
            report = build_report(self.outline, self.cfg, a.code, a.style)
            msg = reply(directive, sender, report, revision=a.style == "revision")
        msg["Date"] = format_datetime(aware(a.at))  # as the office's mail clients write it
        msg["Message-ID"] = make_msgid(domain=self.env.domain)
        real = self.env.kind == "real"
        before = len(self.env.messages(self.cfg.mailbox.address)) if real else 0
        self.env.smtp_send(sender, [self.cfg.mailbox.address], msg.as_bytes())
        if real:  # Postfix delivers asynchronously
            self.env.wait_for(self.cfg.mailbox.address, before + 1)
        return str(msg["Message-ID"])


def outline_of(cfg: Config) -> Outline:
    from mailflow.services.basics import load_outline

    return load_outline(cfg, cfg.campaigns[0])


def send_directives(cfg: Config, now: datetime) -> int:
    from mailflow.services import send as send_job

    prepared = send_job.prepare(cfg, cfg.campaigns[0].id)
    app = bootstrap.build(cfg)
    store, archive = app.store, app.archive
    try:
        outcome = send_job.send(
            cfg,
            prepared,
            lambda: aware(now),
            store=store,
            archive=archive,
            servers=app.servers,
            templates=app.templates,
            allow_unresolved=True,
        )
    finally:
        store.close()
    return outcome.sent_now


def rows(state: Path, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    with sqlite3.connect(state) as db:
        db.row_factory = sqlite3.Row
        return [dict(r) for r in db.execute(sql, list(params))]


def reminder_log(state: Path) -> list[tuple[str, str, tuple[str, ...]]]:
    """(day, department, recipients) of every reminder the outbox holds, in order."""
    out = []
    for r in rows(state, "SELECT * FROM sends WHERE kind = 'reminder' ORDER BY id"):
        out.append(
            (r["dedupe_key"].split(":")[3], r["department"], tuple(json.loads(r["recipients"])))
        )
    return out


def draft_text(path: Path) -> list[str]:
    """The draft's words and structure without what changes from run to run.

    Times, dates and version numbers differ between two runs of the same campaign (the
    draft says when it was made); the headings, attributions and parts must not.
    """
    import re

    document = docx.Document(str(path))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(c.text for c in row.cells))
    out = []
    for line in lines:
        line = re.sub(r"\d{1,2}:\d{2}", "HH:MM", line)
        line = re.sub(r"\d{1,2}/\d{1,2}/\d{4}", "DD/MM/YYYY", line)
        line = re.sub(r"(lần|version|v)\s*\d+", r"\1 N", line)
        if line.strip():
            out.append(line)
    return out


def moments(script: Sequence[Act], start: datetime, end: datetime) -> list[datetime]:
    """When the simulated daemon wakes: each act, and 08:00 and 17:30 of every day, after
    ``start`` up to ``end``."""
    found = {a.at for a in script}
    day = start
    while day <= end:
        found |= {day.replace(hour=8), day.replace(hour=17, minute=30)}
        day += timedelta(days=1)
    return sorted(m for m in found if start < m <= end)


def run_campaign(
    env: MailEnv, config: Path, script: Sequence[Act], start: datetime, end: datetime
) -> tuple[Config, DraftPlan]:
    """A whole campaign on ``env``: the daemon's config written to ``config``, the six
    directives sent at ``start``, then the in-process daemon run on a frozen clock at each
    of ``moments`` while the departments act on ``script``. Returns the config and the
    campaign's plan at ``end`` (its grid: who was late)."""
    config.write_text(with_daemon_settings(env.config_text(), draft_pdf='"none"'), encoding="utf-8")
    cfg = config_mod.load(config)
    clock = FrozenClock(start)
    assert send_directives(cfg, clock.now()) == 6
    deps = Departments(env, cfg, outline_of(cfg))
    daemon = Daemon(cfg, clock).open()
    try:
        for moment in moments(script, start, end):
            clock.set(moment)
            for act in script:
                if act.at == moment:
                    deps.act(act)
            daemon.run_all()
        plan = gather_plan(cfg, daemon.store, daemon.archive, cfg.campaigns[0], clock.now())
    finally:
        daemon.close()
    return cfg, plan
