"""Word structures a department's text may sit in reach the draft exactly once.

The labelled probes of ``tests/fixtures/structure/probes.py`` (session 22: text boxes
with their VML Fallback copy, content controls, customXml, smart tags, fields, tracked
changes, layout and merged tables, localised and custom heading styles, notes, comments,
headers, columns, altChunk, a table of contents) go through one ``mailflow ingest`` and
one ``mailflow assemble``; the draft is read as Word shows it and as LibreOffice reads it.

First score, before any fix: batch 1 50/52 sentences where they belong, batch 2 13/24,
the four late probes 3/9 (a report inside one content control or customXml came out
under each section it matched: every sentence twice), batch 3 4/8 (a layout table row's
footnote lost), q18 0/2 (a footnote inside a text box), q19 0/2 (a photo box), q21 2/4
(heading styles "標題 2", "Nagłówek 2" not known), q22 1/2 (a footnote on a restated
heading). The behaviour tests below are the probes that failed; the score test keeps the
whole set above its floor.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from fixtures.structure import probes as P
from fixtures.structure.evaluate import Outcome, run_probes, table

import mailenv
from mailenv import MailEnv
from mailflow import i18n
from mailflow.adapters.docx_read import flatten_structure, read_docx
from mailflow.adapters.pdf import find_soffice

ALL = P.PROBES + P.PROBES_2 + P.PROBES_3
# The whole set on the old code (main at f08219a): 79/108 where they belong; 11 lost,
# 4 doubled, 2 misplaced, 11 held, one template prompt in the body. With the fixes:
# 105/108, the other 3 held for a person (q16: group rows merged across a "STT | Nội dung
# | Kết quả" table keep it whole). The floor leaves room for matching to move a sentence
# into review; lost, doubled, misplaced and present-when-absent stay at zero.
FLOOR = 0.95


@pytest.fixture(autouse=True)
def _keep_language() -> Iterator[None]:
    """The CLI runs with --lang en and sets it process-wide; later test files expect vi."""
    before = i18n.get_lang()
    yield
    i18n.set_lang(before)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Outcome]]:
    if find_soffice() is None and mailenv.real_required():
        pytest.fail("LibreOffice is required under CI=true")
    folder = tmp_path_factory.mktemp("structure-probes")
    env = MailEnv("embedded", "127.0.0.1", 1, 1)  # never contacted: ingest reads files
    result = run_probes(folder, env, ALL)
    text, total = table(result)
    print("\nWord-structure probes\n" + text + f"\n{dict(total)}")
    by_probe: dict[str, list[Outcome]] = {}
    for o in result:
        by_probe.setdefault(o.probe, []).append(o)
    return by_probe


def _results(outcomes: dict[str, list[Outcome]], name: str) -> list[str]:
    return [o.result for o in outcomes[name]]


def test_the_probe_set_scores_above_its_floor_and_loses_or_doubles_nothing(outcomes) -> None:  # type: ignore[no-untyped-def]
    flat = [o for found in outcomes.values() for o in found]
    results = [o.result for o in flat]
    assert len(flat) >= 70
    assert [o for o in flat if o.result in ("lost", "doubled", "present", "misplaced")] == []
    assert results.count("ok") / len(results) >= FLOOR


def test_a_report_inside_one_content_control_is_in_the_draft_once(outcomes) -> None:  # type: ignore[no-untyped-def]
    assert _results(outcomes, "q11-report-in-one-content-control") == ["ok", "ok"]


def test_a_report_inside_one_customxml_wrapper_is_in_the_draft_once(outcomes) -> None:  # type: ignore[no-untyped-def]
    assert _results(outcomes, "q12-report-in-customxml") == ["ok", "ok"]


def test_an_unfilled_content_control_prompt_is_not_report_text(outcomes) -> None:  # type: ignore[no-untyped-def]
    found = {o.sentence: o.result for o in outcomes["p03-content-controls"]}
    assert found[P.S["sdt_placeholder"]] == "ok"  # ABSENT: not in the draft at all
    assert set(found.values()) == {"ok"}


def test_a_report_typed_in_one_text_box_is_split_into_its_sections(outcomes) -> None:  # type: ignore[no-untyped-def]
    assert _results(outcomes, "q01-report-in-one-textbox") == ["ok", "ok"]


def test_a_text_box_that_is_a_sections_only_text_is_placed(outcomes) -> None:  # type: ignore[no-untyped-def]
    assert _results(outcomes, "q08-tracked-changes-in-textbox") == ["ok", "ok"]
    assert _results(outcomes, "q09-group-of-textboxes") == ["ok", "ok"]


def test_a_heading_typed_in_a_text_box_heads_the_text_under_it(outcomes) -> None:  # type: ignore[no-untyped-def]
    assert _results(outcomes, "p16-heading-in-textbox") == ["ok"]


def test_a_report_inside_a_one_column_table_is_split_into_its_sections(outcomes) -> None:  # type: ignore[no-untyped-def]
    assert _results(outcomes, "q02-one-column-frame-table") == ["ok", "ok"]


def test_a_report_inside_a_one_cell_border_table_is_split_into_its_sections(outcomes) -> None:  # type: ignore[no-untyped-def]
    assert _results(outcomes, "q03-border-table-1x1") == ["ok", "ok"]


def test_a_layout_table_row_under_a_merged_section_cell_is_placed_with_it(outcomes) -> None:  # type: ignore[no-untyped-def]
    assert _results(outcomes, "q14-layout-table-merged-section-cell") == ["ok", "ok", "ok"]


def test_a_footnote_on_a_layout_table_row_reaches_the_draft(outcomes) -> None:  # type: ignore[no-untyped-def]
    """A row part was written as its plain text: the row's footnote was lost. It is now
    copied as the table's header row and its own rows, footnote included."""
    assert _results(outcomes, "q15-layout-table-footnote") == ["ok", "ok", "ok"]


