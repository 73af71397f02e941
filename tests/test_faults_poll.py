"""IMAP, disk and state-file faults through the real poll job: nothing lost, nothing twice.

Each test puts one fault in the way of `mailflow poll --once` (or the daemon's intake
job), checks that the poll says so in one line and exits 1 without recording anything
twice, then removes the fault and checks that the next poll takes every mail in exactly
once and leaves the inbox empty. The embedded server is used (one per module, emptied
between tests); the restart test runs its own maildir-backed server so that a stopped
and restarted server keeps its mail and numbering, as a real one does.
"""

from __future__ import annotations

import logging
import sqlite3
import subprocess
import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from faults import FaultyProxy

import mailenv
from mailenv import MailEnv
from mailflow import bootstrap
from mailflow import config as config_mod
from mailflow.adapters.archive import Archive
from mailflow.adapters.imap import ImapClient
from mailflow.adapters.mailserver import EmbeddedMailServer
from mailflow.adapters.mailservers import MailServers
from mailflow.adapters.store import Store
from mailflow.cli import cli
from mailflow.daemon import Daemon
from mailflow.errors import MailflowError
from mailflow.i18n import set_lang
from mailflow.services.poll import CrashHook, poll_once

pytestmark = pytest.mark.integration

USERS = ("baocao", "qlkh", "qlcn", "khtc")
MAILBOX = f"baocao@{mailenv.DOMAIN}"
PROCESSED = "mailflow/processed"


@pytest.fixture(scope="module")
def server() -> Iterator[MailEnv]:
    env = mailenv.start_embedded([f"{u}@{mailenv.DOMAIN}" for u in USERS])
    try:
        yield env
    finally:
        mailenv.stop_embedded(env)


def _emptied(server: MailEnv) -> MailEnv:
    with server.imap(MAILBOX) as box:
        names = sorted((f.name for f in box.folder.list() if f.name != "INBOX"), reverse=True)
        for name in names:  # children first
            if box.folder.exists(name):
                box.folder.delete(name)
        box.folder.set("INBOX")
        uids = box.uids()
        if uids:
            box.delete(uids)
    return server


@pytest.fixture
def env(server: MailEnv) -> MailEnv:
    """The module's embedded server with every folder of the mailbox emptied."""
    return _emptied(server)


@pytest.fixture(params=["embedded", "real"])
def any_env(request: pytest.FixtureRequest, server: MailEnv) -> MailEnv:
    """For the IMAP faults: the embedded server, then the real Dovecot (where installed)."""
    if request.param == "embedded":
        return _emptied(server)
    real = mailenv.real_env(request)
    return _emptied(real)


def report(sender: str, size: int = 30_000) -> bytes:
    """A department's reply with a unique Message-ID and ``size`` bytes of body text."""
    msg = EmailMessage()
    msg["From"] = f"{sender}@{mailenv.DOMAIN}"
    msg["To"] = MAILBOX
    msg["Subject"] = f"Báo cáo 2023-H1 {sender} {uuid.uuid4().hex[:8]}"
    msg["Message-ID"] = f"<{uuid.uuid4().hex}@{mailenv.DOMAIN}>"
    msg.set_content(("Nội dung báo cáo. " * 40 + "\n") * max(size // 720, 1))
    return msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))


def write_config(path: Path, env: MailEnv, mailbox_extra: str = "", **values: str) -> Path:
    text = env.config_text(**values)
    if mailbox_extra:
        text = text.replace("[mailbox]\n", "[mailbox]\n" + mailbox_extra + "\n", 1)
    path.write_text(text, encoding="utf-8")
    return path


def poll(config: Path, password: str = mailenv.PASSWORD) -> Result:
    return CliRunner().invoke(
        cli,
        ["--config", str(config), "--lang", "en", "poll", "--once"],
        env={"MAILFLOW_TEST_PASSWORD": password},
    )


def recorded(config: Path) -> list[str]:
    """Message-IDs of the recorded mails (a duplicate row would show twice)."""
    state = config.parent / "state.sqlite"
    if not state.exists():
        return []
    conn = sqlite3.connect(state)
    try:
        return sorted(m for (m,) in conn.execute("SELECT message_id FROM mails"))
    except sqlite3.OperationalError:  # no table yet: nothing recorded
        return []
    finally:
        conn.close()


def ids(raws: list[bytes]) -> list[str]:
    from email import message_from_bytes

    return sorted(str(message_from_bytes(r)["Message-ID"]) for r in raws)


