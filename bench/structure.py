"""The shape of ``mailflow/`` at a git revision: modules, lines, function lengths, layers.

Why: issue 14's closing note compares the package before and after the restructuring
(modules, lines, function-length median/p90/max). The revision is read with
``git archive`` into a temporary folder, so the work tree is never checked out or touched.
Run: ``python -m bench.structure [REV ...]`` (default ``HEAD``), e.g.
``python -m bench.structure 4816db9 main``.
"""

from __future__ import annotations

import argparse
import ast
import io
import math
import statistics
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Shape:
    rev: str
    modules: int
    lines: int
    functions: list[int]  # length in lines of every function and method, nested ones too
    longest: list[tuple[int, str]]  # (length, "path:function") of the longest ones
    layers: dict[str, int]  # lines per layer: core, adapters, services, cli, … top-level

    def percentile(self, p: float) -> int:
        """Nearest-rank percentile of the function lengths."""
        ordered = sorted(self.functions)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def extract(rev: str, into: Path) -> Path:
    """``mailflow/`` as it is at ``rev``, unpacked under ``into``."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", rev, "mailflow"],
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "mailflow"


def measure(rev: str, package: Path) -> Shape:
    lines = 0
    functions: list[int] = []
    named: list[tuple[int, str]] = []
    layers: dict[str, int] = {}
    files = sorted(package.rglob("*.py"))
    for path in files:
        text = path.read_text(encoding="utf-8")
        count = len(text.splitlines())
        lines += count
        rel = path.relative_to(package)
        layer = rel.parts[0] if len(rel.parts) > 1 else "(top level)"
        layers[layer] = layers.get(layer, 0) + count
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                functions.append(length)
                named.append((length, f"{rel}:{node.name}"))
    longest = sorted(named, reverse=True)[:5]
    return Shape(rev, len(files), lines, functions, longest, layers)


def shape_at(rev: str) -> Shape:
    with tempfile.TemporaryDirectory(prefix="mailflow-structure-") as tmp:
        return measure(rev, extract(rev, Path(tmp)))


def report(shape: Shape) -> str:
    lengths = shape.functions
    out = [
        f"mailflow/ at {shape.rev}",
        f"  modules {shape.modules}, lines {shape.lines}, functions {len(lengths)}",
        f"  function length (lines): median {statistics.median(lengths):g}, "
        f"p90 {shape.percentile(90)}, max {max(lengths)}",
        "  lines per layer: "
        + ", ".join(f"{name} {n}" for name, n in sorted(shape.layers.items())),
        "  longest functions: " + ", ".join(f"{where} {n}" for n, where in shape.longest),
    ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revs", nargs="*", default=["HEAD"], help="git revisions")
    args = parser.parse_args(argv)
    for rev in args.revs:
        try:
            print(report(shape_at(rev)))
        except subprocess.CalledProcessError as exc:
            print(f"{rev}: {exc.stderr.decode(errors='replace').strip()}", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
