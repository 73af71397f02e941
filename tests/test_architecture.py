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


# ---------------------------------------------------------------------------------------
# The layer contract (issue 14). Every rule below reads the import graph of mailflow/,
# function-level imports included, and each has a self-test that plants a violation in a
# throw-away package. Rules others are still fixing carry an ALLOWANCE of today's
# violations (module → count): a module over its allowance fails, and a module that is now
# clean must be removed from the allowance, so the list can only shrink.

ROOT = PACKAGE.parent

#: what each layer may import from mailflow (the layer of a module is its first name
#: under mailflow/: core, adapters, services, cli, messages, samples, or the top-level
#: module's own name: model, config, clock, errors, i18n, display, daemon, demo, bootstrap)
ADAPTERS_MAY_IMPORT = {
    "mailflow",  # the package itself: its version
    "core",
    "model",
    "config",
    "clock",
    "errors",
    "i18n",
    "messages",
    "display",
    "adapters",
}
SERVICES_MAY_IMPORT = ADAPTERS_MAY_IMPORT | {"services"}
CORE_MAY_IMPORT = {"core", "model"}

#: a service imports only services of a LOWER rank, so the use cases form layers of their
#: own: what is shared sits low (the outbox, the outline and time helpers), intake reads a
#: mail, matching re-runs intake's pipeline on a mail, review acts on matches, the Office's
#: mail lists what waits for review, and an Office reply may do all of it.
SERVICE_RANKS = {
    "outbox": 0,
    "basics": 0,
    "intake": 1,
    "assemble": 1,
    "send": 1,
    "remind": 1,
    "match": 2,
    "poll": 2,
    "review": 3,
    "office_mail": 4,
    "office_reply": 5,
}

#: today's violations of the rank rule (module → import statements), being removed
RANK_ALLOWANCE: dict[str, int] = {}
#: modules that are part of an import cycle today, being removed
CYCLE_ALLOWANCE: set[str] = set()
#: today's SQL outside mailflow/adapters/store/ (module → lines), being moved into the store
SQL_ALLOWANCE: dict[str, int] = {}
#: today's adapters built outside mailflow/bootstrap.py (module → calls)
CONSTRUCTION_ALLOWANCE: dict[str, int] = {}
#: today's imports against the layer rule (module → imports)
LAYER_ALLOWANCE: dict[str, int] = {}

#: adapters that hold a resource or reach outside the process: bootstrap builds them once
ADAPTER_CLASSES = {
    "Store",
    "Archive",
    "ImapClient",
    "SmtpClient",
    "LibreOffice",
    "MailTemplates",
    "EmbeddedMailServer",
    "SystemClock",
    "SimulatedClock",
}
#: attribute names that reach the store's SQLite connection itself
CONNECTION_ATTRS = {"conn", "db"}


def _modules(root: Path) -> dict[str, Path]:
    """Every module under ``root/mailflow`` by its dotted name."""
    found = {}
    for path in sorted((root / "mailflow").rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _internal_imports(name: str, path: Path, known: dict[str, Path]) -> list[tuple[str, int]]:
    """(imported mailflow module, line) for every import in the module, at any depth.

    ``from mailflow.services import outbox`` names the module ``mailflow.services.outbox``;
    ``from mailflow.services.match import load_outline`` names ``mailflow.services.match``."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    raw: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            raw.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:
                full = f"{module}.{alias.name}"
                raw.append((full if full in known else module, node.lineno))
    found = set()
    for target, line in raw:
        while target not in known and "." in target:
            target = target.rpartition(".")[0]
        if target in known and target != name:
            found.add((target, line))
    return sorted(found)


def _graph(root: Path) -> dict[str, list[tuple[str, int]]]:
    known = _modules(root)
    return {name: _internal_imports(name, path, known) for name, path in known.items()}


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "mailflow"


def _layer_violations(root: Path) -> list[str]:
    """Imports that point the wrong way: an adapter reaching up into a use case or an entry
    point, a service reaching into an entry point or the composition root.

    Why: dependencies point one way (entry points → services → adapters → core → model),
    so an adapter can be swapped without touching a use case and a use case runs the same
    from the CLI, the daemon and the demo."""
    bad: list[str] = []
    for module, imports in _graph(root).items():
        allowed = {
            "core": CORE_MAY_IMPORT,
            "adapters": ADAPTERS_MAY_IMPORT,
            "services": SERVICES_MAY_IMPORT,
        }.get(_layer(module))
        if allowed is None:
            continue
        bad += [
            f"{module} imports {target} (line {line})"
            for target, line in imports
            if _layer(target) not in allowed
        ]
    return sorted(bad)


def _rank_violations(root: Path) -> dict[str, int]:
    """Per service module: imports of a service of the same or a higher rank."""
    counts: dict[str, int] = {}
    for module, imports in _graph(root).items():
        if _layer(module) != "services" or module.count(".") != 2:
            continue
        own = SERVICE_RANKS[module.rsplit(".", 1)[1]]
        for target, _line in imports:
            if (
                _layer(target) == "services"
                and target.count(".") == 2
                and SERVICE_RANKS[target.rsplit(".", 1)[1]] >= own
            ):
                counts[module] = counts.get(module, 0) + 1
    return counts


def _cycles(root: Path) -> list[set[str]]:
    """The import cycles (strongly connected components of more than one module)."""
    graph = {m: sorted({t for t, _ in imports}) for m, imports in _graph(root).items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[set[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(component)

    for node in graph:
        if node not in index:
            visit(node)
    return cycles


def _connection_access(path: Path) -> list[int]:
    """Lines that reach the SQLite connection or a sqlite-utils table themselves:
    ``store.db``, ``db.conn``, ``db["mails"]``, ``db.table("mails")``."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr in CONNECTION_ATTRS:
            owner = node.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if name == "db" or "store" in name:  # not a pipe's or a socket's .conn
                lines.append(node.lineno)
        elif isinstance(node, ast.Subscript | ast.Call):
            target = node.value if isinstance(node, ast.Subscript) else node.func
            if isinstance(node, ast.Call):
                if not (isinstance(target, ast.Attribute) and target.attr == "table"):
                    continue
                target = target.value
            elif not (isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str)):
                continue
            name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
            if name in CONNECTION_ATTRS:
                lines.append(node.lineno)
    return lines


