"""`mailflow init`: a workspace that runs as written, and nothing overwritten."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from mailflow.cli import cli
from mailflow.config import load


def _init(target: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--lang", "en", "init", str(target)])
    return result.exit_code, result.output


def test_init_writes_config_templates_outline_and_mail_texts(tmp_path: Path) -> None:
    code, _ = _init(tmp_path)
    assert code == 0
    for rel in (
        "config.toml",
        "templates/directive.docx",
        "templates/draft.docx",
        "campaigns/2023-h1/outline.docx",
        "templates/mail/directive.txt.j2",
        "templates/mail/en/reminder.html.j2",
    ):
        assert (tmp_path / rel).is_file(), rel


def test_the_written_config_loads_with_all_its_files(tmp_path: Path) -> None:
    _init(tmp_path)
    cfg = load(tmp_path / "config.toml")
    assert cfg.campaigns[0].id == "2023-h1"


def test_the_written_outline_parses_without_unknown_departments(tmp_path: Path) -> None:
    _init(tmp_path)
    result = CliRunner().invoke(
        cli, ["--config", str(tmp_path / "config.toml"), "outline", "--campaign", "2023-h1"]
    )
    assert result.exit_code == 0, result.output


def test_init_refuses_to_overwrite_and_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("# mine\n", encoding="utf-8")
    code, out = _init(tmp_path)
    assert code == 2
    assert "already exists" in out
    assert (tmp_path / "config.toml").read_text(encoding="utf-8") == "# mine\n"
    assert not (tmp_path / "templates").exists()
