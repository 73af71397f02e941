"""A reply's blocks → the parts it is made of, and the boilerplate around them.

Why: the matcher places *parts*, each a run of blocks under one heading of the reply.
The reply's headings are the department's own: a Word Heading style, a bold line, a
numbered line in its own numbering ("II. ĐÁNH GIÁ" where the outline says "2."), or a
Word auto-number whose label is only in ``Block.number_label``. Everything around the
report proper — letterhead, Quốc hiệu/Tiêu ngữ, "Số: ...", the place/date line, the
title, "Kính gửi", the opening "... báo cáo như sau:", the signature, "Nơi nhận" — is
not content; it is cut out of the parts but kept as ``Boilerplate`` so a test (and a
person) can check that nothing the department wrote was silently lost.

Pure: blocks in, values out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from rapidfuzz import fuzz

from mailflow.core.names import fold, fold_words, split_number, title_key
from mailflow.model import Block, BlockKind, ReportPart


@dataclass(frozen=True)
class Boilerplate:
    """A run of blocks that is not report content, and why (``reason`` is a catalogue
    suffix: ``match.reason.<reason>``). ``rows`` narrows it to rows of one table."""

    block_start: int
    block_end: int  # exclusive, like ReportPart
    reason: str
    text: str
    rows: tuple[int, int] | None = None


@dataclass(frozen=True)
class Segmentation:
    parts: tuple[ReportPart, ...]
    boilerplate: tuple[Boilerplate, ...]


# --- what is not content --------------------------------------------------------------

_NATIONAL = re.compile(r"cong hoa xa hoi chu nghia|doc lap\s*-?\s*tu do|hanh phuc$")
_NUMBER_LINE = re.compile(r"^so\s*:")
_VV = re.compile(r"^v/v\b|^ve viec\b")
_DATE_LINE = re.compile(r"(^|,\s*)ngay\s*[\d.…]*\s*thang\s*[\d.…]*\s*nam\s*\d{0,4}\s*$")
_GREETING = re.compile(r"^(kinh gui|kinh thua|thua|gui|chao|xin chao|dear|hi|hello)\b")
_TITLE = re.compile(r"^(bao cao|de cuong|phu luc|cong van|to trinh)\b")
_AGENCY = re.compile(
    r"^(ubnd|uy ban nhan dan|so |phong |van phong|trung tam|chi cuc|ban |bo |cuc |vien |"
    r"truong |cong ty)"
)
_CLOSING = re.compile(
    r"^(tran trong|xin tran trong|tran thanh cam on|xin cam on|cam on|em cam on|kinh thu|"
    r"than ai|best regards|regards|thanks)\b"
)
_SIGNER = re.compile(
    r"^(kt\.?|tm\.?|tl\.?|q\.?|ktl\.?)?\s*(truong phong|pho truong phong|giam doc|"
    r"pho giam doc|chanh van phong|pho chanh van phong|chi cuc truong|nguoi lap bieu|"
    r"nguoi lap|nguoi bao cao|thu truong|lanh dao phong|ky ten|chu tich|"
    r"pho chu tich)\b"
)
_SIGNER_ANY = re.compile(
    r"\b(truong phong|giam doc|chanh van phong|chi cuc truong|nguoi lap bieu)\b"
)
_RECIPIENTS = re.compile(r"^noi nhan\b")
_FILED = re.compile(r"^-?\s*luu\s*:?\s*(vt|van thu)?\b")
_CONTACT = re.compile(
    r"(^|\b)(dt|đt|tel|dien thoai|email|e-mail|mobile|fax|website)\s*[:.]|@|^--\s*$"
)
_ASSIGNMENT = re.compile(r"\bbao cao\s*\.?\)?\.?$")
_INTRO = re.compile(
    r"(nhu sau|sau day|cu the nhu sau|noi dung sau|bao cao)\s*:?\s*$|^(thuc hien|can cu|"
    r"theo de nghi|theo yeu cau|phuc vu)\b.*\b(bao cao|gui)\b.*:\s*$"
)


def _is_name(text: str) -> bool:
    """A person's name on its own line: 2–5 capitalised words, no digits or punctuation."""
    words = text.split()
    if not 1 <= len(words) <= 6 or any(ch.isdigit() for ch in text):
        return False
    if re.search(r"[.;:,!?()]", text.rstrip(".")):
        return False
    return all(w[:1].isupper() for w in words)


