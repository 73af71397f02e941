"""Text normalisation shared by every area that compares what people typed.

Department replies and outlines come from Word on Windows, webmail, phones and PDF
extraction: the same heading may arrive in NFD (macOS, some PDF tools), with tabs or
no-break spaces after the number, with "Ð" (U+00D0) instead of "Đ", or without
diacritics at all (typed on a phone). Comparisons therefore go through ``fold`` and
numbers through ``split_number`` so every area agrees on what "the same" means.
Pure functions only: this module is part of the core.
"""

from __future__ import annotations

import re
import unicodedata

# Characters Word and PDF tools put where a reader sees a plain space.
_SPACES = "\t\u00a0\u1680\u202f\u205f\u3000" + "".join(map(chr, range(0x2000, 0x200B)))
_SPACE_RE = re.compile(f"[ {_SPACES}]+")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
# Letters that look like Vietnamese "đ"/"Đ" but are other code points (Icelandic eth,
# Croatian "đ" is the same code point). Folded before diacritics are dropped.
_D_MAP = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ɖ": "d", "Ɖ": "D"})
_DASHES = str.maketrans(
    {"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-"}
)


def nfc(text: str) -> str:
    """NFC with look-alike "Đ" (U+00D0) mapped to the Vietnamese letter (U+0110)."""
    return unicodedata.normalize("NFC", text).replace("\u00d0", "\u0110")


def clean(text: str) -> str:
    """NFC, zero-width characters removed, tabs/no-break spaces folded, trimmed.

    This is what a block's ``text`` holds: case and diacritics are kept because people
    read it, but invisible differences are gone.
    """
    text = nfc(text).translate(_ZERO_WIDTH)
    return _SPACE_RE.sub(" ", text).strip()


def strip_diacritics(text: str) -> str:
    """Drop Vietnamese (and other) diacritics; "đ" becomes "d"."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_MAP))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str, diacritics: bool = False) -> str:
    """The comparison key: cleaned, casefolded, dashes unified, diacritics dropped.

    ``diacritics=True`` keeps them (for places where "Phần" vs "Phan" matters less than
    precision); the default drops them because phone-typed replies often lack them.
    """
    text = clean(text).translate(_DASHES).casefold()
    if not diacritics:
        text = strip_diacritics(text)
    return text


def fold_words(text: str) -> str:
    """``fold`` plus punctuation turned into single spaces: for fuzzy matching."""
    return " ".join(re.findall(r"[^\W_]+", fold(text)))


# --- numbers ------------------------------------------------------------------------

_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
_ROMAN_RE = re.compile(r"^(?=[IVXLC])M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")
_ORDINALS = {
    "nhat": 1,
    "mot": 1,
    "hai": 2,
    "ba": 3,
    "tu": 4,
    "bon": 4,
    "nam": 5,
    "sau": 6,
    "bay": 7,
    "tam": 8,
    "chin": 9,
    "muoi": 10,
}


def roman_value(text: str) -> int | None:
    """Value of an upper-case Roman numeral ("IV" → 4), None if it is not one."""
    if not text or not _ROMAN_RE.match(text):
        return None
    total = 0
    for a, b in zip(text, [*text[1:], ""], strict=True):
        v = _ROMAN[a]
        total += -v if b and _ROMAN[b] > v else v
    return total


def to_roman(n: int, upper: bool = True) -> str:
    pairs = (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    )
    out = []
    for value, sym in pairs:
        while n >= value:
            out.append(sym)
            n -= value
    s = "".join(out)
    return s if upper else s.lower()


def to_letters(n: int, upper: bool = True) -> str:
    """Word's letter numbering: A..Z, then AA..ZZ, AAA.. (repeated, not base-26)."""
    if n <= 0:
        return ""
    letter = chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)
    return letter if upper else letter.lower()


def ordinal_value(word: str) -> int | None:
    """Vietnamese ordinal words of "Phần thứ nhất/hai/..." and digits/Roman numerals."""
    w = fold(word).strip(".:")
    if w.isdigit():
        return int(w)
    if w in _ORDINALS:
        return _ORDINALS[w]
    return roman_value(w.upper())


# A heading number at the start of a line. Order matters: "Phần" before Roman before
# dotted digits before letters before dashes. Matched on ``fold(text, diacritics=True)``
# is NOT needed: the patterns accept both forms so the original text can be sliced.
_PART_RE = re.compile(
    r"^(?P<label>(?:phần|phan|chương|chuong)\s+(?:thứ\s+|thu\s+)?(?P<ord>[\wÀ-ỹ]+))"
    r"\s*[.:\-–]?\s*(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_ROMAN_NUM_RE = re.compile(r"^(?P<n>[IVXLC]{1,7})\s*(?:[.:)]|\s-|\s–)\s*(?P<rest>.*)$", re.DOTALL)
# "II Kết quả" (the dot lost, or a tab after the number): only before a capital letter
_ROMAN_SPACE_RE = re.compile(r"^(?P<n>[IVXLC]{1,7})\s+(?P<rest>[^\W\d_].*)$", re.DOTALL)
_DOTTED_RE = re.compile(
    r"^(?P<n>\d{1,3}(?:\.\d{1,3}){0,4})(?P<dot>[.)/])?(?P<sep>\s*)(?P<rest>.*)$", re.DOTALL
)
_LETTER_RE = re.compile(r"^(?P<n>[a-zđ])\s*[).]\s*(?P<rest>.*)$", re.DOTALL)
_DASH_RE = re.compile(r"^(?P<n>[-–—−•])\s*(?P<rest>.*)$", re.DOTALL)
_PLUS_RE = re.compile(r"^\+\s*(?P<rest>.*)$", re.DOTALL)


