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

Only this module reads those variables, and only this module reads the real time.

Time convention (one for the whole program): an instant is aware; the office's zone
(``office.timezone``, an IANA name, default ``Asia/Ho_Chi_Minh``) is the zone every
deadline, digest time, reminder hour, "late" flag and displayed time is in, whatever zone
the server runs in. ``Clock.now()`` gives the office's wall-clock time (naive, in that
zone), which is what the pure core compares with the config's wall-clock values; the
edges convert with ``wall`` (to show or compare), ``aware`` (to stamp or send) and
``parse_stored`` (to read a stored value back). A naive stored value is read as office
wall time: mailflow wrote naive values only from its clock, and before this convention
that clock ran on the server's zone, which was correct only where server and office
agreed — so office time is how those values were meant.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mailflow.errors import ConfigError
from mailflow.i18n import t

ENV_NOW = "MAILFLOW_FAKE_NOW"
ENV_ANCHOR = "MAILFLOW_FAKE_ANCHOR"
ENV_SPEED = "MAILFLOW_FAKE_SPEED"

DEFAULT_OFFICE_TIMEZONE = "Asia/Ho_Chi_Minh"

_office_zone: ZoneInfo = ZoneInfo(DEFAULT_OFFICE_TIMEZONE)


def zone_named(name: str) -> ZoneInfo | None:
    """The IANA zone called ``name``, or None when there is none by that name."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Asia" is a folder
        return None


def set_office_zone(zone: ZoneInfo | str) -> None:
    """Make ``zone`` the office's zone for this process (set when the config is loaded).

    Why process-wide: like the language, the office's zone is one fact about the
    deployment, and the edges that convert (mail dates, stored stamps) are many and far
    from the config."""
    global _office_zone
    _office_zone = ZoneInfo(zone) if isinstance(zone, str) else zone


def office_zone() -> ZoneInfo:
    return _office_zone


def utc_now() -> datetime:
    """The real instant, aware UTC: the one read of the system's time."""
    return datetime.now(UTC)


def wall(moment: datetime) -> datetime:
    """``moment`` as the office's wall-clock time (naive); a naive value already is."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(_office_zone).replace(tzinfo=None)


def aware(moment: datetime) -> datetime:
    """``moment`` as an aware time in the office's zone; a naive value is office wall time."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=_office_zone)
    return moment.astimezone(_office_zone)


def parse_stored(text: str | None) -> datetime | None:
    """A stored ISO time as an aware office time (naive: office wall time); None if unreadable."""
    if not text:
        return None
    try:
        return aware(datetime.fromisoformat(text))
    except ValueError:
        return None


class Clock(Protocol):
    def now(self) -> datetime:
        """The current (possibly simulated) office wall-clock time, naive."""
        ...

    def monotonic(self) -> float:
        """Real seconds for timeouts and back-off; never simulated."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return wall(utc_now())

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
    start = wall(start)  # an aware value names its instant; naive is office wall time
    return SimulatedClock(start, anchor, speed)


def aware_now(clock: Clock | None = None) -> datetime:
    """``clock``'s now (default: the environment's, so MAILFLOW_FAKE_NOW holds for the CLI
    too) as an aware office time, for stamping rows and mail."""
    return aware((clock or from_env()).now())
