"""One catalogue: every key has both languages, every key used in code exists."""

from __future__ import annotations

import re
from pathlib import Path

from mailflow.i18n import t
from mailflow.messages import CATALOGUE

SRC = Path(__file__).parent.parent / "mailflow"
KEY_USE = re.compile(r"""\bt\(\s*["']([a-z_]+\.[a-z0-9_.]+)["']""")


def test_every_message_has_vietnamese_and_english() -> None:
    missing = [k for k, v in CATALOGUE.items() if not v.get("vi") or not v.get("en")]
    assert missing == []


def test_every_key_used_in_code_is_in_the_catalogue() -> None:
    used = {m.group(1) for p in SRC.rglob("*.py") for m in KEY_USE.finditer(p.read_text("utf-8"))}
    assert sorted(used - CATALOGUE.keys()) == []


def test_placeholders_match_between_languages() -> None:
    field = re.compile(r"{(\w+)}")
    bad = [
        k
        for k, v in CATALOGUE.items()
        if set(field.findall(v["vi"])) != set(field.findall(v["en"]))
    ]
    assert bad == []


def test_lang_argument_selects_english() -> None:
    assert t("cli.error", "en") == "Error"
    assert t("cli.error", "vi") == "Lỗi"
