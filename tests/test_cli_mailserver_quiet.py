"""The embedded mail server logs nothing per login: aiosmtpd's own "Session.login_data
is deprecated" line (one per SMTP AUTH) is not printed."""

from __future__ import annotations

import imaplib
import logging
import smtplib

import pytest

from mailflow.adapters.mailserver import EmbeddedMailServer

USER, PASSWORD = "baocao@sokhcn.example", "secret"


def test_smtp_and_imap_logins_log_no_deprecation(caplog: pytest.LogCaptureFixture) -> None:
    server = EmbeddedMailServer({USER: PASSWORD}, backend="dict").start()
    try:
        with caplog.at_level(logging.DEBUG):
            for _ in range(2):
                with smtplib.SMTP(server.host, server.smtp_port, timeout=10) as smtp:
                    smtp.ehlo()
                    code, _ = smtp.login(USER, PASSWORD)
                    assert code == 235
                imap = imaplib.IMAP4(server.host, server.imap_port, timeout=10)
                assert imap.login(USER, PASSWORD)[0] == "OK"
                imap.logout()
    finally:
        server.stop()
    noisy = [r.getMessage() for r in caplog.records if "deprecat" in r.getMessage().lower()]
    assert noisy == []