def error_lines(result: Result, *needles: str) -> list[str]:
    return [ln for ln in result.output.splitlines() if all(n in ln for n in needles)]


def deliver(env: MailEnv, *senders: str, size: int = 30_000) -> list[bytes]:
    raws = [report(s, size) for s in senders]
    for raw, sender in zip(raws, senders, strict=True):
        if env._embedded is not None:
            env._embedded.deliver(MAILBOX, raw)
        else:  # Postfix delivers asynchronously
            env.smtp_send(env.addr(sender), [MAILBOX], raw)
    if env._embedded is None:
        assert len(env.wait_for(MAILBOX, len(raws))) == len(raws)
    return raws


def all_in_once(env: MailEnv, config: Path, raws: list[bytes]) -> None:
    """Every mail recorded exactly once, none left in the inbox, each moved once."""
    assert recorded(config) == ids(raws)
    assert env.messages(MAILBOX) == []
    assert ids(env.messages(MAILBOX, PROCESSED)) == ids(raws)


# --- IMAP connection dropped mid-FETCH ---------------------------------------------------


@pytest.fixture
def dropped(any_env: MailEnv, tmp_path: Path) -> Iterator[tuple[Path, list[bytes], Result]]:
    """Three mails; the first connection is cut 4,000 bytes in (inside the FETCH)."""
    env = any_env
    raws = deliver(env, "qlkh", "qlcn", "khtc")
    with FaultyProxy(env.imap_port, cut_after=4000, cut_only_connection=1) as proxy:
        config = write_config(tmp_path / "config.toml", env, imap_port=str(proxy.port))
        yield config, raws, poll(config)


def test_a_fetch_cut_midway_fails_the_poll_in_one_line(
    dropped: tuple[Path, list[bytes], Result],
) -> None:
    _, _, result = dropped
    assert result.exit_code == 1
    assert len(error_lines(result, "IMAP")) == 1, result.output


def test_a_fetch_cut_midway_records_nothing_and_moves_nothing(
    any_env: MailEnv, dropped: tuple[Path, list[bytes], Result]
) -> None:
    config, raws, _ = dropped
    assert recorded(config) == []
    assert ids(any_env.messages(MAILBOX)) == ids(raws)


def test_after_a_cut_fetch_the_next_poll_takes_everything_once(
    any_env: MailEnv, dropped: tuple[Path, list[bytes], Result]
) -> None:
    config, raws, _ = dropped
    result = poll(config)
    assert result.exit_code == 0, result.output
    all_in_once(any_env, config, raws)


def test_a_fetch_cut_in_a_later_batch_leaves_no_temporary_file_in_the_archive(
    env: MailEnv, tmp_path: Path
) -> None:
    """The first batch's raw mails are written (staged) while the second is fetched; the
    second FETCH is cut, so the first batch is never published: its files are removed."""
    raws = deliver(env, "qlkh", "qlcn", "khtc")
    with FaultyProxy(env.imap_port, cut_after=75_000, cut_only_connection=1) as proxy:
        config = write_config(
            tmp_path / "config.toml", env, "batch_size = 1", imap_port=str(proxy.port)
        )
        assert poll(config).exit_code == 1
    assert recorded(config) == []
    assert list(tmp_path.rglob(".tmp-*")) == []
    config = write_config(tmp_path / "config.toml", env, "batch_size = 1")
    assert poll(config).exit_code == 0
    all_in_once(env, config, raws)


def test_a_poll_of_several_batches_leaves_every_mail_marked_moved(
    env: MailEnv, tmp_path: Path
) -> None:
    """Each batch's moves are marked in the next batch's commit, the last one's at the
    end: after a whole poll nothing is left for the next one to repair."""
    deliver(env, "qlkh", "qlcn", "khtc")
    config = write_config(tmp_path / "config.toml", env, "batch_size = 1")
    assert poll(config).exit_code == 0
    conn = sqlite3.connect(config.parent / "state.sqlite")
    try:
        states = conn.execute("SELECT uid, moved FROM mails ORDER BY uid").fetchall()
    finally:
        conn.close()
    assert [moved for _, moved in states] == [1, 1, 1]


