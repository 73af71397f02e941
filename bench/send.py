"""Benchmark of the mail-merge out: `mailflow send` vs the floor, through a local Postfix.

    python -m bench.send --departments 500

Starts a throw-away Postfix + Dovecot (tests/servers/real-start.sh; needs root) with one
account per department, then measures in the same run:

- **mailflow**: ``services.send.send`` as `mailflow send --send` runs it (outline parse,
  docxtpl directive, marked outline, compose, archive + SQLite outbox with its commits,
  SMTP on one connection, Sent copy by IMAP APPEND on one connection), once with the
  Sent copy and once without (fresh state each time);
- **floor**: the same documents made the direct way (docxtpl render of the same template
  and context, the same ``mark_outline``) and the same message bytes sent by bare
  ``smtplib`` on one connection: what any tool must at least do.

It prints the times, the ratios (goal: mailflow / floor <= 1.3) and where mailflow's extra
time goes (fsyncs of the archive, SQLite commits). Between phases it waits for Postfix's
queue to drain so background delivery of one phase does not slow the next.
"""

from __future__ import annotations

import argparse
import io
import os
import smtplib
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

SEED = {  # the seed outline names these six; the rest are synthetic units
    "VP": ("Văn phòng", "vanphong", ["Văn phòng Sở"]),
    "QLKH": ("Phòng Quản lý khoa học", "qlkh", ["Phòng QLKH"]),
    "QLCN": (
        "Phòng Quản lý công nghệ và Đổi mới sáng tạo",
        "qlcn",
        ["Phòng QLCN&ĐMST", "Phòng QLCN và ĐMST", "QLCN&ĐMST"],
    ),
    "TDC": ("Phòng Quản lý Tiêu chuẩn Đo lường Chất lượng", "tdc", ["Phòng TĐC"]),
    "KHTC": ("Phòng Kế hoạch tài chính", "khtc", ["Phòng KHTC"]),
    "TTCG": (
        "Trung tâm Nghiên cứu, Chuyển giao công nghệ và Đổi mới sáng tạo",
        "trungtam",
        ["Trung tâm"],
    ),
}


def departments(n: int) -> list[tuple[str, str, str, list[str]]]:
    """(code, name, local part, aliases): the six seed units, then synthetic ones."""
    out = [(code, name, local, aliases) for code, (name, local, aliases) in SEED.items()]
    for i in range(len(out) + 1, n + 1):
        out.append((f"D{i:03d}", f"Đơn vị thử nghiệm số {i:03d}", f"d{i:03d}", []))
    return out[:n]


def write_config(root: Path, env: object, deps: list[tuple[str, str, str, list[str]]]) -> Path:
    text = env.config_text()  # type: ignore[attr-defined]
    head, _, rest = text.partition("[[departments]]")
    campaigns = rest[rest.index("[[campaigns]]") :]
    blocks = []
    for code, name, local, aliases in deps:
        alias_list = ", ".join(f'"{a}"' for a in aliases)
        blocks.append(
            f'[[departments]]\ncode = "{code}"\nname = "{name}"\n'
            f'emails = ["{local}@{env.domain}"]\naliases = [{alias_list}]\n'  # type: ignore[attr-defined]
        )
    root.mkdir(parents=True, exist_ok=True)
    path = root / "config.toml"
    path.write_text(head + "\n".join(blocks) + "\n" + campaigns, encoding="utf-8")
    return path


@contextmanager
def counting_fsyncs() -> Iterator[dict[str, float]]:
    """Count os.fsync calls (the archive's) and their time."""
    stats = {"fsyncs": 0, "fsync_s": 0.0}
    real = os.fsync

    def timed(fd: int) -> None:
        start = time.perf_counter()
        real(fd)
        stats["fsyncs"] += 1
        stats["fsync_s"] += time.perf_counter() - start

    os.fsync = timed  # type: ignore[assignment]
    try:
        yield stats
    finally:
        os.fsync = real


def run_mailflow(config: Path, copy_to_sent: bool) -> tuple[float, dict[str, float], object]:
    from mailflow import bootstrap
    from mailflow import config as config_mod
    from mailflow.adapters.store import Store
    from mailflow.services import send as job

    cfg = config_mod.load(config)
    app = bootstrap.build(cfg)
    store = app.store
    commits = {"n": 0}
    real_transaction = Store.transaction

    @contextmanager
    def counted(self: Store) -> Iterator[object]:  # every connection, the sender's too
        with real_transaction(self) as db:
            yield db
        commits["n"] += 1

    Store.transaction = counted  # type: ignore[method-assign]
    with counting_fsyncs() as stats:
        start = time.perf_counter()
        prepared = job.prepare(cfg, "2023-h1")
        outcome = job.send(
            cfg,
            prepared,
            lambda: datetime.now().astimezone(),
            store=store,
            archive=app.archive,
            servers=app.servers,
            templates=app.templates,
            copy_to_sent=copy_to_sent,
        )
        elapsed = time.perf_counter() - start
    Store.transaction = real_transaction  # type: ignore[method-assign]
    store.close()
    stats["commits"] = commits["n"]
    return elapsed, stats, outcome


