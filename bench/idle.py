"""Benchmark: what an idle `mailflow run` costs — resident memory and CPU.

    python -m bench.idle                 # quick: 1 minute
    python -m bench.idle --minutes 10    # the figure the README quotes

Set-up: the embedded mail server (in this process, not measured), a demo workspace
with the seed campaign whose deadline is ten days ahead, the directives sent, then
``python -m mailflow --config C run`` in a subprocess with the sample config's
settings (poll every 60 s, IMAP IDLE on, reminders and Office checks every 30 s). No
mail arrives: this is the daemon waiting, which is what it does almost all the time.

Measured from /proc of the daemon process only: peak and final RSS, and CPU time
(user + system) over wall time. Goal: <= 100 MB and <= 1 % CPU.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

GOAL_RSS_MB = 100.0
GOAL_CPU_PERCENT = 1.0


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime


def _workspace(folder: Path) -> tuple[Path, object]:
    from mailflow import bootstrap
    from mailflow.adapters.mailserver import EmbeddedMailServer, accounts_for, free_port
    from mailflow.config import load
    from mailflow.demo import PASSWORD, prepare_folder, write_config

    prepare_folder(folder)
    imap_port, smtp_port = free_port(), free_port()
    path = write_config(folder, imap_port, smtp_port)
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^poll_seconds = \d+", "poll_seconds = 60", text)
    deadline = date.today() + timedelta(days=10)
    text = re.sub(r"(?m)^deadline = .*$", f"deadline = {deadline.isoformat()}", text)
    path.write_text(text, encoding="utf-8")
    cfg = load(path)
    server = EmbeddedMailServer(
        accounts_for(bootstrap.all_addresses(cfg), PASSWORD),
        backend="maildir",
        data_dir=folder / "mailserver-data",
        smtp_port=smtp_port,
        imap_port=imap_port,
    ).start()
    from mailflow.services import send as send_job

    app = bootstrap.build(cfg)
    store, archive = app.store, app.archive
    try:
        send_job.send(
            cfg,
            send_job.prepare(cfg, cfg.campaigns[0].id),
            lambda: datetime.now().astimezone(),
            store=store,
            archive=archive,
            servers=app.servers,
            templates=app.templates,
            allow_unresolved=True,
        )
    finally:
        store.close()
    return path, server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=1.0, help="idle time measured")
    parser.add_argument("--settle", type=float, default=20.0, help="seconds before measuring")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="mailflow-idle-") as tmp:
        config, server = _workspace(Path(tmp) / "ws")
        env = dict(os.environ)
        env.pop("MAILFLOW_FAKE_NOW", None)
        proc = subprocess.Popen(
            [sys.executable, "-m", "mailflow", "--config", str(config), "run"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        try:
            time.sleep(args.settle)  # start-up, first poll, IDLE established
            if proc.poll() is not None:
                sys.exit(f"mailflow run exited early with {proc.returncode}")
            cpu0, wall0 = _cpu_seconds(proc.pid), time.monotonic()
            peak = _rss_mb(proc.pid)
            end = wall0 + args.minutes * 60
            while time.monotonic() < end:
                time.sleep(min(5.0, max(end - time.monotonic(), 0.0)))
                peak = max(peak, _rss_mb(proc.pid))
            cpu = _cpu_seconds(proc.pid) - cpu0
            wall = time.monotonic() - wall0
            final = _rss_mb(proc.pid)
        finally:
            proc.terminate()
            proc.wait(60)
            server.stop()  # type: ignore[attr-defined]

    percent = 100 * cpu / wall
    print(f"idle mailflow run over {wall / 60:.1f} min (poll 60 s, IMAP IDLE on):")
    print(f"  RSS   peak {peak:6.1f} MB, final {final:6.1f} MB   (goal <= {GOAL_RSS_MB:.0f} MB)")
    print(f"  CPU   {cpu:6.2f} s = {percent:5.2f} % of one core   (goal <= {GOAL_CPU_PERCENT} %)")
    ok = peak <= GOAL_RSS_MB and percent <= GOAL_CPU_PERCENT
    print("  result:", "OK" if ok else "OVER GOAL")


if __name__ == "__main__":
    main()
