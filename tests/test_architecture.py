"""The functional core stays pure: no adapters, no I/O libraries, no clock."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).parent.parent / "mailflow" / "core"
FORBIDDEN_MODULES = {
    "mailflow.adapters",
    "mailflow.bootstrap",
    "mailflow.cli",
    "mailflow.jobs",
    "mailflow.daemon",
    "imaplib",
    "smtplib",
    "sqlite3",
    "sqlite_utils",
    "socket",
    "ssl",
    "subprocess",
    "os",
    "shutil",
    "tempfile",
    "pathlib",
    "imap_tools",
    "yagmail",
    "docx",
    "docxtpl",
    "docxcompose",
    "time",
    "asyncio",
    "threading",
    "requests",
    "urllib",
    "schedule",
    "io",
    "glob",
    "logging",
}
FORBIDDEN_CALLS = {"open", "now", "today", "utcnow", "time", "input", "print"}


def _imports(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = [
        name
        for name in _imports(tree)
        if any(name == m or name.startswith(m + ".") for m in FORBIDDEN_MODULES)
    ]
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in FORBIDDEN_CALLS:
                bad.append(f"call {name}() at line {node.lineno}")
    return bad


def test_core_package_exists() -> None:
    assert (CORE / "__init__.py").is_file()


def test_core_modules_import_no_adapter_io_or_clock() -> None:
    problems = {p.name: v for p in sorted(CORE.glob("*.py")) if (v := _violations(p))}
    assert problems == {}


def test_the_checker_catches_an_adapter_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from mailflow.adapters.store import Store\nimport datetime\nx = datetime.datetime.now()\n"
    )
    assert len(_violations(bad)) == 2
