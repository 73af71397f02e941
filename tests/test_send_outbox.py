"""The outbox protocol on the embedded server: queue once, retry 4xx, fail 5xx, resolve."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from send_support import parse

import mailenv
from mailenv import MailEnv
from mailflow.adapters.archive import Archive
from mailflow.adapters.imap import ImapClient
from mailflow.adapters.mail_build import Outgoing, compose, loop_id, new_message_id
from mailflow.adapters.smtp import SmtpClient
from mailflow.adapters.store import Store
from mailflow.config import Endpoint
from mailflow.model import SendStatus
from mailflow.services import outbox

NOW = datetime(2023, 7, 10, 8, 0).astimezone()
MAILBOX = "baocao@sokhcn.example"


@pytest.fixture(scope="module")
def server() -> Iterator[MailEnv]:
    """One embedded server for the module (it takes seconds to start); tests tell their
    own mail apart by Message-ID."""
    env = mailenv.start_embedded()
    try:
        yield env
    finally:
        mailenv.stop_embedded(env)


@pytest.fixture
def embedded_env(server: MailEnv) -> Iterator[MailEnv]:
    server._embedded.rcpt_policy = None  # type: ignore[union-attr]
    yield server
    server._embedded.rcpt_policy = None  # type: ignore[union-attr]


def _mine(env: MailEnv, user: str, rows: list, folder: str = "INBOX") -> list:  # type: ignore[type-arg]
    ids = {r.message_id for r in rows}
    msgs = [parse(m) for m in env.messages(user if "@" in user else env.addr(user), folder)]
    return [m for m in msgs if m["Message-ID"] in ids]


@pytest.fixture
def parts(tmp_path: Path) -> Iterator[tuple[Store, Archive]]:
    store = Store(tmp_path / "state.sqlite")
    yield store, Archive(tmp_path / "archive")
    store.close()


def _factories(env: MailEnv) -> tuple:
    def smtp() -> SmtpClient:
        return SmtpClient(Endpoint(env.host, env.smtp_port, "none"), MAILBOX, env.password)

    def imap() -> ImapClient:
        return ImapClient(Endpoint(env.host, env.imap_port, "none"), MAILBOX, env.password)

    return smtp, imap


def _queue(store: Store, archive: Archive, local: str) -> outbox.OutboxRow:
    key = f"test:c1:{local}"
    mid = new_message_id(MAILBOX)
    mail = Outgoing(
        MAILBOX,
        "Văn phòng",
        (f"{local}@sokhcn.example",),
        f"[C1] thư cho {local}",
        "nội dung",
        loop_id=loop_id("c1", "test", key),
    )
    return outbox.queue(
        store, archive, key, "test", "c1", local, mail.to, compose(mail, mid, NOW), mid, {}, NOW
    )


def _deliver(env: MailEnv, store: Store, archive: Archive, rows: list, **kw: object):  # type: ignore[no-untyped-def]
    smtp, imap = _factories(env)
    sleeps: list[float] = []
    report = outbox.deliver(
        store,
        archive,
        smtp,
        imap,
        rows,
        lambda: NOW,
        kw.pop("rate", 0),  # type: ignore[arg-type]
        sender=MAILBOX,
        sleep=sleeps.append,
        **kw,  # type: ignore[arg-type]
    )
    return report, sleeps


def test_queue_twice_with_one_key_keeps_one_row_and_the_first_message(
    parts: tuple[Store, Archive],
) -> None:
    store, archive = parts
    first = _queue(store, archive, "qlkh")
    second = _queue(store, archive, "qlkh")
    assert second.id == first.id and second.message_id == first.message_id
    assert len(outbox.rows(store)) == 1
    assert first.status is SendStatus.QUEUED
    assert parse(archive.read(first.archive_path))["Message-ID"] == first.message_id


def test_deliver_sends_each_row_once_and_files_a_copy_in_sent(
    embedded_env: MailEnv, parts: tuple[Store, Archive]
) -> None:
    store, archive = parts
    rows = [_queue(store, archive, u) for u in ("qlkh", "qlcn")]
    report, _ = _deliver(embedded_env, store, archive, rows)
    assert [r.status for r in report.sent] == [SendStatus.SENT, SendStatus.SENT]
    again, _ = _deliver(embedded_env, store, archive, rows)  # already sent: nothing happens
    assert again.sent == []
    for row, user in zip(rows, ("qlkh", "qlcn"), strict=True):
        (msg,) = _mine(embedded_env, user, [row])
        assert msg["Message-ID"] == row.message_id
    sent = _mine(embedded_env, MAILBOX, rows, "Sent")
    assert sorted(m["Message-ID"] for m in sent) == sorted(r.message_id for r in rows)


def test_a_4xx_is_retried_with_growing_waits_then_sent(
    embedded_env: MailEnv, parts: tuple[Store, Archive]
) -> None:
    store, archive = parts
    refusals = iter(["451 4.3.0 try again later", "451 4.3.0 try again later"])
    embedded_env._embedded.rcpt_policy = lambda rcpt: next(refusals, None)  # type: ignore[union-attr]
    row = _queue(store, archive, "qlkh")
    report, sleeps = _deliver(embedded_env, store, archive, [row], backoff_base=2.0)
    assert sleeps == [2.0, 4.0]
    assert report.sent[0].attempts == 3
    assert len(_mine(embedded_env, "qlkh", [row])) == 1


def test_a_4xx_that_outlasts_the_run_waits_for_a_later_run_and_the_rest_still_go(
    embedded_env: MailEnv, parts: tuple[Store, Archive]
) -> None:
    store, archive = parts
    embedded_env._embedded.rcpt_policy = (  # type: ignore[union-attr]
        lambda rcpt: "452 4.2.2 mailbox full" if rcpt.startswith("qlkh") else None
    )
    rows = [_queue(store, archive, u) for u in ("qlkh", "qlcn")]
    report, sleeps = _deliver(embedded_env, store, archive, rows, max_attempts=4)
    assert len(sleeps) == 3 and report.failed == []
    (waiting,) = report.deferred
    assert waiting.department == "qlkh" and waiting.status is SendStatus.QUEUED
    assert waiting.last_error.startswith("452") and "mailbox full" in waiting.last_error
    assert datetime.fromisoformat(waiting.next_attempt_at) > NOW
    assert [r.department for r in report.sent] == ["qlcn"]
    again, _ = _deliver(embedded_env, store, archive, rows, on_schedule=True)  # not due yet
    assert [r.department for r in again.not_yet] == ["qlkh"] and again.sent == []


def test_a_4xx_after_the_retry_lifetime_fails_the_mail_with_the_reason(
    embedded_env: MailEnv, parts: tuple[Store, Archive]
) -> None:
    store, archive = parts
    embedded_env._embedded.rcpt_policy = lambda rcpt: "452 4.2.2 mailbox full"  # type: ignore[union-attr]
    row = _queue(store, archive, "qlkh")
    later = NOW + timedelta(hours=73)  # the default lifetime is 72 h
    smtp, imap = _factories(embedded_env)
    report = outbox.deliver(
        store, archive, smtp, imap, [row], lambda: later, sender=MAILBOX, sleep=lambda s: None
    )
    (failed,) = report.failed
    assert failed.status is SendStatus.FAILED
    assert "72" in failed.last_error and "452" in failed.last_error


def test_a_row_queued_again_after_failing_gets_a_fresh_retry_lifetime(
    embedded_env: MailEnv, parts: tuple[Store, Archive]
) -> None:
    store, archive = parts
    row = _queue(store, archive, "qlkh")
    with store.transaction() as db:
        db.execute(
            "UPDATE sends SET status = 'failed', last_error = '550 x' WHERE id = ?", [row.id]
        )
    failed = outbox.get(store, row.dedupe_key)
    assert failed is not None
    data = archive.read(failed.archive_path)
    again = outbox.requeue_failed(store, archive, failed, failed.recipients, data, row.message_id)
    embedded_env._embedded.rcpt_policy = lambda rcpt: "452 4.2.2 mailbox full"  # type: ignore[union-attr]
    smtp, imap = _factories(embedded_env)
    now = datetime.now().astimezone() + timedelta(hours=1)  # 1 h after the re-queue
    report = outbox.deliver(
        store, archive, smtp, imap, [again], lambda: now, sender=MAILBOX, sleep=lambda s: None,
        lifetime=timedelta(hours=2),
    )  # fmt: skip
    assert report.failed == [] and [r.id for r in report.deferred] == [row.id]


def test_an_outbox_run_told_to_stop_leaves_the_rest_queued(
    embedded_env: MailEnv, parts: tuple[Store, Archive]
) -> None:
    store, archive = parts
    rows = [_queue(store, archive, u) for u in ("qlkh", "qlcn", "tdc")]
    budget = iter([True, False])  # the daemon's time budget runs out after one mail
    smtp, imap = _factories(embedded_env)
    report = outbox.deliver(
        store, archive, smtp, imap, rows, lambda: NOW, sender=MAILBOX,
        keep_going=lambda: next(budget, False),
    )  # fmt: skip
    assert report.cut_short and [r.department for r in report.sent] == ["qlkh"]
    assert [r.department for r in report.left_queued] == ["qlcn", "tdc"]
    assert all(r.status is SendStatus.QUEUED for r in report.left_queued)


def test_a_5xx_fails_at_once_with_the_server_reason_and_the_rest_still_go(
    embedded_env: MailEnv, parts: tuple[Store, Archive]
) -> None:
    store, archive = parts
    rows = [_queue(store, archive, u) for u in ("qlkh", "nobody", "qlcn")]
    report, sleeps = _deliver(embedded_env, store, archive, rows)
    assert sleeps == []
    (failed,) = report.failed
    assert failed.department == "nobody" and failed.attempts == 1
    assert failed.status is SendStatus.FAILED and failed.last_error.startswith("550")
    assert [r.department for r in report.sent] == ["qlkh", "qlcn"]


def test_rate_limit_spaces_the_sends(embedded_env: MailEnv, parts: tuple[Store, Archive]) -> None:
    store, archive = parts
    rows = [_queue(store, archive, u) for u in ("qlkh", "qlcn", "tdc")]
    clock = [100.0]  # a clock that only moves when the outbox sleeps
    smtp, imap = _factories(embedded_env)
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock[0] += seconds

    outbox.deliver(
        store, archive, smtp, imap, rows, lambda: NOW, 30, sender=MAILBOX,
        sleep=sleep, monotonic=lambda: clock[0],
    )  # fmt: skip
    assert sleeps == [2.0, 2.0]  # 30 a minute: one every 2 s


def _mark_sending(store: Store, row: outbox.OutboxRow) -> None:
    with store.transaction() as db:
        db.execute("UPDATE sends SET status = 'sending' WHERE id = ?", [row.id])


def test_resolve_marks_sent_a_sending_row_whose_copy_is_in_sent(
    embedded_env: MailEnv, parts: tuple[Store, Archive]
) -> None:
    store, archive = parts
    row = _queue(store, archive, "qlkh")
    _mark_sending(store, row)
    _, imap = _factories(embedded_env)
    with imap() as client:
        client.append("Sent", archive.read(row.archive_path))
    ((resolved, how),) = outbox.resolve_sending(store, imap, "Sent", lambda: NOW)
    assert how == "found" and resolved.status is SendStatus.SENT


def test_resolve_queues_again_a_sending_row_not_in_sent(
    embedded_env: MailEnv, parts: tuple[Store, Archive]
) -> None:
    store, archive = parts
    row = _queue(store, archive, "qlkh")
    _mark_sending(store, row)
    _, imap = _factories(embedded_env)
    ((resolved, how),) = outbox.resolve_sending(store, imap, "Sent", lambda: NOW)
    assert how == "resend" and resolved.status is SendStatus.QUEUED
    assert resolved.message_id == row.message_id  # the same bytes go out


def test_resolve_without_imap_refuses_rather_than_guess(parts: tuple[Store, Archive]) -> None:
    store, archive = parts
    _mark_sending(store, _queue(store, archive, "qlkh"))
    with pytest.raises(outbox.MailflowError):
        outbox.resolve_sending(store, None, "Sent", lambda: NOW)
