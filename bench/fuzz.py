"""Fuzz the intake path and the document reader for a set time each (``make fuzz``).

Seeds come from ../shared/corpora (read only; copied into bench/out/fuzz/<target>/seeds),
new inputs and crash files go under bench/out/fuzz/<target>/. Prints one line per target:
executions, new corpus entries, crashes found. Not run in CI.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT.parent / "shared" / "corpora"
OUT = ROOT / "bench" / "out" / "fuzz"
SEEDS = {
    "intake": ("eml", ("*.eml", "*.txt", "*")),
    "document": ("docx", ("*.docx", "*.docm", "*.dotx")),
}
MAX_SEED_BYTES = 512 * 1024


def _seed(target: str, folder: Path) -> int:
    sub, patterns = SEEDS[target]
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    seen: set[Path] = set()
    for pattern in patterns:
        for path in sorted((CORPORA / sub).rglob(pattern)):
            if path in seen or not path.is_file() or path.stat().st_size > MAX_SEED_BYTES:
                continue
            if path.suffix in (".json", ".jsonl", ".md", ".list"):
                continue
            seen.add(path)
            shutil.copyfile(path, folder / f"{count:05d}{path.suffix}")
            count += 1
    return count


def run(target: str, seconds: int) -> dict[str, object]:
    work = OUT / target
    corpus, seeds, crashes = work / "corpus", work / "seeds", work / "crashes"
    for folder in (corpus, crashes):
        folder.mkdir(parents=True, exist_ok=True)
    if not seeds.exists():
        _seed(target, seeds)
    started = time.monotonic()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.fuzz_targets",
            target,
            str(corpus),
            str(seeds),
            f"-max_total_time={seconds}",
            "-timeout=30",
            "-rss_limit_mb=3072",
            f"-artifact_prefix={crashes}/",
            "-print_final_stats=1",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    log = proc.stdout + proc.stderr
    (work / "last-run.log").write_text(log, encoding="utf-8")
    execs = re.findall(r"stat::number_of_executed_units:\s*(\d+)", log)
    return {
        "target": target,
        "seconds": round(time.monotonic() - started),
        "executions": int(execs[-1]) if execs else 0,
        "corpus": sum(1 for _ in corpus.iterdir()),
        "crashes": sum(
            1 for p in crashes.iterdir() if p.name.startswith(("crash-", "oom-", "timeout-"))
        ),
        "exit": proc.returncode,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=300, help="per target")
    parser.add_argument("--targets", default="intake,document")
    args = parser.parse_args()
    print(f"{'target':10} {'seconds':>8} {'executions':>11} {'corpus':>7} {'crashes':>8}")
    for target in args.targets.split(","):
        r = run(target, args.seconds)
        print(
            f"{r['target']:10} {r['seconds']:>8} {r['executions']:>11} {r['corpus']:>7} "
            f"{r['crashes']:>8}"
        )


if __name__ == "__main__":
    main()