def split_number(text: str) -> tuple[str, str, str]:
    """Split a heading's visible number from its title.

    Returns ``(kind, number, rest)`` where kind is one of "part" ("Phần thứ nhất"),
    "roman" ("II"), "dotted" ("2.1"), "letter" ("a"), "dash", "plus" or "" (no number).
    ``number`` is normalised (no trailing dot); ``rest`` is the remaining text. Accepts
    "1.Kết quả", "2.1 Kết quả", "2.1. Kết quả", "I - Kết quả", "Phần thứ hai".
    A bare year or figure ("2023 là năm ...", "1.234 tỷ") is not taken as a number.
    """
    text = clean(text)
    m = _PART_RE.match(text)
    if m and ordinal_value(m.group("ord")) is not None:
        return "part", clean(m.group("label")), m.group("rest").strip()
    m = _ROMAN_NUM_RE.match(text)
    if not m:
        m = _ROMAN_SPACE_RE.match(text)
        m = m if m and m.group("rest")[:1].isupper() else None
    if m and roman_value(m.group("n")) is not None:
        return "roman", m.group("n"), m.group("rest").strip()
    m = _DOTTED_RE.match(text)
    if m:
        number, dot, sep, rest = m.group("n"), m.group("dot"), m.group("sep"), m.group("rest")
        multi = "." in number
        # "1.Kết quả" (dot, no space) and "2.1 Kết quả" (no dot) are numbers; "2023 ..."
        # or "1.234 tỷ" are not: require a dot/paren, or several levels and a space.
        if rest and rest[0].isdigit():
            return "", "", text
        if (dot or (multi and sep)) and all(int(p) < 200 for p in number.split(".")):
            return "dotted", number, rest.strip()
    m = _LETTER_RE.match(text)
    if m and m.group("rest")[:1].isupper():
        return "letter", m.group("n"), m.group("rest").strip()
    m = _DASH_RE.match(text)
    if m and m.group("rest"):
        return "dash", "-", m.group("rest").strip()
    m = _PLUS_RE.match(text)
    if m and m.group("rest"):
        return "plus", "+", m.group("rest").strip()
    return "", "", text


# --- closest unit names -------------------------------------------------------------

# Words every unit name has; they say little about which unit is meant.
_GENERIC = frozenset({"phong", "van", "so", "trung", "tam", "ban", "va", "cua", "chi", "cuc"})


def title_key(text: str) -> str:
    """A title as two titles are compared: folded, its numbering or dash dropped, trailing
    punctuation and ellipsis stripped ("2.1. Những kết quả đạt được:" → "nhung ket qua
    dat duoc")."""
    return fold(split_number(text)[2] or text).strip(" .:;…")


def _abbreviation(word: str) -> bool:
    """ "ĐMST", "QLCN", "CN": an upper-case run of 2-6 letters stands for initials."""
    return 2 <= len(word) <= 6 and word.isupper() and word.isalpha()


def name_likeness(fragment: str, name: str) -> float:
    """How well ``fragment`` names unit ``name``, 0..1, abbreviations and order aside.

    Why not plain fuzzy ratio: people shorten ("Phòng Quản lý Công nghệ - ĐMST", "QL
    khoa học") and reorder ("Tài chính kế hoạch"); a character ratio then favours short
    names that share "Phòng". Here each word of the fragment is looked for among the
    name's words, an upper-case abbreviation among the initials of consecutive words,
    generic words ("Phòng", "Trung tâm") count little, and the score is the mean of how
    much of the fragment and how much of the name were accounted for.
    """
    raw = re.findall(r"[^\W_]+", clean(fragment).translate(_D_MAP))
    words = fold_words(name).split()
    if not raw or not words:
        return 0.0
    initials = "".join(w[0] for w in words)
    covered = [False] * len(words)

    def weight(word: str) -> float:
        return 0.2 if word in _GENERIC else 1.0

    got = total = 0.0
    for token in raw:
        key = fold(token)
        if _abbreviation(token) and (at := initials.find(key)) >= 0:
            for i in range(at, at + len(key)):
                covered[i] = True
            got += len(key)
            total += len(key)
            continue
        total += weight(key)
        hits = [i for i, w in enumerate(words) if w == key]
        if hits:
            got += weight(key)
            covered[hits[0]] = True
    fragment_part = got / total if total else 0.0
    name_total = sum(weight(w) for w in words)
    name_part = sum(weight(w) for w, c in zip(words, covered, strict=True) if c) / name_total
    return (fragment_part + name_part) / 2


def rank_names(fragment: str, names: list[str], limit: int = 3, floor: float = 0.3) -> list[str]:
    """The unit names closest to ``fragment``, best first (at most ``limit``)."""
    scored = sorted(((name_likeness(fragment, n), n) for n in names), key=lambda s: -s[0])
    out: list[str] = []
    for score, name in scored:
        if score >= floor and name not in out:
            out.append(name)
    return out[:limit]
