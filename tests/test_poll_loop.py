"""`mailflow poll` without --once: the loop is a service (services.poll.poll_loop), not CLI code.

Each round's result goes to the caller (the CLI prints it and matches); a round that
fails is reported and the loop goes on, sleeping ``daemon.poll_seconds`` between rounds.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from test_faults_poll import MAILBOX, _emptied, deliver, write_config

import mailenv
from mailenv import MailEnv
from mailflow import bootstrap
from mailflow import config as config_mod
from mailflow.adapters.archive import Archive
from mailflow.adapters.mailservers import MailServers
from mailflow.adapters.store import Store
from mailflow.errors import MailflowError
from mailflow.services.intake import Intake
from mailflow.services.poll import PollResult, poll_loop

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def server() -> Iterator[MailEnv]:
    env = mailenv.start_embedded([f"{u}@{mailenv.DOMAIN}" for u in ("baocao", "qlkh", "tdc")])
    try:
        yield env
    finally:
        mailenv.stop_embedded(env)


@pytest.fixture
def env(server: MailEnv) -> MailEnv:
    return _emptied(server)


def _now() -> datetime:
    return datetime.now().astimezone()


def _run(
    cfg: config_mod.Config, rounds: int
) -> tuple[list[PollResult], list[MailflowError], list[float]]:
    results: list[PollResult] = []
    errors: list[MailflowError] = []
    slept: list[float] = []
    store, archive = Store(cfg.state_path), Archive(cfg.archive_dir)
    try:
        with Intake(
            cfg, store, archive, clock=_now, converter=bootstrap.build(cfg).converter
        ) as intake:
            poll_loop(
                cfg,
                store,
                archive,
                MailServers(cfg.mailbox),
                intake=intake,
                clock=_now,
                after=results.append,
                on_error=errors.append,
                sleep=slept.append,
                rounds=rounds,
            )
    finally:
        store.close()
    return results, errors, slept


def test_each_round_goes_to_the_caller_with_a_sleep_of_poll_seconds_between(
    env: MailEnv, tmp_path: Path
) -> None:
    deliver(env, "qlkh", "tdc", size=2000)
    os.environ.setdefault("MAILFLOW_TEST_PASSWORD", mailenv.PASSWORD)
    cfg = config_mod.load(write_config(tmp_path / "config.toml", env))
    results, errors, slept = _run(cfg, rounds=2)
    assert [r.fetched for r in results] == [2, 0]
    assert errors == []
    assert slept == [max(cfg.daemon.poll_seconds, 1)] * 2
    assert env.messages(MAILBOX) == []


def test_a_round_that_fails_is_reported_and_the_loop_goes_on(env: MailEnv, tmp_path: Path) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    os.environ.setdefault("MAILFLOW_TEST_PASSWORD", mailenv.PASSWORD)
    cfg = config_mod.load(write_config(tmp_path / "config.toml", env, imap_port=str(port)))
    results, errors, slept = _run(cfg, rounds=2)
    assert results == []
    assert len(errors) == 2 and all(isinstance(e, MailflowError) for e in errors)
    assert len(slept) == 2
