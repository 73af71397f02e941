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


def test_status_does_not_load_the_draft_builder(tmp_path: Path) -> None:
    init = subprocess.run(
        [sys.executable, "-m", "mailflow", "--lang", "en", "init", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert init.returncode == 0, init.stderr
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "config.toml")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = probe.stdout.splitlines()
    assert "EXIT 0" in lines, probe.stdout + probe.stderr
    loaded = set(next(ln for ln in lines if ln.startswith("LOADED ")).split()[1:])
    assert "mailflow.services.assemble" in loaded  # the grid is gathered there
    assert sorted(m for m in loaded if m.startswith(DRAFT_ONLY)) == []


#: What parsing the outline (python-docx, lxml, the fuzzy unit matcher) or sending and
#: fetching mail (yagmail, imap_tools) loads: `status` on an unchanged outline needs none.
PARSE_OR_MAIL = ("docx", "lxml", "rapidfuzz", "yagmail", "imap_tools")


def _status_modules(config: Path) -> tuple[list[str], set[str]]:
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, str(config)], capture_output=True, text=True, timeout=120
    )
    lines = probe.stdout.splitlines()
    assert "EXIT 0" in lines, probe.stdout + probe.stderr
    return lines, set(next(ln for ln in lines if ln.startswith("LOADED ")).split()[1:])


def test_status_on_an_unchanged_outline_loads_no_parser_nor_mail_client(tmp_path: Path) -> None:
    init = subprocess.run(
        [sys.executable, "-m", "mailflow", "--lang", "en", "init", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert init.returncode == 0, init.stderr
    config = tmp_path / "config.toml"
    first, loaded_first = _status_modules(config)  # parses the outline, keeps the parse
    assert "docx" in loaded_first
    second, loaded = _status_modules(config)
    heavy = sorted(m for m in loaded if m.split(".")[0] in PARSE_OR_MAIL)
    assert heavy == []
    assert "sqlite_utils" not in loaded  # plain queries: Store.db is made on first write
    assert second[:-1] == first[:-1]  # the same grid, from the kept parse
