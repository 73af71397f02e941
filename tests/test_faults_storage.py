"""Disk full on the archive and a locked state file: clear errors, nothing half-written."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from mailflow.adapters.archive import Archive
from mailflow.adapters.store import Store
from mailflow.errors import MailflowError, TransientError


def test_archive_on_a_full_disk_raises_a_readable_error(tiny_disk: Path) -> None:
    archive = Archive(tiny_disk)
    with pytest.raises(MailflowError) as info:
        archive.put(os.urandom(256 * 1024), "mail", ".eml")
    assert info.value.hint  # says what to do


def test_archive_on_a_full_disk_leaves_no_partial_object(tiny_disk: Path) -> None:
    archive = Archive(tiny_disk)
    with pytest.raises(MailflowError):
        archive.put(os.urandom(256 * 1024), "mail", ".eml")
    assert [p for p in tiny_disk.rglob("*") if p.is_file()] == []


def test_archive_recovers_once_space_is_back(tiny_disk: Path) -> None:
    archive = Archive(tiny_disk)
    with pytest.raises(MailflowError):
        archive.put(os.urandom(256 * 1024), "mail", ".eml")
    stored = archive.put(b"small mail", "mail", ".eml")
    assert archive.read(stored.relpath) == b"small mail"


def test_locked_state_file_gives_a_transient_error(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    Store(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        store = Store(path, busy_ms=200)
        with pytest.raises(TransientError), store.transaction():
            store.event("x", datetime(2023, 7, 1))
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_state_file_is_writable_again_after_the_lock_is_released(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    store = Store(path, busy_ms=200)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    with pytest.raises(TransientError), store.transaction():
        pass
    holder.execute("ROLLBACK")
    holder.close()
    with store.transaction():
        store.event("x", datetime(2023, 7, 1))
    assert store.db["events"].count == 1


def test_batch_archive_on_a_full_disk_leaves_no_partial_object(tiny_disk: Path) -> None:
    archive = Archive(tiny_disk)
    batch = [(os.urandom(20 * 1024), "mail", ".eml") for _ in range(6)]
    with pytest.raises(MailflowError):
        archive.put_many(batch)
    assert [p for p in tiny_disk.rglob("*") if p.is_file()] == []
