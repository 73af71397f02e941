"""State file settings and the archive's never-rewrite, never-escape rules."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from mailflow.adapters.archive import Archive
from mailflow.adapters.store import Store


def test_store_uses_wal_and_full_sync(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite")
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_migrations_run_once_and_are_named(tmp_path: Path) -> None:
    Store(tmp_path / "s.sqlite").close()
    store = Store(tmp_path / "s.sqlite")
    assert store.applied_migrations()[0] == "001_initial"
    assert len(store.applied_migrations()) == len(set(store.applied_migrations()))


def test_a_new_migration_is_applied_to_an_existing_file(tmp_path: Path) -> None:
    Store(tmp_path / "s.sqlite").close()
    from mailflow.adapters import store as store_mod

    extra = [*store_mod.MIGRATIONS, ("999_test", lambda db: db.execute("CREATE TABLE t (x)"))]
    store = Store(tmp_path / "s.sqlite", migrations=extra)
    assert "t" in store.db.table_names()


def test_failed_transaction_leaves_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite")
    with pytest.raises(RuntimeError), store.transaction():
        store.event("test", datetime(2023, 7, 1))
        raise RuntimeError("crash")
    assert store.db["events"].count == 0


def test_archive_stores_identical_bytes_once(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    first = archive.put(b"raw mail", "mail", ".eml")
    second = archive.put(b"raw mail", "mail", ".eml")
    assert first.created and not second.created
    assert first.path == second.path and archive.read(first.relpath) == b"raw mail"


def test_archive_never_uses_a_hostile_suffix_or_path(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "a")
    stored = archive.put(b"x", "file", "/../../etc/passwd")
    assert stored.path.is_relative_to(tmp_path / "a")
    with pytest.raises(ValueError):
        archive.put_named("../escape.docx", b"x")
    with pytest.raises(ValueError):
        archive.path("../../etc/passwd")


def test_named_objects_are_never_rewritten(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    archive.put_named("2023-h1/drafts/v001.docx", b"one")
    with pytest.raises(FileExistsError):
        archive.put_named("2023-h1/drafts/v001.docx", b"two")
    assert archive.read("2023-h1/drafts/v001.docx") == b"one"


def test_archive_leaves_no_temporary_files(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    archive.put(b"data", "mail")
    assert not [p for p in tmp_path.rglob(".tmp-*")]


def test_a_staged_object_is_not_in_the_archive_until_published(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    staged = archive.stage([(b"raw mail", "mail", ".eml")])
    assert not staged.stored[0].path.exists()
    archive.publish([staged])
    assert staged.stored[0].path.read_bytes() == b"raw mail"
    assert not list(tmp_path.rglob(".tmp-*"))


def test_a_discarded_stage_leaves_no_file(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    staged = archive.stage([(b"raw mail", "mail", ".eml"), (b"doc", "file", ".docx")])
    archive.discard(staged)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_an_object_staged_twice_before_publishing_is_placed_once(tmp_path: Path) -> None:
    """The same mail fetched in two batches: both staged before either is published."""
    archive = Archive(tmp_path)
    first = archive.stage([(b"same mail", "mail", ".eml")])
    second = archive.stage([(b"same mail", "mail", ".eml")])
    archive.publish([first])
    placed = first.stored[0].path.stat().st_ino
    archive.publish([second])
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [first.stored[0].path.name]
    assert first.stored[0].path.stat().st_ino == placed  # never rewritten
