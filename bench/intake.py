"""Benchmark of intake: `poll --once` vs a bare imap-tools fetch, through a real Dovecot.

    python -m bench.intake [--mails 1000] [--repeat 3] [--workers 1,2] [--against REF]
                           [--mixed] [--idle-large 10000]

Starts a throw-away Postfix + Dovecot (tests/servers/real-start.sh; needs root). Mail is
put straight into the account's Maildir (setup, timed on its own), then in the same run:

- **bare**: imap-tools ``MailBox.fetch(AND(uid=...), bulk=batch, mark_seen=False)`` over
  the same UIDs: the least any IMAP client does (it also parses each mail);
- **mailflow**: ``services.poll.poll_once`` in a fresh process on a fresh state: FETCH
  BODY.PEEK[] → archive each raw mail and each document (fsync'ed, content-addressed) →
  parse → identify → unpack (OOXML checks of the .docx) → ONE SQLite commit → MOVE;

Each repeat delivers the mails again and measures bare and mailflow back to back, so both
see the same machine load; the spread over the repeats is printed. ``--workers 1,2,3``
polls with each ``intake.workers`` in every round (interleaved, each with its own bare
fetch) and ``--against REF[,REF]`` adds the same polls with ``git archive REF mailflow``:
A/B in the same run; each poll also prints its CPU (poll, workers, Dovecot) per mail.
After each poll a **per-stage table** says where mailflow's time went: fetch, archive
(hashing, writing and the batch's two syncs), parse, identify, unpack, document checks
(OOXML safety + sanitiser + tracked changes), PDF text, OCR, spreadsheets, commit, move —
summed over the poll and its worker processes (so the sum can exceed the wall time when
the analysis overlaps the fetch), plus the time the poll waited for the workers.
``--mixed`` adds a run on an inbox of 10% PDFs,
5% spreadsheets and 2% scans (the rest ordinary .docx replies) to show what ordinary mail
costs there: those documents are recorded unread in their batch and read after the batches
(``intake.deferred_workers``), so each round prints the wall time of the batches (every
mail recorded and moved) apart from the deferred reading, and the summary compares the
batches' cost per mail in the mixed inbox with the all-.docx one (goal: unchanged).

and an **idle poll** (nothing new) on an inbox holding 10 vs ``--idle-large`` mails
already processed (stored state says so): it must cost the same (goal ratio <= 1.5)
because it does one SELECT/STATUS and a UID SEARCH above the last UID, nothing per mail.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import pwd
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

SENDERS = ("qlkh", "qlcn", "tdc", "khtc", "trungtam", "vanphong")
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


MARKER = "MAILFLOW-BENCH-00000000"


def base_docx(target: int = 40 * 1024) -> bytes:
    """One ~40 KB .docx (python-docx's template is ~36 KB; report text adds the rest)."""
    import docx

    rnd = random.Random(0)
    doc = docx.Document()
    doc.add_heading("Báo cáo", level=1)
    doc.add_paragraph(MARKER)
    words = [
        "kết",
        "quả",
        "thực",
        "hiện",
        "nhiệm",
        "vụ",
        "khoa",
        "học",
        "công",
        "nghệ",
        "đổi",
        "mới",
        "sáng",
        "tạo",
        "tỉnh",
    ]
    for _ in range(200):
        doc.add_paragraph(" ".join(rnd.choice(words) for _ in range(40)) + f" {rnd.random()}")
        buf = io.BytesIO()
        doc.save(buf)
        if len(buf.getvalue()) >= target:
            break
    return buf.getvalue()


def report_docx(base: bytes, i: int) -> bytes:
    """The base document with its marker made unique: every reply is a different file."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(MARKER.encode(), f"MAILFLOW-BENCH-{i:08d}".encode())
            dst.writestr(info, data)
    return out.getvalue()


def reply(
    i: int, domain: str, data: bytes, name: str | None = None, ctype: str = DOCX_TYPE
) -> bytes:
    sender = SENDERS[i % len(SENDERS)]
    msg = EmailMessage()
    msg["From"] = f"{sender}@{domain}"
    msg["To"] = f"baocao@{domain}"
    msg["Subject"] = f"Báo cáo 2023-H1 số {i}"
    msg["Date"] = "Mon, 10 Jul 2023 09:00:00 +0700"
    msg["Message-ID"] = f"<bench{i}@{domain}>"
    msg.set_content(f"Phòng gửi báo cáo số {i}.")
    maintype, subtype = ctype.split("/")
    msg.add_attachment(
        data, maintype=maintype, subtype=subtype, filename=name or f"Báo cáo số {i}.docx"
    )
    return msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))


# --- the mixed inbox ------------------------------------------------------------------

LINES = [
    "BÁO CÁO KẾT QUẢ THỰC HIỆN NHIỆM VỤ 6 THÁNG ĐẦU NĂM 2023",
    "I. Kết quả thực hiện nhiệm vụ khoa học và công nghệ",
    "Phòng đã tham mưu triển khai các nhiệm vụ khoa học cấp tỉnh theo kế hoạch.",
    "II. Những khó khăn, vướng mắc: nguồn lực còn hạn chế.",
]


def mixed_attachments(base: bytes, n: int, work: Path) -> tuple[list[tuple[str, str, bytes]], dict]:
    """n attachments: 10% text PDFs, 5% .xlsx workbooks, 2% scanned pages (image-only PDF),
    the rest ordinary .docx replies; and which index is which kind."""
    import openpyxl
    from formats_support import image_pdf, plain_docx, scanned_page

    from mailflow.adapters.pdf import to_pdf

    src = work / "mixed.docx"
    src.write_bytes(plain_docx(LINES * 5))
    made = to_pdf(src, work / "mixed.pdf")
    assert made.path is not None, made.note
    pdf = made.path.read_bytes()
    scan = image_pdf([scanned_page(LINES, dpi=200)], dpi=200)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Chỉ tiêu", "Kế hoạch", "Thực hiện", "Tỷ lệ"])
    for r in range(40):
        sheet.append([f"Nhiệm vụ {r}", 10 + r, 8 + r, f"{(8 + r) / (10 + r):.0%}"])
    buf = io.BytesIO()
    book.save(buf)
    xlsx = buf.getvalue()
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    out: list[tuple[str, str, bytes]] = []
    kinds: dict[int, str] = {}
    for i in range(n):
        slot = i % 100
        if slot < 10:
            kinds[i] = "pdf"
            out.append((f"Báo cáo số {i}.pdf", "application/pdf", pdf))
        elif slot < 15:
            kinds[i] = "sheet"
            out.append((f"Biểu số liệu {i}.xlsx", sheet_type, xlsx))
        elif slot < 17:
            kinds[i] = "scan"
            out.append((f"Bản quét {i}.pdf", "application/pdf", scan))
        else:
            kinds[i] = "docx"
            out.append((f"Báo cáo số {i}.docx", DOCX_TYPE, report_docx(base, i)))
    return out, kinds


# --- stages -----------------------------------------------------------------------------

#: stage name → unpack functions timed under it (nested inside "unpack": counted apart)
TIMED = {
    "document checks": ("_Walker.word", "_Walker.ooxml"),
    "PDF text": ("_Walker.pdf",),
    "OCR": ("_Walker.image",),
    "spreadsheets": ("_Walker.sheet",),
    "conversions": ("_convert",),
}
ORDER = (
    "fetch",
    "archive",
    "archive, in a thread",
    "parse",
    "identify",
    "unpack",
    "document checks",
    "PDF text",
    "OCR",
    "spreadsheets",
    "conversions",
    "commit",
    "move",
    "move, on a second connection",
)


def time_unpack_stages() -> None:
    """Wrap the unpacker's document steps in the intake stage clock (before the pool forks,
    so the workers time them too); the PDF step also covers OCR of scanned PDFs."""
    import functools

    from mailflow.adapters import unpack
    from mailflow.services.intake import STAGES

    for stage, names in TIMED.items():
        for dotted in names:
            owner: object = unpack
            *path, attr = dotted.split(".")
            for part in path:
                owner = getattr(owner, part, None)
            fn = getattr(owner, attr, None)
            if fn is None:  # an older or newer unpacker (--against): that stage is not split
                continue

            @functools.wraps(fn)
            def timed_fn(*a: object, _fn=fn, _stage=stage, **kw: object) -> object:  # type: ignore[no-untyped-def]
                with STAGES(_stage):
                    return _fn(*a, **kw)

            setattr(owner, attr, timed_fn)


#: wall time of each poll's deferred reading (Intake.finish_deferred), appended by the wrap
DEFERRED_WALL: list[float] = []


def time_deferred_stage() -> None:
    """Time Intake.finish_deferred (the reading after the batches) as a whole."""
    import functools

    from mailflow.services.intake import Intake

    fn = Intake.finish_deferred

    @functools.wraps(fn)
    def timed_fn(self: Intake) -> int:
        start = time.perf_counter()
        try:
            return fn(self)
        finally:
            DEFERRED_WALL.append(time.perf_counter() - start)

    Intake.finish_deferred = timed_fn  # type: ignore[method-assign]


def stage_table(totals: dict[str, float], mails: int, wall: float) -> str:
    work = {k: v for k, v in totals.items() if not k.startswith("wait for")}
    summed = sum(work.values()) or 1e-9
    rows = [f"  {'stage':<30} {'ms/mail':>8} {'share':>6}"]
    for name in [*ORDER, *sorted(set(work) - set(ORDER))]:
        if name in work:
            rows.append(f"  {name:<30} {work[name] / mails * 1000:8.2f} {work[name] / summed:6.1%}")
    rows.append(
        f"  {'sum of stages':<30} {summed / mails * 1000:8.2f} (wall {wall / mails * 1000:.2f})"
    )
    waited = totals.get("wait for analysis", 0.0)
    rows.append(f"  {'poll waited':<30} {waited / mails * 1000:8.2f} for its worker(s)")
    return "\n".join(rows)


def load() -> str:
    """The 1-minute load average, printed with every round (the machine is shared)."""
    return f"{os.getloadavg()[0]:.2f}"


def spread(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:.2f}"
    return (
        f"median {statistics.median(values):.2f} (min {min(values):.2f}, max {max(values):.2f},"
        f" n={len(values)})"
    )


def small(i: int, domain: str) -> bytes:
    return (
        f"From: qlkh@{domain}\r\nTo: baocao@{domain}\r\nSubject: old {i}\r\n"
        f"Message-ID: <old{i}@{domain}>\r\n\r\nold mail {i}\r\n"
    ).encode()


def maildir_of(env, local: str) -> Path:  # type: ignore[no-untyped-def]
    """Log in once so Dovecot creates the Maildir, then return it."""
    with env.imap(env.addr(local)) as box:
        box.folder.set("INBOX")
    return env._root / "mail" / env.domain / local / "Maildir"


def drop_into(maildir: Path, mails: list[bytes]) -> None:
    """Deliver by writing Maildir files (what LMTP does, minus the protocol)."""
    mail_user = pwd.getpwnam("mail")
    host = os.uname().nodename
    for n, data in enumerate(mails):
        name = f"{int(time.time())}.M{n}P{os.getpid()}.{host},S={len(data)}"
        tmp = maildir / "tmp" / name
        tmp.write_bytes(data)
        os.chown(tmp, mail_user.pw_uid, mail_user.pw_gid)
        os.rename(tmp, maildir / "new" / name)


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def workspace(env, local: str, root: Path) -> Path:  # type: ignore[no-untyped-def]
    root.mkdir(parents=True, exist_ok=True)
    text = env.config_text().replace(f'"baocao@{env.domain}"', f'"{local}@{env.domain}"')
    (root / "config.toml").write_text(text, encoding="utf-8")
    return root / "config.toml"


def bare_fetch(env, local: str, uids: list[int], batch: int) -> int:  # type: ignore[no-untyped-def]
    from imap_tools import AND

    n = 0
    with env.imap(env.addr(local)) as box:
        box.folder.set("INBOX")
        for start in range(0, len(uids), batch):
            chunk = [str(u) for u in uids[start : start + batch]]
            for msg in box.fetch(AND(uid=chunk), bulk=batch, mark_seen=False):
                n += len(msg.obj.as_bytes()) > 0
    return n


def server_uids(env, local: str) -> tuple[int, list[int]]:  # type: ignore[no-untyped-def]
    from mailflow.adapters.imap import ImapClient
    from mailflow.config import Endpoint

    client = ImapClient(Endpoint(env.host, env.imap_port, "none"), env.addr(local), env.password)
    with client:
        state = client.select("INBOX")
        return state.uidvalidity, client.uids_above(0)


def mark_processed(config: Path, env, local: str, uids: list[int], uidvalidity: int) -> None:  # type: ignore[no-untyped-def]
    """Stored state as after polls that took these mails in (rows included)."""
    from mailflow import config as config_mod
    from mailflow.adapters.store import Store

    cfg = config_mod.load(config)
    store = Store(cfg.state_path)
    with store.transaction() as db:
        db.conn.executemany(
            "INSERT INTO mails (sha256, archive_path, source, folder, uidvalidity, uid, "
            "received_at, kind, moved) VALUES (?, ?, 'imap', 'INBOX', ?, ?, ?, 'report', 1)",
            [
                (f"{uid:064x}", f"mail/{uid}.eml", uidvalidity, uid, "2023-07-10T09:00:00")
                for uid in uids
            ],
        )
        db.execute(
            "INSERT INTO mailbox_state VALUES ('INBOX', ?, ?, ?)",
            [uidvalidity, max(uids), "2023-07-10T09:00:00"],
        )
    store.close()


def idle_polls(config: Path, runs: int) -> list[float]:
    from mailflow import bootstrap
    from mailflow import config as config_mod
    from mailflow.adapters.archive import Archive
    from mailflow.adapters.mailservers import MailServers
    from mailflow.adapters.store import Store
    from mailflow.services.poll import poll_once

    cfg = config_mod.load(config)
    store, archive = Store(cfg.state_path), Archive(cfg.archive_dir)
    times = []
    for _ in range(runs):
        took, result = timed(
            lambda: poll_once(
                cfg,
                store,
                archive,
                MailServers(cfg.mailbox),
                converter=bootstrap.build(cfg).converter,
            )
        )
        assert result.fetched == 0, result  # type: ignore[attr-defined]
        times.append(took)
    store.close()
    return times


def run_poll(config: Path) -> dict[str, object]:
    """One ``poll_once`` on ``config``, timed with its per-stage totals (``--poll-json``).

    Runs in a fresh process of its own (see :func:`poll_in_process`), so every variant of
    a round (this checkout or ``--against REF``, each worker count) starts alike."""
    from mailflow import bootstrap
    from mailflow import config as config_mod
    from mailflow.adapters.archive import Archive
    from mailflow.adapters.mailservers import MailServers
    from mailflow.adapters.store import Store
    from mailflow.services.intake import STAGES
    from mailflow.services.poll import poll_once

    time_unpack_stages()
    time_deferred_stage()
    cfg = config_mod.load(config)
    store, archive = Store(cfg.state_path), Archive(cfg.archive_dir)
    converter = bootstrap.build(cfg).converter
    STAGES.take()
    DEFERRED_WALL.clear()
    cpu_self, cpu_children = (
        cpu_seconds(resource.RUSAGE_SELF),
        cpu_seconds(resource.RUSAGE_CHILDREN),
    )
    t_poll, result = timed(
        lambda: poll_once(cfg, store, archive, MailServers(cfg.mailbox), converter=converter)
    )
    totals = STAGES.take()
    cpu_self = cpu_seconds(resource.RUSAGE_SELF) - cpu_self
    cpu_children = cpu_seconds(resource.RUSAGE_CHILDREN) - cpu_children  # workers, reaped
    store.close()
    kinds_seen: dict[str, int] = {}
    for o in result.outcomes:  # type: ignore[attr-defined]
        kinds_seen[o.kind] = kinds_seen.get(o.kind, 0) + 1
    conn = sqlite3.connect(cfg.state_path)
    docs_n = conn.execute("SELECT status, count(*) FROM documents GROUP BY status").fetchall()
    conn.close()
    return {
        "seconds": t_poll,
        "deferred_seconds": sum(DEFERRED_WALL),
        "fetched": result.fetched,  # type: ignore[attr-defined]
        "moved": result.moved,  # type: ignore[attr-defined]
        "deferred": result.deferred,  # type: ignore[attr-defined]
        "kinds": kinds_seen,
        "documents": dict(docs_n),
        "totals": totals,
        "cpu_poll": cpu_self,
        "cpu_workers": cpu_children,
    }


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def dovecot_cpu(env) -> float:  # type: ignore[no-untyped-def]
    """CPU seconds used so far by the test Dovecot: its master, the children it reaped
    (each IMAP session's process, once logged out) and those still running."""
    tick = os.sysconf("SC_CLK_TCK")
    master = int((env._root / "run" / "dovecot" / "master.pid").read_text().split()[0])

    def fields(pid: int) -> list[str]:
        text = Path(f"/proc/{pid}/stat").read_text()
        return text[text.rindex(")") + 2 :].split()

    mine = fields(master)  # utime stime cutime cstime are fields 14-17 (index 11-14 here)
    total = sum(int(x) for x in mine[11:15])
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                f = fields(int(entry.name))
            except (OSError, ValueError):
                continue
            if int(f[1]) == master:
                total += int(f[11]) + int(f[12])
    return total / tick


def poll_in_process(config: Path, src: Path) -> dict[str, object]:
    """:func:`run_poll` in a fresh Python whose ``mailflow`` is the one under ``src``."""
    env = dict(os.environ, PYTHONPATH=f"{src}{os.pathsep}{REPO}")
    run = subprocess.run(
        [sys.executable, "-m", "bench.intake", "--poll-json", str(config)],
        cwd=src,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    out: dict[str, object] = json.loads(run.stdout.splitlines()[-1])
    return out


def checkout_of(ref: str, work: Path) -> Path:
    """``git archive REF mailflow`` unpacked under ``work`` (or REF itself when it is a
    directory holding a ``mailflow`` package)."""
    given = Path(ref)
    if (given / "mailflow").is_dir():
        return given
    dest = work
    dest.mkdir(parents=True)
    tar = subprocess.run(
        ["git", "-C", str(REPO), "archive", ref, "mailflow"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=tar, check=True)
    return dest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.intake", description=__doc__)
    ap.add_argument("--mails", type=int, default=1000)
    ap.add_argument("--idle-small", type=int, default=10)
    ap.add_argument("--idle-large", type=int, default=10_000)
    ap.add_argument("--idle-runs", type=int, default=31)
    ap.add_argument("--batch", type=int, default=50, help="mailbox.batch_size")
    ap.add_argument("--repeat", type=int, default=3, help="rounds of bare + poll")
    ap.add_argument(
        "--workers",
        default="",
        help="intake.workers, or several to compare in each round (1,2,3); 0: in-process; "
        "default: the shipped default",
    )
    ap.add_argument(
        "--against", metavar="REF[,REF]", help="also poll with git REF's mailflow (each REF)"
    )
    ap.add_argument("--mixed", action="store_true", help="also a 10/5/2%% PDF/sheet/scan inbox")
    ap.add_argument("--mixed-repeat", type=int, default=1)
    ap.add_argument("--no-idle", action="store_true", help="skip the idle-poll part")
    ap.add_argument("--poll-json", metavar="CONFIG", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.poll_json:
        print(json.dumps(run_poll(Path(args.poll_json))))
        return 0

    import mailenv

    if not mailenv.real_available():
        print("needs root with Postfix and Dovecot installed", file=sys.stderr)
        return 2
    os.environ.setdefault("MAILFLOW_TEST_PASSWORD", mailenv.PASSWORD)

    work = Path(tempfile.mkdtemp(prefix="mf-bench-intake-"))
    print(f"starting Postfix + Dovecot … (work in {work})")
    env = mailenv.start_real()
    try:
        # --- setup: build -----------------------------------------------------------------
        base = base_docx()
        t_build, docs = timed(lambda: [report_docx(base, i) for i in range(args.mails)])
        mails = [reply(i, env.domain, d) for i, d in enumerate(docs)]  # type: ignore[attr-defined]
        size = sum(map(len, mails)) / len(mails)
        print(
            f"setup: built {args.mails} replies (avg {size / 1024:.1f} KB, .docx "
            f"{len(docs[0]) / 1024:.1f} KB) in {t_build:.1f}s"  # type: ignore[index]
        )
        # variants polled in every round, interleaved: (label, mailflow source, workers)
        counts = [int(w) for w in args.workers.split(",") if w.strip()] or [-1]
        sources = [
            (f"{ref} ", checkout_of(ref, work / f"against{i}"))
            for i, ref in enumerate(r for r in (args.against or "").split(",") if r)
        ]
        sources.append(("", REPO))
        variants = [
            (f"{name}workers {'default' if w < 0 else w}", src, w)
            for name, src in sources
            for w in counts
        ]
        rounds = [("docx", mails)] * args.repeat
        if args.mixed:
            attachments, kinds = mixed_attachments(base, args.mails, work)
            mixed = [
                reply(i, env.domain, data, name, ctype)
                for i, (name, ctype, data) in enumerate(attachments)
            ]
            counted = {k: list(kinds.values()).count(k) for k in sorted(set(kinds.values()))}
            print(f"setup: mixed inbox of {args.mails} mails: {counted}")
            rounds += [("mixed", mixed)] * args.mixed_repeat
        print(f"variants, each round: {', '.join(v[0] for v in variants)}; load {load()}")

        # --- bare fetch vs poll, the same mails, back to back, per round and variant ------
        ratios: dict[tuple[str, str], list[float]] = {}
        ratios_batches: dict[tuple[str, str], list[float]] = {}
        per_mail: dict[tuple[str, str], list[float]] = {}
        floors: list[float] = []
        cpus: dict[tuple[str, str], list[float]] = {}
        n_poll = 0
        for n_round, (what, batch_mails) in enumerate(rounds, start=1):
            turn = n_round % len(variants)  # each round starts with another variant
            for label, src, workers in variants[turn:] + variants[:turn]:
                n_poll += 1
                maildir = maildir_of(env, "baocao")
                drop_into(maildir, batch_mails)
                _, uids = server_uids(env, "baocao")
                assert len(uids) == len(batch_mails), len(uids)
                bare_fetch(env, "baocao", uids, args.batch)  # warm the server's caches for both
                bare_cpu = cpu_seconds(resource.RUSAGE_SELF), dovecot_cpu(env)
                t_bare, n = timed(lambda u=uids: bare_fetch(env, "baocao", u, args.batch))
                bare_client = cpu_seconds(resource.RUSAGE_SELF) - bare_cpu[0]
                bare_server = dovecot_cpu(env) - bare_cpu[1]
                floors.append(t_bare)
                config = workspace(env, "baocao", work / f"poll{n_poll}")
                text = config.read_text(encoding="utf-8")
                text = text.replace("timeout = 20", f"timeout = 20\nbatch_size = {args.batch}")
                if workers >= 0:
                    text += f"\n[intake]\nworkers = {workers}\n"
                config.write_text(text)
                cpu_server = dovecot_cpu(env)
                got = poll_in_process(config, src)
                cpu_server = dovecot_cpu(env) - cpu_server
                t_poll = float(got["seconds"])  # type: ignore[arg-type]
                t_deferred = float(got["deferred_seconds"])  # type: ignore[arg-type]
                fetched = int(got["fetched"])  # type: ignore[call-overload]
                t_batches = t_poll - t_deferred
                key = (what, label)
                ratio = t_poll / t_bare
                ratios.setdefault(key, []).append(ratio)
                print(
                    f"[{what} round {n_round}, {label}] bare imap-tools fetch ({n} mails, "
                    f"bulk={args.batch}): {t_bare:.2f}s; mailflow poll --once ({fetched} mails, "
                    f"moved {got['moved']}, kinds {got['kinds']}, documents {got['documents']})"
                    f": {t_poll:.2f}s; ratio {ratio:.2f}  (goal <= 1.3); load {load()}"
                )
                per_mail.setdefault(key, []).append(t_batches / fetched * 1000)
                ratios_batches.setdefault(key, []).append(t_batches / t_bare)
                print(
                    f"  batches (every mail recorded and moved): {t_batches:.2f}s = "
                    f"{t_batches / fetched * 1000:.2f} ms/mail, ratio {t_batches / t_bare:.2f}; "
                    f"then the deferred reading of {got['deferred']} documents: {t_deferred:.2f}s"
                )
                print(
                    f"  bare fetch CPU ms/mail: client {bare_client / n * 1000:.2f}, "
                    f"Dovecot {bare_server / n * 1000:.2f}"
                )
                print(stage_table(got["totals"], fetched, t_poll))  # type: ignore[arg-type]
                cpu = {
                    "poll": float(got["cpu_poll"]),  # type: ignore[arg-type]
                    "workers": float(got["cpu_workers"]),  # type: ignore[arg-type]
                    "Dovecot": cpu_server,
                }
                cpus.setdefault(key, []).append(sum(cpu.values()) / fetched * 1000)
                print(
                    "  CPU ms/mail: "
                    + ", ".join(f"{k} {v / fetched * 1000:.2f}" for k, v in cpu.items())
                    + f"; total {sum(cpu.values()) / fetched * 1000:.2f} = "
                    f"{sum(cpu.values()) / 2 / fetched * 1000:.2f} ms/mail of wall on 2 cores"
                )
        print(f"floor (bare fetch) over all rounds: {spread(floors)} s")
        for (what, label), values in ratios.items():
            print(f"ratio poll / bare fetch, {what} inbox, {label}: {spread(values)}")
            print(
                f"ratio batches / bare fetch, {what} inbox, {label}: "
                f"{spread(ratios_batches[(what, label)])}"
            )
            per = spread(per_mail[(what, label)])
            print(f"batches per mail (ms), {what} inbox, {label}: {per}")
            print(
                f"CPU per mail (ms, poll + workers + Dovecot), {what} inbox, {label}: "
                f"{spread(cpus[(what, label)])}"
            )
        for label, _, _ in variants:
            if ("docx", label) in per_mail and ("mixed", label) in per_mail:
                base_ms = statistics.median(per_mail[("docx", label)])
                mixed_ms = statistics.median(per_mail[("mixed", label)])
                print(
                    f"ordinary mail's cost in the mixed inbox, {label}: {mixed_ms:.2f} ms/mail vs "
                    f"{base_ms:.2f} in the all-.docx inbox (x{mixed_ms / base_ms:.2f}; goal: "
                    "unchanged)"
                )

        # --- idle polls -----------------------------------------------------------------
        if args.no_idle:
            return 0
        idle: dict[int, float] = {}
        floor: dict[int, float] = {}
        for local, count in (("spare1", args.idle_small), ("spare2", args.idle_large)):
            t_fill, _ = timed(
                lambda c=count, lp=local: drop_into(
                    maildir_of(env, lp), [small(i, env.domain) for i in range(c)]
                )
            )
            validity, held = server_uids(env, local)
            cfg_path = workspace(env, local, work / local)
            mark_processed(cfg_path, env, local, held, validity)
            times = idle_polls(cfg_path, args.idle_runs)
            idle[count] = statistics.median(times)
            logins = []
            for _ in range(args.idle_runs):
                took, _ = timed(lambda lp=local: env.imap(env.addr(lp)).logout())
                logins.append(took)
            floor[count] = statistics.median(logins)
            print(
                f"idle poll, inbox holding {count} processed mails (filled in {t_fill:.2f}s): "
                f"median {idle[count] * 1000:.1f} ms over {len(times)} polls "
                f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f})"
            )
            print(
                f"  bare imap-tools login + logout on the same inbox: "
                f"median {floor[count] * 1000:.1f} ms"
            )
        ratio = idle[args.idle_large] / idle[args.idle_small]
        print(
            f"ratio idle {args.idle_large} / {args.idle_small}: {ratio:.2f}  (goal <= 1.5); "
            f"bare login ratio {floor[args.idle_large] / floor[args.idle_small]:.2f}"
        )
    finally:
        mailenv.stop_real(env)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
