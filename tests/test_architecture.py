"""Layer rules: the functional core stays pure (no adapters, no I/O, no clock); only the
clock reads the time; the CLI writes no SQL."""

from __future__ import annotations

import ast
import re
from pathlib import Path

CORE = Path(__file__).parent.parent / "mailflow" / "core"
FORBIDDEN_MODULES = {
    "mailflow.adapters",
    "mailflow.bootstrap",
    "mailflow.cli",
    "mailflow.services",
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


PACKAGE = CORE.parent
#: reads of the real time (owner, method): only mailflow/clock.py makes them
CLOCK_READS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
}


def _clock_reads(path: Path) -> list[str]:
    """Real-time reads and server-zone conversions (``astimezone()`` with no zone).

    Why: the office's zone, not the server's, sets deadlines, reminder hours and "late";
    a bare ``datetime.now()`` or ``astimezone()`` is the server's zone sneaking back in."""
    bad = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        owner = node.func.value
        owner_name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
        if (owner_name, node.func.attr) in CLOCK_READS:
            bad.append(f"{owner_name}.{node.func.attr}() at line {node.lineno}")
        elif node.func.attr == "astimezone" and not node.args and not node.keywords:
            bad.append(f"astimezone() at line {node.lineno}")
    return bad


def test_only_the_clock_reads_the_time_or_converts_to_the_server_zone() -> None:
    problems = {
        str(p.relative_to(PACKAGE)): v
        for p in sorted(PACKAGE.rglob("*.py"))
        if p != PACKAGE / "clock.py" and (v := _clock_reads(p))
    }
    assert problems == {}


def test_the_clock_checker_catches_a_bare_now_and_a_server_zone_conversion(
    tmp_path: Path,
) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import datetime, time\n"
        "from datetime import date\n"
        "a = datetime.datetime.now()\n"
        "b = date.today()\n"
        "c = a.astimezone()\n"
        "d = time.time()\n"
        "e = a.astimezone(datetime.UTC)\n"
    )
    assert _clock_reads(bad) == [
        "datetime.now() at line 3",
        "date.today() at line 4",
        "astimezone() at line 5",
        "time.time() at line 6",
    ]


CLI = PACKAGE / "cli"
#: calls that hand a statement to SQLite (``query`` is the store's read helper)
SQL_CALLS = {"execute", "executemany", "executescript", "query"}
SQL_WORD = re.compile(
    r"\b(SELECT|INSERT|UPDATE|DELETE|REPLACE|CREATE|ALTER|DROP|PRAGMA|WHERE)\b", re.I
)
#: a statement's shape in any string, so SQL kept in a constant and passed later is seen too
SQL_STATEMENT = re.compile(
    r"\bSELECT\b.+\bFROM\b|\bINSERT\s+(OR\s+\w+\s+)?INTO\b|\bUPDATE\s+\w+\s+SET\b"
    r"|\bDELETE\s+FROM\b|\bCREATE\s+(TABLE|INDEX)\b",
    re.S,
)


def _strings(node: ast.AST) -> list[str]:
    """The literal text inside an expression: constants, f-string parts, concatenations."""
    return [
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


def _sql_in(path: Path) -> list[str]:
    """SQL written in a module: a statement-shaped string anywhere, or a SQL keyword in a
    string handed to execute/executemany/executescript/query.

    Why: the CLI shows and asks; the store answers one question per method, so a schema
    change touches the store and its tests, never a command (issue 14)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in SQL_CALLS and any(
                SQL_WORD.search(s) for arg in node.args for s in _strings(arg)
            ):
                bad.append(f"SQL passed to {node.func.attr}() at line {node.lineno}")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and SQL_STATEMENT.search(node.value)
        ):
            bad.append(f"SQL statement in a string at line {node.lineno}")
    return bad


def test_the_cli_writes_no_sql() -> None:
    problems = {
        str(p.relative_to(PACKAGE)): v for p in sorted(CLI.rglob("*.py")) if (v := _sql_in(p))
    }
    assert problems == {}


def test_the_sql_checker_catches_a_query_a_constant_and_an_fstring(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "CURRENT = '''\n    SELECT id FROM parts\n'''\n"
        "rows = store.query(CURRENT + ' WHERE id = ?', [1])\n"
        "db.conn.execute(f'update mails SET kind = {k}')\n"
        "store.executemany('INSERT INTO events VALUES (?)', rows)\n"
        "print('Select a campaign from the list')\n"
        "rows = store.current_placements('2023-h1', ('review',))\n"
    )
    assert sorted(_sql_in(bad)) == [
        "SQL passed to execute() at line 5",
        "SQL passed to executemany() at line 6",
        "SQL passed to query() at line 4",
        "SQL statement in a string at line 1",
        "SQL statement in a string at line 6",
    ]
