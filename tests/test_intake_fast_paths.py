"""The faster paths of a reply's analysis give exactly what the plain paths give (issue 15).

Each cut in CPU per mail either skips work whose outcome is known (a part read before,
a name judged before) or does the same work with a faster library; each test here
holds the fast path to the plain one on inputs chosen to tell them apart.
"""

from __future__ import annotations

import random
import re
from email import feedparser
from email.message import Message
from pathlib import Path

import pytest
from test_document_sanitise import (
    LINK_REL,
    base_docx,
    complex_field,
    edit,
    intake,
    package,
    run,
)

from mailflow.adapters import bytescan, docx_read, mail_parse, sanitize, unpack
from mailflow.core import filenames

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_ODD = ("=", "==", "===", "\r\n", "\n", "\r", " ", "\t", "-", "_", ".", "*", "é")


def _base64_part(payload: str, cte: str = "base64") -> Message:
    part = Message()
    part["Content-Type"] = "application/octet-stream"
    part["Content-Transfer-Encoding"] = cte
    part.set_payload(payload)
    return part


def _stdlib(payload: str, cte: str = "base64") -> tuple[object, list[str]]:
    part = _base64_part(payload, cte)
    data = part.get_payload(decode=True)
    return data, [type(d).__name__ for d in part.defects]


def test_a_base64_body_decodes_to_the_bytes_and_defects_the_stdlib_gives() -> None:
    rnd = random.Random(15)
    fast_taken = 0
    for _ in range(20_000):
        pieces = [
            rnd.choice(_ALPHABET) if rnd.random() < 0.8 else rnd.choice(_ODD)
            for _ in range(rnd.randint(0, 16))
        ]
        payload = "".join(pieces)
        if payload.isascii() and mail_parse._clean_base64(_base64_part(payload)) is not None:
            fast_taken += 1
        part = _base64_part(payload)
        ours = mail_parse.payload_bytes(part)
        theirs, defects = _stdlib(payload)
        assert ours == theirs, repr(payload)
        assert [type(d).__name__ for d in part.defects] == defects, repr(payload)
    assert fast_taken > 1_000  # the fast path was really the one compared


def test_a_base64_body_with_a_stray_character_is_decoded_by_the_stdlib_with_its_defect() -> None:
    payload = "QUJD\r\nREVG-\r\n"
    assert mail_parse._clean_base64(_base64_part(payload)) is None
    part = _base64_part(payload)
    assert mail_parse.payload_bytes(part) == b"ABCDEF"
    assert [type(d).__name__ for d in part.defects] == _stdlib(payload)[1]
    assert part.defects  # the stdlib's own finding, kept


def test_raw_8bit_bytes_that_a_charset_reads_as_base64_letters_are_decoded_by_the_stdlib() -> None:
    # in EBCDIC (cp037) these four high bytes read "QUJD": base64 of "ABC"
    mail = (
        b"Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\n"
        b"Content-Type: application/octet-stream; charset=cp037\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + "QUJD".encode("cp037") + b"\r\n--XX--\r\n"
    )
    [ours] = mail_parse.parse_message(mail).get_payload()
    [theirs] = mail_parse.parse_message(mail).get_payload()
    assert mail_parse.payload_bytes(ours) == theirs.get_payload(decode=True) == b""
    assert [type(d).__name__ for d in ours.defects] == [type(d).__name__ for d in theirs.defects]


def test_a_body_in_another_encoding_never_takes_the_base64_path() -> None:
    for cte in ("quoted-printable", "7bit", ""):
        part = _base64_part("QUJD\r\n", cte)
        assert mail_parse._clean_base64(part) is None
        assert mail_parse.payload_bytes(part) == _stdlib("QUJD\r\n", cte)[0]


