"""The poll analyses mail in worker processes while it fetches the next batch.

Pipelining must change nothing a person can see: every mail recorded once, in the
archive before its row, moved once, whatever the batch size and whether the analysis
runs in a worker (``intake.workers``) or in the poll itself. A worker that dies under a
mail (killed, out of memory, a crash in a C library) costs that mail a quarantine with
the step and error, never the batch.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from pathlib import Path

import pytest
from test_faults_poll import MAILBOX, PROCESSED, _emptied, deliver, ids, report, write_config

import mailenv
from mailenv import MailEnv
from mailflow import bootstrap
from mailflow import config as config_mod
from mailflow.adapters.archive import Archive
from mailflow.adapters.mailservers import MailServers
from mailflow.adapters.store import Store
from mailflow.services.intake import STAGE_FAILED, Intake, default_extractor
from mailflow.services.poll import AnalysisPool, poll_once

pytestmark = pytest.mark.integration

USERS = ("baocao", "qlkh", "qlcn", "khtc", "tdc")


@pytest.fixture(scope="module")
def server() -> Iterator[MailEnv]:
    env = mailenv.start_embedded([f"{u}@{mailenv.DOMAIN}" for u in USERS])
    try:
        yield env
    finally:
        mailenv.stop_embedded(env)


@pytest.fixture
def env(server: MailEnv) -> MailEnv:
    return _emptied(server)


def _config(tmp_path: Path, env: MailEnv, batch: int, workers: int) -> config_mod.Config:
    path = write_config(tmp_path / "config.toml", env, mailbox_extra=f"batch_size = {batch}")
    path.write_text(
        path.read_text(encoding="utf-8") + f"\n[intake]\nworkers = {workers}\n", encoding="utf-8"
    )
    os.environ.setdefault("MAILFLOW_TEST_PASSWORD", mailenv.PASSWORD)
    return config_mod.load(path)


def _now() -> datetime:
    return datetime.now().astimezone()


@pytest.mark.parametrize("workers", [0, 1, 2])
def test_a_pipelined_poll_records_moves_and_archives_every_batch_once(
    env: MailEnv, tmp_path: Path, workers: int
) -> None:
    raws = deliver(env, "qlkh", "qlcn", "khtc", "tdc", "qlkh", "qlcn", "khtc", size=3000)
    cfg = _config(tmp_path, env, batch=2, workers=workers)  # four batches, the last of one
    store, archive = Store(cfg.state_path), Archive(cfg.archive_dir)
    try:
        result = poll_once(
            cfg,
            store,
            archive,
            MailServers(cfg.mailbox),
            converter=bootstrap.build(cfg).converter,
            clock=_now,
        )
        again = poll_once(
            cfg,
            store,
            archive,
            MailServers(cfg.mailbox),
            converter=bootstrap.build(cfg).converter,
            clock=_now,
        )
    finally:
        store.close()
    assert (result.fetched, result.moved, again.fetched) == (7, 7, 0)
    conn = sqlite3.connect(cfg.state_path)
    rows = conn.execute("SELECT message_id, archive_path, moved FROM mails").fetchall()
    last_uid = conn.execute("SELECT last_uid FROM mailbox_state").fetchone()[0]
    conn.close()
    assert sorted(r[0] for r in rows) == ids(raws)
    assert all(r[2] == 1 for r in rows)
    assert sorted(archive.read(r[1]) for r in rows) == sorted(raws)
    assert last_uid == max(o.location.uid for o in result.outcomes if o.location)
    assert env.messages(MAILBOX) == []
    assert ids(env.messages(MAILBOX, PROCESSED)) == ids(raws)


def test_a_mail_that_kills_its_worker_is_held_and_the_rest_of_its_batch_is_taken_in(
    env: MailEnv, tmp_path: Path
) -> None:
    raws = deliver(env, "qlkh", "tdc", "qlcn", size=3000)
    cfg = _config(tmp_path, env, batch=10, workers=1)
    store, archive = Store(cfg.state_path), Archive(cfg.archive_dir)
    real = default_extractor(None, cfg)

    def killer(parsed):  # type: ignore[no-untyped-def]
        if parsed.from_addr.startswith("tdc@"):
            os.kill(os.getpid(), signal.SIGKILL)  # in the worker: the poll must survive it
        return real(parsed)

    intake = Intake(
        cfg,
        store,
        archive,
        clock=_now,
        converter=bootstrap.build(cfg).converter,
        extractor=killer,
    )
    try:
        result = poll_once(cfg, store, archive, MailServers(cfg.mailbox), clock=_now, intake=intake)
    finally:
        store.close()
    assert (result.fetched, result.moved) == (3, 3)
    conn = sqlite3.connect(cfg.state_path)
    rows = conn.execute("SELECT archive_path, kind, reason, detail FROM mails").fetchall()
    conn.close()
    assert sorted(archive.read(r[0]) for r in rows) == sorted(raws)
    held = [r for r in rows if r[1] == "quarantined"]
    assert len(held) == 1 and held[0][2] == STAGE_FAILED
    assert b"From: tdc@" in archive.read(held[0][0])
    assert json.loads(held[0][3])["reason_params"]["stage"] == "analyse"
    assert sorted(r[1] for r in rows if r is not held[0]) == ["report", "report"]
    assert env.messages(MAILBOX) == []


def test_a_worker_dying_in_the_first_batch_holds_its_mail_alone_across_later_batches(
    env: MailEnv, tmp_path: Path
) -> None:
    # batches of one: the next batches are handed to the broken pool (or cancelled by its
    # restart) while the first is recorded; each of them is analysed again, not lost
    raws = deliver(env, "tdc", "qlkh", "qlcn", "khtc", size=3000)
    cfg = _config(tmp_path, env, batch=1, workers=2)
    store, archive = Store(cfg.state_path), Archive(cfg.archive_dir)
    real = default_extractor(None, cfg)

    def killer(parsed):  # type: ignore[no-untyped-def]
        if parsed.from_addr.startswith("tdc@"):
            os.kill(os.getpid(), signal.SIGKILL)
        return real(parsed)

    intake = Intake(
        cfg, store, archive, clock=_now, converter=bootstrap.build(cfg).converter, extractor=killer
    )
    try:
        result = poll_once(cfg, store, archive, MailServers(cfg.mailbox), clock=_now, intake=intake)
    finally:
        store.close()
    assert (result.fetched, result.moved) == (4, 4)
    conn = sqlite3.connect(cfg.state_path)
    rows = conn.execute("SELECT archive_path, kind FROM mails").fetchall()
    conn.close()
    assert sorted(archive.read(r[0]) for r in rows) == sorted(raws)
    assert sorted(kind for _, kind in rows) == ["quarantined", "report", "report", "report"]
    assert env.messages(MAILBOX) == []


@pytest.mark.parametrize("workers", [0, 2])
def test_a_poll_leaves_no_temporary_file_in_the_archive(
    env: MailEnv, tmp_path: Path, workers: int
) -> None:
    deliver(env, "qlkh", "qlcn", "khtc", size=3000)
    cfg = _config(tmp_path, env, batch=2, workers=workers)
    store, archive = Store(cfg.state_path), Archive(cfg.archive_dir)
    try:
        poll_once(
            cfg,
            store,
            archive,
            MailServers(cfg.mailbox),
            clock=_now,
            intake=None,
            converter=bootstrap.build(cfg).converter,
        )
    finally:
        store.close()
    assert list(Path(cfg.archive_dir).rglob("*.eml"))
    assert not list(Path(cfg.archive_dir).rglob(".tmp-*"))


def _pool_a_worker_death_broke(env: MailEnv, tmp_path: Path) -> tuple[AnalysisPool, Store]:
    """A one-worker pool whose worker was killed by a mail (from TDC): broken, as the poll
    finds it when it hands over the next batch."""
    cfg = _config(tmp_path, env, batch=1, workers=1)
    store, archive = Store(cfg.state_path), Archive(cfg.archive_dir)
    real = default_extractor(None, cfg)

    def killer(parsed):  # type: ignore[no-untyped-def]
        if parsed.from_addr.startswith("tdc@"):
            os.kill(os.getpid(), signal.SIGKILL)
        return real(parsed)

    intake = Intake(
        cfg, store, archive, clock=_now, converter=bootstrap.build(cfg).converter, extractor=killer
    )
    pool = AnalysisPool(intake, 1)
    try:
        [dying] = pool.submit([report("tdc", 3000)])
        with pytest.raises(BrokenProcessPool):
            dying.result(timeout=60)
    except BaseException:
        pool.close()
        store.close()
        raise
    return pool, store


def test_a_batch_handed_to_a_pool_a_worker_death_broke_is_analysed_not_refused(
    env: MailEnv, tmp_path: Path
) -> None:
    # the poll hands batch n+1 to the pool before it asks for batch n's results: if a
    # worker died under batch n the pool is broken by then, and batch n+1's mails must
    # be analysed again like the ones the worker took down, not fail the poll
    pool, store = _pool_a_worker_death_broke(env, tmp_path)
    later = report("qlkh", 3000)
    try:
        [analysis] = pool.results([later], pool.submit([later]))
    finally:
        pool.close()
        store.close()
    assert analysis.fields["kind"] == "report"


def test_a_batch_handed_to_a_broken_pool_goes_whole_to_one_fresh_pool(
    env: MailEnv, tmp_path: Path
) -> None:
    # batch n+1's mails never met the dead worker: one fresh pool takes them all, not a
    # pool started and shut down for each mail
    pool, store = _pool_a_worker_death_broke(env, tmp_path)
    later = [report("qlkh", 3000), report("khtc", 3000), report("vanphong", 3000)]
    try:
        futures = pool.submit(later)
        fresh = pool._pool
        analyses = pool.results(later, futures)
        kept = pool._pool is fresh
    finally:
        pool.close()
        store.close()
    assert kept and [a.fields["kind"] for a in analyses] == ["report"] * 3


def test_a_batch_goes_to_the_workers_in_items_of_a_few_small_mails_or_one_large_one() -> None:
    from mailflow.services.poll import SHARE, SHARE_BYTES, _shares

    small, large = b"x" * 1000, b"y" * (SHARE_BYTES + 1)
    raws = [small] * (SHARE + 2) + [large] + [small] * 2
    items = _shares(raws)
    assert [len(item) for item in items] == [SHARE, 2, 1, 2]
    assert [raw for item in items for raw in item] == raws
