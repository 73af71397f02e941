"""Verified TLS: a server that cannot prove it is the configured one never gets the password.

Real sockets throughout: ``tls_support.RecordingServer`` is a loopback IMAP/SMTP server
that records every line it receives, with certificates from a throw-away CA made for
the run (tests/servers/make-certs.sh). A refused server must have recorded no LOGIN /
AUTH and no trace of the password; the same server is accepted once ``ca_file`` names
the certificate's issuer, which shows the refusal tests would see a login if one came.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from tls_support import RecordingServer, make_certs

from mailenv import MailEnv
from mailflow.adapters.imap import ImapClient
from mailflow.adapters.smtp import SmtpClient
from mailflow.cli import cli
from mailflow.config import Endpoint
from mailflow.errors import MailflowError
from mailflow.i18n import get_lang, set_lang

PASSWORD = "Pw-only-for-this-test-7731"
USER = "baocao@sokhcn.example"
CLIENTS = {"imap": ImapClient, "smtp": SmtpClient}


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_certs(tmp_path_factory.mktemp("certs"))


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    before = get_lang()
    set_lang("en")
    yield
    set_lang(before)


def _login(protocol: str, endpoint: Endpoint) -> None:
    client = CLIENTS[protocol](endpoint, USER, PASSWORD, timeout=10)
    try:
        client.connect()
    finally:
        client.close()


def _no_password(server: RecordingServer) -> None:
    seen = b"".join(server.lines)
    plain = f"\0{USER}\0{PASSWORD}".encode()
    assert PASSWORD.encode() not in seen and base64.b64encode(plain) not in seen
    assert not {"LOGIN", "AUTH", "AUTHENTICATE"} & set(server.commands()), server.commands()


def _refused(protocol: str, server: RecordingServer, endpoint: Endpoint) -> str:
    with pytest.raises(MailflowError) as caught:
        _login(protocol, endpoint)
    _no_password(server)
    message = caught.value.message
    assert "\n" not in message and "no password was sent" in message
    return message + " | " + caught.value.hint


@pytest.mark.parametrize("protocol", ["imap", "smtp"])
def test_a_self_signed_server_is_refused_before_login_with_the_reason(
    protocol: str, certs: Path
) -> None:
    with RecordingServer(protocol, certs / "selfsigned.pem") as server:
        said = _refused(protocol, server, Endpoint("127.0.0.1", server.port, "ssl"))
    assert "self-signed" in said and "ca_file" in said


@pytest.mark.parametrize("protocol", ["imap", "smtp"])
def test_a_certificate_for_another_name_is_refused_before_login_with_the_reason(
    protocol: str, certs: Path
) -> None:
    with RecordingServer(protocol, certs / "other.pem") as server:
        endpoint = Endpoint("127.0.0.1", server.port, "ssl", ca_file=certs / "ca.pem")
        said = _refused(protocol, server, endpoint)
    assert "not for '127.0.0.1'" in said and "mismatch" in said


def test_an_expired_certificate_is_refused_before_login_with_the_reason(certs: Path) -> None:
    with RecordingServer("imap", certs / "expired.pem") as server:
        endpoint = Endpoint("127.0.0.1", server.port, "ssl", ca_file=certs / "ca.pem")
        said = _refused("imap", server, endpoint)
    assert "expired" in said and "renew" in said


@pytest.mark.parametrize("protocol", ["imap", "smtp"])
def test_the_self_signed_server_is_accepted_with_its_certificate_as_ca_file(
    protocol: str, certs: Path
) -> None:
    with RecordingServer(protocol, certs / "selfsigned.pem") as server:
        endpoint = Endpoint("localhost", server.port, "ssl", ca_file=certs / "selfsigned.pem")
        _login(protocol, endpoint)
    assert {"LOGIN", "AUTH"} & set(server.commands())


@pytest.mark.parametrize("protocol", ["imap", "smtp"])
def test_a_server_without_starttls_is_refused_when_starttls_is_configured(
    protocol: str,
) -> None:
    with (
        RecordingServer(protocol, cert=None, starttls=False) as server,
        pytest.raises(MailflowError) as caught,
    ):
        _login(protocol, Endpoint("127.0.0.1", server.port, "starttls"))
    _no_password(server)
    assert "does not offer STARTTLS" in caught.value.message


@pytest.mark.parametrize("protocol", ["imap", "smtp"])
def test_tls_verify_false_accepts_any_certificate(protocol: str, certs: Path) -> None:
    with RecordingServer(protocol, certs / "other.pem") as server:
        _login(protocol, Endpoint("127.0.0.1", server.port, "ssl", tls_verify=False))
    assert {"LOGIN", "AUTH"} & set(server.commands())


# --- through the CLI and the daemon --------------------------------------------------


def _config(tmp_path: Path, imap_port: int, smtp_port: int, extra: str = "") -> Path:
    config = tmp_path / "config.toml"
    config.write_text(
        f"""
[office]
name = "Văn phòng"
emails = ["vanphong@sokhcn.example"]