def test_a_reply_own_text_met_once_is_not_kept_in_memory() -> None:
    long_text = " ".join(f"đoạn {i} của báo cáo riêng" for i in range(1500))
    data = base_docx(long_text)
    assert len(package(data)["word/document.xml"]) > 16 * 1024  # a large part
    unpack._FACTS.clear()
    unpack._PARTS.clear()
    unpack._SEEN_ONCE.clear()
    first = intake(data)
    assert first.status == unpack.OK
    kept = {part for _stored, part in unpack._PARTS.values()}
    assert package(data)["word/document.xml"] not in kept  # met once: read, not kept
    again = intake(data)
    kept = {part for _stored, part in unpack._PARTS.values()}
    assert package(data)["word/document.xml"] in kept  # met again: kept
    assert (again.status, again.reason, again.params, again.docx) == (
        first.status,
        first.reason,
        first.params,
        first.docx,
    )


def test_relationships_read_before_do_not_hide_an_external_link_in_other_bytes() -> None:
    clean = edit(base_docx(), rels=(("rIdX", LINK_REL, "https://example.test/a", False),))
    linked = edit(base_docx(), rels=(("rIdX", LINK_REL, "https://example.test/a", True),))
    sanitize._READ.clear()
    for _ in range(2):  # read, then from memory
        first = intake(clean)
        assert first.status == unpack.OK and first.docx == first.data
    assert sanitize._READ
    second = intake(linked)
    assert second.status == unpack.OK
    assert (
        b"https://example.test/a" not in package(second.docx or b"")["word/_rels/document.xml.rels"]
    )


def test_a_large_relationships_part_is_read_every_time_not_remembered() -> None:
    many = tuple((f"rIdL{n}", LINK_REL, f"https://example.test/{n:04d}", False) for n in range(200))
    big = edit(base_docx(), rels=many)
    sanitize._READ.clear()
    assert intake(big).status == unpack.OK
    assert all(len(key[-1]) <= sanitize._READ_MAX_PART for key in sanitize._READ)
    assert not any(b"rIdL199" in key[-1] for key in sanitize._READ)


def test_a_name_judged_before_is_judged_the_same_and_a_long_one_is_judged_each_time() -> None:
    names = [
        "word/document.xml",
        "../word/document.xml",
        "/etc/passwd",
        "C:report.docx",
        "con.docx",
        "reports/qlkh.docx",
        "báo cáo/..\\x",
    ]
    for name in names * 2:
        assert filenames.name_problem(name) == filenames._problem(name), name
    long = "../" + "a" * 400 + ".docx"
    assert filenames.name_problem(long) == "path-traversal"
    assert filenames._remembered_problem.cache_info().currsize <= 4096
    before = filenames._remembered_problem.cache_info().misses
    filenames.name_problem("x" * 300 + "/con.docx")
    assert filenames._remembered_problem.cache_info().misses == before  # not remembered


def test_every_tracked_change_mark_still_lets_the_document_be_read_for_revisions() -> None:
    for tag in (b"<w:del ", b"<w:del>", b"<w:ins ", b"<w:ins>", b"<w:moveFrom", b"<w:moveTo"):
        assert any(pre in tag for pre in docx_read._REV_TAGS), tag
    assert not any(pre in b"<w:insideH w:val='single'/>" for pre in docx_read._REV_TAGS)


_STDLIB_BOUNDARY = r"(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$"
EML = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "eml"


def _stdlib_boundary(separator: str) -> re.Pattern[str]:
    return re.compile("(?P<sep>" + re.escape(separator) + ")" + _STDLIB_BOUNDARY)


def test_the_boundary_shortcut_is_installed_over_the_stdlib_pattern_only() -> None:
    assert isinstance(feedparser.re, mail_parse._FeedparserRe)  # type: ignore[attr-defined]
    separator = "--===============1234567890==?*(x)"
    pattern = "(?P<sep>" + re.escape(separator) + ")" + _STDLIB_BOUNDARY
    assert isinstance(feedparser.re.compile(pattern), mail_parse._Boundary)  # type: ignore[attr-defined]
    other = feedparser.re.compile(r"(?P<sep>a)b")  # type: ignore[attr-defined]
    assert isinstance(other, re.Pattern) and other.match("ab")


