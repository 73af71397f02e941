"""Start-up time of the CLI against the floor of importing click and rich.

Why: every command pays the start-up, and an admin types many. The floor is measured
in the same run (``python -c "import click, rich"``), so the ratio holds across
machines. Run: ``.venv/bin/python bench/startup.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import os
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
}


def _time(cmd: list[str], runs: int, cwd: Path) -> float:
    """Median wall time of ``runs`` runs, after one warm-up run."""
    env = {**os.environ, "MAILFLOW_LANG": "en"}
    subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=False)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


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
        results = {name: _time(cmd, args.runs, ws) for name, cmd in CASES.items()}
    floor = results["floor: import click, rich"]
    print(f"{'case':36} {'median s':>9} {'× floor':>8}")
    for name, seconds in results.items():
        print(f"{name:36} {seconds:9.3f} {seconds / floor:8.2f}")


if __name__ == "__main__":
    main()
