"""Blocks of an outline (đề cương) → a tree of sections with who writes each one.

Why the level comes from the number's shape and not from styles: offices type outlines
in many ways (Heading styles, bold paragraphs, Word auto-numbering, PDF copies) and the
one thing every version keeps is the numbering convention of Vietnamese reports:
"Phần thứ …" > "I." > "1." > "2.1." > "- …". A paragraph is a heading when it carries
such a number AND looks like a heading (bold, or a Heading style/outline level); "+ …"
lines are guidance. If nothing looks like a heading at all (a plain-text outline), every
numbered line is taken as a heading instead.

Assignment lines ("Phòng QLCN&ĐMST báo cáo.", "Các phòng, đơn vị …") belong to the
section they follow, with two rules a reader of the seed outline expects:

* A line that follows a run of two or more sub-sections that have no text of their own
  (e.g. "2.1 / 2.2 / 2.3" then "Các phòng, đơn vị căn cứ …") speaks about their parent
  as a whole, so it is given to the parent.
* A section without its own assignment inherits its nearest assigned ancestor's: the
  department asked for "2. Đánh giá" also writes 2.1–2.3. A sub-section with its own
  line keeps only that line's departments.

Department names are found by the longest match over names, aliases and codes on
word tokens (so "Trung tâm Nghiên cứu, Chuyển giao công nghệ và Đổi mới sáng tạo" is one
name, not three), never by splitting on commas or "và". What is left over and looks like
a unit name becomes an UnresolvedAssignment with the closest known names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from mailflow.core.names import clean, fold, fold_words, rank_names, split_number
from mailflow.model import Block, BlockKind, Department, Outline, Section, UnresolvedAssignment

LEVEL_PART, LEVEL_ROMAN, LEVEL_DASH = 1, 2, 5
# Paragraph style of the notes mailflow adds to a department's marked copy of the outline;
# such paragraphs are not part of the outline and are skipped when a copy is parsed back.
MARK_STYLE = "Mailflow Note"

# Connector words between department names in an assignment line (folded).
_CONNECTORS = frozenset(
    re.findall(
        r"\w+",
        "va cung voi phoi hop chu tri chiu trach nhiem tong thuc hien rieng doi don vi "
        "cac noi dung nay muc theo chuc nang nhiem vu de nghi giao bao cao viet",
    )
)
# Words that start the name of a unit: an unknown name must start with one to be reported.
_UNIT_START = frozenset(
    re.findall(r"\w+", "phong van trung chi ban thanh so to bo doi vien quy hoi")
)
_ALL_RE = re.compile(
    r"^(?:(?:tat ca|toan the|yeu cau)\s+)?cac\s+(?:phong|don vi)\b(?:\s*(?:,|va)\s*(?:cac\s+)?"
    r"(?:phong|don vi|trung tam|chi cuc))*"
)
_ASSIGN_TAIL_RE = re.compile(r"\bbao cao\s*$")
_ASSIGN_PREFIX_RE = re.compile(
    r"^(?:don vi|phong)\s+(?:bao cao|thuc hien|chu tri|phu trach)\s*:\s*"
    r"|^(?:phan cong|giao)\s*:?\s*"
)
_PAREN_RE = re.compile(r"\(([^()]*)\)")
_TOKEN_RE = re.compile(r"[^\W_]+")


@dataclass
class _Draft:
    """A section while the outline is being read (mutable; frozen into Section at the end)."""

    key: str
    number: str
    level: int
    title: str
    parent: _Draft | None
    guidance: list[str] = field(default_factory=list)
    codes: set[str] = field(default_factory=set)
    all_departments: bool = False
    assignment_lines: list[str] = field(default_factory=list)
    children: list[_Draft] = field(default_factory=list)
    wants_title: bool = False
    first: int = -1  # Block.index of the heading
    last: int = -1  # Block.index of the section's last own line (before the next heading)

    @property
    def assigned(self) -> bool:
        return bool(self.codes) or self.all_departments

    @property
    def empty(self) -> bool:
        return not self.guidance and not self.assignment_lines


@dataclass(frozen=True)
class _Line:
    text: str  # as the reader sees it, auto-number included
    kind: str  # split_number kind
    number: str
    rest: str
    looks_heading: bool
    index: int = -1  # Block.index


def parse_outline(blocks: Sequence[Block], departments: Sequence[Department]) -> Outline:
    """Parse an outline's blocks into sections; ``departments`` are the ones that may be named."""
    return _parse_with_spans(blocks, departments)[0]