def test_a_line_matches_a_boundary_exactly_as_the_stdlib_pattern_matches_it() -> None:
    rnd = random.Random(15)
    letters = "aZ09=_-.:+/()?*[]{}|^$\\ \tđ\u00e9\udc80"
    tails = ["", "--", " ", "\t", "  \t", "\r\n", "\n", "\r", "--\r\n", "-- \n", "x", "-", "\n\n"]
    for _ in range(3000):
        separator = "--" + "".join(rnd.choice(letters) for _ in range(rnd.randint(0, 12)))
        real = _stdlib_boundary(separator)
        ours = mail_parse._Boundary(separator)
        for _ in range(6):
            head = separator if rnd.random() < 0.8 else separator[: rnd.randint(0, len(separator))]
            line = head + "".join(rnd.choice(tails) for _ in range(rnd.randint(0, 3)))
            theirs, mine = real.match(line), ours.match(line)
            assert bool(theirs) == bool(mine), (separator, line)
            if theirs and mine:
                for group in ("end", "ws", "linesep"):
                    assert theirs.group(group) == mine.group(group), (separator, line, group)


def _tree(msg: Message) -> list[object]:
    out: list[object] = []
    for part in msg.walk():
        payload = part.get_payload() if not part.is_multipart() else None
        out.append(
            (
                part.get_content_type(),
                part.preamble,
                part.epilogue,
                payload,
                [type(d).__name__ for d in part.defects],
                list(part.raw_items()),
            )
        )
    return out


@pytest.mark.skipif(not EML.is_dir(), reason="../shared/corpora is not beside this checkout")
def test_every_corpus_mail_parses_to_the_tree_the_stdlib_pattern_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raws = [p.read_bytes() for p in sorted(EML.rglob("*.eml")) if p.is_file()]
    assert len(raws) > 1000
    ours = [_tree(mail_parse.parse_message(raw)) for raw in raws]
    monkeypatch.setattr(feedparser, "re", re)
    theirs = [_tree(mail_parse.parse_message(raw)) for raw in raws]
    for raw, a, b in zip(raws, ours, theirs, strict=True):
        assert a == b, raw[:200]


def test_a_member_of_the_same_sizes_and_crc_but_other_bytes_is_read_anew() -> None:
    data = base_docx("Báo cáo có hình thu nhỏ.")
    unpack._PARTS.clear()
    unpack._FACTS.clear()
    unpack._SEEN_ONCE.clear()
    for _ in range(2):
        intake(data)  # every member met twice: remembered
    assert unpack._PARTS and unpack._FACTS
    # the same metas, other stored bytes, and what was found in them poisoned: nothing
    # remembered may answer for the members of this document
    poisoned = unpack._Facts(lt=0, doctype=True, active=False)
    for meta, (stored, _facts) in list(unpack._FACTS.items()):
        unpack._FACTS[meta] = (bytes(len(stored)), poisoned)
    for meta, (stored, _part) in list(unpack._PARTS.items()):
        unpack._PARTS[meta] = (bytes(len(stored)), b"<!DOCTYPE x>")
    again = intake(data)
    assert again.status == unpack.OK and again.docx == data
    kept = {meta: stored for meta, (stored, _part) in unpack._PARTS.items()}
    assert all(any(stored) for stored in kept.values())  # read anew and kept with its bytes


@pytest.mark.skipif(not EML.is_dir(), reason="../shared/corpora is not beside this checkout")
def test_every_corpus_mail_reads_the_header_values_raw_header_finds() -> None:
    for path in sorted(EML.rglob("*.eml")):
        parsed = mail_parse.parse(path.read_bytes())
        msg = parsed.message

        def raw(name: str, msg: Message = msg) -> str:
            return mail_parse.raw_header(msg, name) or ""

        assert parsed.message_id == mail_parse.normalize_msgid(
            mail_parse.clean_text(raw("message-id"))
        ), path
        assert parsed.in_reply_to == mail_parse.normalize_msgid(
            mail_parse.clean_text(raw("in-reply-to"))
        ), path
        assert parsed.date == mail_parse._date(raw("date")), path
        refs = re.findall(r"<([^<>\s]+)>", raw("references"))
        assert parsed.references == tuple(mail_parse.clean_text(f"<{r}>") for r in refs), path
        assert (parsed.from_addr, parsed.from_name) == mail_parse._address(
            raw("from") or raw("sender")
        ), path
        trace = [
            (key, mail_parse.decode_words(value))
            for key, value in mail_parse.raw_headers(msg)
            if key in ("received", "authentication-results")
        ]
        assert list(parsed.trace) == trace, path