def _head_reason(block: Block, after_title: bool) -> str | None:
    """Why a block at the top of the document is not content, or None if it is."""
    if block.kind is BlockKind.TABLE:
        f = fold(_block_text(block))
        if _NATIONAL.search(f) or re.search(r"\bso\s*:", f) or _DATE_LINE.search(f):
            return "letterhead"
        return None
    text = block.display_text
    f = fold(text)
    if not f:
        return "empty"
    if _NATIONAL.search(f) or _NUMBER_LINE.match(f) or _VV.match(f) or _DATE_LINE.search(f):
        return "letterhead"
    if _GREETING.match(f):
        return "greeting"
    kind, _, _ = split_number(text)
    if kind:
        return None
    if _TITLE.match(f) and len(f) < 200:
        return "title"
    if f.startswith("(") and f.endswith(")") and len(f) < 150:
        return "title"
    if text.isupper() and _AGENCY.match(f) and len(f) < 150:
        return "letterhead"
    if after_title and block.bold and len(f) < 250 and not f.endswith((";", ",")):
        return "title"  # the title's second line ("Kết quả ... 6 tháng đầu năm 2023")
    if after_title and len(f) < 200 and not f.endswith((".", ";", ",", ":")):
        return "title"  # the same line typed without bold: a trích yếu is no sentence
    if _INTRO.search(f) and len(f) < 400:
        return "intro"
    if f.endswith(":") and re.search(r"\b(bao cao|gui)\b", f) and len(f) < 300:
        return "intro"  # "Em gửi phần báo cáo của phòng ạ:"
    return None


def _tail_reason(block: Block, last: bool, seen_recipients: bool) -> str | None:
    """Why a block at the end of the document is not content, or None if it is."""
    if block.kind is BlockKind.TABLE:
        f = fold(_block_text(block))
        if (
            _RECIPIENTS.search(f)
            or re.search(r"\bnoi nhan\b", f)
            or any(_SIGNER.match(fold(c)) for row in block.cells for c in row if c)
        ):
            return "signature"
        return None
    text = block.display_text
    f = fold(text)
    if not f:
        return "empty"
    if _RECIPIENTS.match(f) or _FILED.match(f):
        return "recipients"
    if _CLOSING.match(f) or _CONTACT.search(f):
        return "signature"
    if (_SIGNER.match(f) and len(f) < 80) or (_SIGNER_ANY.search(f) and len(f) < 60):
        return "signature"
    if seen_recipients and f.startswith(("-", "+")) and f.endswith((";", ".")) and len(f) < 150:
        return "recipients"
    if len(f) <= 60 and _is_name(text):
        return "signature" if len(text.split()) > 1 or last else None
    if _AGENCY.match(f) and len(f) < 100 and not f.endswith((".", ";", ":")):
        return "signature"  # "Phòng Kế hoạch - Tài chính, Sở KH&CN Quảng Trị"
    return None


