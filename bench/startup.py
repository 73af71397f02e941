"""Start-up time of the CLI against the floor of importing click and rich.

Why: every command pays the start-up, and an admin types many. The floor is measured
in the same run (``python -c "import click, rich"``), so the ratio holds across
machines. CPU time (user + system of the child) is printed too: on a machine shared with
other work the wall time swings, the CPU time much less.

The children run with bytecode caching allowed (``PYTHONDONTWRITEBYTECODE`` removed from
their environment), as an installed copy has its ``.pyc`` files: otherwise a module edited
since its ``.pyc`` was written is compiled from source on every run, and the bench
measures the compiler. The warm-up run writes what is missing.
Run: ``.venv/bin/python bench/startup.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CASES: dict[str, list[str]] = {
    "floor: import click, rich": [sys.executable, "-c", "import click, rich"],
    "mailflow --help": [sys.executable, "-m", "mailflow", "--help"],
    "mailflow status --help": [sys.executable, "-m", "mailflow", "status", "--help"],
    "mailflow send --help": [sys.executable, "-m", "mailflow", "send", "--help"],
    "mailflow status (init workspace)": [sys.executable, "-m", "mailflow", "status"],
    # where status's time goes, in the same run: without rich's tables, and the import of
    # the config and model classes alone (their dataclasses are built at import)
    "mailflow status --json": [sys.executable, "-m", "mailflow", "status", "--json"],
    "import mailflow.config": [sys.executable, "-c", "import click, rich, mailflow.config"],
}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _child_env() -> dict[str, str]:
    """The children's environment: English messages, bytecode caching allowed."""
    env = {**os.environ, "MAILFLOW_LANG": "en"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _time(cases: dict[str, list[str]], runs: int, cwd: Path) -> dict[str, tuple[float, float]]:
    """Median wall time and median CPU time of each case over ``runs`` rounds, after one
    warm-up run each. Rounds are interleaved (every case once per round), so a change of
    load on a shared machine moves the floor and the cases together."""
    env = _child_env()
    for cmd in cases.values():
        subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=False)
    walls: dict[str, list[float]] = {name: [] for name in cases}
    cpus: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, cmd in cases.items():
            start, cpu = time.perf_counter(), _cpu()
            subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=False)
            walls[name].append(time.perf_counter() - start)
            cpus[name].append(_cpu() - cpu)
    return {n: (statistics.median(walls[n]), statistics.median(cpus[n])) for n in cases}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp)
        subprocess.run(
            [sys.executable, "-m", "mailflow", "--lang", "en", "init", str(ws)],
            capture_output=True,
            check=True,
        )
        results = _time(CASES, args.runs, ws)
    floor, floor_cpu = results["floor: import click, rich"]
    print("children run with bytecode caching allowed (PYTHONDONTWRITEBYTECODE unset)")
    print(f"{'case':36} {'median s':>9} {'× floor':>8} {'cpu s':>7} {'× floor':>8}")
    for name, (seconds, cpu) in results.items():
        print(f"{name:36} {seconds:9.3f} {seconds / floor:8.2f} {cpu:7.3f} {cpu / floor_cpu:8.2f}")


if __name__ == "__main__":
    main()