# --- substring tests (bytescan: StringZilla's SIMD search) -----------------------------

DOCX = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "docx"
#: every needle the document checks search for, and look-alikes one byte off
_NEEDLES = (
    *sanitize._ACTIVE_MARKERS,
    *docx_read._REV_TAGS,
    docx_read._W_BINDING,
    b"<!",
    b"<",
    b"fldCha",
    b"ldChar",
    b"<w:de",
    b"Chang",
)


def _stdlib_facts(part: bytes) -> tuple[bool, bool, int, bool]:
    """What the document checks found in a part before ``bytescan`` (plain ``in``)."""
    uri, binding = docx_read._W_URI, docx_read._W_BINDING
    revisions = part.count(uri) != 1 or binding not in part
    revisions = revisions or any(tag in part for tag in docx_read._REV_TAGS)
    doctype = bool(unpack._DOCTYPE.search(part))
    if not doctype and part[:2] in (b"\xff\xfe", b"\xfe\xff"):
        doctype = bool(unpack._DOCTYPE.search(part.decode("utf-16", "ignore").encode()))
    elif not doctype and part[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        doctype = any(
            unpack._DOCTYPE.search(part.decode(enc, "ignore").encode())
            for enc in ("utf-16-le", "utf-16-be")
        )
    return any(m in part for m in sanitize._ACTIVE_MARKERS), revisions, part.count(b"<"), doctype


def _facts(part: bytes) -> tuple[bool, bool, int, bool]:
    return (
        sanitize.has_active(part),
        docx_read._may_hold_revisions(part),
        bytescan.count(part, b"<"),
        unpack._has_doctype(part),
    )


def test_bytescan_answers_as_the_stdlib_on_random_bytes() -> None:
    rnd = random.Random(15)
    alphabets = (b"<w:delinsChange ", b"ab<!", bytes(range(256)), b"fldChar<src=href")
    found = 0
    for _ in range(4000):
        alphabet = rnd.choice(alphabets)
        size = rnd.choice((0, 1, 2, 7, 31, 32, 33, 63, 64, 65, 127, 128, 129, rnd.randint(0, 5000)))
        haystack = bytearray(rnd.choice(alphabet) for _ in range(size))
        for needle in rnd.sample(_NEEDLES, 4):  # planted at a random place, sometimes cut
            if haystack and rnd.random() < 0.5:
                at = rnd.randint(0, len(haystack))
                haystack[at:at] = needle[: rnd.randint(1, len(needle))]
        data = bytes(haystack)
        for needle in _NEEDLES:
            expected = needle in data
            found += expected
            assert bytescan.contains(data, needle) is expected, (data[:80], needle)
            assert bytescan.count(data, needle) == data.count(needle), (data[:80], needle)
            assert bytescan.contains_any(data, (b"\x00\x01\x02", needle)) is (
                expected or b"\x00\x01\x02" in data
            )
    assert found > 3_000  # the needles were really there to be found


def test_a_needle_is_found_at_every_place_in_a_long_part() -> None:
    base = b"<w:r><w:t>" + b"x" * 70_000 + b"</w:t></w:r>"
    for needle in (b"fldChar", b"<w:del", b"Change", b"<!", b"src="):
        for at in (0, 1, 15, 16, 31, 32, 63, 64, 65, 4095, 4096, 65_535, len(base) - len(needle)):
            data = base[:at] + needle + base[at + len(needle) :]
            assert bytescan.contains(data, needle), (needle, at)
            assert bytescan.contains(data[:-1], needle) is (needle in data[:-1]), (needle, at)


@pytest.mark.skipif(not DOCX.is_dir(), reason="../shared/corpora is not beside this checkout")
def test_every_corpus_document_part_gets_the_facts_the_stdlib_searches_give() -> None:
    import zipfile

    parts = 0
    for path in sorted(DOCX.rglob("*")):
        if not path.is_file() or not zipfile.is_zipfile(path):
            continue
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if info.file_size > 8 * 1024 * 1024:
                    continue
                try:
                    part = zf.read(info)
                except Exception:  # a broken member: the checks refuse it elsewhere
                    continue
                assert _facts(part) == _stdlib_facts(part), (path, info.filename)
                for cut in (1, 2, 3):  # the same part ending inside a marker
                    assert _facts(part[:-cut]) == _stdlib_facts(part[:-cut]), (path, cut)
                parts += 1
    assert parts > 1000


def test_a_doctype_is_found_whatever_the_bytes_around_it() -> None:
    for part in (
        b"<!DOCTYPE x>",
        b"<?xml version='1.0'?>\n<! doctype x [<!ENTITY a 'b'>]><x/>",
        b"<x/><!\tEnTiTy",
        "<?xml version='1.0' encoding='utf-16'?><!DOCTYPE x><x/>".encode("utf-16"),
        "<?xml version='1.0'?><!ENTITY x>".encode("utf-16-le"),
        b"<x><!-- no doctype here --></x>",
        b"<x><![CDATA[<!DOC TYPE]]></x>",
        b"<x/>",
    ):
        assert unpack._has_doctype(part) is _stdlib_facts(part)[3], part


def _pieces_by_loop(value: str) -> list[str]:
    """How split_params cut a value before its fast paths: one character at a time."""
    return mail_parse._pieces_by_char(value)


def _params_by_loop(value: str) -> tuple[str, list[tuple[str, str]]]:
    pieces = _pieces_by_loop(value)
    params: list[tuple[str, str]] = []
    for piece in pieces[1:]:
        if "=" not in piece:
            continue
        key, _, val = piece.partition("=")
        val = val.strip()
        if len(val) >= 2 and val[0] == '"' and val[-1] == '"':
            val = re.sub(r"\\(.)", r"\1", val[1:-1])
        elif val.startswith('"'):
            val = val[1:]
        params.append((key.strip().lower(), val))
    return pieces[0].strip(), params


def test_parameters_with_quotes_split_as_the_character_loop_splits_them() -> None:
    rnd = random.Random(15)
    letters = ['"', '"', ";", ";", "=", " ", "a", "B", "đ", "\t", "*", "'", "\\", "\udc80"]
    for _ in range(30_000):
        value = "".join(rnd.choice(letters) for _ in range(rnd.randint(0, 14)))
        if rnd.random() < 0.5:
            value = "text/plain; " + value
        assert mail_parse.split_params(value) == _params_by_loop(value), repr(value)
    for value in (
        'multipart/mixed; boundary="===============4324268297030489820=="',
        'attachment; filename="a;b.docx"; size=12',
        'text/plain; charset="utf-8',  # an unclosed quote runs to the end
        'application/x; name="x"y"z"; q=";"',
    ):
        assert mail_parse.split_params(value) == _params_by_loop(value), value


@pytest.mark.skipif(not EML.is_dir(), reason="../shared/corpora is not beside this checkout")
def test_every_corpus_mail_parameter_splits_as_the_character_loop_splits_it() -> None:
    values = 0
    for path in sorted(EML.rglob("*.eml")):
        for part in mail_parse.parse_message(path.read_bytes()).walk():
            for key, value in part.raw_items():
                if key.lower() in ("content-type", "content-disposition"):
                    value = mail_parse._unfold(value)
                    assert mail_parse.split_params(value) == _params_by_loop(value), path
                    values += '"' in value
    assert values > 1000  # values with quotes: the ones the fast path takes


def test_a_campaign_token_pattern_remembered_is_the_one_built_anew() -> None:
    from mailflow.core import identify

    for token in ("2023-H1", "2024 kh", "BC/6T.2025", "x"):
        remembered = identify._token_re(token)
        built = identify._token_re.__wrapped__(token)
        assert identify._token_re(token) is remembered
        assert (remembered.pattern, remembered.flags) == (built.pattern, built.flags)


def test_base64_lines_ending_in_any_control_character_decode_as_the_stdlib_decodes() -> None:
    # the fast path deletes only CR and LF: other line-breaking characters (VT, FF, FS,
    # NEL) stay in the text and send the part to the stdlib, with its defect
    rnd = random.Random(15)
    pieces = ["QUJD", "REVG", "\r\n", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x85", "="]
    for _ in range(20_000):
        payload = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 12)))
        part = _base64_part(payload)
        ours = mail_parse.payload_bytes(part)
        theirs, defects = _stdlib(payload)
        assert ours == theirs, repr(payload)
        assert [type(d).__name__ for d in part.defects] == defects, repr(payload)


