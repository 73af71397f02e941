"""Legacy 8-bit Vietnamese fonts: which font names they are, and their text as Unicode.

Why: many offices still type in TCVN3 (ABC) fonts (".VnTime", ".VnArial", ".VnTimeH"…)
or VNI fonts ("VNI-Times", "VNI-Helve"…). Word stores such text as the Latin-1/cp1252
letters of the font's byte codes ("B¸o c¸o kÕt qu¶" for "Báo cáo kết quả"); it reads as
Vietnamese only where the font is installed. Matching, previews and the draft need the
Vietnamese it is, and Decree 30/2020/NĐ-CP wants official documents in Unicode.

Pure: the shell hands in the TCVN3 byte table (derived from glibc iconv's TCVN5712-1 in
``adapters/legacy_fonts.py``, not written here) and the texts of a paragraph's runs.

- TCVN3 (TCVN 5712:1993 "VN3", the font subset of VN1): one code per letter; capitals
  with a tone mark have no code (iconv's VN1 puts them in C0/C1 and a few high codes,
  which a TCVN3 font does not carry: those stay as they are). Its five combining tone
  marks (0xB0–0xB4) join the letter before them (NFC). A font named ".Vn…H" shows every
  letter as a capital: its text is upper-cased after decoding.
- VNI-Windows: a vowel is followed by a modifier letter ("aù" = á, "eâ" = ê, "aá" = ấ);
  đ, ơ, ư and the i/y letters with a tone have codes of their own. No Debian tool or
  library decodes it correctly (GNU recode's "VNI" also maps every lone byte 0x80–0xFF
  to a VISCII letter, so curly quotes, dashes and © in a VNI run would become Ộ, Ờ, ẹ):
  the table below is written from the published VNI-Windows chart, as modifiers →
  combining marks, the letters composed by NFC (no precomposed letter is typed here).
  It is tested against recode on whole reports (pairs only) in
  tests/test_formats_legacy_fonts.py.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

TCVN3 = "TCVN3"
VNI = "VNI"

#: the five Vietnamese tone marks (combining): grave, acute, tilde, hook above, dot below
TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")

_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
_CIRC, _BREVE = "\u0302", "\u0306"
# VNI-Windows modifiers (lower case code; its capital twin is the upper-case letter):
# the combining marks each adds, and the base letters it may follow.
_VNI_TONES = {"ù": _ACUTE, "ø": _GRAVE, "û": _HOOK, "õ": _TILDE, "ï": _DOT}
_VNI_CIRC = {"â": "", "á": _ACUTE, "à": _GRAVE, "å": _HOOK, "ã": _TILDE, "ä": _DOT}
_VNI_BREVE = {"ê": "", "é": _ACUTE, "è": _GRAVE, "ú": _HOOK, "ü": _TILDE, "ë": _DOT}
# VNI-Windows letters with a code of their own (lower case; the capital likewise)
_VNI_LETTERS = {"ñ": "đ", "ô": "ơ", "ö": "ư", "ò": "ị", "ó": "ĩ", "æ": "ỉ", "î": "ỵ"}


def _vni_modifiers() -> dict[str, tuple[str, str]]:
    """modifier character → (combining marks, base letters it follows), both cases."""
    out: dict[str, tuple[str, str]] = {}
    for table, marks_before, bases in (
        (_VNI_TONES, "", "aeouyơư"),
        (_VNI_CIRC, _CIRC, "aeo"),
        (_VNI_BREVE, _BREVE, "a"),
    ):
        for code, mark in table.items():
            out[code] = out[code.upper()] = (marks_before + mark, bases)
    return out


_VNI_MODIFIERS = _vni_modifiers()
_VNI_SINGLE = {**_VNI_LETTERS, **{k.upper(): v.upper() for k, v in _VNI_LETTERS.items()}}


@dataclass(frozen=True)
class Legacy:
    """A legacy font's encoding; ``capitals``: a ".Vn…H" font that shows only capitals."""

    encoding: str  # TCVN3 | VNI
    capitals: bool = False


