"""A report whose slow documents (PDF text, OCR, workbooks) intake has not read yet is not
matched by hand before they are read: matched then, their text would never reach the draft
(a mail matched once is left alone). A poll killed before its deferred reading leaves such
a mail; `release`, `campaign` or the Office's reply may reach it meanwhile."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from test_poll_deferred import _config, _deliver, _mails, _now, _poll, env, server

from mailflow import config as config_mod
from mailflow.adapters.archive import Archive
from mailflow.adapters.store import Store
from mailflow.services.match import MatchResult, match_mail

__all__ = ["env", "server"]  # the module's fixtures, shared with test_poll_deferred

PDF_MAIL = 3  # _mails(): the .docx reply, the workbook, the PDF — in that order


def _killed_before_reading(env: object, tmp_path: Path) -> config_mod.Config:
    _deliver(env, _mails())  # type: ignore[arg-type]
    config = _config(tmp_path, env)  # type: ignore[arg-type]
    killed = _poll(config, crash_at="before-deferred:1")
    assert killed.returncode == -9, killed.stderr
    return config_mod.load(config)


def _match(cfg: config_mod.Config, mail_id: int) -> MatchResult:
    store = Store(cfg.state_path)
    try:
        return match_mail(cfg, store, Archive(cfg.archive_dir), mail_id, _now())
    finally:
        store.close()


def test_matching_a_mail_whose_documents_wait_places_nothing_and_says_how_many_wait(
    env: object, tmp_path: Path
) -> None:
    cfg = _killed_before_reading(env, tmp_path)
    result = _match(cfg, PDF_MAIL)
    assert (result.waiting, result.parts, result.already) == (1, 0, False)


def test_a_mail_whose_documents_wait_stays_unmatched(env: object, tmp_path: Path) -> None:
    cfg = _killed_before_reading(env, tmp_path)
    _match(cfg, PDF_MAIL)
    store = Store(cfg.state_path)
    try:
        assert store.mail_by_id(PDF_MAIL)["matched_at"] is None
    finally:
        store.close()


def test_once_its_documents_are_read_the_mail_is_matched_after_the_reading(
    env: object, tmp_path: Path
) -> None:
    cfg = _killed_before_reading(env, tmp_path)
    _match(cfg, PDF_MAIL)  # by hand while the PDF waits: must not close the mail
    again = _poll(tmp_path / "config.toml")  # reads the PDF, then matches what is due
    assert again.returncode == 0, again.stderr
    conn = sqlite3.connect(cfg.state_path)
    try:
        kinds = [
            k
            for (k,) in conn.execute(
                "SELECT kind FROM events WHERE mail_id = ? AND kind IN "
                "('intake.deferred_read', 'match.placed') ORDER BY id",
                [PDF_MAIL],
            )
        ]
    finally:
        conn.close()
    assert kinds == ["intake.deferred_read", "match.placed"]
