"""The CLI contract (shared/DESIGN.md): --config/--lang before or after the command
name, one language per run (click's own texts included), and a light start."""

from __future__ import annotations

import importlib
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import mailflow.cli as cli_pkg
from mailflow.cli import cli
from mailflow.cli.base import COMMANDS
from mailflow.messages import CATALOGUE

CAMPAIGN = "2023-h1"
# words click or our option help would leave in English; none may appear under vi
ENGLISH = re.compile(
    r"\b(Usage|Options|Commands|Error|Missing|No such|Show this|Try|required|default|"
    r"TEXT|PATH|DIR|INTEGER|OPTIONS|COMMAND|ARGS|Campaign|Department|Invalid|is not|"
    r"does not|Got unexpected|extra argument|Did you mean)\b"
)
VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)


def _run(*args: str) -> click.testing.Result:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace from `mailflow init`, and a cwd where ./config.toml does not exist."""
    root = tmp_path_factory.mktemp("ws")
    assert _run("--lang", "en", "init", str(root)).exit_code == 0
    (root / "m.eml").write_bytes(
        b"From: someone@example.org\r\nTo: office@example.org\r\nSubject: hello\r\n"
        b"Date: Mon, 1 Jun 2026 10:00:00 +0700\r\nMessage-ID: <contract-1@example.org>\r\n"
        b"\r\nhello\r\n"
    )
    return root


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MAILFLOW_CONFIG", raising=False)
    return tmp_path


def test_every_registered_command_is_listed_for_lazy_loading() -> None:
    for info in pkgutil.iter_modules(cli_pkg.__path__):
        importlib.import_module(f"mailflow.cli.{info.name}")
    where = {name: cmd.callback.__module__ for name, cmd in cli.commands.items()}
    assert where == COMMANDS


@pytest.mark.parametrize(
    "form",
    [
        ["outline", "--config", "{C}", "--campaign", CAMPAIGN],
        ["status", "--config", "{C}"],
        ["review", "--config", "{C}"],
        ["history", "--config", "{C}", "--campaign", CAMPAIGN],
        ["ingest", "--config", "{C}", "{W}/m.eml"],
        ["assemble", "--config", "{C}", "--campaign", CAMPAIGN, "--out", "{W}/X.docx", "--no-pdf"],
        ["send", "--config", "{C}", "--campaign", CAMPAIGN],
        ["--config", "{C}", "outline", "--campaign", CAMPAIGN],
    ],
    ids=lambda form: " ".join(form),
)
def test_config_is_accepted_after_the_command_name(
    ws: Path, elsewhere: Path, form: list[str]
) -> None:
    args = [a.format(C=ws / "config.toml", W=ws) for a in form]
    result = _run("--lang", "en", *args)
    assert result.exit_code == 0, result.output
    assert "No such option" not in result.output


def test_assemble_with_config_after_the_command_writes_the_draft(ws: Path, elsewhere: Path) -> None:
    out = elsewhere / "draft.docx"
    result = _run(
        "assemble",
        "--config",
        str(ws / "config.toml"),
        "--campaign",
        CAMPAIGN,
        "--out",
        str(out),
        "--no-pdf",
    )
    assert result.exit_code == 0, result.output
    assert out.is_file()


def test_config_after_the_command_wins_over_the_one_before(ws: Path, elsewhere: Path) -> None:
    result = _run(
        "--lang",
        "en",
        "--config",
        "nowhere.toml",
        "outline",
        "--config",
        str(ws / "config.toml"),
        "--campaign",
        CAMPAIGN,
    )
    assert result.exit_code == 0, result.output


def test_missing_config_named_after_the_command_is_reported_with_its_path(
    elsewhere: Path,
) -> None:
    result = _run("status", "--config", "absent.toml", "--lang", "en")
    assert result.exit_code == 2
    assert "absent.toml" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("where", ["before", "after"])
def test_lang_before_or_after_the_command_sets_click_errors_language(where: str) -> None:
    args = ["--lang", "en", "import", "f"] if where == "before" else ["import", "f", "--lang", "en"]
    result = _run(*args)
    assert result.exit_code == 2
    assert "Error: Missing option '--department'." in result.output
    vi = ["--lang", "vi", "import", "f"] if where == "before" else ["import", "f", "--lang", "vi"]
    assert "Lỗi: Thiếu tùy chọn '--department'." in _run(*vi).output


def test_lang_from_the_config_file_applies_to_usage_errors(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('lang = "en"\n', encoding="utf-8")
    result = _run("--config", str(config), "import", "f")
    assert "Error: Missing option '--department'." in result.output


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_option_has_its_help_in_the_catalogue(name: str) -> None:
    cmd = cli.get_command(click.Context(cli), name)
    assert cmd is not None
    missing = [
        p.name
        for p in cmd.params
        if isinstance(p, click.Option)
        and f"cli.opt.{name}.{p.name}" not in CATALOGUE
        and f"cli.opt.{p.name}" not in CATALOGUE
    ]
    assert missing == []
    assert f"cli.cmd.{name}" in CATALOGUE


@pytest.mark.parametrize("name", ["", *sorted(COMMANDS)])
def test_help_under_vi_has_no_english_click_text(name: str) -> None:
    result = _run("--lang", "vi", *([name] if name else []), "--help")
    assert result.exit_code == 0, result.output
    assert ENGLISH.findall(result.output) == [], result.output
    assert "Cách dùng:" in result.output and "Tùy chọn" in result.output


@pytest.mark.parametrize("name", ["", *sorted(COMMANDS)])
def test_help_under_en_has_no_vietnamese(name: str) -> None:
    result = _run("--lang", "en", *([name] if name else []), "--help")
    assert result.exit_code == 0, result.output
    assert VIETNAMESE.findall(result.output) == [], result.output
    assert "Usage:" in result.output


USAGE_ERRORS = [
    (["import", "f"], "Thiếu tùy chọn '--department'", "Missing option '--department'"),
    (["send", "--campagn", "x"], "Không có tùy chọn '--campagn'", "No such option '--campagn'"),
    (["sned"], "Không có lệnh 'sned'", "No such command 'sned'"),
    (["place", "x", "1.1"], "không phải số nguyên hợp lệ", "is not a valid integer"),
    (["review", "1", "2"], "Thừa các đối số (1 2)", "Got unexpected extra arguments (1 2)"),
    (["mailserver", "--backend", "nfs"], "không thuộc", "is not one of"),
    ([], "Cách dùng:", "Usage:"),
]


@pytest.mark.parametrize(("args", "vi", "en"), USAGE_ERRORS, ids=lambda a: str(a))
def test_usage_errors_speak_the_runs_language(args: list[str], vi: str, en: str) -> None:
    under_vi = _run("--lang", "vi", *args)
    assert under_vi.exit_code == 2, under_vi.output
    assert vi in under_vi.output
    assert ENGLISH.findall(under_vi.output) == [], under_vi.output
    under_en = _run("--lang", "en", *args)
    assert en in under_en.output
    assert VIETNAMESE.findall(under_en.output) == [], under_en.output


HEAVY = (
    "docx",
    "docxcompose",
    "docxtpl",
    "lxml",
    "rapidfuzz",
    "pymap",
    "aiosmtpd",
    "imap_tools",
    "yagmail",
    "pypdf",
    "sqlite_utils",
    "jinja2",
    "mailflow.services",
    "mailflow.bootstrap",
    "mailflow.services.intake",
    "mailflow.services.outbox",
    "mailflow.config",
)


@pytest.mark.parametrize(
    "code",
    [
        "import mailflow.cli",
        "from mailflow.cli import cli; cli(['--help'], standalone_mode=False)",
        "from mailflow.cli import cli; cli(['status', '--help'], standalone_mode=False)",
        "from mailflow.cli import cli; cli(['send', '--help'], standalone_mode=False)",
        "from mailflow.cli import cli; cli(['outline', '--help'], standalone_mode=False)",
        "from mailflow.cli import cli; cli(['review', '--help'], standalone_mode=False)",
        "from mailflow.cli import cli; cli(['assemble', '--help'], standalone_mode=False)",
        "from mailflow.cli import cli; cli(['run', '--help'], standalone_mode=False)",
        "from mailflow.cli import cli; cli(['demo', '--help'], standalone_mode=False)",
    ],
)
def test_start_up_imports_no_heavy_module(code: str) -> None:
    probe = (
        f"import sys\n{code}\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r} "
        f"or any(m.startswith(h + '.') or m == h for h in {HEAVY!r})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().splitlines()[-1] == "[]"