def legacy_font(name: str | None) -> Legacy | None:
    """The legacy encoding a font name stands for, or None for any other font.

    TCVN3/ABC fonts are named ".Vn…" (".VnTime", ".VnCentury Schoolbook"); the ones
    ending in a capital "H" (".VnTimeH", ".VnArialH") are the capitals-only twins. VNI
    fonts are named "VNI-…" ("VNI-Times", "VNI-Helve"). Case of the prefix is ignored
    (files written by other tools change it); the "H" is not (".VnTimeh" is no font).
    """
    if not name:
        return None
    name = name.strip()
    low = name.lower()
    if low.startswith(".vn") and len(name) > 3:
        return Legacy(TCVN3, capitals=name.endswith("H"))
    if low.startswith(("vni-", "vni ")) and len(name) > 4:
        return Legacy(VNI)
    return None


def tcvn3_table(vn1: Mapping[int, str]) -> dict[str, str]:
    """The TCVN3 (VN3) decoding table from iconv's TCVN5712-1 (VN1) one, byte → text.

    Only codes 0xA0–0xFF count: Word stores them as the same Latin-1 letters whatever
    the code page. Kept: every code VN1 maps to a letter other than itself, except the
    capitals with a tone mark (VN1-only: no TCVN3 font has them, so a character at that
    code in a ".Vn" run is whatever the typist put there and stays as it is).
    """
    out: dict[str, str] = {}
    for code, text in vn1.items():
        if not 0xA0 <= code <= 0xFF or len(text) != 1 or text == chr(code):
            continue
        if text.isupper() and TONE_MARKS & set(unicodedata.normalize("NFD", text)):
            continue
        out[chr(code)] = text
    return out


def _symbol(ch: str) -> str:
    """A character Word stored in the symbol area (U+F020–U+F0FF) → its byte's letter."""
    code = ord(ch)
    return chr(code - 0xF000) if 0xF020 <= code <= 0xF0FF else ch


def decode_runs(runs: Sequence[tuple[str, Legacy | None]], tcvn3: Mapping[str, str]) -> list[str]:
    """The Unicode text of consecutive runs of one paragraph, each (text, its legacy font).

    A run whose font is None is returned as it is and separates the runs around it. A
    TCVN3 combining tone mark or a VNI modifier at the start of a run joins the letter
    that ended the run before it (Word splits runs anywhere: spelling marks, revisions),
    and that composed letter stays in the earlier run. A capitals font upper-cases its
    own run only.
    """
    pieces: list[list[str]] = []
    last: tuple[int, int] | None = None  # (run, piece) of the letter a mark may join
    last_encoding = ""
    for r, (text, legacy) in enumerate(runs):
        out: list[str] = []
        pieces.append(out)
        if legacy is None:
            out.append(text)
            last = None
            continue
        if legacy.encoding != last_encoding:
            last = None
        last_encoding = legacy.encoding
        for raw in text:
            ch = _symbol(raw)
            if legacy.encoding == TCVN3:
                uni = tcvn3.get(ch, ch)
                if unicodedata.combining(uni) and last is not None:
                    lr, lp = last
                    pieces[lr][lp] = unicodedata.normalize("NFC", pieces[lr][lp] + uni)
                    continue
                out.append(uni)
                last = (r, len(out) - 1) if uni.isalpha() else None
                continue
            modifier = _VNI_MODIFIERS.get(ch)
            if modifier is not None and last is not None:
                lr, lp = last
                base = pieces[lr][lp]
                marks, bases = modifier
                joined = unicodedata.normalize("NFC", base + marks)
                if base.lower() in bases and len(joined) == 1:
                    pieces[lr][lp] = joined
                    last = None
                    continue
            uni = _VNI_SINGLE.get(ch, ch)
            out.append(uni)
            last = (r, len(out) - 1) if uni.lower() in "aeouyơư" else None
    texts = ["".join(p) for p in pieces]
    return [
        text.upper() if legacy is not None and legacy.capitals else text
        for text, (_, legacy) in zip(texts, runs, strict=True)
    ]


def decode(text: str, legacy: Legacy, tcvn3: Mapping[str, str]) -> str:
    """One run's text in ``legacy`` as Unicode (see ``decode_runs``)."""
    return decode_runs([(text, legacy)], tcvn3)[0]