def _noise(blocks: Sequence[Block]) -> dict[int, str]:
    """Positions (into ``blocks``) of letterhead/title/greeting at the top and signature,
    recipients at the bottom, each with its reason."""
    reasons: dict[int, str] = {}
    after_title = False
    title_lines = 0
    for i, block in enumerate(blocks):
        reason = _head_reason(block, after_title)
        if reason is None:
            break
        reasons[i] = reason
        # a title runs on for at most two bold lines after "BÁO CÁO" (the trích yếu);
        # a third bold line is the report's first heading
        title_lines = title_lines + 1 if reason == "title" else title_lines
        after_title = reason == "title" and title_lines <= 2
        if reason in ("greeting", "intro"):
            after_title = False
    # "Nơi nhận" starts the tail wherever it is in the last part of the document.
    n = len(blocks)
    tail = n
    for i in range(n - 1, max(-1, n // 3 - 1), -1):
        f = fold(blocks[i].display_text) if blocks[i].kind is not BlockKind.TABLE else ""
        if _RECIPIENTS.match(f):
            if all(len(b.text) <= 160 for b in blocks[i:]):
                tail = i
            break
    for j in range(tail, n):
        reasons.setdefault(j, _tail_reason(blocks[j], j == n - 1, True) or "signature")
    i = tail - 1
    while i >= 0 and i not in reasons:
        reason = _tail_reason(blocks[i], i == n - 1, False)
        if reason is None:
            break
        reasons[i] = reason
        i -= 1
    return reasons


# --- headings ---------------------------------------------------------------------------

_SENTENCE_END = (";", ",")
#: short lines ending in a colon that lead into the sentence or list below, never a heading
_LEAD_INS = frozenset({"cu the", "trong do", "bao gom", "gom", "vi du", "chang han", "luu y"})

#: Syllables (Vietnamese "words" are syllables) in a bold, unnumbered paragraph still taken
#: as a heading. The outline's own bullets run to 40-60 syllables, often with a closing full
#: stop, and a department that writes one of them as its own bold heading ("Về Nâng cao
#: hiệu quả công tác nghiên cứu khoa học, gắn kết chặt chẽ …") must still start a part
#: there. A paragraph mostly in bold is a title far more often than an emphasised sentence;
#: if it was one, the part it starts is matched by its content like any other.
_BOLD_HEADING_WORDS = 60


@dataclass(frozen=True)
class _Heading:
    shape: str  # what kind of numbering/formatting: nesting follows first appearance
    number: str
    title: str


#: fuzz.ratio (folded, numbering aside) at or above which a line restates an outline title
TITLE_RATIO = 90


def title_lines(titles: Sequence[str]) -> tuple[str, ...]:
    """The outline's titles as :func:`split` compares lines with them: folded, without
    their numbering or dash, trailing punctuation stripped; too short ones left out."""
    out = (title_key(t) for t in titles)
    return tuple(t for t in out if len(t) >= 12)


def _restates(text: str, titles: Sequence[str]) -> bool:
    """Does this line restate one of the outline's titles (pasted, or retyped with a typo)?"""
    if not titles or len(text) < 12 or len(text) > 1.3 * max(map(len, titles)) + 12:
        return False  # cheap first: most lines of a long report are not near any title
    line = title_key(text)
    n = len(line)
    return n >= 12 and any(
        0.8 * n <= len(t) <= 1.25 * n
        and fuzz.ratio(line, t, score_cutoff=TITLE_RATIO) >= TITLE_RATIO
        for t in titles
    )


def _heading(block: Block, plain_doc: bool, titles: Sequence[str] = ()) -> _Heading | None:
    """The block as a heading of the reply, or None if it is body text.

    ``plain_doc``: the document has no styled or bold lines at all (a mail body, a PDF),
    so short numbered or capitalised lines are taken as headings on their own.
    ``titles`` (from :func:`title_lines`): a line restating one of them is a heading
    whatever its form. A mail body that pastes "- Kết quả …" from the outline names its
    sections that way, though a dash line is otherwise body text.
    """
    if block.kind is not BlockKind.PARAGRAPH:
        return None
    text = block.display_text
    if not text or len(text) > 400:
        return None
    kind, number, rest = split_number(text)
    words = len(rest.split())
    ends = text.rstrip().endswith(_SENTENCE_END)
    caps = sum(c.isupper() for c in rest) >= 0.8 * max(1, sum(c.isalpha() for c in rest))
    if not rest or kind == "plus":
        return None
    if block.number_label and fold(block.number_label) in ("-", "+", "•"):
        kind = "bullet"
    styled = block.heading_level is not None and block.heading_level <= 6
    if styled:
        return _Heading(f"h{block.heading_level}", number, rest)
    if titles and _restates(text, titles):
        shape = f"dotted{number.count('.') + 1}" if kind == "dotted" else kind or "title"
        return _Heading("dash" if kind == "bullet" else shape, number, rest)
    if ends or kind == "bullet":
        return None
    if block.bold and (kind or words <= _BOLD_HEADING_WORDS) and len(text) <= 300:
        shape = kind or ("caps" if caps else "bold")
        if kind == "dotted":
            shape = f"dotted{number.count('.') + 1}"
        return _Heading(shape, number, rest)
    if kind == "dash":
        return None
    if kind and words <= 20 and (plain_doc or caps) and not text.endswith("."):
        shape = f"dotted{number.count('.') + 1}" if kind == "dotted" else kind
        return _Heading(shape, number, rest)
    if not kind and caps and 2 <= words <= 20 and len(rest) >= 8:
        return _Heading("caps", "", rest)
    if plain_doc and not kind and 1 <= words <= 10 and not text.endswith((".", "!", "?")):
        # a short line standing alone in a plain body: "Khó khăn", "Kết quả nổi bật", or
        # with a colon as phones and webmail write them ("Khó khăn:"), unless it announces
        # what follows ("… như sau:", "Gửi anh chị báo cáo:")
        f = fold(text).rstrip(" :")
        if not text.endswith(":") or not (_INTRO.search(fold(text)) or f in _LEAD_INS):
            return _Heading("line", "", rest)
    return None


_RANKS = {
    "part": 0,
    "roman": 1,
    "dotted1": 2,
    "dotted2": 3,
    "dotted3": 4,
    "dotted4": 5,
    "letter": 6,
    "dash": 7,
}


def _rank(shape: str) -> tuple[str, int] | None:
    """Where a numbering shape sits in the usual Vietnamese hierarchy, None if unknown."""
    if shape in _RANKS:
        return ("num", _RANKS[shape])
    if shape.startswith("h") and shape[1:].isdigit():
        return ("style", int(shape[1:]))
    return None


# --- tables that carry the report -------------------------------------------------------

_NUMERIC = re.compile(r"^[\s\dIVXivx.,%/()+-]*$")


def _title_column(block: Block) -> int | None:
    """The column holding section titles when a table is the report itself, else None.

    A table "carries" the report when one column holds short titles (after a numbering
    column "TT"/"STT") and another holds prose; a table of figures is kept whole.
    """
    rows = [r for r in block.cells if any(c.strip() for c in r)]
    if len(rows) < 3 or min(len(r) for r in rows) < 2:
        return None
    body = rows[1:]
    first = [r[0] for r in body]
    col = 1 if all(_NUMERIC.match(c) for c in first) else 0
    if col >= min(len(r) for r in rows):
        return None
    titles = [r[col] for r in body]
    filled = sum(1 for c in titles if c.strip() and not _NUMERIC.match(c))
    # a row whose title cell is empty under a titled row continues that section (Word's
    # vertically merged cell "Nội dung" over two or more result rows)
    continued = sum(
        1
        for k, r in enumerate(body)
        if k > 0 and not r[col].strip() and any(c.strip() for c in r[col + 1 :])
    )
    if filled < 2 or filled + continued < 0.8 * len(titles):
        return None
    prose = [max((len(c.split()) for c in r[col + 1 :]), default=0) for r in body]
    if sum(1 for p in prose if p >= 8) < 0.6 * len(body):
        return None
    header = " ".join(fold_words(c) for c in rows[0])
    if not re.search(r"noi dung|nhiem vu|linh vuc|muc|chi tieu|ket qua|cong viec", header):
        return None
    return col


# --- splitting --------------------------------------------------------------------------


def split(blocks: Sequence[Block], titles: Sequence[str] = ()) -> Segmentation:
    """Cut a reply into parts at its own headings; set the boilerplate aside.

    ``titles``: the outline's titles from :func:`title_lines`; a line restating one of
    them is a heading of the reply in any form (see :func:`_heading`)."""
    blocks = list(blocks)
    noise = _noise(blocks)
    plain_doc = not any(
        b.bold or b.heading_level is not None
        for i, b in enumerate(blocks)
        if i not in noise and b.kind is BlockKind.PARAGRAPH
    )
    boiler: list[Boilerplate] = []
    for i, reason in sorted(noise.items()):
        b = blocks[i]
        boiler.append(Boilerplate(b.index, b.index + 1, reason, b.text))

    content = [i for i in range(len(blocks)) if i not in noise]
    headings = {i: h for i in content if (h := _heading(blocks[i], plain_doc, titles))}
    builder = _Builder(blocks)
    stack: list[tuple[str, str]] = []  # (shape, heading text) of the open headings
    current: int | None = None  # position of the heading of the open part
    body: list[int] = []
    seen_heading = False

    def close() -> None:
        if current is None and not body:
            return
        builder.part(
            current,
            body,
            tuple(h for _, h in stack[:-1]) if current is not None else (),
            len(stack) if current is not None else 0,
        )

    for i in content:
        block = blocks[i]
        h = headings.get(i)
        if h is not None:
            if current is not None and not body:
                # a heading with nothing under it before the next one: a group heading
                # ("II. ĐÁNH GIÁ") or an empty section; it stays as context, recorded.
                builder.heading_only(current)
            else:
                close()
            shapes = [s for s, _ in stack]
            if h.shape in shapes:
                del stack[shapes.index(h.shape) :]
            else:
                # "Phần thứ hai" after "- ..." items closes them: known shapes nest by rank
                rank = _rank(h.shape)
                while (
                    stack
                    and rank is not None
                    and (top := _rank(stack[-1][0])) is not None
                    and top[0] == rank[0]
                    and top[1] >= rank[1]
                ):
                    stack.pop()
            stack.append((h.shape, block.display_text))
            current, body, seen_heading = i, [], True
            continue
        col = _title_column(block) if block.kind is BlockKind.TABLE else None
        if col is not None and (not seen_heading or current is None or not body):
            if current is not None and not body:
                builder.heading_only(current)
            else:
                close()
            builder.table_rows(i, col, tuple(h for _, h in stack))
            current, body = None, []
            continue
        if not fold(block.text) and not block.has_image and block.kind is not BlockKind.TABLE:
            builder.skip(i, "empty")
            continue
        body.append(i)
    if current is not None and not body:
        builder.heading_only(current)
    else:
        close()
    return Segmentation(
        tuple(builder.parts),
        tuple(sorted(boiler + builder.boiler, key=lambda b: (b.block_start, b.rows or (0, 0)))),
    )


class _Builder:
    """Accumulates parts with running ordinals and the records of what was set aside."""

    def __init__(self, blocks: list[Block]) -> None:
        self.blocks = blocks
        self.parts: list[ReportPart] = []
        self.boiler: list[Boilerplate] = []

    def part(self, head: int | None, body: list[int], context: tuple[str, ...], level: int) -> None:
        positions = ([head] if head is not None else []) + body
        heading = self.blocks[head].display_text if head is not None else ""
        text = "\n".join(_block_text(self.blocks[p]) for p in positions)
        self.parts.append(
            ReportPart(
                ordinal=len(self.parts) + 1,
                heading=heading,
                block_start=self.blocks[positions[0]].index,
                block_end=self.blocks[positions[-1]].index + 1,
                text=text,
                level=level,
                context=context,
            )
        )

    def heading_only(self, head: int) -> None:
        b = self.blocks[head]
        self.boiler.append(Boilerplate(b.index, b.index + 1, "group-heading", b.display_text))

    def skip(self, pos: int, reason: str) -> None:
        b = self.blocks[pos]
        self.boiler.append(Boilerplate(b.index, b.index + 1, reason, b.text))

    def table_rows(self, pos: int, col: int, context: tuple[str, ...]) -> None:
        b = self.blocks[pos]
        first = len(self.parts)  # this table's first part, if any
        for r, row in enumerate(b.cells):
            text = " | ".join(c for c in row if c.strip())
            if r == 0 or not text:
                self.boiler.append(
                    Boilerplate(b.index, b.index + 1, "table-header", text, (r, r + 1))
                )
                continue
            if not row[col].strip() and len(self.parts) > first:
                # no title: the row goes on with the section above (a merged title cell)
                last = self.parts[-1]
                more = "\n".join(c for c in row[col + 1 :] if c.strip())
                start = last.rows[0] if last.rows else r
                self.parts[-1] = replace(last, text=f"{last.text}\n{more}", rows=(start, r + 1))
                continue
            number = row[0].strip() if col == 1 else ""
            heading = f"{number}. {row[col]}".strip(". ") if number else row[col]
            self.parts.append(
                ReportPart(
                    ordinal=len(self.parts) + 1,
                    heading=heading,
                    block_start=b.index,
                    block_end=b.index + 1,
                    text="\n".join(c for c in row[col:] if c.strip()),
                    level=len(context) + 1,
                    context=context,
                    rows=(r, r + 1),
                )
            )


def _block_text(block: Block) -> str:
    if block.kind is BlockKind.TABLE:
        return "\n".join(" | ".join(c for c in row if c.strip()) for row in block.cells)
    return block.display_text


def blocks_from_text(text: str) -> tuple[Block, ...]:
    """A plain text (mail body, PDF text) as blocks: one paragraph per non-blank line.

    ``Block.index`` is the line number, so a part's range points back into the text.
    """
    return tuple(
        Block(index=n, kind=BlockKind.PARAGRAPH, text=line.strip())
        for n, line in enumerate(text.splitlines())
        if line.strip()
    )
