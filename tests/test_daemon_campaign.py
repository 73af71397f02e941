"""A simulated 10-day campaign run by the daemon (frozen clock, real SMTP/IMAP peers).

Departments answer on different days; the daemon takes the mail in, reminds and mails
the Office. Checked: reminders go only to departments still owing sections, on the
reminder days, to the deputy while the person is away (or not at all without one), with
the head copied once overdue, never after a department submitted; each mailbox holds
one directive; the Office gets drafts, the final one included.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from daemon_support import (
    loop_kind,
    parsed,
    reminder_log,
    rows,
    run_campaign,
)

import mailenv
from mailenv import MailEnv
from mailflow import config as config_mod
from mailflow.demo import Act

START = datetime(2023, 7, 12, 8, 0)  # ten days: 12/7 → 22/7, deadline 21/7
END = datetime(2023, 7, 22, 18, 0)
SCRIPT = (
    Act(datetime(2023, 7, 12, 10, 0), "VP", "out-of-office"),  # back 20/7, has a deputy
    Act(datetime(2023, 7, 12, 10, 30), "QLKH", "out-of-office"),  # back 20/7, no deputy
    Act(datetime(2023, 7, 14, 9, 0), "QLCN", "verbatim"),
    Act(datetime(2023, 7, 19, 10, 0), "KHTC", "verbatim"),
    Act(datetime(2023, 7, 20, 9, 0), "VP", "verbatim"),
    Act(datetime(2023, 7, 21, 12, 0), "TDC", "verbatim"),
)


@pytest.fixture(scope="module", params=["embedded", "real"])
def campaign_run(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[config_mod.Config, MailEnv]]:
    """One campaign per server, shared by the checks below (it takes a while to run)."""
    if request.param == "embedded":
        env = mailenv.start_embedded()
    else:
        real = mailenv.real_env(request)
        env = real
    try:
        path = tmp_path_factory.mktemp("campaign") / "config.toml"
        cfg, _ = run_campaign(env, path, SCRIPT, START, END)
        yield cfg, env
    finally:
        if env.kind == "embedded":
            mailenv.stop_embedded(env)


def test_reminders_go_to_who_still_owes_sections_on_the_right_days(
    campaign_run: tuple[config_mod.Config, MailEnv],
) -> None:
    cfg, env = campaign_run
    a = env.addr
    by_day: dict[str, set[tuple[str, tuple[str, ...]]]] = {}
    for day, code, recipients in reminder_log(cfg.state_path):
        by_day.setdefault(day, set()).add((code, recipients))
    assert by_day == {
        # QLCN submitted on the 14th: never reminded. QLKH is away without a deputy.
        "2023-07-18": {
            ("VP", (a("pho.vp"),)),  # away: its deputy gets it
            ("TDC", (a("tdc"),)),
            ("KHTC", (a("khtc"),)),
            ("TTCG", (a("trungtam"),)),
        },
        # KHTC submitted on the 19th; VP and QLKH are back.
        "2023-07-20": {
            ("VP", (a("vanphong"),)),  # its reply comes at 09:00, after the morning reminder
            ("QLKH", (a("qlkh"),)),
            ("TDC", (a("tdc"),)),
            ("TTCG", (a("trungtam"),)),
        },
        "2023-07-21": {("QLKH", (a("qlkh"),)), ("TDC", (a("tdc"),)), ("TTCG", (a("trungtam"),))},
        # TDC submitted on the 21st; overdue: QLKH's head is copied.
        "2023-07-22": {
            ("QLKH", (a("qlkh"), a("truong.qlkh"))),
            ("TTCG", (a("trungtam"),)),
        },
    }


def test_reminders_arrive_marked_auto_generated_and_name_the_missing_sections(
    campaign_run: tuple[config_mod.Config, MailEnv],
) -> None:
    _, env = campaign_run
    got = [m for m in map(parsed, env.messages(env.addr("trungtam"))) if loop_kind(m) == "reminder"]
    assert len(got) == 4
    for msg in got:
        assert msg["Auto-Submitted"] == "auto-generated"
        assert "[2023-H1]" in str(msg["Subject"])
        body = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert "Phát triển một số ngành sản xuất" in body  # a section TTCG owes
        assert "tiêu chuẩn đo lường" not in body.lower()  # QLCN/TDC's section, not TTCG's
    directive_ids = {
        str(m["Message-ID"])
        for m in map(parsed, env.messages(env.addr("trungtam")))
        if loop_kind(m) == "directive"
    }
    assert {str(m["In-Reply-To"]) for m in got} == directive_ids


def test_no_reminder_after_a_department_submitted(
    campaign_run: tuple[config_mod.Config, MailEnv],
) -> None:
    cfg, env = campaign_run
    submitted = {a.code: a.at.date().isoformat() for a in SCRIPT if a.style != "out-of-office"}
    for day, code, _ in reminder_log(cfg.state_path):
        if code in submitted:
            assert day <= submitted[code], (code, day)
    assert not [
        m for m in map(parsed, env.messages(env.addr("qlcn"))) if loop_kind(m) == "reminder"
    ]


def test_every_mailbox_holds_exactly_one_directive(
    campaign_run: tuple[config_mod.Config, MailEnv],
) -> None:
    cfg, env = campaign_run
    for dep in cfg.departments:
        directives = [
            m for m in map(parsed, env.messages(dep.emails[0])) if loop_kind(m) == "directive"
        ]
        assert len(directives) == 1, dep.code


def test_the_office_gets_drafts_and_the_final_one(
    campaign_run: tuple[config_mod.Config, MailEnv],
) -> None:
    cfg, env = campaign_run
    sends = rows(cfg.state_path, "SELECT * FROM sends WHERE kind IN ('draft', 'digest')")
    assert sends and all(s["status"] == "sent" for s in sends)
    final = [s for s in sends if s["dedupe_key"] == "final:2023-h1"]
    assert len(final) == 1
    office = list(map(parsed, env.messages(cfg.office.emails[0])))
    ids = {str(m["Message-ID"]) for m in office if loop_kind(m) in ("draft", "digest")}
    assert {s["message_id"] for s in sends} == ids
    reports = rows(cfg.state_path, "SELECT * FROM mails WHERE kind = 'report'")
    assert len(reports) == 4  # QLCN, KHTC, VP, TDC: each recorded once
