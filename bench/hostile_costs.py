"""Benchmark: issue 16's four cost cases through `mailflow ingest` + `mailflow assemble`.

    python -m bench.hostile_costs                  # every case, plus the floor
    python -m bench.hostile_costs --cases pdf500,floor
    python -m bench.hostile_costs --keep DIR       # keep the workspaces (mails, state, drafts)

Each case is one department's reply saved as a mail, taken in by a fresh workspace (its own
config.toml, SQLite state and archive; the embedded-server config, which ingest and assemble
never contact) with `mailflow ingest FILE`, then `mailflow assemble --campaign 2023-h1`
(a numbered draft and its PDF through LibreOffice). Each command is its own subprocess:
its wall time, its CPU time and its peak RSS (the command's own ``ru_maxrss`` from
``os.wait4`` and the largest VmHWM of the processes it started, sampled from /proc because
the sandbox's pid namespace hides LibreOffice from rusage) are printed against the issue's bounds
(60 s, 400 MB, two cores) and against the floor, an ordinary small reply run the same way
in the same run. The outcome column says what mailflow recorded for the case's document:
quarantined with its reason, or accepted with what the sanitiser capped or removed.

The cases (issue 16, "Small documents, unbounded cost"):
- ``paras100k``: 100,000 tiny paragraphs (a ~385 KB mail);
- ``xml147``: a 147 MB ``word/document.xml`` at ratio ~9 (a ~22 MB mail);
- ``png30k``: a 30,000 × 30,000 picture;
- ``pdf500``: a ~100 KB PDF whose 500 pages share one stream inflating to 8 MB.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
CAMPAIGN = "2023-h1"
SENDER = "qlkh@sokhcn.example"
SUBJECT = "Re: [2023-H1] Báo cáo sơ kết 6 tháng đầu năm 2023"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BOUND_SECONDS = 60.0
BOUND_MB = 400.0

if str(TESTS) not in sys.path:  # the mail builders and the workspace config live there
    sys.path.insert(0, str(TESTS))


# --- the documents ------------------------------------------------------------------------


def _floor() -> tuple[str, bytes, str]:
    """The same base document the hostile .docx cases are built on, nothing added."""
    from test_document_sanitise import base_docx

    return "bao-cao.docx", base_docx(), DOCX


def _paras100k() -> tuple[str, bytes, str]:
    from test_document_sanitise import base_docx, edit

    body = "".join(f"<w:p><w:r><w:t>{i}.</w:t></w:r></w:p>" for i in range(100_000))
    return "bao-cao.docx", edit(base_docx(), body=body), DOCX


def _xml147() -> tuple[str, bytes, str]:
    """Twelve random words repeated in random order: compresses about 9:1, like prose."""
    from test_document_sanitise import base_docx

    rnd = random.Random(1)
    letters = "abcdefghijklmnopqrstuvwxyzđươ"
    words = ["".join(rnd.choice(letters) for _ in range(rnd.randint(2, 9))) for _ in range(12)]
    out = io.BytesIO()
    src = zipfile.ZipFile(io.BytesIO(base_docx()))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            content = src.read(info)
            if info.filename == "word/document.xml":
                head, tail = content.split(b"<w:sectPr", 1)
                chunks, size = [head], len(head)
                while size < 147_000_000:
                    text = " ".join(rnd.choice(words) for _ in range(12))
                    p = f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>".encode()
                    chunks.append(p)
                    size += len(p)
                content = b"".join(chunks) + b"<w:sectPr" + tail
                del chunks
            z.writestr(info.filename, content)
            del content
    return "bao-cao.docx", out.getvalue(), DOCX


def _png30k() -> tuple[str, bytes, str]:
    from test_document_sanitise import picture_doc, tiny_png

    return "bao-cao.docx", picture_doc("anh.png", tiny_png(30_000, 30_000)), DOCX


def _pdf500() -> tuple[str, bytes, str]:
    from test_formats_pdf import _shared_stream_pdf

    return "bao-cao.pdf", _shared_stream_pdf(), "application/pdf"


CASES: dict[str, Callable[[], tuple[str, bytes, str]]] = {
    "floor": _floor,
    "paras100k": _paras100k,
    "xml147": _xml147,
    "png30k": _png30k,
    "pdf500": _pdf500,
}


# --- one run ------------------------------------------------------------------------------


@dataclass
class Step:
    """One CLI command: exit code, wall seconds, peak RSS in MB, last output line.

    ``peak_mb``: the largest peak RSS of the command or any process it started (the
    issue's bound); ``tree_mb``: an upper estimate of the memory held at once (the
    command's own peak plus the largest sum of its children's RSS at one moment).
    """

    exit_code: int
    seconds: float
    peak_mb: float
    tree_mb: float
    last_line: str
    cpu_seconds: float = 0.0  # CPU time of the command and its children (load-independent)
    own_mb: float = 0.0  # the mailflow process itself
    child_mb: float = 0.0  # its largest child (LibreOffice, pdftotext…)
    child_name: str = ""
    output: str = ""  # everything the command printed (English: the runs use --lang en)


@dataclass
class CaseRun:
    name: str
    mail_bytes: int
    steps: dict[str, Step] = field(default_factory=dict)
    documents: list[dict[str, object]] = field(default_factory=list)
    draft: Path | None = None


def workspace(folder: Path) -> Path:
    """A fresh workspace (config.toml + state + archive) for the seed campaign."""
    from mailenv import MailEnv

    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "config.toml"
    env = MailEnv("embedded", "127.0.0.1", 1, 1)  # never contacted: ingest reads files
    config.write_text(env.config_text(deadline="2031-07-21"), encoding="utf-8")
    return config


def save_mail(case: str, folder: Path) -> Path:
    """Build the case's mail in a child process: the bench itself stays small, because a
    child's ``ru_maxrss`` starts from its parent's size at fork (kept across exec), so a
    bench that had built the 147 MB document would inflate every later measurement."""
    path = folder / f"{case}.eml"
    subprocess.run(
        [sys.executable, "-m", "bench.hostile_costs", "--build", case, str(path)],
        cwd=ROOT,
        check=True,
    )
    return path


def _write_mail(case: str, path: Path) -> None:
    from fixtures.e2e.build import mail

    name, data, ctype = CASES[case]()
    raw = mail(
        SENDER, "baocao@sokhcn.example", SUBJECT, "Gửi báo cáo.", attachments=[(name, data, ctype)]
    )
    del data
    path.write_bytes(raw)


def _tree(root: int) -> list[int]:
    """``root``'s descendants now alive (host pids: a sandbox's pid namespace included)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rpartition(")")[2].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        for child in children.get(pid, ()):
            found.append(child)
            todo.append(child)
    return found


