"""The office's zone (``office.timezone``), not the server's, sets every time mailflow keeps.

A campaign run on a server in UTC and on one in Vietnam sends the same reminders at the
same Vietnam hour and flags the same replies late; a wrong zone name is a one-line config
error naming the key; a simulated clock given an offset lands on the office's wall time.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from daemon_support import (
    loop_kind,
    parsed,
    reminder_log,
    run_campaign,
)

import mailenv
from mailflow import config as config_mod
from mailflow.clock import SystemClock, from_env, set_office_zone, utc_now
from mailflow.demo import Act
from mailflow.errors import ConfigError

REPO = Path(__file__).parent.parent
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

START = datetime(2023, 7, 17, 8, 0)  # office wall time: directives on the 17th, deadline 21st
END = datetime(2023, 7, 22, 9, 0)
SCRIPT = [
    Act(datetime(2023, 7, 19, 10, 0), "KHTC", "verbatim"),
    Act(datetime(2023, 7, 21, 23, 30), "TDC", "verbatim"),  # deadline day: on time
    Act(datetime(2023, 7, 22, 6, 30), "QLCN", "verbatim"),  # 21/7 23:30 UTC, yet late
]


@pytest.fixture
def server_zone(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run the test as on a server whose zone is ``request.param`` (TZ + tzset)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    try:
        yield request.param
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()
        set_office_zone(VIETNAM)


@pytest.mark.parametrize("server_zone", ["UTC", "Asia/Ho_Chi_Minh"], indirect=True)
def test_a_campaign_reminds_at_the_same_vietnam_hour_and_flags_the_same_replies_late(
    server_zone: str, tmp_path: Path
) -> None:
    env = mailenv.start_embedded()
    try:
        cfg, plan = run_campaign(env, tmp_path / "config.toml", SCRIPT, START, END)
        late = sorted(r.code for r in plan.grid if r.late)
        sent_hours = {
            parsed(raw)["Date"].datetime.astimezone(VIETNAM).strftime("%H:%M")
            for dep in cfg.departments
            for raw in env.messages(dep.emails[0])
            if loop_kind(parsed(raw)) == "reminder"
        }
    finally:
        mailenv.stop_embedded(env)
    days = {(day, code) for day, code, _ in reminder_log(cfg.state_path)}
    assert late == ["QLCN", "QLKH", "TTCG", "VP"]  # QLCN's reply came on the 22nd, Vietnam time
    assert sent_hours == {"08:00"}
    assert {d for d, _ in days} == {"2023-07-18", "2023-07-20", "2023-07-21", "2023-07-22"}
    assert ("2023-07-22", "TDC") not in days  # TDC replied before midnight on the 21st
    assert ("2023-07-22", "QLCN") not in days  # QLCN's late reply came before 08:00


#: the ten-day campaign of test_daemon_campaign.py, its last two replies moved to either
#: side of midnight in Vietnam: on time there, then late there though still the 21st in UTC
TEN_DAYS_START = datetime(2023, 7, 12, 8, 0)
TEN_DAYS_END = datetime(2023, 7, 22, 18, 0)
TEN_DAYS = [
    Act(datetime(2023, 7, 12, 10, 0), "VP", "out-of-office"),  # back 20/7, has a deputy
    Act(datetime(2023, 7, 12, 10, 30), "QLKH", "out-of-office"),  # back 20/7, no deputy
    Act(datetime(2023, 7, 14, 9, 0), "QLCN", "verbatim"),
    Act(datetime(2023, 7, 19, 10, 0), "KHTC", "verbatim"),
    Act(datetime(2023, 7, 20, 9, 0), "VP", "verbatim"),
    Act(datetime(2023, 7, 21, 23, 30), "TDC", "verbatim"),  # 16:30 UTC: on time
    Act(datetime(2023, 7, 22, 6, 30), "TTCG", "verbatim"),  # 21/7 23:30 UTC, yet late
]


@pytest.mark.parametrize("server_zone", ["UTC", "Asia/Ho_Chi_Minh"], indirect=True)
def test_the_ten_day_campaign_sends_the_same_reminders_at_the_same_vietnam_times(
    server_zone: str, tmp_path: Path
) -> None:
    """Both server zones must give exactly this: who is reminded on which day, the Vietnam
    hour on each reminder's Date, and which departments the draft flags late."""
    env = mailenv.start_embedded()
    try:
        cfg, plan = run_campaign(
            env, tmp_path / "config.toml", TEN_DAYS, TEN_DAYS_START, TEN_DAYS_END
        )
        reminders = sorted(
            (
                parsed(raw)["Date"].datetime.astimezone(VIETNAM).strftime("%Y-%m-%d %H:%M"),
                dep.code,
            )
            for dep in cfg.departments
            for address in {*dep.emails, *dep.deputy_emails}
            for raw in env.messages(address)
            if loop_kind(parsed(raw)) == "reminder"
        )
    finally:
        mailenv.stop_embedded(env)
    a = env.addr
    by_day: dict[str, set[tuple[str, tuple[str, ...]]]] = {}
    for day, code, recipients in reminder_log(cfg.state_path):
        by_day.setdefault(day, set()).add((code, recipients))
    assert by_day == {
        "2023-07-18": {
            ("VP", (a("pho.vp"),)),  # away: its deputy gets it
            ("TDC", (a("tdc"),)),
            ("KHTC", (a("khtc"),)),
            ("TTCG", (a("trungtam"),)),
        },
        "2023-07-20": {
            ("VP", (a("vanphong"),)),
            ("QLKH", (a("qlkh"),)),
            ("TDC", (a("tdc"),)),
            ("TTCG", (a("trungtam"),)),
        },
        # TDC's reply comes at 23:30, after the morning's reminder
        "2023-07-21": {("QLKH", (a("qlkh"),)), ("TDC", (a("tdc"),)), ("TTCG", (a("trungtam"),))},
        # TTCG replied at 06:30, before the 08:00 reminders; QLKH's head is copied
        "2023-07-22": {("QLKH", (a("qlkh"), a("truong.qlkh")))},
    }
    assert reminders == sorted(
        (f"{day} 08:00", code) for day, entries in by_day.items() for code, _ in entries
    )
    assert sorted(r.code for r in plan.grid if r.late) == ["QLKH", "TTCG"]


