"""Runs typed in legacy Vietnamese fonts (TCVN3 ".Vn…", VNI "VNI-…") → Unicode, at intake.

Why: see ``core/legacy_fonts.py``. Called once per accepted Word document by
``unpack._Walker.word`` after the sanitiser (so a .doc, converted by LibreOffice first,
goes the same way), it rewrites the docx form: the text of every run whose effective
font is a legacy one becomes Unicode; the run loses that font name (it takes the body
font of its style, and in the draft the draft's own), and a legacy font left in the
styles, the document defaults or the theme becomes Times New Roman (Decree 30's font).
The original bytes stay in the archive as sent.

The effective font of a run, as Word resolves it for Latin letters: the ``hAnsi`` slot
(``ascii`` when no level names ``hAnsi``) of the run's own ``w:rFonts``, else of its
character style and the styles it is based on, else of its paragraph's style (or the
default paragraph style) and their bases, else the document defaults; a ``…Theme``
attribute names the theme's major/minor Latin font and wins over the plain name at its
level. Table styles and list-number fonts are not consulted (numbers are ASCII).

Cost: a document without a legacy font name in ``document.xml``, ``styles.xml`` or the
theme is decided by four substring searches per part (``names_legacy``), done by
``unpack`` with its other per-part facts, so a template's styles part met again costs
nothing (a Word template's styles.xml is 350 KB: ~50 µs to search each time).
"""

from __future__ import annotations

import functools
import io
import re
import subprocess
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lxml import etree

from mailflow.adapters import bytescan
from mailflow.core.legacy_fonts import Legacy, decode_runs, legacy_font, tcvn3_table

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
#: the Unicode font a legacy font name is replaced by where a name must stay (styles,
#: document defaults, theme): Decree 30/2020's font for official documents
UNICODE_FONT = "Times New Roman"
#: a legacy font name as an attribute's value (".Vn…", "VNI-…"), as Word and LibreOffice
#: write it: four SIMD searches, ~1 µs each on a reply's document.xml ("=" first: a byte
#: rarer in XML than the quote, so the search skips further)
_MARKERS = (b'=".V', b'=".v', b'="VNI', b'="Vni')
_SLOTS = ("hAnsi", "ascii")
_FONT_ATTRS = ("ascii", "hAnsi", "cs", "eastAsia")
_THEME_ATTRS = ("asciiTheme", "hAnsiTheme", "cstheme", "eastAsiaTheme")
_STORY_PREFIXES = ("word/document", "word/header", "word/footer")
_STORY_NAMES = ("word/footnotes.xml", "word/endnotes.xml", "word/comments.xml")


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


def _is_story(low: str) -> bool:
    return low in _STORY_NAMES or (low.startswith(_STORY_PREFIXES) and low.endswith(".xml"))


def _is_theme(low: str) -> bool:
    return low.startswith("word/theme/") and low.endswith(".xml")


def names_legacy(part: bytes) -> bool:
    """Whether an XML part may name a legacy font (a substring test; False is sure)."""
    return bytescan.contains_any(part, _MARKERS)


def may_decide(name: str) -> bool:
    """Whether a part (lower-case name) can give a run its font: story, styles, theme."""
    return _is_story(name) or name == "word/styles.xml" or _is_theme(name)


def might_hold(parts: Iterable[tuple[str, bytes]]) -> bool:
    """Whether a legacy font may be named in the story, styles or theme parts (cheap)."""
    return any(may_decide(name.lower()) and names_legacy(blob) for name, blob in parts)