def _kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class TreeWatch(threading.Thread):
    """Samples a process tree every 0.1 s: the largest peak RSS (VmHWM) of any descendant,
    and the largest sum of the descendants' RSS at one moment.

    Needed because ``wait4`` does not see into the converter sandbox: bubblewrap's pid
    namespace reaps LibreOffice, so its memory never reaches our rusage (measured: a
    300 MB child under the sandbox shows as 15 MB). A process living less than 0.1 s can
    be missed; it cannot have grown large in that time.
    """

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.peak_kb = 0
        self.sum_kb = 0
        self.peak_name = ""
        self.cpu: dict[int, float] = {}  # pid -> CPU seconds last seen (user + system)
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.1):
            total = 0
            for pid in _tree(self.root):
                hwm = _kb(pid, "VmHWM:")
                if hwm > self.peak_kb:
                    self.peak_kb = hwm
                    with contextlib.suppress(OSError):
                        self.peak_name = Path(f"/proc/{pid}/comm").read_text().strip()
                total += _kb(pid, "VmRSS:")
                with contextlib.suppress(OSError, ValueError, IndexError):
                    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
                    self.cpu[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            self.sum_kb = max(self.sum_kb, total)


def run_step(config: Path, *args: str) -> Step:
    """Run `python -m mailflow ARGS` in its own process; its time and peak RSS alone."""
    cmd = [sys.executable, "-m", "mailflow", "--config", str(config), "--lang", "en", *args]
    started = time.monotonic()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, cwd=config.parent, stdout=out, stderr=subprocess.STDOUT)
        watch = TreeWatch(proc.pid)
        watch.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.monotonic() - started
        watch.done.set()
        watch.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    lines = [line for line in text.splitlines() if line.strip()]
    own = usage.ru_maxrss  # the CLI process and every child it waited for outside a sandbox
    return Step(
        proc.returncode,
        seconds,
        max(own, watch.peak_kb) / 1024,
        (own + watch.sum_kb) / 1024,
        lines[-1] if lines else "",
        usage.ru_utime + usage.ru_stime + sum(watch.cpu.values()),
        own / 1024,
        watch.peak_kb / 1024,
        watch.peak_name,
        text,
    )


def documents(config: Path) -> list[dict[str, object]]:
    """What the state says about each document: status, reason and the sanitiser's params."""
    db = sqlite3.connect(config.parent / "state.sqlite")
    db.row_factory = sqlite3.Row
    try:
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'documents'").fetchall():
            return []  # ingest failed before making the state: its output says why
        rows = db.execute(
            "SELECT d.name, d.ordinal, d.status, d.reason, m.detail FROM documents d "
            "JOIN mails m ON m.id = d.mail_id ORDER BY d.id"
        ).fetchall()
    finally:
        db.close()
    found = []
    for r in rows:
        params: dict[str, object] = {}
        for entry in json.loads(r["detail"] or "{}").get("documents", []):
            if entry.get("ordinal") == r["ordinal"]:
                params.update(entry.get("params") or {})
        found.append(
            {"name": r["name"], "status": r["status"], "reason": r["reason"], "params": params}
        )
    return found