@pytest.mark.parametrize("server_zone", ["UTC", "America/New_York"], indirect=True)
def test_the_system_clock_reads_the_office_wall_time_whatever_the_server_zone(
    server_zone: str,
) -> None:
    office = SystemClock().now()
    expected = utc_now().astimezone(VIETNAM).replace(tzinfo=None)
    assert abs(expected - office) < timedelta(minutes=5)


@pytest.mark.parametrize("server_zone", ["UTC", "Asia/Ho_Chi_Minh"], indirect=True)
def test_a_fake_now_with_an_offset_is_read_as_office_wall_time(server_zone: str) -> None:
    clock = from_env({"MAILFLOW_FAKE_NOW": "2023-07-10T01:00:00+00:00", "MAILFLOW_FAKE_SPEED": "0"})
    assert clock.now() == datetime(2023, 7, 10, 8, 0)
    naive = from_env({"MAILFLOW_FAKE_NOW": "2023-07-10T08:00:00", "MAILFLOW_FAKE_SPEED": "0"})
    assert naive.now() == datetime(2023, 7, 10, 8, 0)


def test_office_timezone_defaults_to_vietnam() -> None:
    cfg = config_mod.load(REPO / "config.toml", check_files=False)
    assert cfg.office.timezone == "Asia/Ho_Chi_Minh"


@pytest.mark.parametrize("name", ["Asia/Hanoi_City", "Asia", "", "../etc/passwd"])
def test_a_wrong_office_timezone_is_one_line_naming_the_key(tmp_path: Path, name: str) -> None:
    text = (REPO / "config.toml").read_text(encoding="utf-8")
    text = text.replace("[office]", f'[office]\ntimezone = "{name}"', 1)
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        config_mod.load(path, check_files=False)
    lines = info.value.message.splitlines()
    assert len(lines) == 1
    assert "office.timezone" in lines[0]
    assert f"'{name}'" in lines[0]