def test_a_draft_carrying_a_footnote_from_a_text_box_opens_in_libreoffice(outcomes) -> None:  # type: ignore[no-untyped-def]
    """Before the boxes were unwrapped the box's text was "no content" when it was the
    section's only text (both sentences lost), and when it travelled with a text paragraph
    LibreOffice could not load the draft at all (no PDF for the Office)."""
    assert _results(outcomes, "q18-footnote-in-textbox") == ["ok", "ok"]
    assert all(o.rendered == 1 for o in outcomes["q18-footnote-in-textbox"])


def test_a_text_box_holding_a_photo_and_text_is_placed(outcomes) -> None:  # type: ignore[no-untyped-def]
    assert _results(outcomes, "q19-photo-box") == ["ok", "ok"]


def test_heading_styles_named_in_other_languages_cut_the_report(outcomes) -> None:  # type: ignore[no-untyped-def]
    """q21: "標題 2" and "Nagłówek 2" were not known as heading names (two texts misplaced)."""
    assert _results(outcomes, "q21-heading-style-names-other-languages") == ["ok"] * 4


def test_localised_heading_style_names_give_a_heading_level() -> None:
    levels = {b.text: b.heading_level for b in read_docx(P.q21())}
    assert levels["Kết quả đạt được trong 6 tháng"] == 2  # 標題 2
    assert levels["Nguyên nhân của tồn tại, hạn chế"] == 2  # Nagłówek 2


def test_a_footnote_on_a_heading_restating_the_outline_title_is_kept(outcomes) -> None:  # type: ignore[no-untyped-def]
    """q22: the draft leaves out a heading that restates the outline's title (its own
    heading says it); the footnote on that heading went with it."""
    assert _results(outcomes, "q22-footnote-on-restated-heading") == ["ok", "ok"]


# --- the docx form itself --------------------------------------------------------------


