"""The hostile and broken mail set through the whole intake path (`mailflow ingest`).

tests/fixtures/hostile/build.py writes the set (names that climb out of folders, zip and
XML bombs, macros, encrypted and disguised files, a 50 MB attachment, 500 attachments,
deep nesting, an auto-reply storm, a spoofed department, our own draft coming back, and
one genuine report as a control). One `mailflow ingest` subprocess takes all of it in,
with TMPDIR pointed at a watched folder; then one `mailflow run --once` does everything
the daemon would do after it (match, receipts, reminders, outbox) against the embedded
server. The tests read what those two runs left behind.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import mailenv
from mailenv import MailEnv

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location(
    "hostile_build", REPO / "tests" / "fixtures" / "hostile" / "build.py"
)
assert _spec is not None and _spec.loader is not None
hostile = importlib.util.module_from_spec(_spec)
sys.modules["hostile_build"] = hostile  # dataclasses look their module up
_spec.loader.exec_module(hostile)

MEMORY_BOUND_KB = 1024 * 1024  # 1 GiB for the whole set, the 50 MB mail included
USERS = ("baocao", "vanphong", *hostile.STORM_SENDERS)
#: What intake and the daemon may write: the archive, the state file and its journal,
#: the parsed-outline cache named after it (our own outline, never mail content), the
#: daemon's log and lock next to it.
ALLOWED = re.compile(
    r"^(archive/.*|state\.sqlite(-wal|-shm|-journal)?"
    r"|state\.sqlite\.outline-cache/outline-[0-9a-f]+\.json"
    r"|mailflow\.log(\.\d+)?|.*\.lock)$"
)


def tree(root: Path, skip: tuple[str, ...] = ()) -> dict[str, int]:
    return {
        str(p.relative_to(root)): p.stat().st_size
        for p in root.rglob("*")
        if p.is_file() and not str(p.relative_to(root)).startswith(skip)
    }


def run_measured(args: list[str], env: dict[str, str]) -> tuple[int, str, int]:
    """Run a child; return (exit code, output, its own peak RSS in KiB via wait4)."""
    with subprocess.Popen(
        args,
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    ) as proc:
        assert proc.stdout is not None
        output = proc.stdout.read().decode("utf-8", "replace")
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, output, usage.ru_maxrss


@dataclass
class HostileRun:
    base: Path
    config: Path
    cases: list[Any]
    sha: dict[str, list[str]]  # case name → sha256 of each of its mails
    before: dict[str, int]
    after: dict[str, int]
    tmp_after: list[str]
    ingest_code: int
    ingest_output: str
    peak_kb: int
    daemon_code: int
    daemon_output: str
    after_daemon: dict[str, int]
    tmp_after_daemon: list[str]
    env: MailEnv

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        conn = sqlite3.connect(self.base / "state.sqlite")
        conn.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in conn.execute(sql, params)]
        finally:
            conn.close()

    def mails(self, case: str) -> list[dict[str, Any]]:
        marks = ",".join("?" for _ in self.sha[case])
        return self.rows(f"SELECT * FROM mails WHERE sha256 IN ({marks})", tuple(self.sha[case]))

    def documents(self, case: str) -> list[dict[str, Any]]:
        ids = [m["id"] for m in self.mails(case)]
        marks = ",".join("?" for _ in ids)
        return self.rows(
            f"SELECT * FROM documents WHERE mail_id IN ({marks}) ORDER BY mail_id, ordinal",
            tuple(ids),
        )


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileRun]:
    base = tmp_path_factory.mktemp("hostile")
    mails, watched = base / "mails", base / "tmp"
    watched.mkdir()
    cases = hostile.build(mails)
    sha = {
        c.name: [hashlib.sha256((mails / f).read_bytes()).hexdigest() for f in c.files]
        for c in cases
    }
    env = mailenv.start_embedded([f"{u}@{mailenv.DOMAIN}" for u in USERS])
    try:
        config = base / "config.toml"
        config.write_text(env.config_text(), encoding="utf-8")
        child_env = dict(
            os.environ,
            TMPDIR=str(watched),
            MAILFLOW_TEST_PASSWORD=mailenv.PASSWORD,
            MAILFLOW_FAKE_NOW="2023-07-12T09:00:00",
            COLUMNS="200",
        )
        cli = [sys.executable, "-m", "mailflow", "--config", str(config), "--lang", "en"]
        before = tree(base, skip=("mails/",))
        code, output, peak = run_measured([*cli, "ingest", str(mails)], child_env)
        after = tree(base, skip=("mails/",))
        tmp_after = sorted(str(p) for p in watched.rglob("*"))
        d_code, d_out, _ = run_measured([*cli, "run", "--once"], child_env)
        after_daemon = tree(base, skip=("mails/",))
        tmp_after_daemon = sorted(str(p) for p in watched.rglob("*"))
        yield HostileRun(
            base,
            config,
            cases,
            sha,
            before,
            after,
            tmp_after,
            code,
            output,
            peak,
            d_code,
            d_out,
            after_daemon,
            tmp_after_daemon,
            env,
        )
    finally:
        mailenv.stop_embedded(env)


def test_the_generated_set_has_every_case() -> None:
    assert len(set(hostile.CASE_NAMES)) == len(hostile.CASE_NAMES)


def test_the_ingest_of_the_whole_set_succeeds(hostile_run: HostileRun) -> None:
    assert hostile_run.ingest_code == 0, hostile_run.ingest_output[-3000:]
    assert [c.name for c in hostile_run.cases] == list(hostile.CASE_NAMES)


@pytest.mark.parametrize("name", hostile.CASE_NAMES)
def test_each_case_ends_as_expected_with_its_reason(hostile_run: HostileRun, name: str) -> None:
    case = next(c for c in hostile_run.cases if c.name == name)
    mails = hostile_run.mails(name)
    assert len(mails) == len(case.files)
    if case.scope == "mail":
        for mail in mails:
            assert (mail["kind"], mail["reason"]) == (case.kind, case.reason)
            if case.param:
                params = json.loads(mail["detail"])["reason_params"]
                key, _, value = case.param.partition("=")
                assert params.get(key) == value
        return
    docs = hostile_run.documents(name)
    if case.scope == "name":
        assert docs and all(d["status"] == "ok" for d in docs)
        return
    hits = [d for d in docs if (d["status"], d["reason"]) == (case.status, case.reason)]
    assert hits, [(d["name"], d["status"], d["reason"]) for d in docs]
    if case.param:
        key, _, value = case.param.partition("=")
        detail = json.loads(mails[0]["detail"])
        notes = {n["ordinal"]: n["params"] for n in detail.get("documents", [])}
        assert any(notes.get(d["ordinal"], {}).get(key) == value for d in hits), notes


def test_no_mail_is_lost_and_none_is_recorded_twice(hostile_run: HostileRun) -> None:
    files = sum(len(c.files) for c in hostile_run.cases)
    rows = hostile_run.rows("SELECT sha256 FROM mails")
    assert len(rows) == files
    assert len({r["sha256"] for r in rows}) == files


def test_nothing_is_written_outside_the_archive_and_the_state(hostile_run: HostileRun) -> None:
    new = set(hostile_run.after) - set(hostile_run.before)
    assert new and all(ALLOWED.match(p) for p in new), sorted(
        p for p in new if not ALLOWED.match(p)
    )
    changed = {p for p in hostile_run.before if hostile_run.after.get(p) != hostile_run.before[p]}
    assert changed <= {p for p in hostile_run.before if ALLOWED.match(p)}


def test_the_temp_folder_is_left_empty(hostile_run: HostileRun) -> None:
    assert hostile_run.tmp_after == []


def test_archive_files_are_named_by_content_never_by_the_sender(hostile_run: HostileRun) -> None:
    names = [p.removeprefix("archive/") for p in hostile_run.after if p.startswith("archive/")]
    pattern = re.compile(r"^[a-z]+/[0-9a-f]{2}/[0-9a-f]{64}(\.[a-z0-9]{1,8})?$")
    assert names and [n for n in names if not pattern.match(n)] == []
    assert not list(hostile_run.base.parent.rglob("x.docx"))  # where ../../x.docx would land


def test_hostile_names_are_stored_cleaned(hostile_run: HostileRun) -> None:
    names = [d["name"] for c in ("name-nul", "name-long") for d in hostile_run.documents(c)]
    assert names
    for name in names:
        assert name.isprintable() and "\x00" not in name and "/" not in name
        assert len(name) <= 120 and name.endswith(".docx")


def test_peak_memory_of_the_ingest_stays_bounded(hostile_run: HostileRun) -> None:
    assert 0 < hostile_run.peak_kb < MEMORY_BOUND_KB, hostile_run.peak_kb


def test_the_daemon_pass_after_the_set_succeeds(hostile_run: HostileRun) -> None:
    assert hostile_run.daemon_code == 0, hostile_run.daemon_output[-3000:]


def test_the_daemon_pass_writes_only_into_the_archive_and_the_state(
    hostile_run: HostileRun,
) -> None:
    new = set(hostile_run.after_daemon) - set(hostile_run.after)
    assert [p for p in new if not ALLOWED.match(p)] == []
    assert hostile_run.tmp_after_daemon == []


def test_the_genuine_report_gets_its_receipt(hostile_run: HostileRun) -> None:
    """The control: receipts do go out, so the storm's silence below means something."""
    sends = hostile_run.rows("SELECT kind, recipients, status FROM sends")
    vp = f"vanphong@{mailenv.DOMAIN}"
    to_vp = [s for s in sends if s["kind"] == "receipt" and vp in json.loads(s["recipients"])]
    assert [s["status"] for s in to_vp] == ["sent"]
    inbox = hostile_run.env.messages(vp)
    assert sum(1 for raw in inbox if b"/receipt/" in raw) == 1


def test_no_reply_of_any_kind_goes_to_the_auto_reply_storm(hostile_run: HostileRun) -> None:
    senders = {f"{s}@{mailenv.DOMAIN}" for s in hostile.STORM_SENDERS}
    sends = hostile_run.rows("SELECT recipients FROM sends")
    assert [s for s in sends if senders & set(json.loads(s["recipients"]))] == []
    for address in sorted(senders):
        assert hostile_run.env.messages(address) == [], address