def test_the_same_mail_in_two_batches_and_a_poll_failing_before_the_second_move_is_not_left(
    env: MailEnv, tmp_path: Path
) -> None:
    """The second copy's row must take its server place even though the first copy's move
    is marked in the same commit; else, the poll failing before that batch's move, no row
    points at the second copy and no later poll moves it."""

    class FailAfterCommit(CrashHook):
        def hit(self, step: str, ordinals: Iterable[int]) -> None:
            if step == "after-commit" and 2 in ordinals:
                raise MailflowError("injected failure after the second commit")

    raw = report("qlkh", 2000)
    assert env._embedded is not None
    env._embedded.deliver(MAILBOX, raw)
    env._embedded.deliver(MAILBOX, raw)  # the same bytes again, in the next batch
    cfg = config_mod.load(write_config(tmp_path / "config.toml", env, "batch_size = 1"))
    converter = bootstrap.build(cfg).converter
    for crash in (FailAfterCommit(None), None, None):
        store = Store(cfg.state_path)
        try:
            poll_once(
                cfg,
                store,
                Archive(cfg.archive_dir),
                MailServers(cfg.mailbox),
                converter=converter,
                crash=crash,
            )
        except MailflowError:
            assert crash is not None
        finally:
            store.close()
    assert env.messages(MAILBOX) == []
    assert len(env.messages(MAILBOX, PROCESSED)) == 2


# --- the second connection, which moves committed batches ---------------------------------


def test_a_poll_of_one_batch_opens_one_connection(env: MailEnv, tmp_path: Path) -> None:
    deliver(env, "qlkh", "qlcn")
    with FaultyProxy(env.imap_port) as proxy:
        config = write_config(tmp_path / "config.toml", env, imap_port=str(proxy.port))
        assert poll(config).exit_code == 0
    assert proxy.connections == 1


