"""Benchmark of intake: `poll --once` vs a bare imap-tools fetch, through a real Dovecot.

    python -m bench.intake [--mails 1000] [--idle-large 10000]

Starts a throw-away Postfix + Dovecot (tests/servers/real-start.sh; needs root). Mail is
put straight into the account's Maildir (setup, timed on its own), then in the same run:

- **bare**: imap-tools ``MailBox.fetch(AND(uid=...), bulk=batch, mark_seen=False)`` over
  the same UIDs: the least any IMAP client does (it also parses each mail);
- **mailflow**: ``jobs.poll.poll_once`` in-process on a fresh state: per batch FETCH
  BODY.PEEK[] → archive each raw mail and each document (fsync'ed, content-addressed) →
  parse → identify → unpack (OOXML checks of the .docx) → ONE SQLite commit → MOVE;

and an **idle poll** (nothing new) on an inbox holding 10 vs ``--idle-large`` mails
already processed (stored state says so): it must cost the same (goal ratio <= 1.5)
because it does one SELECT/STATUS and a UID SEARCH above the last UID, nothing per mail.
"""

from __future__ import annotations

import argparse
import io
import os
import pwd
import random
import shutil
import sqlite3
import statistics
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


def reply(i: int, domain: str, data: bytes) -> bytes:
    sender = SENDERS[i % len(SENDERS)]
    msg = EmailMessage()
    msg["From"] = f"{sender}@{domain}"
    msg["To"] = f"baocao@{domain}"
    msg["Subject"] = f"Báo cáo 2023-H1 số {i}"
    msg["Date"] = "Mon, 10 Jul 2023 09:00:00 +0700"
    msg["Message-ID"] = f"<bench{i}@{domain}>"
    msg.set_content(f"Phòng gửi báo cáo số {i}.")
    msg.add_attachment(
        data,
        maintype="application",
        subtype=DOCX_TYPE.split("/")[1],
        filename=f"Báo cáo số {i}.docx",
    )
    return msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))


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
    from mailflow import config as config_mod
    from mailflow.adapters.archive import Archive
    from mailflow.adapters.store import Store
    from mailflow.jobs.poll import poll_once

    cfg = config_mod.load(config)
    store, archive = Store(cfg.state_path), Archive(cfg.archive_dir)
    times = []
    for _ in range(runs):
        took, result = timed(lambda: poll_once(cfg, store, archive))
        assert result.fetched == 0, result  # type: ignore[attr-defined]
        times.append(took)
    store.close()
    return times


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.intake", description=__doc__)
    ap.add_argument("--mails", type=int, default=1000)
    ap.add_argument("--idle-small", type=int, default=10)
    ap.add_argument("--idle-large", type=int, default=10_000)
    ap.add_argument("--idle-runs", type=int, default=31)
    ap.add_argument("--batch", type=int, default=50, help="mailbox.batch_size")
    args = ap.parse_args(argv)

    import mailenv

    if not mailenv.real_available():
        print("needs root with Postfix and Dovecot installed", file=sys.stderr)
        return 2
    os.environ.setdefault("MAILFLOW_TEST_PASSWORD", mailenv.PASSWORD)
    from mailflow import config as config_mod
    from mailflow.adapters.archive import Archive
    from mailflow.adapters.store import Store
    from mailflow.jobs.poll import poll_once

    work = Path(tempfile.mkdtemp(prefix="mf-bench-intake-"))
    print(f"starting Postfix + Dovecot … (work in {work})")
    env = mailenv.start_real()
    try:
        # --- setup: build and deliver -------------------------------------------------
        base = base_docx()
        t_build, docs = timed(lambda: [report_docx(base, i) for i in range(args.mails)])
        mails = [reply(i, env.domain, d) for i, d in enumerate(docs)]  # type: ignore[attr-defined]
        size = sum(map(len, mails)) / len(mails)
        t_deliver, _ = timed(lambda: drop_into(maildir_of(env, "baocao"), mails))
        t_index, (_, uids) = timed(lambda: server_uids(env, "baocao"))
        assert len(uids) == args.mails, len(uids)
        print(
            f"setup: built {args.mails} replies (avg {size / 1024:.1f} KB, .docx "
            f"{len(docs[0]) / 1024:.1f} KB) in {t_build:.1f}s, "  # type: ignore[index]
            f"Maildir delivery {t_deliver:.2f}s, Dovecot first index {t_index:.2f}s"
        )

        # --- bare fetch vs poll ---------------------------------------------------------
        bare_fetch(env, "baocao", uids, args.batch)  # warm the server's caches for both
        t_bare, n = timed(lambda: bare_fetch(env, "baocao", uids, args.batch))
        config = workspace(env, "baocao", work / "poll")
        text = config.read_text(encoding="utf-8")
        config.write_text(text.replace("timeout = 20", f"timeout = 20\nbatch_size = {args.batch}"))
        cfg = config_mod.load(config)
        store, archive = Store(cfg.state_path), Archive(cfg.archive_dir)
        t_poll, result = timed(lambda: poll_once(cfg, store, archive))
        store.close()
        kinds: dict[str, int] = {}
        for o in result.outcomes:  # type: ignore[attr-defined]
            kinds[o.kind] = kinds.get(o.kind, 0) + 1
        docs_n = (
            sqlite3.connect(cfg.state_path).execute("SELECT count(*) FROM documents").fetchone()
        )
        print(f"bare imap-tools fetch ({n} mails, bulk={args.batch}): {t_bare:.2f}s")
        print(
            f"mailflow poll --once ({result.fetched} mails, moved {result.moved}, "  # type: ignore[attr-defined]
            f"kinds {kinds}, documents {docs_n[0]}): {t_poll:.2f}s"
        )
        print(f"ratio poll / bare fetch: {t_poll / t_bare:.2f}  (goal <= 1.3)")

        # --- idle polls -----------------------------------------------------------------
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
