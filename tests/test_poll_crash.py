"""kill -9 at every step boundary of a poll, then poll again: each mail exactly once.

The poll runs as `python -m mailflow --config C poll --once` in a subprocess with the
fault-injection hook ``MAILFLOW_CRASH_AT=<step>:<n>`` (see ``mailflow/services/poll.py``),
which SIGKILLs the process at that boundary for the n-th mail. Batches of two mails
put the 2nd mail at a batch's end and the 3rd in a second batch.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import pytest

from mailenv import MailEnv
from mailflow.adapters.archive import sha256

pytestmark = pytest.mark.integration

REPO = Path(__file__).parent.parent
MAILBOX = "baocao@sokhcn.example"
SENDERS = ("qlkh", "qlcn", "khtc")


def reply(sender: str, n: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"{sender}@sokhcn.example"
    msg["To"] = MAILBOX
    msg["Subject"] = f"Báo cáo 2023-H1 số {n}"
    msg["Message-ID"] = f"<crash{n}@sokhcn.example>"
    msg.set_content(f"Phòng {sender.upper()} báo cáo kết quả số {n}.")
    return msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))


def poll(config: Path, crash_at: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("MAILFLOW_CRASH_AT", None)
    if crash_at:
        env["MAILFLOW_CRASH_AT"] = crash_at
    return subprocess.run(
        [sys.executable, "-m", "mailflow", "--config", str(config), "poll", "--once"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def left_behind(state: Path, env: MailEnv) -> tuple[int, int, int]:
    conn = sqlite3.connect(state)
    try:
        rows, moved = conn.execute("SELECT count(*), coalesce(sum(moved), 0) FROM mails").fetchone()
    finally:
        conn.close()
    return rows, moved, len(env.messages(MAILBOX, "INBOX"))


@pytest.fixture
def three_mails(workspace: Path, mail_env: MailEnv) -> Path:
    text = workspace.read_text(encoding="utf-8")
    workspace.write_text(text.replace("timeout = 20", "timeout = 20\nbatch_size = 2"))
    for n, sender in enumerate(SENDERS, start=1):
        mail_env.smtp_send(mail_env.addr(sender), [MAILBOX], reply(sender, n))
    assert len(mail_env.wait_for(MAILBOX, 3)) == 3
    return workspace


#: where the kill leaves things: (rows, rows moved, mails still in INBOX)
LEFT_BEHIND = {
    "after-archive:2": (0, 0, 3),  # two mails archived, nothing committed
    "after-commit:2": (2, 0, 3),  # first batch committed, not moved
    "after-move:2": (2, 0, 1),  # first batch moved on the server, not yet marked moved
    "after-commit:3": (3, 2, 1),  # second batch committed, not moved
}


@pytest.mark.parametrize("crash_at", sorted(LEFT_BEHIND))
def test_a_poll_killed_at_a_step_boundary_is_completed_by_the_next(
    three_mails: Path, mail_env: MailEnv, crash_at: str
) -> None:
    state = three_mails.parent / "state.sqlite"
    killed = poll(three_mails, crash_at)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert left_behind(state, mail_env) == LEFT_BEHIND[crash_at]

    again = poll(three_mails)
    assert again.returncode == 0, again.stderr

    conn = sqlite3.connect(state)
    rows = conn.execute("SELECT sha256, moved, kind FROM mails").fetchall()
    conn.close()
    assert len(rows) == 3
    assert {(moved, kind) for _, moved, kind in rows} == {(1, "report")}
    processed = mail_env.messages(MAILBOX, "mailflow/processed")
    assert sorted(sha256(raw) for raw in processed) == sorted(sha for sha, _, _ in rows)
    assert mail_env.messages(MAILBOX, "INBOX") == []
