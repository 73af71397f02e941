"""Benchmark: mailflow's draft build vs a bare docxcompose ``Composer.append``.

    python -m bench.assemble                 # quick: 10 contributions
    python -m bench.assemble --sizes 10,50,200
    python -m bench.assemble --paragraphs 100000   # one reply of N tiny paragraphs

The contributions (about 5 pages each: table, picture, bulleted and numbered lists,
footnote, headings) are generated once; every measurement then runs in a fresh
subprocess so that its peak memory (``ru_maxrss``) is its own and caches do not carry
over. Both sides start from ``templates/draft.docx``, open every file, copy it and
serialise the result to bytes; mailflow also plans the draft and writes the headings,
attributions, markers and the appendix, so the comparison is not in its favour.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "templates" / "draft.docx"
CODES = ("VP", "QLKH", "QLCN", "TDC", "KHTC", "TTCG")
SECTIONS = 12


def _generate(folder: Path, count: int, pages: int) -> list[dict[str, object]]:
    from bench.contributions import make_contribution

    made = []
    for i in range(count):
        c = make_contribution(folder / f"part-{i:04d}.docx", seed=i, pages=pages)
        made.append({"path": str(c.path), "blocks": c.blocks})
    return made


def _measure_mailflow(files: list[dict[str, object]]) -> int:
    from mailflow.adapters.draft_docx import render_draft
    from mailflow.core.draft_plan import build_plan
    from mailflow.model import (
        Attribution,
        Campaign,
        Department,
        Outline,
        PlacedPart,
        Section,
    )

    deps = [Department(c, f"Phòng {c}", (f"{c.lower()}@example.org",)) for c in CODES]
    sections = [Section("1", "Phần thứ nhất", 1, "ĐÁNH GIÁ KẾT QUẢ")]
    sections += [
        Section(f"1.{i}", str(i), 3, f"Mục {i}", assignees=(CODES[i % len(CODES)],), parent="1")
        for i in range(1, SECTIONS + 1)
    ]
    outline = Outline("Đề cương", tuple(sections))
    campaign = Campaign("bench", "Báo cáo thử", "o", "d", date(2023, 7, 21), "B", place="Quảng Trị")
    start = datetime(2023, 7, 10, 8, 0)
    parts = [
        PlacedPart(
            section_key=f"1.{i % SECTIONS + 1}",
            department=CODES[i % len(CODES)],
            attribution=Attribution(
                CODES[i % len(CODES)], start + timedelta(hours=i), Path(str(f["path"])).name
            ),
            source=str(f["path"]),
            block_start=0,
            block_end=int(str(f["blocks"])),
            text="",
            part_id=i + 1,
        )
        for i, f in enumerate(files)
    ]
    plan = build_plan(outline, parts, {}, deps, campaign, datetime(2023, 7, 22, 8, 0))
    return len(render_draft(plan, TEMPLATE, version=1).data)


def _measure_bare(files: list[dict[str, object]]) -> int:
    from docx import Document
    from docxcompose.composer import Composer

    composer = Composer(Document(str(TEMPLATE)))
    for f in files:
        composer.append(Document(str(f["path"])))
    buf = io.BytesIO()
    composer.save(buf)
    return len(buf.getvalue())


def _tiny_source(folder: Path, count: int) -> Path:
    """One reply of ``count`` one-word paragraphs (the 385 KB mail of issue 16)."""
    from docx import Document
    from lxml import etree

    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    doc = Document()
    body = doc.element.body
    sect = body[-1]
    for i in range(count):
        p = etree.SubElement(body, f"{{{w}}}p")
        t = etree.SubElement(etree.SubElement(p, f"{{{w}}}r"), f"{{{w}}}t")
        t.text = f"d{i}"
    body.remove(sect)
    body.append(sect)
    path = folder / f"tiny-{count}.docx"
    doc.save(str(path))
    return path


def _measure_tiny(files: list[dict[str, object]]) -> int:
    """The draft of one part holding every paragraph of the tiny reply."""
    from mailflow.adapters.draft_docx import render_draft
    from mailflow.core.draft_plan import build_plan
    from mailflow.model import Attribution, Campaign, Department, Outline, PlacedPart, Section

    f = files[0]
    deps = [Department("A", "Phòng A", ("a@example.org",))]
    outline = Outline("o", (Section("1", "1", 1, "Mục 1", assignees=("A",)),))
    campaign = Campaign("bench", "Báo cáo thử", "o", "d", date(2023, 7, 21), "B", place="QT")
    part = PlacedPart(
        "1",
        "A",
        Attribution("A", datetime(2023, 7, 1, 8, 0), "tiny.docx"),
        str(f["path"]),
        0,
        int(str(f["blocks"])),
        "",
        part_id=1,
    )
    plan = build_plan(outline, [part], {}, deps, campaign, datetime(2023, 7, 2, 8, 0))
    return len(render_draft(plan, TEMPLATE, version=1).data)


def _measure_tiny_floor(files: list[dict[str, object]]) -> int:
    """Floor: open the reply, deep-copy every paragraph into the template, save."""
    from copy import deepcopy

    from docx import Document

    src = Document(str(files[0]["path"]))
    doc = Document(str(TEMPLATE))
    anchor = doc.element.body[-1]
    for el in list(src.element.body)[:-1]:
        anchor.addprevious(deepcopy(el))
    buf = io.BytesIO()
    doc.save(buf)
    return len(buf.getvalue())


def _peak_kb() -> int:
    """This process's own peak resident memory.

    ``ru_maxrss`` keeps the high-water mark of the parent from before ``exec`` on Linux,
    so it would report the benchmark driver's memory; ``VmHWM`` belongs to this process.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _child(kind: str, listing: Path) -> None:
    files = json.loads(listing.read_text())
    # import outside the timed region so both sides pay only for their work
    import docx  # noqa: F401
    import docxcompose.composer  # noqa: F401

    import mailflow.adapters.draft_docx  # noqa: F401

    t0 = time.perf_counter()
    measure = {
        "mailflow": _measure_mailflow,
        "bare": _measure_bare,
        "tiny": _measure_tiny,
        "tiny-floor": _measure_tiny_floor,
    }[kind]
    size = measure(files)
    seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds, "peak_mb": _peak_kb() / 1024, "bytes": size}))