[mailbox]
address = "{USER}"
imap = {{ host = "127.0.0.1", port = {imap_port}, security = "ssl" }}
smtp = {{ host = "127.0.0.1", port = {smtp_port}, security = "ssl" }}
password_env = "MAILFLOW_TLS_TEST_PASSWORD"
timeout = 10
{extra}
""",
        encoding="utf-8",
    )
    config.chmod(0o600)
    return config


def _check(config: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.setenv("MAILFLOW_TLS_TEST_PASSWORD", PASSWORD)
    result = CliRunner().invoke(cli, ["--lang", "en", "--config", str(config), "check"])
    return result.exit_code, result.output


def test_check_refuses_a_self_signed_server_and_sends_it_no_password(
    tmp_path: Path, certs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with (
        RecordingServer("imap", certs / "selfsigned.pem") as imap,
        RecordingServer("smtp", certs / "selfsigned.pem") as smtp,
    ):
        code, out = _check(_config(tmp_path, imap.port, smtp.port), monkeypatch)
    assert code == 1 and "Traceback" not in out
    problems = [ln for ln in out.splitlines() if ln.startswith("✗")]
    assert len(problems) == 2 and all("self-signed" in ln for ln in problems), out
    _no_password(imap)
    _no_password(smtp)


def test_check_passes_with_mailbox_ca_file_for_both_servers(
    tmp_path: Path, certs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with (
        RecordingServer("imap", certs / "server.pem") as imap,
        RecordingServer("smtp", certs / "server.pem") as smtp,
    ):
        extra = f'ca_file = "{certs / "ca.pem"}"'
        code, out = _check(_config(tmp_path, imap.port, smtp.port, extra), monkeypatch)
    assert code == 0, out
    assert "WARNING" not in out


def test_check_flags_tls_verify_false_loudly(
    tmp_path: Path, certs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with (
        RecordingServer("imap", certs / "selfsigned.pem") as imap,
        RecordingServer("smtp", certs / "selfsigned.pem") as smtp,
    ):
        config = _config(tmp_path, imap.port, smtp.port, "tls_verify = false")
        code, out = _check(config, monkeypatch)
    assert code == 0, out
    warnings = [ln for ln in out.splitlines() if "tls_verify = false" in ln]
    assert len(warnings) == 2 and all("NOT checked" in ln for ln in warnings)


def test_the_daemon_start_line_flags_tls_verify_false(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from mailflow import config as config_mod
    from mailflow.daemon import Daemon

    cfg = config_mod.load(_config(tmp_path, 1, 2, "tls_verify = false"), check_files=False)
    cfg = replace(cfg, daemon=replace(cfg.daemon, poll_seconds=1, idle=False))
    daemon = Daemon(cfg)
    daemon.jobs = []  # no jobs: only the start-up lines matter here
    daemon.request_stop()
    with caplog.at_level(logging.WARNING, logger="mailflow.daemon"):
        daemon.run_forever()
    flagged = [r.getMessage() for r in caplog.records if "tls_verify = false" in r.getMessage()]
    assert len(flagged) == 2, caplog.text


# --- the real Postfix + Dovecot ------------------------------------------------------


@pytest.fixture
def real(request: pytest.FixtureRequest) -> MailEnv:
    import mailenv

    return mailenv.real_env(request)


def test_the_real_servers_are_used_over_starttls_with_verification(
    real: MailEnv, tmp_path: Path
) -> None:
    """Every [real] integration test uses this config: Dovecot and Postfix over STARTTLS,
    certificate from the run's throw-away CA, checked."""
    from mailflow import config as config_mod

    path = tmp_path / "config.toml"
    path.write_text(real.config_text(), encoding="utf-8")
    mailbox = config_mod.load(path, check_files=False).mailbox
    for ep in (mailbox.imap, mailbox.smtp):
        assert ep.security == "starttls" and ep.tls_verify and ep.ca_file == real.ca_file
    with ImapClient.from_config(mailbox) as imap:
        assert imap.box is not None
        assert imap.box.client.sock.getpeercert()["subjectAltName"]  # verified, so filled in
    smtp = SmtpClient.from_config(mailbox).connect()
    try:
        assert smtp._yag is not None and smtp._yag.smtp.sock.getpeercert()
    finally:
        smtp.close()


@pytest.mark.parametrize("protocol", ["imap", "smtp"])
def test_the_real_servers_are_refused_without_the_ca_file(real: MailEnv, protocol: str) -> None:
    port = real.imap_port if protocol == "imap" else real.smtp_port
    with pytest.raises(MailflowError) as caught:
        _login(protocol, Endpoint(real.host, port, "starttls"))
    assert "unknown issuer" in caught.value.message


# --- the config keys ---------------------------------------------------------------------


def test_a_missing_ca_file_is_a_config_error_naming_the_key(tmp_path: Path) -> None:
    from mailflow import config as config_mod
    from mailflow.errors import ConfigError

    path = _config(tmp_path, 993, 465, 'ca_file = "no-such-ca.pem"')
    with pytest.raises(ConfigError) as caught:
        config_mod.load(path)
    assert "mailbox.ca_file" in caught.value.message and "no-such-ca.pem" in caught.value.message


def test_a_server_ca_file_wins_over_the_mailbox_one(tmp_path: Path, certs: Path) -> None:
    from mailflow import config as config_mod

    path = _config(tmp_path, 993, 465, f'ca_file = "{certs / "ca.pem"}"')
    text = path.read_text(encoding="utf-8").replace(
        'port = 993, security = "ssl" }',
        f'port = 993, security = "ssl", ca_file = "{certs / "selfsigned.pem"}" }}',
    )
    path.write_text(text, encoding="utf-8")
    mailbox = config_mod.load(path, check_files=False).mailbox
    assert mailbox.imap.ca_file == certs / "selfsigned.pem"
    assert mailbox.smtp.ca_file == certs / "ca.pem"
    assert mailbox.imap.tls_verify and mailbox.smtp.tls_verify