def outline_spans(
    blocks: Sequence[Block], departments: Sequence[Department] = ()
) -> dict[str, tuple[int, int]]:
    """Section key → (Block.index of its heading, Block.index of its last own line).

    "Own" lines are the heading, its title line, guidance and assignment lines: up to the
    next heading of any level. Used to mark a department's sections in the outline file.
    """
    return _parse_with_spans(blocks, departments)[1]


def _parse_with_spans(
    blocks: Sequence[Block], departments: Sequence[Department]
) -> tuple[Outline, dict[str, tuple[int, int]]]:
    lines = [
        _line(b)
        for b in blocks
        if b.kind is BlockKind.PARAGRAPH and b.text.strip() and b.style != MARK_STYLE
    ]
    matcher = _Names(departments)
    outline, spans = _parse(lines, matcher, strict=True)
    if not outline.sections:
        outline, spans = _parse(lines, matcher, strict=False)
    return outline, spans


def _line(block: Block) -> _Line:
    text = clean(block.display_text)
    kind, number, rest = split_number(text)
    looks = block.bold or block.heading_level is not None
    return _Line(text, kind, number, rest, looks, block.index)


def _level(kind: str, number: str, open_level: int) -> int:
    if kind == "part":
        return LEVEL_PART
    if kind == "roman":
        return LEVEL_ROMAN
    if kind == "dotted":
        return 2 + number.count(".") + 1
    if kind == "letter":
        return max(4, open_level + 1)
    return max(LEVEL_DASH, open_level + 1)  # dash


def _parse(
    lines: Sequence[_Line], names: _Names, strict: bool
) -> tuple[Outline, dict[str, tuple[int, int]]]:
    roots: list[_Draft] = []
    order: list[_Draft] = []
    preamble: list[str] = []
    unresolved: list[tuple[_Draft, str, str]] = []
    current: _Draft | None = None
    last_numbered: _Draft | None = None  # the open non-dash section, for dash/letter levels

    for line in lines:
        folded = fold(line.text)
        if _is_outline_caption(folded, line) and current is not None:
            # The directive came first in the same file: what we took for sections was
            # the letter. Start again at "ĐỀ CƯƠNG".
            roots, order, unresolved, current, last_numbered = [], [], [], None, None
            preamble = [line.text]
            continue
        heading = _is_heading(line, strict)
        if heading and not (current and _assignment_shape(line.text)):
            open_level = last_numbered.level if last_numbered else LEVEL_ROMAN
            level = _level(line.kind, line.number, open_level)
            parent = current
            while parent is not None and parent.level >= level:
                parent = parent.parent
            siblings = parent.children if parent else roots
            key = f"{parent.key}.{len(siblings) + 1}" if parent else str(len(siblings) + 1)
            title = line.rest.strip()
            section = _Draft(key, line.number, level, title, parent, wants_title=not title)
            section.first = section.last = line.index
            siblings.append(section)
            order.append(section)
            current = section
            if line.kind not in ("dash", "letter"):
                last_numbered = section
            continue
        if current is None:
            preamble.append(line.text)
            continue
        current.last = line.index
        if current.wants_title and line.kind in ("", "part") and not _assignment_shape(line.text):
            current.title = line.text
            current.wants_title = False
            continue
        current.wants_title = False
        found = _assignment(line.text, names)
        if found is not None:
            target = _assignment_target(current)
            target.assignment_lines.append(line.text)
            codes, everyone, leftovers = found
            target.codes |= codes
            target.all_departments = target.all_departments or everyone
            unresolved.extend((target, line.text, frag) for frag in leftovers)
            continue
        text = line.rest if line.kind == "plus" else line.text
        if current.guidance and text[:1].islower() and line.kind == "":
            current.guidance[-1] = f"{current.guidance[-1]} {text}"
        else:
            current.guidance.append(text)

    _inherit(roots)
    codes_order = [d.code for d in names.departments]
    sections = tuple(_freeze(d, codes_order) for d in order)
    outline = Outline(
        title=_title(preamble),
        sections=sections,
        unresolved=tuple(
            UnresolvedAssignment(d.key, text, frag, names.closest(frag))
            for d, text, frag in unresolved
        ),
    )
    return outline, {d.key: (d.first, d.last) for d in order}


def _is_heading(line: _Line, strict: bool) -> bool:
    if line.kind in ("", "plus"):
        return False
    if line.kind == "part":
        # "Phần thứ nhất" alone, or followed by an upper-case title, is a heading even
        # when not bold; "Phần thứ nhất của báo cáo …" in running text is not.
        return line.looks_heading or not line.rest or line.rest.isupper() or not strict
    if line.kind == "dash":
        return line.looks_heading  # a plain "- …" line is guidance, even in plain outlines
    return line.looks_heading or not strict


