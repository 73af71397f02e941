"""`mailflow check` runs send's own validations without sending, on the embedded server:
unknown outline units, unknown template tags, missing files, the deadline, stale years,
our own address among the recipients. `send` refuses with the same words."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from send_support import CAMPAIGN, REPO

import mailenv
from mailenv import MailEnv
from mailflow.samples.seed import build_directive

pytestmark = pytest.mark.integration

BEFORE_DEADLINE = "2023-07-01T08:00:00"  # the seed campaign is due 21/07/2023


@pytest.fixture
def env() -> Iterator[MailEnv]:
    server = mailenv.start_embedded()
    try:
        yield server
    finally:
        mailenv.stop_embedded(server)


def _config(tmp_path: Path, env: MailEnv, text: str = "", **values: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text or env.config_text(**values), encoding="utf-8")
    path.chmod(0o600)
    return path


def run_cli(
    config: Path, *args: str, now: str = BEFORE_DEADLINE
) -> subprocess.CompletedProcess[str]:
    """`python -m mailflow --config C ...` on simulated ``now`` (the clock adapter's)."""
    env = dict(os.environ, MAILFLOW_TEST_PASSWORD=mailenv.PASSWORD, COLUMNS="250")
    env["MAILFLOW_FAKE_NOW"] = now
    return subprocess.run(
        [sys.executable, "-m", "mailflow", "--config", str(config), *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
        stdin=subprocess.DEVNULL,
    )


def _check(config: Path, *args: str, now: str = BEFORE_DEADLINE) -> tuple[int, str, list[str]]:
    result = run_cli(config, *args, "check", now=now)
    out = result.stdout + result.stderr
    assert "Traceback" not in out, out
    return result.returncode, out, [ln for ln in out.splitlines() if ln.startswith("✗")]


def _directive_with(tmp_path: Path, line: str) -> Path:
    """The seed directive template with one more paragraph."""
    path = tmp_path / "directive.docx"
    path.write_bytes(build_directive())
    document = docx.Document(str(path))
    document.add_paragraph(line)
    document.save(str(path))
    return path


def test_check_passes_the_seed_campaign_before_its_deadline(tmp_path: Path, env: MailEnv) -> None:
    code, out, problems = _check(_config(tmp_path, env))
    assert code == 0, out
    assert problems == []
    assert "Tất cả đều ổn." in out


def test_check_lists_each_unknown_outline_unit_with_the_closest_names(
    tmp_path: Path, env: MailEnv
) -> None:
    text = env.config_text().replace(
        'aliases = ["Phòng QLCN&ĐMST", "Phòng QLCN và ĐMST", "QLCN&ĐMST"]', "aliases = []"
    )
    code, out, problems = _check(_config(tmp_path, env, text))
    assert code == 1, out
    unknown = [ln for ln in problems if "QLCN" in ln and "gần nhất" in ln]
    assert unknown, out
    assert all("Phòng Quản lý công nghệ và Đổi mới sáng tạo" in ln for ln in unknown), out
    assert "Tất cả đều ổn." not in out


def test_send_refuses_the_unknown_units_check_listed(tmp_path: Path, env: MailEnv) -> None:
    text = env.config_text().replace(
        'aliases = ["Phòng QLCN&ĐMST", "Phòng QLCN và ĐMST", "QLCN&ĐMST"]', "aliases = []"
    )
    config = _config(tmp_path, env, text)
    _, _, problems = _check(config)
    result = run_cli(config, "send", "--campaign", CAMPAIGN, "--send")
    assert result.returncode == 1
    for line in problems:
        assert line.removeprefix("✗ ") in result.stdout + result.stderr
    assert env.messages("qlkh@" + mailenv.DOMAIN) == []


def test_check_names_an_unknown_directive_tag_with_the_valid_ones(
    tmp_path: Path, env: MailEnv
) -> None:
    directive = _directive_with(tmp_path, "Hạn chót: {{ dealine }}")
    code, out, problems = _check(_config(tmp_path, env, directive=str(directive)))
    assert code == 1, out
    (line,) = [ln for ln in problems if "{{ dealine }}" in ln]
    assert "thẻ mailflow không có" in line
    valid = line.split("Các thẻ dùng được:")[1]
    assert "deadline" in valid and "department" in valid and "title" in valid


def test_send_fails_on_an_unknown_tag_with_the_catalogue_message_not_jinjas(
    tmp_path: Path, env: MailEnv
) -> None:
    directive = _directive_with(tmp_path, "Hạn chót: {{ dealine }}")
    config = _config(tmp_path, env, directive=str(directive))
    _, _, problems = _check(config)
    (expected,) = [ln.removeprefix("✗ ") for ln in problems if "dealine" in ln]
    for args in ((), ("--send",)):
        result = run_cli(config, "send", "--campaign", CAMPAIGN, *args)
        out = result.stdout + result.stderr
        assert result.returncode == 1, out
        assert expected in out
        assert "is undefined" not in out
    assert env.messages("qlkh@" + mailenv.DOMAIN) == []


def test_check_names_an_unknown_mail_template_tag_in_english(tmp_path: Path, env: MailEnv) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    mail = templates / "mail" / "en" / "directive.txt.j2"
    mail.write_text(mail.read_text(encoding="utf-8") + "Due {{ dealine }}\n", encoding="utf-8")
    text = env.config_text(templates=str(templates)).replace('lang = "vi"', 'lang = "en"')
    code, out, problems = _check(_config(tmp_path, env, text))
    assert code == 1, out
    (line,) = [ln for ln in problems if "{{ dealine }}" in ln]
    assert "uses tags mailflow does not provide" in line and str(mail) in line
    assert "deadline" in line.split("Tags you can use:")[1]


def test_check_reports_a_missing_directive_file(tmp_path: Path, env: MailEnv) -> None:
    missing = tmp_path / "nowhere" / "directive.docx"
    code, out, problems = _check(_config(tmp_path, env, directive=str(missing)))
    assert code == 1, out
    (line,) = [ln for ln in problems if str(missing) in ln]
    assert "không tồn tại" in line


def test_check_flags_a_year_the_campaign_is_not_about(tmp_path: Path, env: MailEnv) -> None:
    directive = _directive_with(tmp_path, "Hoàn thành trong tháng 7/2022.")
    code, out, problems = _check(_config(tmp_path, env, directive=str(directive)))
    assert code == 1, out
    (line,) = [ln for ln in problems if "2022" in ln]
    assert "năm 2023" in line and str(directive) in line


def test_check_flags_a_passed_deadline_when_nothing_was_sent(tmp_path: Path, env: MailEnv) -> None:
    code, out, problems = _check(_config(tmp_path, env), now="2023-08-01T08:00:00")
    assert code == 1, out
    (line,) = problems
    assert "21/07/2023 đã qua" in line and "01/08/2023" in line


def test_check_flags_a_deadline_outside_the_titles_year(tmp_path: Path, env: MailEnv) -> None:
    config = _config(tmp_path, env, deadline="2031-07-21")
    code, out, problems = _check(config)
    assert code == 1, out
    (line,) = [ln for ln in problems if "21/07/2031" in ln]
    assert "2023" in line


def test_check_flags_our_own_mailbox_as_a_department_address(tmp_path: Path, env: MailEnv) -> None:
    text = env.config_text().replace(
        f'emails = ["khtc@{mailenv.DOMAIN}"]', f'emails = ["baocao@{mailenv.DOMAIN}"]'
    )
    code, out, problems = _check(_config(tmp_path, env, text))
    assert code == 1, out
    (line,) = [ln for ln in problems if "KHTC" in ln]
    assert f"baocao@{mailenv.DOMAIN}" in line
