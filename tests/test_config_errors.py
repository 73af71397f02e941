"""Every broken config gives one line naming file:line and the key, and exit code 2."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from mailflow.cli import cli
from mailflow.config import load
from mailflow.errors import ConfigError
from mailflow.i18n import set_lang

REPO = Path(__file__).parent.parent
GOOD = (REPO / "config.toml").read_text(encoding="utf-8")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    for rel in ("campaigns/2023-h1/outline.docx", "templates/directive.docx"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"placeholder")
    return path


def _error_lines(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load(_write(tmp_path, text))
    return info.value.message.splitlines()


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_good_config_loads(tmp_path: Path) -> None:
    cfg = load(_write(tmp_path, GOOD))
    assert [d.code for d in cfg.departments] == ["VP", "QLKH", "QLCN", "TDC", "KHTC", "TTCG"]


CASES = [
    # (name, old, new, key in message, line marker in the broken text)
    (
        "unknown_key_with_suggestion",
        "poll_seconds = 60",
        "pol_seconds = 60",
        "daemon.pol_seconds",
        "pol_seconds",
        "poll_seconds",
    ),
    ("wrong_type", "timeout = 30", 'timeout = "thirty"', "mailbox.timeout", "timeout =", ""),
    (
        "bad_email",
        'emails = ["qlkh@sokhcn.example"]',
        'emails = ["qlkh@"]',
        "departments[1].emails",
        'emails = ["qlkh@"]',
        "",
    ),
    (
        "duplicate_code",
        'code = "QLCN"',
        'code = "QLKH"',
        "departments[2].code",
        '__second__code = "QLKH"',
        "",
    ),
    (
        "duplicate_address",
        'emails = ["tdc@sokhcn.example"]',
        'emails = ["qlkh@sokhcn.example"]',
        "departments[3].emails",
        '__second__emails = ["qlkh@sokhcn.example"]',
        "",
    ),
    (
        "password_in_config",
        'password_command = "printf mailflow-demo"',
        'password = "hunter2"',
        "mailbox.password",
        "password =",
        "password_env",
    ),
    (
        "missing_outline_file",
        'outline = "campaigns/2023-h1/outline.docx"',
        'outline = "campaigns/2023-h1/nope.docx"',
        "campaigns[0].outline",
        "nope.docx",
        "",
    ),
    (
        "bad_security",
        'port = 10143, security = "none" }',
        'port = 10143, security = "tls" }',
        "mailbox.imap.security",
        "imap =",
        "starttls",
    ),
    ("bad_port", "port = 10025,", "port = 99999,", "mailbox.smtp.port", "smtp =", ""),
    (
        "bad_deadline",
        "deadline = 2023-07-21",
        'deadline = "21/7/2023"',
        "campaigns[0].deadline",
        "deadline =",
        "",
    ),
    (
        "missing_office_emails",
        'emails = ["vanphong@sokhcn.example"]\n\n[mailbox]',
        "\n[mailbox]",
        "office.emails",
        "[office]",
        "",
    ),
    (
        "unknown_campaign_department",
        "reminder_days = [-3, -1, 0]",
        'reminder_days = [-3, -1, 0]\ndepartments = ["QLKX"]',
        "campaigns[0].departments",
        'departments = ["QLKX"]',
        "QLKH",
    ),
    ("bad_lang", 'lang = "vi"', 'lang = "fr"', "lang", 'lang = "fr"', ""),
    (
        "unknown_department_key_with_suggestion",
        'aliases = ["Phòng QLKH"]',
        'alias = ["Phòng QLKH"]',
        "departments[1].alias",
        'alias = ["Phòng QLKH"]',
        "aliases",
    ),
    (
        "wrong_department_type",
        'code = "QLCN"',
        "code = 7",
        "departments[2].code",
        "code = 7",
        "cần kiểu chuỗi, nhưng có 7",  # the type named in the run's language (vi)
    ),
    (
        "wrong_campaign_list_type",
        "reminder_days = [-3, -1, 0]",
        'reminder_days = [-3, "-1", 0]',
        "campaigns[0].reminder_days",
        "reminder_days =",
        "danh sách số nguyên",  # the run's language (vi), not an English type name
    ),
    (
        "bad_campaign_id",
        'id = "2023-h1"',
        'id = "2023 h1"',
        "campaigns[0].id",
        'id = "2023 h1"',
        "2023 h1",
    ),
    (
        "bad_synonym",
        '["6 tháng cuối năm", "thời gian tới"],',
        '["chỉ một"],',
        "campaigns[0].synonyms",
        "synonyms =",
        "",
    ),
]


@pytest.mark.parametrize(
    ("name", "old", "new", "key", "marker", "hint"), CASES, ids=[c[0] for c in CASES]
)
def test_broken_config_names_file_line_and_key(
    tmp_path: Path, name: str, old: str, new: str, key: str, marker: str, hint: str
) -> None:
    assert old in GOOD, f"fixture drifted: {old!r}"
    set_lang("vi")  # the file's language (GOOD says lang = "vi"), as the CLI settles it
    text = GOOD.replace(old, new, 1)
    lines = _error_lines(tmp_path, text)
    assert len(lines) == 1, lines
    if marker.startswith("__second__"):
        needle = marker.removeprefix("__second__")
        expected = [i for i, ln in enumerate(text.splitlines(), 1) if needle in ln][-1]
    else:
        expected = _line_of(text, marker)
    assert re.match(rf"^config\.toml:{expected}: {re.escape(key)}: ", lines[0]), lines[0]
    if hint:
        assert hint in lines[0]


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    lines = _error_lines(tmp_path, GOOD.replace('lang = "vi"', 'lang = "vi'))
    assert lines[0].startswith("config.toml: ")
    assert "line 6" in lines[0]


def test_several_problems_are_reported_together(tmp_path: Path) -> None:
    text = GOOD.replace('lang = "vi"', 'lang = "fr"').replace("timeout = 30", "timeout = -1")
    assert len(_error_lines(tmp_path, text)) == 2


def test_cli_exits_2_with_one_line_per_problem_and_no_traceback(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD.replace("poll_seconds = 60", "pol_seconds = 60"))
    result = CliRunner().invoke(cli, ["--config", str(path), "check"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "config.toml:" in result.output and "daemon.pol_seconds" in result.output


def test_missing_config_file_says_how_to_create_one(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--lang", "en", "--config", str(tmp_path / "no.toml"), "check"]
    )
    assert result.exit_code == 2
    assert "mailflow init" in result.output


def test_matching_bounds_default_to_the_values_measured_on_the_labelled_set(
    tmp_path: Path,
) -> None:
    from mailflow.core import identify, match

    got = load(_write(tmp_path, GOOD)).matching
    assert (got.same_text_ratio, got.same_report_ratio) == (match.SAME_TEXT, match.SAME_REPORT)
    assert got.copy_check_work == match.COPY_CHECK_WORK
    assert got.report_body_chars == identify.REPORT_BODY_CHARS


def test_a_matching_bound_is_read_from_the_matching_table(tmp_path: Path) -> None:
    text = GOOD + "\n[matching]\ncopy_check_work = 5000\nsame_report_ratio = 85\n"
    got = load(_write(tmp_path, text)).matching
    assert (got.copy_check_work, got.same_report_ratio) == (5000, 85.0)


def test_a_matching_bound_that_is_not_positive_names_its_key(tmp_path: Path) -> None:
    text = GOOD + "\n[matching]\nsame_text_ratio = 0\n"
    lines = _error_lines(tmp_path, text)
    assert len(lines) == 1 and "matching.same_text_ratio" in lines[0], lines


def test_the_drafts_pdf_time_is_read_from_the_draft_table(tmp_path: Path) -> None:
    text = GOOD + "\n[draft]\npdf_timeout_seconds = 90\n"
    assert load(_write(tmp_path, text)).draft.pdf_timeout_seconds == 90.0


def test_a_drafts_pdf_time_that_is_not_positive_names_its_key(tmp_path: Path) -> None:
    text = GOOD + "\n[draft]\npdf_timeout_seconds = 0\n"
    lines = _error_lines(tmp_path, text)
    assert len(lines) == 1 and "draft.pdf_timeout_seconds" in lines[0], lines
