"""The README's config table is generated from the config dataclasses and must match.

The schema (key, type, default, help) lives once, in mailflow/config.py's dataclass
fields; these tests keep the README and the loader's defaults true to it.
"""

from __future__ import annotations

from dataclasses import MISSING, fields
from pathlib import Path
from typing import get_type_hints

import pytest

from mailflow.config import (
    README_END,
    README_START,
    REGENERATE,
    CampaignKeys,
    DaemonSettings,
    DepartmentKeys,
    DraftSettings,
    IntakeSettings,
    Mailbox,
    MatchingSettings,
    load,
    markdown_table,
    readme_with_table,
)
from mailflow.model import Campaign, Department

README = Path(__file__).parent.parent / "README.md"

MINIMAL = """\
[office]
name = "Văn phòng"
emails = ["vp@example.org"]

[mailbox]
address = "bot@example.org"
password_env = "MAILFLOW_TEST_PASSWORD"
imap = { host = "mail.example.org", port = 993 }
smtp = { host = "mail.example.org", port = 465 }
"""


def test_the_readme_config_table_is_the_generated_one() -> None:
    text = README.read_text(encoding="utf-8")
    assert README_START in text and README_END in text, "README.md lost its config-table markers"
    start = text.index(README_START) + len(README_START)
    written = text[start : text.index(README_END)].strip("\n")
    assert written == markdown_table().strip("\n"), (
        f"README.md's config table differs from the config dataclasses; run: {REGENERATE}"
    )


def test_regenerating_replaces_only_the_text_between_the_markers() -> None:
    readme = f"# Title\n\nbefore\n{README_START}\n| old | table |\n{README_END}\nafter\n"
    out = readme_with_table(readme)
    assert out.startswith(f"# Title\n\nbefore\n{README_START}\n| key | default | meaning |\n")
    assert out.endswith(f"{README_END}\nafter\n")
    assert "| old | table |" not in out


def test_every_key_of_a_derived_table_has_a_row_with_its_help() -> None:
    table = markdown_table()
    for label, cls in (
        ("[draft]", DraftSettings),
        ("[daemon]", DaemonSettings),
        ("[intake]", IntakeSettings),
        ("[matching]", MatchingSettings),
        ("[mailbox]", Mailbox),
        ("[[departments]]", DepartmentKeys),
        ("[[campaigns]]", CampaignKeys),
    ):
        for f in fields(cls):
            row = f"| `{label} {f.name}` |"
            assert row in table, row
            assert f.metadata["help"].split(";")[0] in table


def test_tables_left_out_of_the_file_load_as_their_dataclass_defaults(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    cfg = load(path)
    assert cfg.draft == DraftSettings()
    assert cfg.intake == IntakeSettings()
    assert cfg.matching == MatchingSettings()
    assert cfg.daemon == DaemonSettings()
    for f in fields(Mailbox):
        if f.default is not MISSING and f.name != "password_env":
            assert getattr(cfg.mailbox, f.name) == f.default, f.name
    assert (cfg.mailbox.imap.security, cfg.mailbox.imap.tls_verify) == ("ssl", True)
    assert cfg.lang == "vi" and cfg.state_path == (tmp_path / "state.sqlite").resolve()
    assert cfg.mailserver.data_dir == (tmp_path / "mailserver-data").resolve()


@pytest.mark.parametrize(
    ("keys", "value"), [(DepartmentKeys, Department), (CampaignKeys, Campaign)]
)
def test_an_entrys_keys_are_the_fields_of_the_value_it_loads_as(keys: type, value: type) -> None:
    """A key added to ``model.Department``/``Campaign`` must be declared (type, default,
    help) in the config schema, and the other way round: one list of keys, not two."""
    assert [f.name for f in fields(keys)] == [f.name for f in fields(value)]
    assert get_type_hints(keys) == get_type_hints(value)


def test_an_entrys_optional_keys_load_as_their_declared_defaults(tmp_path: Path) -> None:
    (tmp_path / "o.docx").write_bytes(b"x")
    entries = (
        '\n[[departments]]\ncode = "VP"\nname = "Văn phòng"\nemails = ["vp@example.org"]\n'
        '\n[[campaigns]]\nid = "c1"\ntitle = "T"\noutline = "o.docx"\ndirective = "o.docx"\n'
        "deadline = 2024-01-31\n"
    )
    path = tmp_path / "config.toml"
    path.write_text(MINIMAL + entries, encoding="utf-8")
    cfg = load(path)
    (dept,), (camp,) = cfg.departments, cfg.campaigns
    for f in fields(DepartmentKeys):
        if f.default is not MISSING:
            assert getattr(dept, f.name) == f.default, f.name
    for f in fields(CampaignKeys):
        if f.default is not MISSING and f.name != "token":
            assert getattr(camp, f.name) == f.default, f.name
    assert camp.token == "C1"  # the id in capitals, as the README's table says
