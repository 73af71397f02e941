"""The SMTP server goes away for ten simulated minutes around the final draft.

In-process daemon on a frozen clock (``mailflow.clock.FrozenClock``) against a real
SMTP server reached through a loopback forwarder that is simply not there while the
server is "down" (connections refused). Nothing is mocked: the outbox, the daemon's
jobs and the mail server are the real ones. Checked: the final draft is delivered
exactly once when the server returns, nothing fails meanwhile, the wait is logged once
(not every minute), `status` shows the waiting mail, and the final draft names the
mail that had waited; a 5xx still fails the final draft at once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from daemon_support import parsed, rows, with_daemon_settings
from faults import FaultyProxy

import mailenv
from mailenv import MailEnv
from mailflow import config as config_mod
from mailflow.adapters.mailserver import free_port
from mailflow.cli import cli
from mailflow.clock import FrozenClock
from mailflow.daemon import Daemon
from mailflow.i18n import get_lang, set_lang, t
from mailflow.services.outbox import queue_mail

pytestmark = pytest.mark.integration

START = datetime(2023, 7, 21, 16, 58)  # the deadline day; the final draft is due at 17:00
DOWN_UNTIL = datetime(2023, 7, 21, 17, 10)
END = datetime(2023, 7, 21, 17, 40)


class _Keep(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@dataclass
class Outage:
    env: MailEnv
    cfg: config_mod.Config
    log: list[str]
    status_during: str = ""
    sends: list[dict] = field(default_factory=list)  # type: ignore[type-arg]


def _config(tmp: Path, env: MailEnv, smtp_port: int) -> config_mod.Config:
    text = with_daemon_settings(env.config_text(), draft_pdf='"none"')
    text = text.replace(f"port = {env.smtp_port}", f"port = {smtp_port}")
    text = text.replace(
        "rate_per_minute = 100000", "rate_per_minute = 100000\nretry_warn_minutes = 1"
    )
    path = tmp / "config.toml"
    path.write_text(text, encoding="utf-8")
    return config_mod.load(path)


@pytest.fixture(scope="module", params=["embedded", "real"])
def outage(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Outage]:
    env = mailenv.start_embedded() if request.param == "embedded" else mailenv.real_env(request)
    before = get_lang()
    set_lang("en")
    keep = _Keep()
    logging.getLogger("mailflow").addHandler(keep)
    down_port = free_port()  # nothing listens here until the server "returns"
    proxy = FaultyProxy(target_port=env.smtp_port, port=down_port)
    try:
        cfg = _config(tmp_path_factory.mktemp("outage"), env, down_port)
        clock = FrozenClock(START)
        run = Outage(env, cfg, keep.lines)
        daemon = Daemon(cfg, clock).open()
        try:
            queue_mail(  # a receipt to a department, caught by the outage first
                cfg, daemon.store, daemon.archive, kind="receipt", campaign="2023-h1",
                department="QLKH", to=[env.addr("qlkh")], subject="Đã nhận báo cáo",
                text="Đã nhận.", dedupe_key="receipt:outage-test", now=clock.now(),
            )  # fmt: skip
            moment = START
            while moment <= END:
                clock.set(moment)
                if moment == DOWN_UNTIL:
                    proxy.start()
                daemon.run_all()
                if moment == datetime(2023, 7, 21, 17, 5):
                    result = CliRunner().invoke(
                        cli, ["--lang", "en", "--config", str(cfg.path), "status"]
                    )
                    run.status_during = result.output
                moment += timedelta(minutes=1)
        finally:
            daemon.close()
        run.sends = rows(cfg.state_path, "SELECT * FROM sends ORDER BY id")
        yield run
    finally:
        proxy.close()
        logging.getLogger("mailflow").removeHandler(keep)
        set_lang(before)
        if env.kind == "embedded":
            mailenv.stop_embedded(env)


def _final(run: Outage) -> dict:  # type: ignore[type-arg]
    (final,) = [s for s in run.sends if s["dedupe_key"] == "final:2023-h1"]
    return final


def test_the_final_draft_is_delivered_exactly_once_when_the_server_returns(run: Outage) -> None:
    final = _final(run)
    assert final["status"] == "sent" and final["attempts"] >= 2, final
    assert datetime.fromisoformat(final["sent_at"]).replace(tzinfo=None) >= DOWN_UNTIL
    office = run.env.wait_for(run.env.addr("vanphong"), 1)
    got = [m for m in map(parsed, office) if str(m["Message-ID"]).strip() == final["message_id"]]
    assert len(got) == 1


def test_the_mail_caught_first_by_the_outage_is_delivered_exactly_once_too(
    run: Outage,
) -> None:
    (receipt,) = [s for s in run.sends if s["dedupe_key"] == "receipt:outage-test"]
    inbox = run.env.wait_for(run.env.addr("qlkh"), 1)
    got = [m for m in map(parsed, inbox) if str(m["Message-ID"]).strip() == receipt["message_id"]]
    assert receipt["status"] == "sent" and len(got) == 1


def test_nothing_fails_during_a_ten_minute_outage(run: Outage) -> None:
    assert [s["dedupe_key"] for s in run.sends if s["status"] != "sent"] == []


def test_the_waiting_mail_is_logged_once_not_every_minute(run: Outage) -> None:
    waited = [line for line in run.log if "have waited over 1 minutes" in line]
    assert len(waited) == 1, run.log


def test_status_shows_the_waiting_mail_during_the_outage(run: Outage) -> None:
    assert "have waited over 1 minutes" in run.status_during, run.status_during
    assert run.env.addr("qlkh") in run.status_during


def test_the_final_draft_names_the_mail_that_had_waited(run: Outage) -> None:
    office = run.env.wait_for(run.env.addr("vanphong"), 1)
    final_id = _final(run)["message_id"]
    (msg,) = [m for m in map(parsed, office) if str(m["Message-ID"]).strip() == final_id]
    body = msg.get_body(preferencelist=("plain",)).get_content()
    said = t("send.waiting", run.cfg.lang, n=1, minutes=1)  # the Office's language
    assert said in body and run.env.addr("qlkh") in body


@pytest.fixture
def run(outage: Outage) -> Outage:
    return outage


def test_a_5xx_fails_the_final_draft_at_once(tmp_path: Path) -> None:
    env = mailenv.start_embedded()
    try:
        cfg = _config(tmp_path, env, env.smtp_port)
        office = env.addr("vanphong")
        env._embedded.rcpt_policy = (  # type: ignore[union-attr]
            lambda rcpt: "550 5.1.1 mailbox unavailable" if rcpt == office else None
        )
        clock = FrozenClock(datetime(2023, 7, 21, 17, 0))
        daemon = Daemon(cfg, clock).open()
        try:
            daemon.run_all()
        finally:
            daemon.close()
        (final,) = rows(cfg.state_path, "SELECT * FROM sends WHERE dedupe_key = 'final:2023-h1'")
        assert final["status"] == "failed" and final["attempts"] == 1
        assert final["last_error"].startswith("550")
    finally:
        mailenv.stop_embedded(env)
