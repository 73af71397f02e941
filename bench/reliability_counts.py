"""Run the hostile mail set through `mailflow ingest` and print the table for docs/reliability.md.

    .venv/bin/python -m bench.reliability_counts [--keep DIR]

Builds the set with tests/fixtures/hostile/build.py into a temp folder, ingests it in a
subprocess (TMPDIR pointed at a watched folder, peak RSS taken with wait4), reads the
state file and prints one Markdown row per case (what the mail was, what intake made of
it, with the reason) and the totals: cases and mails tried, refused, quarantined,
cleaned, accepted, lost, duplicated, files left in TMPDIR, peak memory. Exit 1 when a
case did not end as the set expects, or anything was lost or recorded twice.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REFUSED_KINDS = {"auto-reply", "own", "ignored", "bounce"}


def _load_build() -> Any:
    spec = importlib.util.spec_from_file_location(
        "hostile_build", ROOT / "tests" / "fixtures" / "hostile" / "build.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["hostile_build"] = module
    spec.loader.exec_module(module)
    return module


def _config(base: Path) -> Path:
    sys.path.insert(0, str(ROOT / "tests"))
    from mailenv import MailEnv  # the tests' config template; ingest never connects

    path = base / "config.toml"
    path.write_text(MailEnv("embedded", "127.0.0.1", 1, 1).config_text(), encoding="utf-8")
    return path


def _ingest(config: Path, mails: Path, tmpdir: Path) -> tuple[int, str, int, float]:
    env = dict(os.environ, TMPDIR=str(tmpdir), MAILFLOW_TEST_PASSWORD="unused", COLUMNS="200")
    args = [sys.executable, "-m", "mailflow", "--config", str(config), "ingest", str(mails)]
    started = time.monotonic()
    with subprocess.Popen(
        args, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    ) as proc:
        assert proc.stdout is not None
        out = proc.stdout.read().decode("utf-8", "replace")
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, out, usage.ru_maxrss, time.monotonic() - started


def outcome(mails: list[dict[str, Any]], docs: list[dict[str, Any]]) -> tuple[str, str]:
    """What intake made of a case, from the state file alone: (outcome, reason)."""
    kinds = {m["kind"] for m in mails}
    if kinds & REFUSED_KINDS:
        return "refused", mails[0]["reason"]
    if "quarantined" in kinds:
        return "quarantined", next(m["reason"] for m in mails if m["kind"] == "quarantined")
    bad = [d for d in docs if d["status"] in ("quarantined", "ignored")]
    if bad:
        return bad[0]["status"], bad[0]["reason"]
    if any(d["name"] != d.get("raw_name", d["name"]) for d in docs):
        return "cleaned", docs[0]["reason"]
    return "accepted", docs[0]["reason"] if docs else ""


def run(keep: Path | None = None) -> int:
    build = _load_build()
    base = keep or Path(tempfile.mkdtemp(prefix="mf-hostile-"))
    mails_dir, tmpdir = base / "mails", base / "tmp"
    tmpdir.mkdir(parents=True, exist_ok=True)
    cases = build.build(mails_dir)
    config = _config(base)
    code, out, peak_kb, seconds = _ingest(config, mails_dir, tmpdir)
    if code != 0:
        print(out[-3000:], file=sys.stderr)
        return 1
    conn = sqlite3.connect(base / "state.sqlite")
    conn.row_factory = sqlite3.Row
    rows = [dict(r) for r in conn.execute("SELECT * FROM mails")]
    by_sha = {r["sha256"]: r for r in rows}
    counts = dict.fromkeys(("refused", "quarantined", "cleaned", "accepted"), 0)
    mails_tried = lost = mismatched = 0
    print("| case | what | expected | got | reason |")
    print("|---|---|---|---|---|")
    for case in cases:
        shas = [hashlib.sha256((mails_dir / f).read_bytes()).hexdigest() for f in case.files]
        mails_tried += len(shas)
        found = [by_sha[s] for s in shas if s in by_sha]
        lost += len(shas) - len(found)
        docs: list[dict[str, Any]] = []
        for m in found:
            notes = {n["ordinal"]: n for n in json.loads(m["detail"] or "{}").get("documents", [])}
            for d in conn.execute("SELECT * FROM documents WHERE mail_id = ?", [m["id"]]):
                doc = dict(d)
                raw = notes.get(doc["ordinal"], {}).get("params", {}).get("name")
                if raw is not None:
                    doc["raw_name"] = raw
                docs.append(doc)
        got, reason = outcome(found, docs) if found else ("LOST", "")
        if case.scope == "name":  # the name was cleaned on the way in
            got = "cleaned" if got == "accepted" else got
        if got == "ignored":
            got = "refused"
        counts[got] = counts.get(got, 0) + 1
        mismatched += got != case.outcome
        flag = "" if got == case.outcome else " ⚠"
        what = case.what.replace("|", "\\|")
        print(f"| `{case.name}` | {what} | {case.outcome} | {got}{flag} | `{reason}` |")
    duplicated = len(rows) - len({r["sha256"] for r in rows})
    left_in_tmp = sum(1 for _ in tmpdir.rglob("*"))
    print()
    print(
        f"cases tried: {len(cases)} · mails: {mails_tried} · refused: {counts['refused']} · "
        f"quarantined: {counts['quarantined']} · cleaned: {counts['cleaned']} · "
        f"accepted: {counts['accepted']} · lost: {lost} · duplicated: {duplicated} · "
        f"files left in TMPDIR: {left_in_tmp} · peak RSS of the ingest: {peak_kb // 1024} MiB · "
        f"ingest time: {seconds:.1f} s"
    )
    conn.close()
    return 1 if (mismatched or lost or duplicated or left_in_tmp) else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keep", type=Path, default=None, help="work folder to keep")
    args = parser.parse_args()
    sys.exit(run(args.keep))


if __name__ == "__main__":
    main()
