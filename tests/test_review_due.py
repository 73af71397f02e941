"""When the Office gets a mail: the pure rules of core.due, then the job on a real state."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from fixtures.e2e.build import DOCX, Section, report_docx
from test_review_cli import Offline

from mailenv import MailEnv
from mailflow import bootstrap
from mailflow.core.due import deadline_at, digest_due, final_due, office_update_due
from mailflow.services.match import match_pending
from mailflow.services.office_mail import send_office_mail_if_due

T0 = datetime(2030, 7, 10, 9, 0)
HALF_HOUR = timedelta(minutes=30)


def test_update_is_due_for_the_first_new_part() -> None:
    assert office_update_due(T0, None, 1, HALF_HOUR)


def test_no_update_without_new_parts() -> None:
    assert not office_update_due(T0, None, 0, HALF_HOUR)


def test_updates_are_debounced_to_one_per_interval() -> None:
    assert not office_update_due(T0 + timedelta(minutes=29), T0, 5, HALF_HOUR)
    assert office_update_due(T0 + HALF_HOUR, T0, 5, HALF_HOUR)


def test_digest_is_due_once_a_day_from_its_time() -> None:
    at = time(17, 0)
    assert not digest_due(datetime(2030, 7, 10, 16, 59), at, None)
    assert digest_due(datetime(2030, 7, 10, 17, 0), at, None)
    assert not digest_due(datetime(2030, 7, 10, 18, 0), at, datetime(2030, 7, 10, 17, 0))
    assert digest_due(datetime(2030, 7, 11, 17, 1), at, datetime(2030, 7, 10, 17, 0))


def test_no_digest_outside_the_campaign_days() -> None:
    at = time(17, 0)
    late = datetime(2030, 7, 22, 17, 30)
    assert not digest_due(late, at, None, campaign_end=date(2030, 7, 21))
    early = datetime(2030, 6, 30, 17, 30)
    assert not digest_due(early, at, None, campaign_start=date(2030, 7, 1))


def test_final_is_due_at_the_deadline_once() -> None:
    end = deadline_at(date(2030, 7, 21), time(17, 0))
    assert not final_due(end - timedelta(minutes=1), end, None)
    assert final_due(end, end, None)
    assert not final_due(end + timedelta(days=1), end, end)


def test_final_comes_early_when_everyone_is_in() -> None:
    end = deadline_at(date(2030, 7, 21), time(17, 0))
    assert final_due(T0, end, None, everyone_in=True)


# --- the job on a real state ----------------------------------------------------------------


@pytest.fixture
def flow(tmp_path: Path) -> Offline:
    env = MailEnv("embedded", "127.0.0.1", 1, 1)
    path = tmp_path / "config.toml"
    path.write_text(env.config_text(deadline="2030-07-21"), encoding="utf-8")
    return Offline(env, path)


def _arrive(flow: Offline, local: str, key: str, now: datetime) -> None:
    o = flow.outline()
    data = report_docx([Section(o.section(key).title, [f"Nội dung {key}."])])
    flow.ingest(local, "Gửi báo cáo.", [("BC.docx", data, DOCX)])
    cfg = flow.cfg
    store = bootstrap.build(cfg).store
    match_pending(cfg, store, bootstrap.build(cfg).archive, now, send_receipt=False)
    store.close()


def _tick(flow: Offline, now: datetime) -> str | None:
    cfg = flow.cfg
    store = bootstrap.build(cfg).store
    try:
        done = send_office_mail_if_due(
            cfg, store, bootstrap.build(cfg).archive, cfg.campaign("2023-h1"), now, pdf="none"
        )
    finally:
        store.close()
    if done is None:
        return None
    last = flow.query("SELECT detail FROM sends ORDER BY id DESC LIMIT 1")[0]
    assert json.loads(last["detail"])["version"] == done.version
    return json.loads(last["detail"])["reason"]


def test_the_office_gets_one_update_per_interval_and_no_digest_without_news(
    flow: Offline,
) -> None:
    _arrive(flow, "tdc", "1.2.1.4", T0)
    assert _tick(flow, T0) == "update"
    assert _tick(flow, T0 + timedelta(minutes=5)) is None  # nothing new
    _arrive(flow, "qlkh", "1.2.1.2", T0 + timedelta(minutes=10))
    assert _tick(flow, T0 + timedelta(minutes=10)) is None  # debounced
    assert _tick(flow, T0 + timedelta(minutes=31)) == "update"
    # nothing arrived since the last update: the day's digest is skipped (issue 12; a
    # digest with news is tests/test_daemon_no_news.py's first mail)
    assert _tick(flow, datetime(2030, 7, 10, 17, 0)) is None
    assert _tick(flow, datetime(2030, 7, 10, 17, 30)) is None
    sends = flow.query("SELECT kind, recipients, dedupe_key FROM sends ORDER BY id")
    assert [s["kind"] for s in sends] == ["draft", "draft"]
    assert all(s["recipients"] == '["vanphong@sokhcn.example"]' for s in sends)
    versions = [r["version"] for r in flow.query("SELECT version FROM drafts ORDER BY id")]
    assert versions == [1, 2]


def test_the_final_draft_goes_once_at_the_deadline(flow: Offline) -> None:
    _arrive(flow, "tdc", "1.2.1.4", T0)
    end = datetime(2030, 7, 21, 17, 0)
    assert _tick(flow, end) == "final"
    assert _tick(flow, end + timedelta(hours=1)) is None
    keys = [s["dedupe_key"] for s in flow.query("SELECT dedupe_key FROM sends")]
    assert keys == ["final:2023-h1"]
