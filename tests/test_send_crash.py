"""Kill `mailflow send --send` with SIGKILL at exact steps, run it again: still exactly one.

The kill is made deterministic by the outbox's fault-injection hook
``MAILFLOW_CRASH_AFTER=<step>:<k>`` (see mailflow/services/outbox.py): the process kills itself
right after the k-th pass through that step, as ``kill -9`` from outside would.
"""

from __future__ import annotations

import signal
from collections import Counter
from pathlib import Path

import pytest
from send_support import CAMPAIGN, MAILBOXES, directives, run_cli, settle

from mailenv import MailEnv

pytestmark = [pytest.mark.integration, pytest.mark.slow]
N = len(MAILBOXES)


def _killed(config: Path, crash: str) -> None:
    result = run_cli(config, "send", "--campaign", CAMPAIGN, "--send", crash=crash)
    assert result.returncode == -signal.SIGKILL, result.stdout + result.stderr


def _each_mailbox_has_one(env: MailEnv) -> None:
    settle(env)
    for local in MAILBOXES.values():
        assert len(directives(env, local)) == 1, local
    sent = Counter(m["Message-ID"] for m in directives(env, "baocao", "Sent"))
    assert len(sent) == N and set(sent.values()) == {1}


def _sent_so_far(env: MailEnv) -> int:
    settle(env)
    return sum(len(directives(env, local)) for local in MAILBOXES.values())


@pytest.mark.parametrize("k", [0, 1, 3, 5])
def test_killed_after_k_sends_then_rerun_gives_exactly_one_each(
    mail_env: MailEnv, workspace: Path, k: int
) -> None:
    _killed(workspace, f"sent:{k}")
    assert _sent_so_far(mail_env) == k
    assert run_cli(workspace, "send", "--campaign", CAMPAIGN, "--send").returncode == 0
    _each_mailbox_has_one(mail_env)


def test_killed_at_every_kind_of_step_boundary_in_a_row_still_one_each(
    mail_env: MailEnv, workspace: Path
) -> None:
    # committed "sending" but SMTP not reached: resolved as not sent, sent again
    _killed(workspace, "sending:2")
    assert _sent_so_far(mail_env) == 1
    # SMTP accepted and the Sent copy filed, "sent" not committed: found in Sent, not resent
    _killed(workspace, "copied:2")
    assert _sent_so_far(mail_env) == 3
    _killed(workspace, "sent:1")
    assert _sent_so_far(mail_env) == 4
    result = run_cli(workspace, "send", "--campaign", CAMPAIGN, "--send")
    assert result.returncode == 0, result.stdout + result.stderr
    _each_mailbox_has_one(mail_env)


def test_the_documented_window_between_smtp_and_the_sent_copy_resends_that_one(
    embedded_env: MailEnv, tmp_path: Path
) -> None:
    """The one place a crash can duplicate (see outbox.resolve_sending): the server said
    250 but our Sent copy was not filed yet. The same bytes (same Message-ID) go again."""
    config = tmp_path / "config.toml"
    config.write_text(embedded_env.config_text(), encoding="utf-8")
    _killed(config, "smtp:2")
    assert run_cli(config, "send", "--campaign", CAMPAIGN, "--send").returncode == 0
    counts = {local: len(directives(embedded_env, local)) for local in MAILBOXES.values()}
    assert sorted(counts.values()) == [1] * (N - 1) + [2]
    (twice,) = [local for local, n in counts.items() if n == 2]
    assert twice == list(MAILBOXES.values())[1]
    ids = {m["Message-ID"] for m in directives(embedded_env, twice)}
    assert len(ids) == 1  # a resend of the same message, which clients can fold