def test_a_server_without_move_is_polled_on_one_connection(
    env: MailEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Copy and flag (no MOVE): a second session's flag changes would come back inside the
    first one's FETCH answers, so the poll keeps to its own connection."""
    from mailflow.adapters.imap import ImapClient

    server_said = ImapClient._refresh_capabilities
    monkeypatch.setattr(
        ImapClient,
        "_refresh_capabilities",
        lambda self: frozenset(server_said(self) - {"MOVE", "UIDPLUS"}),
    )
    raws = deliver(env, "qlkh", "qlcn", "khtc")
    with FaultyProxy(env.imap_port) as proxy:
        config = write_config(
            tmp_path / "config.toml", env, "batch_size = 1", imap_port=str(proxy.port)
        )
        assert poll(config).exit_code == 0
    assert proxy.connections == 1
    assert recorded(config) == ids(raws)
    assert ids(env.messages(MAILBOX, PROCESSED)) == ids(raws)


def test_a_poll_of_several_batches_moves_them_on_a_second_connection(
    env: MailEnv, tmp_path: Path
) -> None:
    raws = deliver(env, "qlkh", "qlcn", "khtc")
    with FaultyProxy(env.imap_port) as proxy:
        config = write_config(
            tmp_path / "config.toml", env, "batch_size = 1", imap_port=str(proxy.port)
        )
        assert poll(config).exit_code == 0
    assert proxy.connections == 2
    all_in_once(env, config, raws)


def test_a_second_connection_that_cannot_be_opened_leaves_the_poll_to_move_mail_itself(
    env: MailEnv, tmp_path: Path
) -> None:
    """A server allowing one session per user, or a refused second login: the poll moves
    every batch on its own connection, as before, and says so in the log."""
    raws = deliver(env, "qlkh", "qlcn", "khtc")
    with FaultyProxy(env.imap_port, cut_after=50, cut_only_connection=2) as proxy:
        config = write_config(
            tmp_path / "config.toml", env, "batch_size = 1", imap_port=str(proxy.port)
        )
        result = poll(config)
    assert result.exit_code == 0, result.output
    assert proxy.connections == 2
    all_in_once(env, config, raws)


def test_a_second_connection_cut_during_its_move_fails_the_poll_and_the_next_takes_all_once(
    env: MailEnv, tmp_path: Path
) -> None:
    raws = deliver(env, "qlkh", "qlcn", "khtc")
    # 1,200 bytes from the server: past the second session's login and SELECT, inside its
    # first UID MOVE (measured on the embedded server)
    with FaultyProxy(env.imap_port, cut_after=1200, cut_only_connection=2) as proxy:
        config = write_config(
            tmp_path / "config.toml", env, "batch_size = 1", imap_port=str(proxy.port)
        )
        failed = poll(config)
    assert failed.exit_code == 1
    assert len(error_lines(failed, "IMAP")) == 1, failed.output
    config = write_config(tmp_path / "config.toml", env, "batch_size = 1")
    assert poll(config).exit_code == 0
    all_in_once(env, config, raws)


def test_the_second_connection_moves_nothing_in_a_renumbered_folder(
    env: MailEnv, tmp_path: Path
) -> None:
    """UIDs of a folder whose UIDVALIDITY changed name other mails: nothing is moved."""
    from mailflow.services.poll import FolderRenumbered, _Mover

    raws = deliver(env, "qlkh")
    cfg = config_mod.load(write_config(tmp_path / "config.toml", env))
    servers = MailServers(cfg.mailbox)
    with servers.imap() as client:
        state = client.select("INBOX")
    mover = _Mover(servers.imap, "INBOX", state.uidvalidity + 1, lambda kind: PROCESSED)
    try:
        with pytest.raises(FolderRenumbered, match="UIDVALIDITY"):
            mover.usable()
    finally:
        mover.close()
    assert ids(env.messages(MAILBOX)) == ids(raws)


# --- server restart mid-poll -------------------------------------------------------------


def test_a_server_restarted_between_commit_and_move_loses_and_repeats_nothing(
    tmp_path: Path,
) -> None:
    accounts = {f"{u}@{mailenv.DOMAIN}": mailenv.PASSWORD for u in USERS}
    data = tmp_path / "maildata"
    first = EmbeddedMailServer(accounts, backend="maildir", data_dir=data).start()
    ports = {"smtp_port": first.smtp_port, "imap_port": first.imap_port}
    env = MailEnv("embedded", first.host, first.smtp_port, first.imap_port, _embedded=first)
    raws = deliver(env, "qlkh", "qlcn", "khtc")
    config = write_config(tmp_path / "config.toml", env, "batch_size = 1")
    cfg = config_mod.load(config)
    calls = 0

    def clock() -> datetime:
        nonlocal calls
        calls += 1
        if calls == 2:  # 1: the mailbox's first state row; 2: the first mail's commit
            first.stop()
        return datetime(2023, 7, 10, 9, 0).astimezone()

    store = Store(cfg.state_path)
    with pytest.raises(MailflowError):
        poll_once(
            cfg,
            store,
            Archive(cfg.archive_dir),
            MailServers(cfg.mailbox),
            converter=bootstrap.build(cfg).converter,
            clock=clock,
        )
    store.close()
    assert len(recorded(config)) == 1  # committed, not yet moved
    second = EmbeddedMailServer(accounts, backend="maildir", data_dir=data, **ports).start()
    env._embedded = second
    try:
        result = poll(config)
        assert result.exit_code == 0, result.output
        assert len(error_lines(result, "Moved 1 mail(s) recorded by an earlier poll")) == 1
        all_in_once(env, config, raws)
    finally:
        second.stop()


# --- UIDVALIDITY changed: the folder was deleted and made again --------------------------


@pytest.fixture
def recreated(any_env: MailEnv, tmp_path: Path) -> tuple[Path, list[bytes]]:
    """Folder "Reports" polled (2 mails), then deleted and made again by hand: it holds
    an exact copy of one polled mail and one new mail, under a new UIDVALIDITY."""
    env = any_env
    config = write_config(tmp_path / "config.toml", env, 'inbox = "Reports"')
    cfg = config_mod.load(config)
    old = [report("qlkh"), report("qlcn")]
    with ImapClient.from_config(cfg.mailbox) as imap:
        imap.ensure_folder("Reports")
        for raw in old:
            imap.append("Reports", raw, ())
    assert poll(config).exit_code == 0
    assert recorded(config) == ids(old)
    new = report("khtc")
    with env.imap(MAILBOX) as box:
        before = box.folder.status("Reports")["UIDVALIDITY"]
        box.folder.delete("Reports")
        box.folder.create("Reports")
        assert box.folder.status("Reports")["UIDVALIDITY"] != before
    with ImapClient.from_config(cfg.mailbox) as imap:
        imap.append("Reports", old[0], ())
        imap.append("Reports", new, ())
    return config, [*old, new]


def test_a_recreated_folder_is_said_loudly_and_moves_nothing(
    any_env: MailEnv, recreated: tuple[Path, list[bytes]]
) -> None:
    config, _ = recreated
    result = poll(config)
    assert result.exit_code == 0, result.output
    assert len(error_lines(result, "UIDVALIDITY", "changed")) == 1, result.output
    assert len(any_env.messages(MAILBOX, "Reports")) == 2


def test_a_recreated_folder_records_only_the_new_mail(
    recreated: tuple[Path, list[bytes]],
) -> None:
    config, raws = recreated
    poll(config)
    assert recorded(config) == ids(raws)  # the restored copy is not a second row


def test_after_a_recreated_folder_the_next_poll_empties_it_without_duplicates(
    any_env: MailEnv, recreated: tuple[Path, list[bytes]]
) -> None:
    config, raws = recreated
    poll(config)
    result = poll(config)
    assert result.exit_code == 0, result.output
    assert recorded(config) == ids(raws)
    assert any_env.messages(MAILBOX, "Reports") == []


# --- login refused -----------------------------------------------------------------------


def test_a_refused_login_says_so_in_one_line_and_keeps_the_mail_in_the_inbox(
    any_env: MailEnv, tmp_path: Path
) -> None:
    env = any_env
    raws = deliver(env, "qlkh")
    config = write_config(tmp_path / "config.toml", env)
    result = poll(config, password="wrong")
    assert result.exit_code == 1
    assert len(error_lines(result, "login refused")) == 1, result.output
    assert recorded(config) == []
    assert ids(env.messages(MAILBOX)) == ids(raws)


def test_after_a_refused_login_is_fixed_the_next_poll_takes_the_mail_once(
    any_env: MailEnv, tmp_path: Path
) -> None:
    env = any_env
    raws = deliver(env, "qlkh")
    config = write_config(tmp_path / "config.toml", env)
    poll(config, password="wrong")
    assert poll(config).exit_code == 0
    all_in_once(env, config, raws)


# --- disk full on the archive ------------------------------------------------------------


@pytest.fixture
def full(env: MailEnv, tmp_path: Path, tiny_disk: Path) -> tuple[Path, list[bytes], Result]:
    raws = deliver(env, "qlkh", size=200_000)
    config = write_config(tmp_path / "config.toml", env)
    return config, raws, poll(config)


def test_a_full_archive_disk_fails_the_poll_in_one_line(
    full: tuple[Path, list[bytes], Result],
) -> None:
    _, _, result = full
    assert result.exit_code == 1
    assert len(error_lines(result, "archive")) == 1, result.output


def test_a_full_archive_disk_leaves_the_mail_unrecorded_in_the_inbox(
    env: MailEnv, full: tuple[Path, list[bytes], Result], tiny_disk: Path
) -> None:
    config, raws, _ = full
    assert recorded(config) == []
    assert ids(env.messages(MAILBOX)) == ids(raws)
    assert [p for p in tiny_disk.rglob("*") if p.is_file()] == []  # no half-written file


def test_once_the_archive_has_room_again_the_next_poll_takes_the_mail_once(
    env: MailEnv, full: tuple[Path, list[bytes], Result], tiny_disk: Path
) -> None:
    config, raws, _ = full
    subprocess.run(["mount", "-o", "remount,size=8m", str(tiny_disk)], check=True)
    assert poll(config).exit_code == 0
    all_in_once(env, config, raws)


# --- locked state file: the daemon backs off and recovers by itself ------------------------


@pytest.fixture
def daemon(env: MailEnv, tmp_path: Path) -> Iterator[Daemon]:
    config = write_config(tmp_path / "config.toml", env)
    cfg = config_mod.load(config)
    set_lang("en")  # the log lines below are read in English, whatever ran before on the worker
    d = Daemon(cfg)
    d._store = Store(cfg.state_path, busy_ms=300)  # the default waits 30 s for a lock
    d._archive = Archive(cfg.archive_dir)
    d.open()
    d.jobs = [j for j in d.jobs if j.name == "intake"]
    yield d
    d.close()


def test_a_locked_state_file_backs_the_intake_job_off_then_it_recovers_by_itself(
    env: MailEnv, daemon: Daemon, caplog: pytest.LogCaptureFixture
) -> None:
    raws = deliver(env, "qlkh", "qlcn")
    state = daemon.cfg.state_path
    job = daemon.job("intake")
    holder = sqlite3.connect(state, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with caplog.at_level(logging.INFO, logger="mailflow"):
            assert daemon.run_job(job) is False
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    transient = [r for r in caplog.records if "temporary failure" in r.getMessage()]
    assert len(transient) == 1, [r.getMessage() for r in caplog.records]
    assert ids(env.messages(MAILBOX)) == ids(raws)  # nothing moved while it could not commit
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="mailflow"):
        assert daemon.run_job(job, force=True) is True  # force: skip the back-off wait
    assert any("working again" in r.getMessage() for r in caplog.records)
    config = state.parent / "config.toml"
    all_in_once(env, config, raws)