def run_case(case: str, folder: Path) -> CaseRun:
    """Build the case's mail in ``folder``, then ingest it and assemble the draft."""
    config = workspace(folder)
    path = save_mail(case, folder)
    result = CaseRun(case, path.stat().st_size)
    result.steps["ingest"] = run_step(config, "ingest", str(path))
    result.documents = documents(config)
    # a numbered draft in the archive, with its PDF (no --out: it may mean a mere preview)
    result.steps["assemble"] = run_step(config, "assemble", "--campaign", CAMPAIGN)
    result.draft = latest_draft(config)
    return result


def latest_draft(config: Path) -> Path | None:
    """The newest draft version recorded in the state (its PDF lies beside it)."""
    db = sqlite3.connect(config.parent / "state.sqlite")
    try:
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'drafts'").fetchall():
            return None
        row = db.execute("SELECT path FROM drafts ORDER BY id DESC LIMIT 1").fetchone()
    finally:
        db.close()
    path = config.parent / "archive" / row[0] if row else None
    return path if path is not None and path.is_file() else None


def outcome(run: CaseRun) -> str:
    """One short phrase: what was quarantined or capped, and why."""
    said = []
    for d in run.documents:
        if d["name"] in ("", None) or d["status"] == "ignored":
            continue
        capped = {
            k: v
            for k, v in dict(d["params"]).items()
            if str(k).startswith(("removed_", "pictures_"))
        }  # type: ignore[call-overload]
        words = f"{d['status']}" + (f" {d['reason']}" if d["reason"] else "")
        if capped:
            words += " " + ",".join(f"{k}={v}" for k, v in capped.items())
        said.append(words)
    return "; ".join(said) or "-"


# --- the table ----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cases", default=",".join(CASES), help="comma-separated: " + ",".join(CASES)
    )
    parser.add_argument("--keep", type=Path, default=None, help="keep the workspaces here")
    parser.add_argument("--build", nargs=2, metavar=("CASE", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.build:  # the child that builds one mail
        _write_mail(args.build[0], Path(args.build[1]))
        return 0
    names = [c for c in args.cases.split(",") if c]
    unknown = [c for c in names if c not in CASES]
    if unknown:
        parser.error(f"unknown case(s): {', '.join(unknown)}")
    if "floor" in names:  # the floor first, the same run
        names.remove("floor")
        names.insert(0, "floor")
    base = args.keep or Path(tempfile.mkdtemp(prefix="hostile-costs-"))
    base.mkdir(parents=True, exist_ok=True)
    print(f"cpus {os.cpu_count()}, load {os.getloadavg()[0]:.1f}; workspaces in {base}")
    header = (
        f"{'case':<10} {'mail':>8} {'step':<9} {'exit':>4} {'s':>7} {'cpu s':>6} {'MB':>6} "
        f"{'xfloor s':>8} "
        f"{'xfloor MB':>9} {'own MB':>6} {'child MB':>14} {'tree MB':>7} {'bounds':<6} outcome"
    )
    print(header)
    print("-" * len(header))
    floor: dict[str, Step] = {}
    over = 0
    for name in names:
        run = run_case(name, base / name)
        if name == "floor":
            floor = run.steps
        for step_name, step in run.steps.items():
            ok = step.seconds <= BOUND_SECONDS and step.peak_mb <= BOUND_MB and step.exit_code == 0
            over += not ok
            ref = floor.get(step_name)
            rs = f"{step.seconds / ref.seconds:.1f}" if ref else "-"
            rm = f"{step.peak_mb / ref.peak_mb:.2f}" if ref else "-"
            what = (
                outcome(run)
                if step_name == "ingest" and step.exit_code == 0
                else step.last_line[:70]
            )
            print(
                f"{name:<10} {run.mail_bytes / 1e6:>6.2f}MB {step_name:<9} {step.exit_code:>4} "
                f"{step.seconds:>7.1f} {step.cpu_seconds:>6.1f} {step.peak_mb:>6.0f} "
                f"{rs:>8} {rm:>9} {step.own_mb:>6.0f} "
                f"{f'{step.child_mb:.0f} {step.child_name[:9]}':>14} {step.tree_mb:>7.0f} "
                f"{'ok' if ok else 'OVER':<6} {what}"
            )
        sys.stdout.flush()
    print(f"bounds: {BOUND_SECONDS:.0f} s and {BOUND_MB:.0f} MB per command; {over} step(s) over")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
