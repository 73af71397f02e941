"""Shared fixtures: the two mail servers and a workspace with a config for them."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import mailenv
from mailenv import MailEnv

os.environ.setdefault("MAILFLOW_TEST_PASSWORD", mailenv.PASSWORD)


@pytest.fixture(autouse=True)
def _process_language_restored() -> Iterator[None]:
    """A CLI run with ``--lang en`` sets the process language; the next test must not
    inherit it (whichever order xdist gives the files)."""
    from mailflow import i18n

    before = i18n.get_lang()
    yield
    i18n.set_lang(before)


@pytest.fixture(autouse=True, scope="module")
def _module_language_restored() -> Iterator[None]:
    """A module-scoped fixture that runs the CLI with ``--lang en`` sets the language for
    the rest of its module; the next module on the same worker starts from the language it
    would have had alone (set up before any other module fixture, torn down after them)."""
    from mailflow import i18n

    before = i18n.get_lang()
    yield
    i18n.set_lang(before)


@pytest.fixture(scope="session")
def _real_server() -> Iterator[MailEnv | None]:
    yield from mailenv.session_real()


@pytest.fixture(params=["embedded", "real"])
def mail_env(request: pytest.FixtureRequest) -> Iterator[MailEnv]:
    """Each integration test runs once per server: ids end in [embedded] and [real]."""
    if request.param == "embedded":
        env = mailenv.start_embedded()
        try:
            yield env
        finally:
            mailenv.stop_embedded(env)
        return
    real = mailenv.real_env(request)
    yield real


@pytest.fixture
def embedded_env() -> Iterator[MailEnv]:
    """Only the embedded server, for tests about the embedded server itself."""
    env = mailenv.start_embedded()
    try:
        yield env
    finally:
        mailenv.stop_embedded(env)


@pytest.fixture
def workspace(tmp_path: Path, mail_env: MailEnv) -> Path:
    """A folder with a config.toml for the seed campaign on ``mail_env``."""
    path = tmp_path / "config.toml"
    path.write_text(mail_env.config_text(), encoding="utf-8")
    return path


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs at ``tmp_path/archive`` (the workspace's archive folder): the only
    honest way to fill a disk in a test. Mounting needs root, as CI has."""
    if os.geteuid() != 0:
        pytest.skip("mounting a size-limited tmpfs needs root (CI runs as root)")
    mount = tmp_path / "archive"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
