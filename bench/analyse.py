"""In-process A/B of the analysis the poll's worker runs per mail (no IMAP, no database).

    python -m bench.analyse [--mails 1000] [--repeat 5] [--profile] [--against REF]

Builds raw replies as ``bench.intake`` does (each with its own 40 KB .docx), 1,000 new
ones for every pass (a poll meets each reply once), and runs :meth:`Intake.analyse` on
each — parse → identify → unpack → document checks, exactly the call ``services.poll``'s
worker makes, with ``defer`` set as the poll sets it — timing every stage in CPU time
(``time.process_time``), so other people's load on a shared machine does not move the
numbers much. Prints ms/mail per stage, the median of
``--repeat`` passes of 1,000 mails each (after one warm-up pass: the poll's worker is
long-lived too, and has met the departments' templates).

``--against REF`` runs the very same harness on ``git archive REF mailflow`` (a copy
in a temporary directory; or REF is a directory holding a ``mailflow`` package) and on
this checkout, alternately, in fresh processes, and
prints both tables side by side: before/after in the same run. ``--profile`` prints the
cProfile top functions (by own time) of one pass.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pickle
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import types
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
STAGE_ORDER = ("parse", "identify", "unpack", "document checks", "deferred")


def _cpu_clock(intake_module: types.ModuleType) -> None:
    """Make the intake stage clock read CPU time instead of wall time (bench only)."""

    class _Time(types.SimpleNamespace):
        def __getattr__(self, name: str) -> object:
            return getattr(time, name)

    intake_module.time = _Time(perf_counter=time.process_time)  # type: ignore[attr-defined]


def _mails(n: int, passes: int) -> list[list[bytes]]:
    """``passes`` lists of n replies, every reply its own mail and .docx (none repeated)."""
    sys.path.insert(0, str(REPO / "tests"))
    from bench.intake import base_docx, reply, report_docx
    from mailenv import DOMAIN

    base = base_docx()
    return [
        [reply(i, DOMAIN, report_docx(base, i)) for i in range(k * n, (k + 1) * n)]
        for k in range(passes)
    ]


def measure(
    n: int, repeat: int, profile: bool, mails_from: Path | None = None
) -> dict[str, list[float]]:
    """ms/mail per stage (and 'total' CPU) for each pass over n mails.

    ``mails_from``: a pickle of the passes' mails (``--against`` builds them once for
    every process it starts: building 5,000 replies takes longer than reading them).
    """
    sys.path.insert(0, str(REPO / "tests"))
    from bench.intake import time_unpack_stages
    from mailenv import MailEnv
    from mailflow import bootstrap
    from mailflow import config as config_mod
    from mailflow.adapters.archive import Archive
    from mailflow.adapters.mailserver import free_port
    from mailflow.adapters.store import Store
    from mailflow.services import intake as intake_mod

    # every pass reads mails it has not met (as a poll does: a reply arrives once), so
    # what intake remembers of parts met before helps only where it would in a real inbox
    # (the template's parts), not with each reply's own text met again pass after pass
    wanted = repeat + 1 + (1 if profile else 0)
    if mails_from is not None:
        passes = [mails[:n] for mails in pickle.loads(mails_from.read_bytes())[:wanted]]
    else:
        passes = _mails(n, wanted)
    if len(passes) < wanted or any(len(mails) < n for mails in passes):
        raise SystemExit(f"{mails_from}: fewer mails than {wanted} passes of {n}")
    work = Path(tempfile.mkdtemp(prefix="mf-bench-analyse-"))
    try:
        port = free_port()
        path = work / "config.toml"
        path.write_text(
            MailEnv("embedded", "127.0.0.1", port, port).config_text(), encoding="utf-8"
        )
        cfg = config_mod.load(path)
        now = datetime(2023, 7, 10, 9, 0).astimezone()
        intake = intake_mod.Intake(
            cfg,
            Store(cfg.state_path),
            Archive(cfg.archive_dir),
            clock=lambda: now,
            converter=bootstrap.build(cfg).converter,
        )
        intake.defer = cfg.intake.deferred_workers > 0  # as services.poll sets it
        time_unpack_stages()
        _cpu_clock(intake_mod)
        stages = intake_mod.STAGES

        def one_pass() -> tuple[float, dict[str, float]]:
            mails = passes.pop(0)
            stages.take()
            start = time.process_time()
            for raw in mails:
                analysis = intake.analyse(raw)
                assert analysis.fields["kind"] == "report", analysis.fields
            return time.process_time() - start, stages.take()

        one_pass()  # warm-up: imports, the extractor, the parts-seen-before memory
        out: dict[str, list[float]] = {}
        for _ in range(repeat):
            total, spent = one_pass()
            out.setdefault("total", []).append(total / n * 1000)
            for name, seconds in spent.items():
                out.setdefault(name, []).append(seconds / n * 1000)
        if profile:
            prof = cProfile.Profile()
            prof.enable()
            one_pass()
            prof.disable()
            pstats.Stats(prof, stream=sys.stderr).sort_stats("tottime").print_stats(35)
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)


def table(columns: dict[str, dict[str, list[float]]]) -> str:
    names = [s for s in STAGE_ORDER if any(s in c for c in columns.values())]
    names += sorted({s for c in columns.values() for s in c} - set(names) - {"total"})
    names.append("total")
    head = f"  {'stage (CPU ms/mail)':<22}" + "".join(f"{label:>26}" for label in columns)
    rows = [head]
    for name in names:
        cells = []
        for col in columns.values():
            values = col.get(name, [0.0])
            cells.append(f"{statistics.median(values):8.3f} ({min(values):.3f}-{max(values):.3f})")
        rows.append(f"  {name:<22}" + "".join(f"{c:>26}" for c in cells))
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.analyse", description=__doc__)
    ap.add_argument("--mails", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=5, help="timed passes (median reported)")
    ap.add_argument("--profile", action="store_true", help="cProfile one more pass")
    ap.add_argument("--against", metavar="REF", help="git ref (or directory) to compare with")
    ap.add_argument("--rounds", type=int, default=2, help="A/B alternations with --against")
    ap.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--mails-from", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if not args.against:
        result = measure(args.mails, args.repeat, args.profile, args.mails_from)
        if args.json:
            print(json.dumps(result))
        else:
            print(f"{args.mails} replies, {args.repeat} passes, median (min-max):")
            print(table({"this checkout": result}))
        return 0

    given = Path(args.against)
    mails_file: Path | None = None
    old = given if (given / "mailflow").is_dir() else Path(tempfile.mkdtemp(prefix="mf-bench-ab-"))
    try:
        if old is not given:
            archive = subprocess.run(
                ["git", "-C", str(REPO), "archive", args.against, "mailflow"],
                check=True,
                capture_output=True,
            ).stdout
            subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
        mails_file = Path(tempfile.mkdtemp(prefix="mf-bench-mails-")) / "mails.pickle"
        mails_file.write_bytes(pickle.dumps(_mails(args.mails, args.repeat + 1)))
        columns: dict[str, dict[str, list[float]]] = {args.against: {}, "this checkout": {}}
        for _ in range(args.rounds):
            for label, src in ((args.against, old), ("this checkout", REPO)):
                env = dict(os.environ, PYTHONPATH=f"{src}{os.pathsep}{REPO}")
                run = subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "bench.analyse",
                        "--json",
                        f"--mails={args.mails}",
                        f"--repeat={args.repeat}",
                        f"--mails-from={mails_file}",
                    ],
                    cwd=old if src == old else REPO,
                    env=env,
                    check=True,
                    capture_output=True,
                    text=True,
                )
                for name, values in json.loads(run.stdout.splitlines()[-1]).items():
                    columns[label].setdefault(name, []).extend(values)
        print(
            f"{args.mails} replies; {args.rounds} alternations x {args.repeat} passes each; "
            f"median (min-max) of all passes; load {os.getloadavg()[0]:.1f}:"
        )
        print(table(columns))
    finally:
        if old is not given:
            shutil.rmtree(old, ignore_errors=True)
        if mails_file is not None:
            shutil.rmtree(mails_file.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