@functools.cache
def tcvn3() -> Mapping[str, str]:
    """The TCVN3 decoding table, from glibc iconv's TCVN5712-1 (all 256 codes, once).

    Empty when iconv is missing or does not know the charset: TCVN3 runs are then left
    as they are (VNI needs no tool).
    """
    vn1: dict[int, str] = {}
    try:
        done = subprocess.run(
            ["iconv", "-f", "TCVN5712-1", "-t", "UTF-32LE"],
            input=bytes(range(0xA0, 0x100)),
            capture_output=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return {}
    if done.returncode != 0:
        return {}
    text = done.stdout.decode("utf-32-le", errors="replace")
    if len(text) != 0x60:  # a table of another shape: trust none of it
        return {}
    for code, ch in zip(range(0xA0, 0x100), text, strict=True):
        vn1[code] = ch
    return tcvn3_table(vn1)


@dataclass
class _Fonts:
    """What ``styles.xml`` and the theme say about fonts, for resolving a run's font."""

    styles: dict[str, etree._Element]  # styleId → w:style
    default_para: str | None
    defaults: etree._Element | None  # w:rPrDefault/w:rPr/w:rFonts
    theme: dict[str, str]  # "minorHAnsi" → typeface

    def font(self, rfonts: etree._Element | None) -> tuple[bool, str | None]:
        """(this level names the slot, the font it names) for the first slot present."""
        if rfonts is None:
            return False, None
        for slot in _SLOTS:
            themed = rfonts.get(_w(f"{slot}Theme"))
            if themed:
                return True, self.theme.get(themed)
            plain = rfonts.get(_w(slot))
            if plain:
                return True, plain
        return False, None

    def style_chain(self, style_id: str | None) -> Iterable[etree._Element]:
        seen: set[str] = set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            style = self.styles.get(style_id)
            if style is None:
                return
            yield style
            based = style.find(_w("basedOn"))
            style_id = based.get(_w("val")) if based is not None else None

    def style_font(self, style_id: str | None) -> tuple[bool, str | None]:
        for style in self.style_chain(style_id):
            found, name = self.font(style.find(f"{_w('rPr')}/{_w('rFonts')}"))
            if found:
                return True, name
        return False, None

    def effective(self, run: etree._Element, para_style: str | None) -> str | None:
        rpr = run.find(_w("rPr"))
        if rpr is not None:
            found, name = self.font(rpr.find(_w("rFonts")))
            if found:
                return name
            rstyle = rpr.find(_w("rStyle"))
            if rstyle is not None:
                found, name = self.style_font(rstyle.get(_w("val")))
                if found:
                    return name
        found, name = self.style_font(para_style or self.default_para)
        if found:
            return name
        return self.font(self.defaults)[1]


def _parse(data: bytes) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False
    )
    return etree.fromstring(data, parser)


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _read_fonts(parts: Mapping[str, bytes]) -> tuple[_Fonts, etree._Element | None, str | None]:
    theme: dict[str, str] = {}
    theme_name = next((n for n in parts if _is_theme(n.lower())), None)
    if theme_name is not None:
        root = _parse(parts[theme_name])
        for kind, tag in (("major", "majorFont"), ("minor", "minorFont")):
            latin = root.find(f".//{{{A}}}{tag}/{{{A}}}latin")
            if latin is not None and latin.get("typeface"):
                for slot in ("HAnsi", "Ascii", "Bidi", "EastAsia"):
                    theme[f"{kind}{slot}"] = latin.get("typeface", "")
    styles_name = next((n for n in parts if n.lower() == "word/styles.xml"), None)
    styles: dict[str, etree._Element] = {}
    default_para = None
    defaults = None
    styles_root = None
    if styles_name is not None:
        styles_root = _parse(parts[styles_name])
        for style in styles_root.iter(_w("style")):
            sid = style.get(_w("styleId"))
            if sid:
                styles[sid] = style
                if style.get(_w("type")) == "paragraph" and style.get(_w("default")) in (
                    "1",
                    "true",
                    "on",
                ):
                    default_para = sid
        defaults = styles_root.find(
            f"{_w('docDefaults')}/{_w('rPrDefault')}/{_w('rPr')}/{_w('rFonts')}"
        )
    return _Fonts(styles, default_para, defaults, theme), styles_root, styles_name


