"""`mailflow status` loads only what the grid needs: not the draft builder (python-docx's
composer, the template engine, the PDF converter), which only `assemble` uses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

DRAFT_ONLY = ("docxcompose", "docxtpl", "mailflow.adapters.draft_docx", "mailflow.adapters.pdf")
PROBE = """
import sys
from mailflow.cli import cli
try:
    cli(["--lang", "en", "--config", sys.argv[1], "status"], prog_name="mailflow")
except SystemExit as exc:
    code = exc.code
print("EXIT", code)
print("LOADED", " ".join(sorted(sys.modules)))
"""


def _workspace(tmp_path: Path) -> Path:
    """A sample workspace made by `mailflow init` in ``tmp_path``; its config's path."""
    init = subprocess.run(
        [sys.executable, "-m", "mailflow", "--lang", "en", "init", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert init.returncode == 0, init.stderr
    return tmp_path / "config.toml"


def _status_modules(config: Path) -> tuple[list[str], set[str]]:
    """`mailflow status` run on ``config`` in a fresh process: its output lines and the
    modules it loaded."""
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, str(config)], capture_output=True, text=True, timeout=120
    )
    lines = probe.stdout.splitlines()
    assert "EXIT 0" in lines, probe.stdout + probe.stderr
    return lines, set(next(ln for ln in lines if ln.startswith("LOADED ")).split()[1:])


def test_status_does_not_load_the_draft_builder(tmp_path: Path) -> None:
    _, loaded = _status_modules(_workspace(tmp_path))
    assert "mailflow.services.assemble" in loaded  # the grid is gathered there
    assert sorted(m for m in loaded if m.startswith(DRAFT_ONLY)) == []


#: What parsing the outline (python-docx, lxml, the fuzzy unit matcher) or sending and
#: fetching mail (yagmail, imap_tools) loads: `status` on an unchanged outline needs none.
PARSE_OR_MAIL = ("docx", "lxml", "rapidfuzz", "yagmail", "imap_tools")


def test_status_on_an_unchanged_outline_loads_no_parser_nor_mail_client(tmp_path: Path) -> None:
    config = _workspace(tmp_path)
    first, loaded_first = _status_modules(config)  # parses the outline, keeps the parse
    assert "docx" in loaded_first
    second, loaded = _status_modules(config)
    heavy = sorted(m for m in loaded if m.split(".")[0] in PARSE_OR_MAIL)
    assert heavy == []
    assert "sqlite_utils" not in loaded  # plain queries: Store.db is made on first write
    assert second[:-1] == first[:-1]  # the same grid, from the kept parse


#: What only an error, a password command, a sync, a mail's Date header or ``--html``
#: needs: `status` with a good config and an unchanged outline loads none (issue 13).
ERROR_OR_WRITE_PATHS = ("difflib", "shlex", "subprocess", "ctypes", "email.utils", "html")


def test_status_loads_no_error_password_sync_or_html_helper(tmp_path: Path) -> None:
    config = _workspace(tmp_path)
    _status_modules(config)  # the first run parses the outline
    _, loaded = _status_modules(config)
    assert sorted(m for m in loaded if m in ERROR_OR_WRITE_PATHS) == []


HELP_PROBE = """
import sys
from mailflow.cli import cli
try:
    cli(["--lang", "en", "status", "--help"], prog_name="mailflow")
except SystemExit as exc:
    print("EXIT", exc.code)
print("LOADED", " ".join(sorted(sys.modules)))
"""


def test_help_with_a_chosen_language_reads_no_config(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('lang = "vi"\n', encoding="utf-8")
    probe = subprocess.run(
        [sys.executable, "-c", HELP_PROBE],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = probe.stdout.splitlines()
    assert "EXIT 0" in lines, probe.stdout + probe.stderr
    loaded = set(next(ln for ln in lines if ln.startswith("LOADED ")).split()[1:])
    assert "tomllib" not in loaded and "mailflow.config" not in loaded
    assert "Usage:" in probe.stdout  # English, as asked: the config's "vi" was not read


ALL_HELP_PROBE = """
import sys
from mailflow.cli import cli
from mailflow.cli.base import COMMANDS
for args in (["--help"], *([name, "--help"] for name in sorted(COMMANDS))):
    try:
        cli(["--lang", "en", *args], prog_name="mailflow")
    except SystemExit as exc:
        print("EXIT", " ".join(args), exc.code)
print("LOADED", " ".join(sorted(sys.modules)))
"""


def test_no_help_loads_richs_console() -> None:
    """Help and click's usage errors print through click: rich's console (a third of
    what `mailflow --help` costs beyond click) is imported only when a command prints."""
    probe = subprocess.run(
        [sys.executable, "-c", ALL_HELP_PROBE], capture_output=True, text=True, timeout=120
    )
    lines = probe.stdout.splitlines()
    exits = [ln for ln in lines if ln.startswith("EXIT ")]
    assert exits and all(ln.endswith(" 0") for ln in exits), probe.stdout[-2000:] + probe.stderr
    loaded = set(next(ln for ln in lines if ln.startswith("LOADED ")).split()[1:])
    assert "mailflow.cli.review" in loaded  # every command module was looked up
    assert sorted(m for m in loaded if m.startswith(("rich.console", "rich.table"))) == []
