"""No one passes for a department: the sender is the raw From addr-spec, and only our own
server's Authentication-Results (the topmost block, for the From domain) are believed.

Mails are written as raw bytes (the header order matters: RFC 8601 §5), parsed by
``adapters.mail_parse`` and decided by ``core.identify`` with the seed config's departments;
the spoof that the issue found is also run through `mailflow ingest` end to end.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from mailenv import MailEnv
from mailflow import config as config_mod
from mailflow.adapters import mail_parse
from mailflow.adapters.mailserver import free_port
from mailflow.cli import cli
from mailflow.core.identify import Identification, KnownState, identify
from mailflow.model import MailKind
from mailflow.services.intake import known_state

TRUSTED = "mail.sokhcn.example"
DOM = "sokhcn.example"
SPOOF_FROM = b"From: =?utf-8?q?qlkh=40sokhcn=2Eexample?= <attacker@evil.test>"


def config_text(require_auth_pass: bool) -> str:
    port = free_port()
    text = MailEnv("embedded", "127.0.0.1", port, port).config_text()
    if require_auth_pass:
        text = text.replace("[mailbox]\n", "[mailbox]\nrequire_auth_pass = true\n", 1)
    return text


@pytest.fixture(params=[False, True], ids=["lenient", "require_auth_pass"])
def known(request: pytest.FixtureRequest, tmp_path: Path) -> KnownState:
    path = tmp_path / "config.toml"
    path.write_text(config_text(request.param), encoding="utf-8")
    return known_state(config_mod.load(path))


@pytest.fixture
def strict(tmp_path: Path) -> KnownState:
    path = tmp_path / "config.toml"
    path.write_text(config_text(True), encoding="utf-8")
    return known_state(config_mod.load(path))


def raw_mail(*headers: bytes) -> bytes:
    """Headers in the order given (top = added last, by our server), then a report."""
    base = [
        b"To: baocao@sokhcn.example",
        b"Subject: =?utf-8?q?B=C3=A1o_c=C3=A1o_2023-H1?=",
        b"Date: Mon, 10 Jul 2023 09:00:00 +0700",
        b"Message-ID: <r1@sokhcn.example>",
        b"MIME-Version: 1.0",
        b"Content-Type: text/plain; charset=utf-8",
    ]
    return b"\r\n".join([*headers, *base]) + b"\r\n\r\nN\xe1\xbb\x99i dung.\r\n"


def decide(raw: bytes, known: KnownState) -> Identification:
    return identify(mail_parse.mail_headers(mail_parse.parse(raw)), known)


RECEIVED = b"Received: from mx.evil.test by mail.sokhcn.example with ESMTP id 1; Mon, 10 Jul 2023"
GENUINE_QLKH = b"From: =?utf-8?q?Ph=C3=B2ng_QLKH?= <qlkh@sokhcn.example>"


# --- the sender is the address, never the name ---------------------------------------------


def test_an_encoded_word_display_name_never_becomes_the_address() -> None:
    parsed = mail_parse.parse(raw_mail(SPOOF_FROM))
    assert (parsed.from_addr, parsed.from_name) == ("attacker@evil.test", "qlkh@sokhcn.example")


@pytest.mark.parametrize(
    "from_line",
    [
        b"From: qlkh@sokhcn.example <attacker@evil.test>",
        b'From: "qlkh@sokhcn.example" <attacker@evil.test>',
        b'From: "Ph\xc3\xb2ng <qlkh@sokhcn.example>" <attacker@evil.test>',
        b"From: (qlkh@sokhcn.example) <attacker@evil.test>",
    ],
    ids=["bare-name", "quoted-name", "angle-in-quotes", "comment"],
)
def test_the_angle_address_is_the_sender_whatever_stands_before_it(from_line: bytes) -> None:
    assert mail_parse.parse(raw_mail(from_line)).from_addr == "attacker@evil.test"


def test_a_genuine_department_name_and_address_read_as_before() -> None:
    parsed = mail_parse.parse(raw_mail(GENUINE_QLKH))
    assert (parsed.from_addr, parsed.from_name) == ("qlkh@sokhcn.example", "Phòng QLKH")


def test_a_display_name_showing_another_address_is_held_for_review(known: KnownState) -> None:
    got = decide(raw_mail(SPOOF_FROM), known)
    assert (got.kind, got.reason) == (MailKind.REVIEW, "intake.why.name_claims_address")
    assert got.department is None
    assert dict(got.params)["claimed"] == "qlkh@sokhcn.example"


def test_a_display_name_showing_the_same_address_is_a_plain_report() -> None:
    path_known = KnownState(
        addresses={"qlkh@sokhcn.example": "QLKH"},
        campaigns=(),
    )
    got = decide(raw_mail(b'From: "qlkh@sokhcn.example" <qlkh@sokhcn.example>'), path_known)
    assert got.reason != "intake.why.name_claims_address"


def test_the_encoded_word_spoof_with_a_genuine_pass_for_its_own_domain_is_held(
    strict: KnownState,
) -> None:
    """The issue's case: our server's genuine dmarc=pass for evil.test, require_auth_pass."""
    genuine_pass = (
        f"Authentication-Results: {TRUSTED}; dmarc=pass header.from=evil.test; "
        "spf=pass smtp.mailfrom=attacker@evil.test; dkim=pass header.d=evil.test"
    ).encode()
    got = decide(raw_mail(genuine_pass, RECEIVED, SPOOF_FROM), strict)
    assert got.kind == MailKind.REVIEW and got.department is None


def test_ingest_holds_the_encoded_word_spoof_for_review(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(config_text(True), encoding="utf-8")
    genuine_pass = f"Authentication-Results: {TRUSTED}; dmarc=pass header.from=evil.test".encode()
    (tmp_path / "spoof.eml").write_bytes(raw_mail(genuine_pass, RECEIVED, SPOOF_FROM))
    result = CliRunner().invoke(
        cli,
        ["--config", str(config), "--lang", "en", "ingest", str(tmp_path / "spoof.eml")],
    )
    assert result.exit_code == 0, result.output
    with sqlite3.connect(tmp_path / "state.sqlite") as db:
        row = db.execute("SELECT from_addr, kind, department, reason FROM mails").fetchone()
    assert row == ("attacker@evil.test", "review", None, "intake.why.name_claims_address")


# --- Authentication-Results: the topmost trusted block, for the From domain ----------------


def _ar(text: str) -> bytes:
    return f"Authentication-Results: {text}".encode()


def test_a_forged_pass_below_our_servers_none_is_ignored(strict: KnownState) -> None:
    raw = raw_mail(
        _ar(f"{TRUSTED}; dmarc=none header.from=sokhcn.example"),
        RECEIVED,
        _ar(f"{TRUSTED}; dmarc=pass header.from=sokhcn.example; spf=pass smtp.mailfrom=qlkh@{DOM}"),
        GENUINE_QLKH,
    )
    got = decide(raw, strict)
    assert (got.kind, got.reason) == (MailKind.QUARANTINED, "intake.why.auth_missing")


def test_our_servers_own_pass_on_top_is_believed(strict: KnownState) -> None:
    raw = raw_mail(
        _ar(f"{TRUSTED}; dmarc=pass (p=none) header.from=sokhcn.example"),
        RECEIVED,
        GENUINE_QLKH,
    )
    assert decide(raw, strict).kind == MailKind.REPORT


def test_a_forged_fail_below_our_servers_pass_does_not_quarantine(strict: KnownState) -> None:
    raw = raw_mail(
        _ar(f"{TRUSTED}; dmarc=pass header.from=sokhcn.example"),
        RECEIVED,
        _ar(f"{TRUSTED}; dmarc=fail header.from=sokhcn.example"),
        GENUINE_QLKH,
    )
    assert decide(raw, strict).kind == MailKind.REPORT


def test_the_trusted_block_may_span_several_headers(strict: KnownState) -> None:
    raw = raw_mail(
        _ar(f"{TRUSTED}; spf=none smtp.mailfrom=sokhcn.example"),
        b"X-Spam-Score: 0.1",
        _ar(f"{TRUSTED}; dmarc=pass header.from=sokhcn.example"),
        RECEIVED,
        GENUINE_QLKH,
    )
    assert decide(raw, strict).kind == MailKind.REPORT


def test_another_servers_header_ends_the_trusted_block(strict: KnownState) -> None:
    raw = raw_mail(
        _ar(f"{TRUSTED}; spf=none smtp.mailfrom=sokhcn.example"),
        _ar("relay.evil.test; none"),
        _ar(f"{TRUSTED}; dmarc=pass header.from=sokhcn.example"),
        GENUINE_QLKH,
    )
    assert decide(raw, strict).reason == "intake.why.auth_missing"


def test_a_pass_for_another_domain_does_not_vouch_for_a_department(strict: KnownState) -> None:
    raw = raw_mail(
        _ar(
            f"{TRUSTED}; dmarc=pass header.from=evil.test; spf=pass smtp.mailfrom=a@evil.test; "
            "dkim=pass header.d=evil.test"
        ),
        RECEIVED,
        GENUINE_QLKH,
    )
    assert decide(raw, strict).reason == "intake.why.auth_missing"


def test_a_pass_that_names_no_domain_does_not_count(strict: KnownState) -> None:
    raw = raw_mail(_ar(f"{TRUSTED}; dmarc=pass; spf=pass"), RECEIVED, GENUINE_QLKH)
    assert decide(raw, strict).reason == "intake.why.auth_missing"


def test_our_servers_fail_on_top_still_quarantines_a_department_address(
    known: KnownState,
) -> None:
    raw = raw_mail(
        _ar(f"{TRUSTED}; spf=fail smtp.mailfrom=qlkh@sokhcn.example"), RECEIVED, GENUINE_QLKH
    )
    assert decide(raw, known).reason == "intake.why.auth_fail"