def _convert_story(root: etree._Element, fonts: _Fonts, table: Mapping[str, str]) -> dict[str, int]:
    """Decode the legacy runs of one story part in place; runs converted by encoding."""
    counts: dict[str, int] = {}
    legacy_names: dict[str | None, Legacy | None] = {}
    for para in root.iter(_w("p")):
        ppr = para.find(_w("pPr"))
        pstyle = ppr.find(_w("pStyle")) if ppr is not None else None
        para_style = pstyle.get(_w("val")) if pstyle is not None else None
        texts: list[tuple[etree._Element, Legacy | None]] = []
        legacy_runs: list[etree._Element] = []
        # runs of this paragraph only (not those of a text box nested in it: its own w:p)
        for run in para.iter(_w("r")):
            if _paragraph_of(run) is not para:
                continue
            name = fonts.effective(run, para_style)
            if name not in legacy_names:
                legacy_names[name] = legacy_font(name)
            legacy = legacy_names[name]
            ts = [t for t in run.iter(_w("t")) if _paragraph_of(t) is para]
            texts.extend((t, legacy) for t in ts)
            if legacy is not None and any(t.text for t in ts):
                legacy_runs.append(run)
                counts[legacy.encoding] = counts.get(legacy.encoding, 0) + 1
        if not legacy_runs:
            continue
        decoded = decode_runs([(t.text or "", legacy) for t, legacy in texts], table)
        for (t, legacy), text in zip(texts, decoded, strict=True):
            if legacy is not None and text != (t.text or ""):
                t.text = text
                if text != text.strip():
                    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        for run in legacy_runs:
            _drop_legacy_font(run, fonts)
    return counts


def _paragraph_of(el: etree._Element) -> etree._Element | None:
    parent = el.getparent()
    while parent is not None and parent.tag != _w("p"):
        parent = parent.getparent()
    return parent


def _drop_legacy_font(run: etree._Element, fonts: _Fonts) -> None:
    """The run forgets a legacy font named on it: it takes its style's (Unicode) font."""
    rpr = run.find(_w("rPr"))
    rfonts = rpr.find(_w("rFonts")) if rpr is not None else None
    if rfonts is None:
        return
    for attr in _FONT_ATTRS:
        if legacy_font(rfonts.get(_w(attr))) is not None:
            del rfonts.attrib[_w(attr)]
    for attr in _THEME_ATTRS:
        themed = rfonts.get(_w(attr))
        if themed and legacy_font(fonts.theme.get(themed)) is not None:
            del rfonts.attrib[_w(attr)]
    if not rfonts.attrib:
        rpr.remove(rfonts)


def _drop_names(root: etree._Element) -> bool:
    """Legacy font names left in a story part once its runs are converted — paragraph
    marks (``w:pPr/w:rPr``), runs without text (a tab, a break) — are dropped: the element
    takes its style's font, and no ".Vn…" name travels into the draft."""
    changed = False
    for rfonts in root.iter(_w("rFonts")):
        for attr in _FONT_ATTRS:
            if legacy_font(rfonts.get(_w(attr))) is not None:
                del rfonts.attrib[_w(attr)]
                changed = True
    return changed


def _replace_names(root: etree._Element) -> bool:
    """Every legacy font name in a styles part's rFonts → the Unicode font."""
    changed = False
    for rfonts in root.iter(_w("rFonts")):
        for attr in _FONT_ATTRS:
            if legacy_font(rfonts.get(_w(attr))) is not None:
                rfonts.set(_w(attr), UNICODE_FONT)
                changed = True
    return changed


def _replace_theme(root: etree._Element) -> bool:
    changed = False
    for latin in root.iter(f"{{{A}}}latin"):
        if legacy_font(latin.get("typeface")) is not None:
            latin.set("typeface", UNICODE_FONT)
            changed = True
    return changed


def to_unicode(
    data: bytes, parts: Mapping[str, bytes] | None = None
) -> tuple[bytes, tuple[tuple[str, str], ...]]:
    """The docx form with its legacy-font runs in Unicode, and what was done as params.

    ``parts`` are the package's inflated members when the caller has them for exactly
    these bytes. Returns ``data`` itself and no params when no run was in a legacy font;
    else ``legacy_encoding`` ("TCVN3", "VNI" or "TCVN3, VNI") and ``legacy_runs``.
    """
    if parts is None:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            parts = {i.filename: zf.read(i) for i in zf.infolist() if not i.is_dir()}
    if not might_hold(parts.items()):
        return data, ()
    fonts, styles_root, styles_name = _read_fonts(parts)
    table = tcvn3()
    new: dict[str, bytes] = {}
    counts: dict[str, int] = {}
    for name, blob in parts.items():
        if not _is_story(name.lower()):
            continue
        root = _parse(blob)
        found = _convert_story(root, fonts, table)
        if _drop_names(root) or found:
            new[name] = _serialise(root)
            for k, n in found.items():
                counts[k] = counts.get(k, 0) + n
    if not counts:
        return data, ()
    if styles_root is not None and styles_name is not None and _replace_names(styles_root):
        new[styles_name] = _serialise(styles_root)
    for name, blob in parts.items():
        if name.lower() == "word/numbering.xml":  # list labels' fonts
            root = _parse(blob)
            if _replace_names(root):
                new[name] = _serialise(root)
    for name, blob in parts.items():
        if _is_theme(name.lower()):
            root = _parse(blob)
            if _replace_theme(root):
                new[name] = _serialise(root)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            changed = new.get(info.filename)
            dst.writestr(info, src.read(info) if changed is None else changed)
    encodings = ", ".join(sorted(counts))
    return out.getvalue(), (
        ("legacy_encoding", encodings),
        ("legacy_runs", str(sum(counts.values()))),
    )


