"""The message catalogue: every sentence a person reads goes through ``t``.

Vietnamese is the default; ``--lang en`` (or ``MAILFLOW_LANG=en``) switches. The
catalogue is split by area under ``mailflow/messages/`` so each area keeps its own
sentences, but there is one lookup and one rule: a key missing in a language falls
back to Vietnamese, a key missing everywhere is a bug caught by the tests.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from mailflow.messages import CATALOGUE

LANGS = ("vi", "en")
_lang = os.environ.get("MAILFLOW_LANG", "vi") if os.environ.get("MAILFLOW_LANG") in LANGS else "vi"


def set_lang(lang: str) -> None:
    global _lang
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    _lang = lang


def get_lang() -> str:
    return _lang


@contextmanager
def speaking(lang: str) -> Iterator[None]:
    """``lang`` inside the block, the language before it after (a mail to the Office is in
    the config's language, whatever the terminal's)."""
    before = _lang
    set_lang(lang)
    try:
        yield
    finally:
        set_lang(before)


def t(key: str, lang: str | None = None, /, **params: object) -> str:
    """Render catalogue entry ``key`` in ``lang`` (default: the current language)."""
    entry: Mapping[str, str] = CATALOGUE[key]
    text = entry.get(lang or _lang) or entry["vi"]
    return text.format(**params) if params else text
