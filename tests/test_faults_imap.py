"""IMAP failures surface as readable errors, never as "no new mail"."""

from __future__ import annotations

import pytest
from faults import FaultyProxy

from mailenv import MailEnv
from mailflow.adapters.imap import ImapClient
from mailflow.config import Endpoint
from mailflow.errors import MailflowError

pytestmark = pytest.mark.integration


def _fill(env: MailEnv, n: int) -> None:
    body = ("x" * 900 + "\r\n") * 40
    for i in range(n):
        data = f"Subject: {i}\r\nMessage-ID: <f{i}@t>\r\n\r\n{body}".encode()
        env.smtp_send(env.addr("qlkh"), [env.addr("baocao")], data)
    env.wait_for(env.addr("baocao"), n)


def _client(env: MailEnv, port: int, timeout: float = 10) -> ImapClient:
    return ImapClient(
        Endpoint(env.host, port, "none"), env.addr("baocao"), env.password, timeout=timeout
    )


def test_connection_dropped_mid_fetch_raises_instead_of_returning_nothing(
    mail_env: MailEnv,
) -> None:
    _fill(mail_env, 3)
    # enough for greeting, login, capability, select, search; cut inside the FETCH literal
    with FaultyProxy(mail_env.imap_port, cut_after=4000) as proxy:
        client = _client(mail_env, proxy.port)
        client.connect()
        client.select("INBOX")
        uids = client.uids_above(0)
        with pytest.raises(MailflowError) as info:
            list(client.fetch_raw(uids))
    assert "IMAP" in info.value.message


def test_slow_server_hits_the_timeout(mail_env: MailEnv) -> None:
    _fill(mail_env, 1)
    with (
        FaultyProxy(mail_env.imap_port, delay=3.0) as proxy,
        pytest.raises(MailflowError) as info,
    ):
        _client(mail_env, proxy.port, timeout=1).connect()
    assert "timed out" in info.value.message or "IMAP" in info.value.message


def test_login_refused_is_an_auth_error(mail_env: MailEnv) -> None:
    client = ImapClient(
        Endpoint(mail_env.host, mail_env.imap_port, "none"),
        mail_env.addr("baocao"),
        "wrong",
        timeout=10,
    )
    with pytest.raises(MailflowError) as info:
        client.connect()
    assert "login refused" in info.value.message or "đăng nhập bị từ chối" in info.value.message