# --- an HTML-only mail body ---------------------------------------------------------------

#: a legacy font named in a CSS font-family or a <font face>: the only HTML worth parsing
_HTML_HINT = re.compile(
    r"""(?:font-family\s*:[^;>{}]{0,200}?|face\s*=\s*["']?)(?:\.vn|vni[- ])""", re.IGNORECASE
)
_CSS_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_CSS_FAMILY = re.compile(r"font-family\s*:\s*([^;]+)", re.IGNORECASE)
_CSS_CLASS = re.compile(r"([a-z0-9]*)\.([\w-]+)", re.IGNORECASE)
_CSS_TAG = re.compile(r"[a-z0-9]+", re.IGNORECASE)


def html_might_hold(html: str) -> bool:
    """Whether an HTML body names a legacy font in its CSS or a <font face> (cheap)."""
    return _HTML_HINT.search(html) is not None


def _family(css: str) -> str | None:
    """The first family of a CSS declaration block's font-family, quotes removed."""
    found = _CSS_FAMILY.search(css)
    if found is None:
        return None
    return found.group(1).split(",")[0].strip().strip("'\"").strip() or None


def html_to_unicode(html: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """An HTML body with the text typed in legacy fonts made Unicode, and the params.

    The font of a text is the nearest element's inline ``font-family``, ``<font face>``,
    or the family a ``<style>`` rule gives its class (``p.MsoNormal``, ``.x``) or tag, as
    Outlook writes them; text in any other font is left as it is. Returns ``html`` itself
    and no params when nothing was in a legacy font.
    """
    from lxml import html as lxml_html

    from mailflow.adapters.html_docx import parse

    root = parse(html)
    by_class: dict[str, str] = {}
    by_tag: dict[str, str] = {}
    for style in root.iter("style"):
        for selectors, block in _CSS_RULE.findall(style.text or ""):
            family = _family(block)
            if family is None:
                continue
            for selector in selectors.split(","):
                selector = selector.strip()
                if (m := _CSS_CLASS.fullmatch(selector)) is not None:
                    by_class.setdefault(m.group(2).lower(), family)
                elif _CSS_TAG.fullmatch(selector):
                    by_tag.setdefault(selector.lower(), family)
    table = tcvn3()
    counts: dict[str, int] = {}

    def font_of(el: etree._Element, inherited: str | None) -> str | None:
        own = _family(el.get("style") or "") or el.get("face")
        if own:
            return own
        for name in (el.get("class") or "").split():
            if name.lower() in by_class:
                return by_class[name.lower()]
        return by_tag.get(str(el.tag).lower(), inherited)

    def walk(el: etree._Element, inherited: str | None) -> None:
        font = font_of(el, inherited) if isinstance(el.tag, str) else inherited
        legacy = legacy_font(font)
        converted = False
        if legacy is not None and el.text and isinstance(el.tag, str):
            el.text = decode_runs([(el.text, legacy)], table)[0]
            converted = True
        for child in el:
            walk(child, font)
            if legacy is not None and child.tail:
                child.tail = decode_runs([(child.tail, legacy)], table)[0]
                converted = True
        if converted and legacy is not None:
            counts[legacy.encoding] = counts.get(legacy.encoding, 0) + 1

    walk(root, None)
    if not counts:
        return html, ()
    return lxml_html.tostring(root, encoding="unicode"), (
        ("legacy_encoding", ", ".join(sorted(counts))),
        ("legacy_runs", str(sum(counts.values()))),
    )