def _is_outline_caption(folded: str, line: _Line) -> bool:
    return folded.startswith("de cuong") and len(folded) < 120 and line.kind == ""


def _assignment_target(current: _Draft) -> _Draft:
    """The section an assignment line speaks about (see the module docstring)."""
    parent = current.parent
    if parent is None or not current.empty or parent.assigned or not parent.empty:
        return current
    siblings = parent.children
    if len(siblings) >= 2 and siblings[-1] is current and all(s.empty for s in siblings):
        return parent
    return current


def _inherit(drafts: list[_Draft], inherited: _Draft | None = None) -> None:
    for d in drafts:
        if not d.assigned and inherited is not None:
            d.codes = set(inherited.codes)
            d.all_departments = inherited.all_departments
        _inherit(d.children, d if d.assigned else inherited)


def _freeze(d: _Draft, codes_order: list[str]) -> Section:
    codes = set(codes_order) if d.all_departments else d.codes
    return Section(
        key=d.key,
        number=d.number,
        level=d.level,
        title=d.title,
        guidance=tuple(d.guidance),
        assignees=tuple(c for c in codes_order if c in codes),
        parent=d.parent.key if d.parent else None,
        assignment_text="\n".join(d.assignment_lines),
        all_departments=d.all_departments,
    )


def _title(preamble: list[str]) -> str:
    """The report's title: the title block minus "PHỤ LỤC", "(Kèm theo …)", "ĐỀ CƯƠNG …"."""
    kept: list[str] = []
    caption = ""
    for text in preamble:
        f = fold(text)
        if f.startswith("de cuong"):
            caption = text
            kept = []  # what came before the caption is the appendix header
            continue
        if f.startswith(("phu luc", "(", "kem theo")) or f in ("mau", "mau so"):
            continue
        kept.append(text)
    return " ".join(kept) if kept else caption


# --- assignment lines ---------------------------------------------------------------------


def _strip_marks(text: str) -> str:
    return clean(text).strip("*_ ").rstrip(".;:。 ").strip("*_ ")


def _assignment_shape(text: str) -> bool:
    """Cheap test used to keep an assignment line from being read as a heading/title."""
    f = fold(_PAREN_RE.sub(" ", _strip_marks(text))).rstrip(" .;")
    return bool(_ALL_RE.match(f)) or (bool(_ASSIGN_TAIL_RE.search(f)) and len(f) < 250)


def _assignment(text: str, names: _Names) -> tuple[set[str], bool, list[str]] | None:
    """(codes, all departments, unresolved fragments) if ``text`` assigns, else None."""
    body = _strip_marks(text)
    if len(body) > 400:
        return None
    parens = _PAREN_RE.findall(body)
    main = clean(_PAREN_RE.sub(" ", body)).rstrip(" .;:")
    folded_main = fold(main)
    codes: set[str] = set()
    leftovers: list[str] = []
    everyone = bool(_ALL_RE.match(folded_main))
    if not everyone:
        prefix = _ASSIGN_PREFIX_RE.match(folded_main)
        if prefix:
            who = main[prefix.end() :]
        else:
            tail = _ASSIGN_TAIL_RE.search(folded_main)
            if not tail:
                return None
            who = main[: tail.start()]
        found, rest = names.scan(who)
        if not found and not any(_looks_like_unit(r) for r in rest):
            return None
        codes |= found
        leftovers.extend(r for r in rest if _looks_like_unit(r))
    for inner in parens:
        found, rest = names.scan(inner)
        codes |= found
        if not found and "bao cao" in fold(inner):
            leftovers.append(inner.strip())
    return codes, everyone, leftovers


def _looks_like_unit(fragment: str) -> bool:
    words = fold_words(fragment).split()
    return bool(words) and words[0] in _UNIT_START