# --- the main part parsed once (unpack._MainTree) ---------------------------------------


def _unzipped(data: bytes) -> list[tuple[str, bytes]]:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as zf:  # contents only: zip dates differ by run
        return [(info.filename, zf.read(info)) for info in zf.infolist()]


def _word_reading(data: bytes) -> object:
    try:
        out, params = unpack._Walker(unpack.Limits()).word(data)
    except unpack._Hostile as exc:
        return ("refused", exc.reason, exc.params)
    return ("taken", out is data, _unzipped(out), params)


@pytest.mark.skipif(not DOCX.is_dir(), reason="../shared/corpora is not beside this checkout")
def test_a_document_reads_the_same_with_its_main_part_parsed_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import zipfile

    taken: list[bool] = []
    take = unpack._MainTree.take

    def counted(self: unpack._MainTree, raw: bytes) -> object:
        root = take(self, raw)
        taken.append(root is not None)
        return root

    monkeypatch.setattr(unpack._MainTree, "take", counted)
    docs = [p.read_bytes() for p in sorted(DOCX.rglob("*")) if zipfile.is_zipfile(p)]
    # fields, words the sanitiser looks for, tracked changes, a content control, and each
    # together with another: every step takes the tree, or parses after one that took it
    base = base_docx("Báo cáo.")
    field = complex_field("PAGE", run("3"))
    words = "<w:p>" + run("object href src= fldChar") + "</w:p>"
    stamp = 'w:author="A" w:date="2024-01-01T00:00:00Z"'
    revision = (
        f'<w:p><w:ins w:id="1" {stamp}>{run("thêm")}</w:ins>'
        f'<w:del w:id="2" {stamp}><w:r><w:delText>bỏ</w:delText></w:r></w:del></w:p>'
    )
    control = "<w:sdt><w:sdtContent><w:p>" + run("Trong ô.") + "</w:p></w:sdtContent></w:sdt>"
    docs += [base] + [
        edit(base, body=body)
        for body in (
            field,
            words,
            revision,
            control,
            words + revision,
            revision + control,
            field + revision + control,
            words + control,
        )
    ]
    assert len(docs) > 100
    shared = [_word_reading(d) for d in docs]
    assert sum(taken) > 30  # the tree really went to a later step that many times
    monkeypatch.setattr(unpack, "_SHARED_TREE_MAX_BYTES", -1)  # never shared: parsed again
    for data, ours in zip(docs, shared, strict=True):
        assert ours == _word_reading(data), data[:60]