def _main(data: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")


def test_a_text_box_holding_a_picture_is_left_as_it_is() -> None:
    """Unboxing would drop the picture with the shape: such a box stays (and travels with
    its anchor paragraph as before)."""
    box = P.textbox_run(["Chú thích ảnh: mô hình nuôi tôm."], 81)
    box = box.replace("<wps:bodyPr", '<a:blip r:embed="rId999"/><wps:bodyPr', 1)
    data = P.document([P.heading(P.T_CMCN), P.para("", inner=box)])
    flat, changes = flatten_structure(data)
    assert changes == 0 and flat == data


def test_a_document_without_boxes_or_wrappers_is_returned_unchanged() -> None:
    data = P.document([P.heading(P.T_CMCN), P.para(P.S["tb_lead"])])
    assert flatten_structure(data) == (data, 0)


def test_a_text_box_is_read_once_from_its_choice_not_also_its_fallback() -> None:
    flat, changes = flatten_structure(P.p01())
    texts = [b.text for b in read_docx(flat)]
    assert changes == 2
    assert texts.count(P.S["tb_box"]) == 1 and texts.count(P.S["tb_empty_anchor"]) == 1
    assert b"txbxContent" not in _main(flat)


def test_unwrapped_blocks_each_get_their_own_index() -> None:
    flat, _ = flatten_structure(P.q11())
    blocks = [b for b in read_docx(flat) if b.text]
    assert len({b.index for b in blocks}) == len(blocks)


def test_the_word_step_of_intake_keeps_the_flat_form() -> None:
    """Intake's Word step (sanitise, accept revisions, flatten) is where it happens, so
    the archived docx form, the matcher and the draft all see the same flat body."""
    from mailflow.adapters.unpack import Limits, _Walker

    data, _ = _Walker(Limits()).word(P.q11())
    assert b"<w:sdt" not in _main(data) and P.S2["wsdt_b"].encode() in _main(data)


# --- the same structures saved by LibreOffice as .odt and Word 97 .doc --------------------


@pytest.fixture(scope="module")
def saved_by_libreoffice(tmp_path_factory: pytest.TempPathFactory) -> list[Outcome]:
    if find_soffice() is None:
        if mailenv.real_required():
            pytest.fail("LibreOffice is required under CI=true")
        pytest.skip("LibreOffice builds these probes")
    folder = tmp_path_factory.mktemp("structure-probes-lo")
    result = run_probes(folder, MailEnv("embedded", "127.0.0.1", 1, 1), P.PROBES_4)
    text, total = table(result)
    print("\nthe same structures saved as .odt/.doc\n" + text + f"\n{dict(total)}")
    return result


@pytest.mark.slow
@pytest.mark.libreoffice
def test_text_frames_and_controls_saved_as_odt_or_doc_reach_the_draft_once(
    saved_by_libreoffice: list[Outcome],
) -> None:
    """First score on the old code 7/14 (q01/q09 as .odt: LibreOffice's frames gave "no
    content", 4 sentences lost). Left: q11-odt's first heading loses its bold inside the
    control on LibreOffice's round trip (held), and an unfilled control's prompt saved in
    a .doc is plain text there (p03-doc, present)."""
    results = [o.result for o in saved_by_libreoffice]
    assert [o for o in saved_by_libreoffice if o.result in ("lost", "doubled", "misplaced")] == []
    assert results.count("ok") >= 12


def test_a_photo_inside_a_text_box_moves_out_with_its_caption_once() -> None:
    """q19: a "news box" (photo, caption, text). Its paragraphs come out with the photo in
    them, once (the Fallback's copy goes with the shape); the caption and text are read."""
    flat, changes = flatten_structure(P.q19())
    main = _main(flat)
    texts = [b.text for b in read_docx(flat)]
    assert changes == 1 and b"txbxContent" not in main
    assert main.count(b"<a:blip ") == 1
    assert P.S3["ph_caption"] in texts and P.S3["ph_text"] in texts


# --- session 22, review R2: a cell must end in a paragraph; stale placeholder flags -------

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
BOX_TABLE_SENTENCE = "Bảng trong hộp văn bản: 14 hợp đồng chuyển giao công nghệ đã ký."


def _box_table_in_cell(cell_control: bool = False) -> bytes:
    """A 2-column table whose cell's last paragraph anchors a text box holding a table
    (a box in a form cell; R2 item 3), optionally inside a cell-level content control."""
    inner = P.table([P.row(P.cell(P.para(BOX_TABLE_SENTENCE)), P.cell(P.para("14")))])
    box = P.textbox_run([], 91).replace(
        "<w:txbxContent></w:txbxContent>", f"<w:txbxContent>{inner}</w:txbxContent>"
    )
    anchor = P.para("Kết quả", inner=box)
    if cell_control:
        anchor = (
            "<w:sdt><w:sdtPr><w:id w:val='77'/></w:sdtPr>"
            f"<w:sdtContent>{anchor}</w:sdtContent></w:sdt>"
        )
    rows = [P.row(P.cell(P.para("Chuyển giao")), P.cell(anchor))]
    return P.document([P.heading(P.T_TIEMLUC), P.table(rows), P.para("Hết.")])


def _last_blocks_not_paragraphs(main: bytes) -> list[str]:
    """Every cell (and cell-level control content) whose last element is not a w:p."""
    from lxml import etree

    root = etree.fromstring(main)
    bad = []
    for tc in root.iter(f"{{{_W_NS}}}tc"):
        el = tc
        while True:
            kids = [c for c in el if c.tag != f"{{{_W_NS}}}tcPr"]
            last = kids[-1] if kids else None
            if last is not None and last.tag == f"{{{_W_NS}}}sdt":
                el = last.find(f"{{{_W_NS}}}sdtContent")
                continue
            break
        if last is None or last.tag != f"{{{_W_NS}}}p":
            bad.append(etree.QName(last).localname if last is not None else "nothing")
    return bad


@pytest.mark.parametrize("cell_control", [False, True], ids=["cell", "cell-control"])
def test_a_text_box_holding_a_table_leaves_its_cell_ending_in_a_paragraph(
    cell_control: bool,
) -> None:
    """R2 item 3: the box's table was put after the cell's last paragraph, so the cell
    ended in a table (Word: "unreadable content", repaired). First result: ['tbl']."""
    flat, changes = flatten_structure(_box_table_in_cell(cell_control))
    assert changes >= 1 and b"txbxContent" not in _main(flat)
    assert _last_blocks_not_paragraphs(_main(flat)) == []
    assert _main(flat).decode().count(BOX_TABLE_SENTENCE) == 1


def test_a_draft_holding_a_text_box_table_from_a_cell_opens_in_word_and_libreoffice(
    tmp_path: Path,
) -> None:
    """The same through ingest and assemble: the draft's cells all end in a paragraph,
    python-docx opens it, LibreOffice converts it to PDF, the sentence is in it once."""
    import subprocess

    import docx

    probe = P.Probe(
        "r2-box-table-in-cell",
        "a text box holding a table, anchored in a table cell's last paragraph",
        "khtc",
        _box_table_in_cell,
        (P.Expect(BOX_TABLE_SENTENCE, "1.2.1.6"),),
    )
    folder = tmp_path
    [outcome] = run_probes(folder, MailEnv("embedded", "127.0.0.1", 1, 1), (probe,))
    draft = folder / "draft.docx"
    assert _last_blocks_not_paragraphs(_main(draft.read_bytes())) == []
    docx.Document(str(draft))
    assert outcome.result in ("ok", "held"), outcome  # once, where it belongs or for a person
    soffice = find_soffice()
    if soffice is None:
        if mailenv.real_required():
            pytest.fail("LibreOffice is required under CI=true")
        return
    out = folder / "pdf"
    subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{folder}/lo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(draft),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    assert (out / "draft.pdf").stat().st_size > 0


FILLED = "Đã cấp 1.250 hồ sơ đăng ký quyền sở hữu công nghiệp trong 6 tháng."
GLOSSARY_PROMPT = "Nhập số liệu của đơn vị tại đây"


def _with_glossary(doc: docx.document.Document) -> None:
    """A glossary part as Word saves it: the control's placeholder text is a docPart."""
    W = P.NS["w"]
    glossary = (
        f'<w:glossaryDocument xmlns:w="{W}"><w:docParts><w:docPart><w:docPartPr>'
        '<w:name w:val="7A1B2C3D4E5F40718293A4B5C6D7E8F9"/><w:category><w:name w:val="General"/>'
        '<w:gallery w:val="placeholder"/></w:category><w:behaviors><w:behavior w:val="content"/>'
        '</w:behaviors><w:guid w:val="{7A1B2C3D-4E5F-4071-8293-A4B5C6D7E8F9}"/></w:docPartPr>'
        '<w:docPartBody><w:p><w:r><w:rPr><w:rStyle w:val="PlaceholderText"/></w:rPr>'
        f"<w:t>{GLOSSARY_PROMPT}</w:t></w:r></w:p></w:docPartBody></w:docPart></w:docParts>"
        "</w:glossaryDocument>"
    ).encode()
    P.add_part(
        doc,
        "/word/glossary/document.xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.glossary+xml",
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/glossaryDocument",
        glossary,
    )


def _flagged(inner: str, doc_part: bool = False) -> str:
    """A block control that says it shows its placeholder (``w:showingPlcHdr``)."""
    ref = (
        '<w:placeholder><w:docPart w:val="7A1B2C3D4E5F40718293A4B5C6D7E8F9"/></w:placeholder>'
        if doc_part
        else ""
    )
    return (
        f'<w:sdt><w:sdtPr><w:id w:val="4242"/>{ref}<w:showingPlcHdr/></w:sdtPr>'
        f"<w:sdtContent>{inner}</w:sdtContent></w:sdt>"
    )


def test_a_control_flagged_as_showing_its_placeholder_keeps_real_text() -> None:
    """R2 item 4: template fillers and LibreOffice round trips leave ``showingPlcHdr`` on
    a control holding the department's text; it was emptied, the text lost without a
    word. First result: only the heading left. Now the text stays, the flag goes."""
    data = P.document(
        [P.heading(P.T_TIEMLUC), _flagged(P.para(FILLED), doc_part=True)],
        setup=_with_glossary,
    )
    flat, changes = flatten_structure(data)
    assert FILLED in [b.text for b in read_docx(flat)]
    assert b"showingPlcHdr" not in _main(flat) and changes >= 1


def test_a_run_control_flagged_as_showing_its_placeholder_keeps_real_text() -> None:
    run_control = (
        f"<w:p>{P.run('Số liệu: ')}<w:sdt><w:sdtPr><w:showingPlcHdr/></w:sdtPr>"
        f"<w:sdtContent>{P.run('1.250 hồ sơ')}</w:sdtContent></w:sdt></w:p>"
    )
    flat, _ = flatten_structure(P.document([P.heading(P.T_TIEMLUC), run_control]))
    assert "Số liệu: 1.250 hồ sơ" in [b.text for b in read_docx(flat)]


@pytest.mark.parametrize(
    "prompt",
    [
        GLOSSARY_PROMPT,
        "Click or tap here to enter text.",
        "click here to enter text",
        "Choose an item.",
        P.S["sdt_placeholder"],
    ],
)
def test_a_control_showing_its_placeholder_loses_the_prompt(prompt: str) -> None:
    data = P.document(
        [P.heading(P.T_TIEMLUC), _flagged(P.para(prompt), doc_part=True), P.para(FILLED)],
        setup=_with_glossary,
    )
    flat, _ = flatten_structure(data)
    texts = [b.text for b in read_docx(flat)]
    assert prompt not in texts and FILLED in texts


def test_a_dropped_placeholder_prompt_is_recorded_with_the_document() -> None:
    """The intake note the reader's count was thrown away for (unpack ``flat, _ =``)."""
    from mailflow.adapters.unpack import Limits, _Walker

    _, params = _Walker(Limits()).word(P.p03())
    assert dict(params).get("placeholders_dropped") == "1"


# --- drafts rebuilt from docx forms archived before flattening (R2 items 6, 7) -----------

ROW_A = "Hàng 1: hoàn thành thẩm định 8 dự án đầu tư có công nghệ."
ROW_B = "Hàng 2: kiểm tra 5 cơ sở bức xạ, không phát hiện vi phạm."
NOTE_A = "Chú thích của tiêu đề bị lược."
NOTE_B = "Chú thích của đoạn thứ hai."


def _old_form(path: Path, body: list[str], notes: dict[int, str] | None = None) -> Path:
    """A docx form as intake stored it before ``flatten_structure``: the report still in
    one top-level content control."""
    wrapped = P.sdt_block("".join(body), "Báo cáo", "bc")

    def setup(doc: docx.document.Document) -> None:
        if not notes:
            return
        W = P.NS["w"]
        foot = "".join(
            f'<w:footnote w:id="{n}"><w:p><w:r><w:footnoteRef/></w:r>'
            f'<w:r><w:t xml:space="preserve"> {P.esc(text)}</w:t></w:r></w:p></w:footnote>'
            for n, text in notes.items()
        )
        xml = (
            f'<w:footnotes xmlns:w="{W}">'
            '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
            '</w:footnote><w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r>'
            f"<w:continuationSeparator/></w:r></w:p></w:footnote>{foot}</w:footnotes>"
        ).encode()
        P.add_part(doc, "/word/footnotes.xml", P.CT.WML_FOOTNOTES, P.RT.FOOTNOTES, xml)

    path.write_bytes(P.document([wrapped], setup=setup))
    return path


def _render_one(source: Path, **part: object) -> object:
    from datetime import date, datetime

    from mailflow.adapters.draft_docx import render_draft
    from mailflow.core.draft_plan import build_plan
    from mailflow.model import Attribution, Campaign, Department, Outline, PlacedPart
    from mailflow.model import Section as Sec

    deps = [Department("A", "Phòng A", ("a@example.org",))]
    outline = Outline("o", (Sec("1", "1", 1, "Mục một", assignees=("A",)),))
    campaign = Campaign("c", "Báo cáo", "o", "d", date(2031, 7, 21), "A", place="Quảng Trị")
    placed = PlacedPart(
        section_key="1",
        department="A",
        attribution=Attribution("A", datetime(2031, 7, 1, 8, 0), source.name),
        source=str(source),
        block_start=0,
        block_end=1,
        text=f"{ROW_A}\n{ROW_B}",
        part_id=1,
        **part,  # type: ignore[arg-type]
    )
    plan = build_plan(outline, [placed], {}, deps, campaign, datetime(2031, 7, 2, 9, 0))
    template = Path(__file__).resolve().parents[1] / "templates" / "draft.docx"
    return render_draft(plan, template, lang="en")


def test_rows_cut_from_a_table_inside_an_old_forms_control_are_copied_without_a_failure(
    tmp_path: Path,
) -> None:
    """R2 item 6: on a form stored before flattening, the table's index is its control's;
    the row copy raised "no table at 0" and the draft said the part failed. First result
    (read, then run): a source_bad warning and a part_failed issue."""
    rows = [
        P.row(P.cell(P.para("Nội dung")), P.cell(P.para("Kết quả"))),
        P.row(P.cell(P.para("Thẩm định")), P.cell(P.para(ROW_A))),
        P.row(P.cell(P.para("Kiểm tra")), P.cell(P.para(ROW_B))),
    ]
    source = _old_form(tmp_path / "old.docx", [P.heading("Báo cáo"), P.table(rows)])
    result = _render_one(source, rows=(1, 3))
    assert result.warnings == [] and result.issues == []  # type: ignore[attr-defined]
    main = _main(result.data).decode()  # type: ignore[attr-defined]
    assert main.count(ROW_A) == 1 and main.count(ROW_B) == 1
    assert "Nội dung" in main  # the header row came with the rows: the table was copied


def test_a_dropped_headings_notes_on_an_old_form_are_not_its_controls_notes(
    tmp_path: Path,
) -> None:
    """R2 item 7: the dropped heading's index was the control's, so every footnote in the
    control came in twice (once with its paragraph, once as the "heading's")."""
    ref = (
        '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
        '<w:footnoteReference w:id="{}"/></w:r>'
    )
    body = [
        f"<w:p>{P.run('Mục một', bold=True)}{ref.format(1)}</w:p>",
        f"<w:p>{P.run(ROW_A)}{ref.format(2)}</w:p>",
    ]
    source = _old_form(tmp_path / "old.docx", body, {1: NOTE_A, 2: NOTE_B})
    result = _render_one(source, dropped_heading=0)
    notes = zipfile.ZipFile(io.BytesIO(result.data)).read("word/footnotes.xml").decode()  # type: ignore[attr-defined]
    assert notes.count(NOTE_A) == 1 and notes.count(NOTE_B) == 1


def test_rows_from_an_old_forms_control_holding_two_tables_go_in_as_text_quietly(
    tmp_path: Path,
) -> None:
    """Which of the control's tables the rows were counted in is not known: the part's
    text goes in, as it did before rows were copied, without a "part failed" note."""
    rows = [
        P.row(P.cell(P.para("Nội dung")), P.cell(P.para("Kết quả"))),
        P.row(P.cell(P.para("Thẩm định")), P.cell(P.para(ROW_A))),
        P.row(P.cell(P.para("Kiểm tra")), P.cell(P.para(ROW_B))),
    ]
    other = [P.row(P.cell(P.para("Khác")), P.cell(P.para("Bảng thứ hai")))]
    source = _old_form(tmp_path / "old.docx", [P.table(rows), P.table(other)])
    result = _render_one(source, rows=(1, 3))
    assert result.warnings == [] and result.issues == []  # type: ignore[attr-defined]
    main = _main(result.data).decode()  # type: ignore[attr-defined]
    assert main.count(ROW_A) == 1 and main.count(ROW_B) == 1 and "Bảng thứ hai" not in main
