"""The clock adapter: the one place the daemon reads the real time.

Why: what is due (reminders, digests, the final draft) is decided by the pure core from
``now`` as a value. Everything that runs on its own asks a ``Clock`` for that value, so
tests and the demo can run a whole campaign over simulated days, and a daemon started
as a subprocess can be put on simulated time through the environment:

- ``MAILFLOW_FAKE_NOW=2023-07-10T08:00:00`` — the simulated time at the anchor;
- ``MAILFLOW_FAKE_ANCHOR=<unix seconds>`` — the real instant that corresponds to it
  (default: when the process started). Restarted processes given the same anchor agree
  on the simulated time, so a daemon killed and restarted resumes its simulated day;
- ``MAILFLOW_FAKE_SPEED=3600`` — simulated seconds per real second (default 1).

Only this module reads those variables. Times are naive local datetimes, as the config's
deadline and digest time are local wall-clock values.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import datetime, timedelta
from typing import Protocol

from mailflow.errors import ConfigError
from mailflow.i18n import t

ENV_NOW = "MAILFLOW_FAKE_NOW"
ENV_ANCHOR = "MAILFLOW_FAKE_ANCHOR"
ENV_SPEED = "MAILFLOW_FAKE_SPEED"


class Clock(Protocol):
    def now(self) -> datetime:
        """The current (possibly simulated) local time, naive."""
        ...

    def monotonic(self) -> float:
        """Real seconds for timeouts and back-off; never simulated."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now()

    def monotonic(self) -> float:
        return time.monotonic()


class FrozenClock:
    """Time stands still until a test or the demo moves it (thread-safe).

    Its ``monotonic`` moves with it, so back-off waits run on simulated time too: a
    test that advances the clock by ten minutes has waited ten minutes.
    """

    def __init__(self, at: datetime) -> None:
        self._start = at
        self._at = at
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._at

    def set(self, at: datetime) -> None:
        with self._lock:
            self._at = at

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            self._at += delta
            return self._at

    def monotonic(self) -> float:
        with self._lock:
            return (self._at - self._start).total_seconds()


class SimulatedClock:
    """Simulated time that runs ``speed`` times faster than the real clock from an anchor."""

    def __init__(self, start: datetime, anchor: float | None = None, speed: float = 1.0) -> None:
        self.start = start
        self.anchor = time.time() if anchor is None else anchor
        self.speed = speed

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(time.time() - self.anchor) * self.speed)

    def monotonic(self) -> float:
        return time.monotonic()


def from_env(environ: dict[str, str] | None = None) -> Clock:
    """The daemon's clock: simulated when ``MAILFLOW_FAKE_NOW`` is set, else the system's."""
    env = os.environ if environ is None else environ
    raw = env.get(ENV_NOW, "").strip()
    if not raw:
        return SystemClock()
    try:
        start = datetime.fromisoformat(raw)
        anchor = float(env[ENV_ANCHOR]) if env.get(ENV_ANCHOR) else None
        speed = float(env.get(ENV_SPEED) or 1.0)
    except ValueError as exc:
        raise ConfigError(t("daemon.bad_fake_clock", error=exc)) from None
    if start.tzinfo is not None:
        start = start.astimezone().replace(tzinfo=None)
    return SimulatedClock(start, anchor, speed)