# --- a mail turned into text piece by piece (mail_parse._as_text) -------------------------


def test_a_mail_is_turned_into_the_text_bytes_parser_makes_of_it() -> None:
    rnd = random.Random(15)
    step = mail_parse._DECODE_CHUNK
    for _ in range(400):
        size = rnd.choice((0, 1, step - 1, step, step + 1, 3 * step, rnd.randint(0, 5 * step)))
        data = bytearray(rnd.choice(b"QUJD=\r\n -") for _ in range(size))
        for _ in range(rnd.randint(0, 4)):  # 8-bit bytes anywhere, also at a piece's edge
            if data:
                at = rnd.choice((0, len(data) - 1, step - 1, step, rnd.randrange(len(data))))
                data[min(at, len(data) - 1)] = rnd.randint(128, 255)
        raw = bytes(data)
        assert mail_parse._as_text(raw) == raw.decode("ascii", "surrogateescape")


@pytest.mark.skipif(not EML.is_dir(), reason="../shared/corpora is not beside this checkout")
def test_every_corpus_mail_parses_to_the_tree_bytes_parser_gives() -> None:
    from email.parser import BytesParser

    for path in sorted(EML.rglob("*.eml")):
        raw = path.read_bytes()
        theirs = BytesParser(policy=mail_parse.RAW_POLICY).parsebytes(raw)
        assert _tree(mail_parse.parse_message(raw)) == _tree(theirs), path