def _sql_lines(path: Path) -> set[int]:
    """The lines of a module that write SQL or touch the connection."""
    found = {int(v.rsplit(" ", 1)[1].rstrip(")")) for v in _sql_in(path)}
    return found | set(_connection_access(path))


def _sql_outside_store(root: Path) -> dict[str, int]:
    store = root / "mailflow" / "adapters" / "store"
    return {
        name: len(lines)
        for name, path in _modules(root).items()
        if store not in path.parents and (lines := _sql_lines(path))
    }


def _constructions(path: Path) -> list[int]:
    """Lines that build an adapter: ``Store(…)``, ``ImapClient.from_config(…)``,
    ``clock.from_env()``, or hand an adapter class over to be called later
    (``field(default_factory=SystemClock)``)."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in ADAPTER_CLASSES | {"from_env"}:
            lines.append(node.lineno)
        elif isinstance(func, ast.Attribute):
            owner = func.value
            owner_name = (
                owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            )
            if func.attr in ADAPTER_CLASSES or (
                func.attr in {"from_config", "from_env"}
                and owner_name in ADAPTER_CLASSES | {"clock", "clock_mod"}
            ):
                lines.append(node.lineno)
        if getattr(func, "id", "") in {"isinstance", "issubclass", "cast"}:
            continue
        handed = [*node.args, *(k.value for k in node.keywords)]
        if any(
            (isinstance(a, ast.Name) and a.id in ADAPTER_CLASSES)
            or (isinstance(a, ast.Attribute) and a.attr in ADAPTER_CLASSES)
            for a in handed
        ):
            lines.append(node.lineno)
    return lines


def _constructions_outside_bootstrap(root: Path) -> dict[str, int]:
    """Per module: adapters built outside the composition root and the adapter's own module
    (a module may build its own kind, e.g. a ``probe`` helper)."""
    found = {}
    for name, path in _modules(root).items():
        if name in {"mailflow.bootstrap", "mailflow.clock"} or _layer(name) == "adapters":
            continue
        if lines := _constructions(path):
            found[name] = len(lines)
    return found


def _over_allowance(found: dict[str, int], allowance: dict[str, int]) -> list[str]:
    """What breaks an allowance: a module over its count, or a module listed but clean."""
    problems = [
        f"{module}: {count} (allowed {allowance.get(module, 0)})"
        for module, count in sorted(found.items())
        if count > allowance.get(module, 0)
    ]
    problems += [
        f"{module}: clean now, remove it from the allowance in tests/test_architecture.py"
        for module in sorted(allowance)
        if not found.get(module)
    ]
    return problems


def test_core_adapters_and_services_import_only_lower_layers() -> None:
    per_module: dict[str, int] = {}
    for violation in _layer_violations(ROOT):
        module = violation.split(" ", 1)[0]
        per_module[module] = per_module.get(module, 0) + 1
    assert _over_allowance(per_module, LAYER_ALLOWANCE) == [], _layer_violations(ROOT)


def test_services_import_only_services_of_a_lower_rank() -> None:
    assert _over_allowance(_rank_violations(ROOT), RANK_ALLOWANCE) == []


def test_every_service_has_a_rank() -> None:
    services = {p.stem for p in (PACKAGE / "services").glob("*.py") if p.stem != "__init__"}
    assert services == set(SERVICE_RANKS)


def test_no_import_cycles_among_mailflow_modules() -> None:
    in_cycles = set().union(*_cycles(ROOT))
    assert sorted(in_cycles - CYCLE_ALLOWANCE) == []
    assert sorted(CYCLE_ALLOWANCE - in_cycles) == [], "clean now: shrink CYCLE_ALLOWANCE"


def test_no_sql_outside_the_store() -> None:
    assert _over_allowance(_sql_outside_store(ROOT), SQL_ALLOWANCE) == []


def test_no_adapter_is_built_outside_bootstrap() -> None:
    assert _over_allowance(_constructions_outside_bootstrap(ROOT), CONSTRUCTION_ALLOWANCE) == []


def test_the_adapter_classes_named_exist() -> None:
    defined = {
        node.name
        for path in [*(PACKAGE / "adapters").rglob("*.py"), PACKAGE / "clock.py"]
        for node in ast.parse(path.read_text(encoding="utf-8")).body
        if isinstance(node, ast.ClassDef)
    }
    assert defined >= ADAPTER_CLASSES


def _plant(root: Path, files: dict[str, str]) -> Path:
    """A throw-away ``mailflow`` package under ``root`` with the given module texts."""
    for rel, text in files.items():
        path = root / "mailflow" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        for parent in path.relative_to(root).parents:
            if parent != Path("."):
                (root / parent / "__init__.py").touch()
    return root


def test_the_layer_checker_catches_an_adapter_importing_a_service(tmp_path: Path) -> None:
    root = _plant(
        tmp_path,
        {
            "adapters/imap.py": "from mailflow.errors import MailflowError\n"
            "def f():\n    from mailflow.services import poll\n",
            "services/poll.py": "from mailflow import daemon\nfrom mailflow.core import due\n",
            "core/due.py": "from mailflow.model import Due\nfrom mailflow import config\n",
            "model.py": "",
            "config.py": "",
            "errors.py": "",
            "daemon.py": "",
        },
    )
    assert _layer_violations(root) == [
        "mailflow.adapters.imap imports mailflow.services.poll (line 3)",
        "mailflow.core.due imports mailflow.config (line 2)",
        "mailflow.services.poll imports mailflow.daemon (line 1)",
    ]


def test_the_rank_checker_catches_a_service_importing_its_equal(tmp_path: Path) -> None:
    root = _plant(
        tmp_path,
        {
            "services/remind.py": "from mailflow.services.match import x\n"
            "from mailflow.services import outbox\n",
            "services/match.py": "def f():\n    from mailflow.services.review import y\n",
            "services/review.py": "from mailflow.services.match import z\n",
            "services/outbox.py": "",
        },
    )
    assert SERVICE_RANKS["outbox"] < SERVICE_RANKS["remind"] < SERVICE_RANKS["match"]
    assert SERVICE_RANKS["match"] < SERVICE_RANKS["review"]
    assert _rank_violations(root) == {"mailflow.services.remind": 1, "mailflow.services.match": 1}
    assert _over_allowance({"a": 2, "b": 1}, {"a": 1, "c": 3}) == [
        "a: 2 (allowed 1)",
        "b: 1 (allowed 0)",
        "c: clean now, remove it from the allowance in tests/test_architecture.py",
    ]


def test_the_cycle_checker_sees_a_cycle_through_a_function_level_import(
    tmp_path: Path,
) -> None:
    root = _plant(
        tmp_path,
        {
            "a.py": "from mailflow import b\n",
            "b.py": "def f():\n    from mailflow.c import x\n",
            "c.py": "import mailflow.a\n",
            "d.py": "from mailflow import a\n",
        },
    )
    assert _cycles(root) == [{"mailflow.a", "mailflow.b", "mailflow.c"}]


def test_the_sql_checker_catches_table_access_and_the_raw_connection(tmp_path: Path) -> None:
    root = _plant(
        tmp_path,
        {
            "services/x.py": "store.db['mails'].insert({'id': 1})\n"
            "conn = store.conn\n"
            "run.conn.close()\n"
            "db.table('parts').delete_where()\n"
            "rows = store.query('SELECT id FROM mails')\n"
            "row['id']\nw.table(rows, [1.0])\nc.table(raw, (), keys)\n",
            "adapters/store/mails.py": "db['mails'].insert({})\nx = 'SELECT a FROM b'\n",
        },
    )
    assert _sql_outside_store(root) == {"mailflow.services.x": 4}


def test_the_construction_checker_catches_adapters_built_in_a_service(tmp_path: Path) -> None:
    root = _plant(
        tmp_path,
        {
            "services/send.py": "s = Store(path)\n"
            "c = ImapClient.from_config(cfg.mailbox)\n"
            "k = clock.from_env()\n"
            "t = store.Store(p)\n"
            "ok = FaultHook.from_env()\nm = MailPart(x)\n"
            "clock: Clock = field(default_factory=SystemClock)\n"
            "isinstance(s, Store)\n",
            "bootstrap.py": "s = Store(path)\n",
            "adapters/smtp.py": "c = SmtpClient.from_config(m)\n",
        },
    )
    assert _constructions_outside_bootstrap(root) == {"mailflow.services.send": 5}