def _run(kind: str, listing: Path) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.assemble", "--child", kind, str(listing)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{kind} measurement failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.assemble", description=__doc__)
    ap.add_argument("--sizes", default="10", help="comma-separated contribution counts")
    ap.add_argument("--pages", type=int, default=5, help="pages per contribution")
    ap.add_argument("--paragraphs", type=int, default=0, help="one reply of N tiny paragraphs")
    ap.add_argument("--child", nargs=2, metavar=("KIND", "LISTING"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        _child(args.child[0], Path(args.child[1]))
        return 0
    if args.paragraphs:
        with tempfile.TemporaryDirectory(prefix="mailflow-bench-") as work:
            path = _tiny_source(Path(work), args.paragraphs)
            listing = Path(work) / "tiny.json"
            listing.write_text(json.dumps([{"path": str(path), "blocks": args.paragraphs}]))
            ours = _run("tiny", listing)
            floor = _run("tiny-floor", listing)
            ratio = ours["seconds"] / floor["seconds"] if floor["seconds"] else float("nan")
            print(f"{'paragraphs':>10} {'mailflow s':>11} {'floor s':>8} {'ratio':>6} {'MB':>6}")
            print(
                f"{args.paragraphs:>10} {ours['seconds']:>11.2f} {floor['seconds']:>8.2f} "
                f"{ratio:>6.2f} {ours['peak_mb']:>6.0f}"
            )
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    with tempfile.TemporaryDirectory(prefix="mailflow-bench-") as work:
        folder = Path(work)
        t0 = time.perf_counter()
        files = _generate(folder, max(sizes), args.pages)
        print(f"generated {len(files)} contributions in {time.perf_counter() - t0:.1f} s")
        header = f"{'parts':>6} {'mailflow s':>11} {'bare s':>9} {'ratio':>6} "
        header += f"{'mailflow MB':>12} {'bare MB':>8}"
        print(header)
        for n in sizes:
            listing = folder / f"files-{n}.json"
            listing.write_text(json.dumps(files[:n]))
            ours = _run("mailflow", listing)
            bare = _run("bare", listing)
            ratio = ours["seconds"] / bare["seconds"] if bare["seconds"] else float("nan")
            print(
                f"{n:>6} {ours['seconds']:>11.2f} {bare['seconds']:>9.2f} {ratio:>6.2f} "
                f"{ours['peak_mb']:>12.0f} {bare['peak_mb']:>8.0f}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
