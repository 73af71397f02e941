"""The clock adapter: system, frozen and simulated time, and the environment switch."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from mailflow.clock import FrozenClock, SimulatedClock, SystemClock, from_env
from mailflow.errors import ConfigError


def test_without_the_variable_the_daemon_reads_the_system_clock() -> None:
    clock = from_env({})
    assert isinstance(clock, SystemClock)
    office = datetime.now(UTC).astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).replace(tzinfo=None)
    assert abs((clock.now() - office).total_seconds()) < 5  # the office's wall time


def test_fake_now_starts_a_simulated_clock_at_that_time() -> None:
    clock = from_env({"MAILFLOW_FAKE_NOW": "2023-07-10T08:00:00"})
    assert isinstance(clock, SimulatedClock)
    assert timedelta(0) <= clock.now() - datetime(2023, 7, 10, 8) < timedelta(minutes=1)


def test_processes_sharing_an_anchor_agree_on_the_simulated_time() -> None:
    anchor = time.time() - 10  # the first process started ten real seconds ago
    env = {
        "MAILFLOW_FAKE_NOW": "2023-07-10T08:00:00",
        "MAILFLOW_FAKE_ANCHOR": str(anchor),
        "MAILFLOW_FAKE_SPEED": "3600",
    }
    now = from_env(env).now()
    # ten real seconds at 3600x are ten simulated hours: a restart resumes, not rewinds
    assert datetime(2023, 7, 10, 18) <= now < datetime(2023, 7, 10, 19)


def test_an_aware_fake_time_becomes_the_office_wall_time() -> None:
    clock = from_env({"MAILFLOW_FAKE_NOW": "2023-07-10T08:00:00+00:00", "MAILFLOW_FAKE_SPEED": "0"})
    assert clock.now() == datetime(2023, 7, 10, 15, 0)  # 08:00 UTC is 15:00 in Vietnam


@pytest.mark.parametrize(
    "env",
    [
        {"MAILFLOW_FAKE_NOW": "10/07/2023"},
        {"MAILFLOW_FAKE_NOW": "2023-07-10T08:00", "MAILFLOW_FAKE_SPEED": "fast"},
        {"MAILFLOW_FAKE_NOW": "2023-07-10T08:00", "MAILFLOW_FAKE_ANCHOR": "yesterday"},
    ],
)
def test_a_bad_fake_clock_is_a_config_error(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError, match="MAILFLOW_FAKE"):
        from_env(env)


def test_a_frozen_clock_moves_only_when_told_and_its_monotonic_follows() -> None:
    clock = FrozenClock(datetime(2023, 7, 10, 8))
    assert clock.now() == datetime(2023, 7, 10, 8)
    assert clock.monotonic() == 0
    clock.advance(timedelta(minutes=10))
    assert clock.now() == datetime(2023, 7, 10, 8, 10)
    assert clock.monotonic() == 600
