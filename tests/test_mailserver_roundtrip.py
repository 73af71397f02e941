"""The mail path every other feature stands on, on both servers."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid

import pytest

from mailenv import MailEnv
from mailflow.adapters.imap import ImapClient
from mailflow.adapters.smtp import SmtpClient
from mailflow.config import Endpoint

pytestmark = pytest.mark.integration


def _report_mail(env: MailEnv, sender: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = env.addr("baocao")
    msg["Subject"] = "Báo cáo sơ kết 6 tháng [2023-H1]"
    msg["Message-ID"] = make_msgid(domain=env.domain)
    msg["Date"] = formatdate(localtime=True)
    msg.set_content("Kính gửi Văn phòng, phòng gửi báo cáo đính kèm.")
    msg.add_attachment(
        b"PK\x03\x04 fake docx bytes",
        maintype="application",
        subtype="octet-stream",
        filename="Báo cáo 6 tháng.docx",
    )
    return msg.as_bytes(policy=SMTP)


def _client(env: MailEnv, user: str) -> ImapClient:
    return ImapClient(Endpoint(env.host, env.imap_port, "none"), user, env.password, timeout=20)


def test_smtp_delivery_keeps_the_exact_bytes(mail_env: MailEnv) -> None:
    data = _report_mail(mail_env, mail_env.addr("qlkh"))
    mail_env.smtp_send(mail_env.addr("qlkh"), [mail_env.addr("baocao")], data)
    (stored,) = mail_env.wait_for(mail_env.addr("baocao"), 1)
    # an MTA may prepend trace headers (Return-Path, Received); the message follows intact
    assert stored.endswith(data)


def test_move_capability_is_seen_after_login(mail_env: MailEnv) -> None:
    with _client(mail_env, mail_env.addr("baocao")) as client:
        if mail_env.kind == "real":
            assert "MOVE" in client.capabilities
        assert "IMAP4REV1" in client.capabilities


def test_fetch_above_last_uid_returns_only_new_mail(mail_env: MailEnv) -> None:
    for i in range(3):
        msg = f"Subject: {i}\r\nMessage-ID: <{i}@t>\r\n\r\nbody {i}\r\n".encode()
        mail_env.smtp_send(mail_env.addr("qlkh"), [mail_env.addr("baocao")], msg)
    mail_env.wait_for(mail_env.addr("baocao"), 3)
    with _client(mail_env, mail_env.addr("baocao")) as client:
        client.select("INBOX")
        uids = client.uids_above(0)
        newer = client.uids_above(uids[0])
        assert newer == uids[1:]
        assert client.uids_above(uids[-1]) == []


def test_move_to_processed_folder_leaves_other_mail(mail_env: MailEnv) -> None:
    for i in range(2):
        msg = f"Subject: m{i}\r\nMessage-ID: <m{i}@t>\r\n\r\nx\r\n".encode()
        mail_env.smtp_send(mail_env.addr("qlkh"), [mail_env.addr("baocao")], msg)
    mail_env.wait_for(mail_env.addr("baocao"), 2)
    with _client(mail_env, mail_env.addr("baocao")) as client:
        client.ensure_folder("mailflow/processed")
        client.select("INBOX")
        first, second = client.uids_above(0)
        client.move([first], "mailflow/processed")
        client.select("INBOX")
        assert client.uids_above(0) == [second]
    assert len(mail_env.messages(mail_env.addr("baocao"), "mailflow/processed")) == 1


def test_append_to_sent_folder_creates_it(mail_env: MailEnv) -> None:
    with _client(mail_env, mail_env.addr("baocao")) as client:
        client.append("Sent", b"Subject: copy\r\nMessage-ID: <sent-1@t>\r\n\r\nx\r\n")
        assert client.find_message_id("Sent", "<sent-1@t>")


def test_smtp_client_reports_unknown_recipient_as_final_refusal(mail_env: MailEnv) -> None:
    client = SmtpClient(
        Endpoint(mail_env.host, mail_env.smtp_port, "none"),
        mail_env.addr("baocao"),
        mail_env.password,
    )
    with client:
        result = client.send(
            mail_env.addr("baocao"),
            [mail_env.addr("nobody")],
            b"Subject: x\r\nMessage-ID: <n@t>\r\n\r\nx\r\n",
        )
    assert not result.ok
    assert result.code == 550
    assert not result.temporary


def test_uidvalidity_is_stable_between_sessions(mail_env: MailEnv) -> None:
    with _client(mail_env, mail_env.addr("baocao")) as client:
        first = client.select("INBOX").uidvalidity
    with _client(mail_env, mail_env.addr("baocao")) as client:
        assert client.select("INBOX").uidvalidity == first
