"""Issue 12 item 3: no draft version without news (daemon over simulated days).

The daemon runs every evening on a frozen clock. A department replies once; on the
other days nothing arrives. Only the first draft and the one after the reply are new
versions; the final draft at the deadline mails the last version again; the daily
digest of a day without news is skipped, or is a one-line note without a draft.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from daemon_support import (
    Departments,
    loop_kind,
    outline_of,
    parsed,
    rows,
    send_directives,
    with_daemon_settings,
)

import mailenv
from mailenv import MailEnv
from mailflow import config as config_mod
from mailflow.clock import FrozenClock
from mailflow.daemon import Daemon
from mailflow.demo import Act
from mailflow.i18n import t

START = datetime(2023, 7, 12, 8, 0)  # deadline 21/7
REPLY = Act(datetime(2023, 7, 14, 9, 0), "QLCN", "verbatim")


def _run(env: MailEnv, folder: object, end: datetime, script: tuple[Act, ...], **daemon: str):  # type: ignore[no-untyped-def]
    path = folder / "config.toml"  # type: ignore[operator]
    path.write_text(
        with_daemon_settings(env.config_text(), draft_pdf='"none"', **daemon), encoding="utf-8"
    )
    cfg = config_mod.load(path)
    clock = FrozenClock(START)
    assert send_directives(cfg, clock.now()) == 6
    deps = Departments(env, cfg, outline_of(cfg))
    moments = {a.at for a in script}
    day = START
    while day <= end:
        moments.add(day.replace(hour=17, minute=30))
        day += timedelta(days=1)
    d = Daemon(cfg, clock).open()
    try:
        for moment in sorted(m for m in moments if START < m <= end):
            clock.set(moment)
            for act in script:
                if act.at == moment:
                    deps.act(act)
            d.run_all()
    finally:
        d.close()
    return cfg


@pytest.fixture(scope="module", params=["embedded", "real"])
def quiet_run(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[config_mod.Config, MailEnv]]:
    env = mailenv.start_embedded() if request.param == "embedded" else mailenv.real_env(request)
    try:
        cfg = _run(env, tmp_path_factory.mktemp("quiet"), datetime(2023, 7, 22, 18, 0), (REPLY,))
        yield cfg, env
    finally:
        if env.kind == "embedded":
            mailenv.stop_embedded(env)


def test_days_without_news_make_no_new_draft_version(
    quiet_run: tuple[config_mod.Config, MailEnv],
) -> None:
    cfg, _env = quiet_run
    versions = [r["version"] for r in rows(cfg.state_path, "SELECT version FROM drafts")]
    assert versions == [1, 2]  # the first draft, and the one after QLCN's reply


def test_a_digest_without_news_is_skipped_and_the_final_resends_the_last_version(
    quiet_run: tuple[config_mod.Config, MailEnv],
) -> None:
    cfg, env = quiet_run
    sends = rows(
        cfg.state_path, "SELECT * FROM sends WHERE kind IN ('draft', 'digest') ORDER BY id"
    )
    # 12/7 the first digest (v1), 14/7 the update after the reply (v2), 21/7 the final
    assert [(s["kind"], json.loads(s["detail"])["version"]) for s in sends] == [
        ("digest", 1),
        ("draft", 2),
        ("draft", 2),
    ]
    assert sends[-1]["dedupe_key"] == "final:2023-h1"
    office = [parsed(m) for m in env.messages(cfg.office.emails[0])]
    assert len([m for m in office if loop_kind(m) in ("draft", "digest")]) == 3


def test_a_digest_without_news_can_be_a_one_line_note_without_a_draft(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    env = mailenv.start_embedded()
    try:
        cfg = _run(
            env,
            tmp_path_factory.mktemp("note"),
            datetime(2023, 7, 14, 18, 0),
            (),
            digest_when_unchanged='"note"',
        )
        versions = [r["version"] for r in rows(cfg.state_path, "SELECT version FROM drafts")]
        assert versions == [1]
        digests = rows(cfg.state_path, "SELECT * FROM sends WHERE kind = 'digest' ORDER BY id")
        assert [d["dedupe_key"].rsplit(":", 1)[1] for d in digests] == [
            "2023-07-12",
            "2023-07-13",
            "2023-07-14",
        ]
        office = [parsed(m) for m in env.messages(cfg.office.emails[0])]
        digests_in = [m for m in office if loop_kind(m) == "digest"]
        notes = [m for m in digests_in if not any(True for _ in m.iter_attachments())]
        assert len(notes) == 2
        body = notes[0].get_body(("plain",))
        assert body is not None
        title = cfg.campaigns[0].title
        expected = t("review.office_nothing_new", cfg.lang, title=title, version=1)
        assert body.get_content().strip() == expected
    finally:
        mailenv.stop_embedded(env)