def run_floor(config: Path, limit: int | None = None) -> tuple[float, float, int]:
    """docxtpl + mark_outline for every department, then smtplib on one connection.

    ``limit`` renders only that many departments and sends nothing (the warm-up).
    """
    from docxtpl import DocxTemplate

    from mailflow import config as config_mod
    from mailflow.adapters.archive import Archive
    from mailflow.adapters.directive import directive_context
    from mailflow.adapters.outline_docx import load_outline, mark_outline

    cfg = config_mod.load(config)
    campaign = cfg.campaign("2023-h1")
    deps = cfg.campaign_departments(campaign)
    outline = load_outline(Path(campaign.outline), deps)
    outline_bytes = Path(campaign.outline).read_bytes()
    today = date.today()
    start = time.perf_counter()
    for dep in deps[:limit]:
        tpl = DocxTemplate(campaign.directive)
        tpl.render(
            directive_context(campaign, dep, outline, cfg.mailbox.address, today), autoescape=True
        )
        tpl.save(io.BytesIO())
        mark_outline(outline_bytes, outline, dep, deps)
    render_s = time.perf_counter() - start
    if limit is not None:
        return render_s, 0.0, 0
    # the exact messages mailflow sent, from its archive (read before the clock starts)
    db = sqlite3.connect(cfg.state_path)
    rows = db.execute("SELECT recipients, archive_path FROM sends ORDER BY id").fetchall()
    db.close()
    archive = Archive(cfg.archive_dir)
    import json

    messages = [(json.loads(r), archive.read(p)) for r, p in rows]
    start = time.perf_counter()
    with smtplib.SMTP(cfg.mailbox.smtp.host, cfg.mailbox.smtp.port, timeout=60) as smtp:
        smtp.login(cfg.mailbox.username, cfg.mailbox.password())
        for recipients, data in messages:
            smtp.sendmail(cfg.mailbox.address, recipients, data)
    smtp_s = time.perf_counter() - start
    return render_s, smtp_s, len(messages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--departments", type=int, default=500)
    args = parser.parse_args(argv)

    import mailenv
    from mailflow.i18n import t

    if not mailenv.real_available():
        print(t("send.bench_needs_root"), file=sys.stderr)
        return 2
    os.environ.setdefault("MAILFLOW_TEST_PASSWORD", mailenv.PASSWORD)
    deps = departments(args.departments)
    print(f"starting Postfix + Dovecot with {len(deps) + 1} accounts …", flush=True)
    env = mailenv.start_real(local_parts=["baocao", *(d[2] for d in deps)])
    from send_support import settle

    work = Path(tempfile.mkdtemp(prefix="mf-bench-send-"))
    try:
        results = {}
        # warm-up, so neither side pays for first imports and template compiles
        run_floor(write_config(work / "warm-up", env, deps[:3]), limit=3)
        for label, copy in (("with Sent copy", True), ("without Sent copy", False)):
            config = write_config(work / label.replace(" ", "-"), env, deps)
            settle(env, timeout=600)
            elapsed, stats, outcome = run_mailflow(config, copy)
            failed = len(outcome.failed)  # type: ignore[attr-defined]
            sent = outcome.sent_now  # type: ignore[attr-defined]
            results[label] = (elapsed, stats, config)
            print(
                f"mailflow ({label}): {elapsed:.1f} s for {sent} sent, {failed} failed; "
                f"archive fsyncs {int(stats['fsyncs'])} ({stats['fsync_s']:.1f} s), "
                f"SQLite commits {int(stats['commits'])}",
                flush=True,
            )
        settle(env, timeout=600)
        render_s, smtp_s, n = run_floor(results["with Sent copy"][2])
        floor = render_s + smtp_s
        print(
            f"floor: {floor:.1f} s (docxtpl + mark_outline {render_s:.1f} s, "
            f"smtplib {smtp_s:.1f} s for {n} messages)"
        )
        for label, (elapsed, _, _) in results.items():
            print(f"ratio mailflow/floor ({label}): {elapsed / floor:.2f}   (goal <= 1.3)")
        settle(env, timeout=600)
    finally:
        mailenv.stop_real(env)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