class _Names:
    """Longest-match department lookup over word tokens (punctuation-insensitive)."""

    def __init__(self, departments: Sequence[Department]) -> None:
        self.departments = tuple(departments)
        entries: dict[tuple[str, ...], str] = {}
        for d in departments:
            for name in (*d.names, *_short_forms(d.name)):
                tokens = tuple(fold_words(name).split())
                if tokens:
                    entries.setdefault(tokens, d.code)
        self.entries = sorted(entries.items(), key=lambda e: (-len(e[0]), -len("".join(e[0]))))
        self.by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for tokens, code in self.entries:
            self.by_first.setdefault(tokens[0], []).append((tokens, code))
        self.choices = {
            name: d.name for d in departments for name in (*d.names, *_short_forms(d.name))
        }

    def scan(self, text: str) -> tuple[set[str], list[str]]:
        """Codes named in ``text`` and the left-over unit-like fragments (original spelling)."""
        text = clean(text)
        folded = "".join(_fold_char(c) for c in text)  # same length: spans map back
        spans = [(m.start(), m.end(), m.group()) for m in _TOKEN_RE.finditer(folded)]
        words = [s[2] for s in spans]
        matches: list[tuple[int, int, str]] = []
        i = 0
        while i < len(words):
            for tokens, code in self.by_first.get(words[i], ()):
                n = len(tokens)
                if tuple(words[i : i + n]) == tokens:
                    matches.append((i, i + n, code))
                    i += n
                    break
            else:
                i += 1
        covered = [False] * len(words)
        codes: set[str] = set()
        for start, end, code in matches:
            if self._continues(text, spans, end):
                continue  # "Phòng Quản lý khoa học công nghệ" is not "… khoa học"
            codes.add(code)
            for k in range(start, end):
                covered[k] = True
        return codes, self._leftovers(text, spans, covered)

    @staticmethod
    def _continues(text: str, spans: list[tuple[int, int, str]], end: int) -> bool:
        """A matched name runs on into more name words: it is another, longer name."""
        if end >= len(spans):
            return False
        word = spans[end][2]
        between = text[spans[end - 1][1] : spans[end][0]]
        return (
            word not in _CONNECTORS
            and word not in _UNIT_START
            and not any(c in between for c in ",;()")
        )

    @staticmethod
    def _leftovers(text: str, spans: list[tuple[int, int, str]], covered: list[bool]) -> list[str]:
        """Uncovered token runs, split before a unit word that follows "và"/","."""
        pieces: list[list[int]] = []
        run: list[int] = []
        for k, (_s, _e, word) in enumerate(spans):
            if covered[k]:
                if run:
                    pieces.append(run)
                run = []
                continue
            if run and word in _UNIT_START:
                prev = spans[run[-1]]
                between = text[prev[1] : spans[k][0]]
                if "," in between or ";" in between or prev[2] in ("va", "cung", "voi"):
                    pieces.append(run)
                    run = []
            run.append(k)
        if run:
            pieces.append(run)
        out = []
        for piece in pieces:
            while piece and spans[piece[0]][2] in _CONNECTORS:
                piece = piece[1:]
            while piece and spans[piece[-1]][2] in _CONNECTORS:
                piece = piece[:-1]
            if piece:
                out.append(text[spans[piece[0]][0] : spans[piece[-1]][1]])
        return out

    def closest(self, fragment: str, limit: int = 3) -> tuple[str, ...]:
        """Department names closest to an unknown fragment, best first."""
        if not self.choices:
            return ()
        out: list[str] = []
        # words and abbreviations first (names.rank_names), then typos by fuzzy ratio
        ranked = rank_names(fragment, list(self.choices), limit=len(self.choices))
        hits = process.extract(
            fragment, list(self.choices), scorer=fuzz.WRatio, processor=fold_words, limit=12
        )
        for choice in (*ranked, *(c for c, score, _ in hits if score >= 45)):
            name = self.choices[choice]
            if name not in out:
                out.append(name)
        return tuple(out[:limit])


def _short_forms(name: str) -> tuple[str, ...]:
    """ "Phòng Kế hoạch tài chính" is also written "Kế hoạch tài chính"."""
    words = name.split()
    if len(words) >= 3 and fold(words[0]) == "phong":
        return (" ".join(words[1:]),)
    return ()


def _fold_char(c: str) -> str:
    f = fold(c)
    return f[0] if len(f) >= 1 else " "


# --- views used by the directive and the marked outline ----------------------------------


def top_sections(outline: Outline, code: str) -> tuple[Section, ...]:
    """Sections ``code`` writes whose parent it does not also write (the ones to name)."""
    mine = {s.key for s in outline.sections if code in s.assignees}
    return tuple(s for s in outline.sections if s.key in mine and s.parent not in mine)


def section_label(outline: Outline, section: Section) -> str:
    """ "Phần thứ nhất › II › 1 › - Kết quả …": where a section sits, readable on paper."""
    path: list[str] = []
    key = section.parent
    while key is not None:
        parent = outline.section(key)
        path.append(parent.number if parent.number != "-" else parent.title)
        key = parent.parent
    own = f"{section.number}: {section.title}" if section.level == LEVEL_PART else section.heading
    return " › ".join([*reversed(path), own])
