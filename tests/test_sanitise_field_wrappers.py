"""A fetching field is made inert at intake whatever run container wraps it or however
its field characters are broken (H33 red-team, batch 4: all inert on first run; kept as
guards). The sanitised .docx is scanned by tests/hostile_probe_kit.scan_ooxml."""

from __future__ import annotations

import hostile_probe_kit as kit
import pytest
from fixtures.intake import build

from mailflow.adapters import mail_parse, unpack

URL = "http://127.0.0.1:9"
M = 'xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math"'


def _field() -> str:
    return kit.cfield(f'INCLUDEPICTURE "{URL}/x.png" \\d')


WRAPPED = {
    "customXml": '<w:p><w:customXml w:element="x">' + _field() + "</w:customXml></w:p>",
    "smartTag": '<w:p><w:smartTag w:element="place">' + _field() + "</w:smartTag></w:p>",
    "ins": '<w:p><w:ins w:id="3" w:author="a">' + _field() + "</w:ins></w:p>",
    "moveTo": '<w:p><w:moveTo w:id="5" w:author="a">' + _field() + "</w:moveTo></w:p>",
    "hyperlink": '<w:p><w:hyperlink w:anchor="a">' + _field() + "</w:hyperlink></w:p>",
    "run-sdt": "<w:p><w:sdt><w:sdtContent>" + _field() + "</w:sdtContent></w:sdt></w:p>",
    "ruby": "<w:p><w:r><w:ruby><w:rubyPr/><w:rt><w:r><w:t>x</w:t></w:r></w:rt><w:rubyBase>"
    + _field()
    + "</w:rubyBase></w:ruby></w:r></w:p>",
    "math": f"<w:p><m:oMath {M}><m:r>" + _field() + "</m:r></m:oMath></w:p>",
    "fldSimple-in-fldSimple": '<w:p><w:fldSimple w:instr=" QUOTE x "><w:fldSimple w:instr='
    '" INCLUDETEXT &quot;/etc/passwd&quot; ">'
    + kit.run("r")
    + "</w:fldSimple></w:fldSimple></w:p>",
    "no-end": '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> '
    'INCLUDETEXT "/etc/passwd" </w:instrText></w:r><w:r><w:t>kết quả</w:t></w:r></w:p>',
    "separate-no-end": '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> '
    'DDEAUTO cmd "/c calc" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/>'
    "</w:r><w:r><w:t>kq</w:t></w:r></w:p>",
    "end-before-begin": '<w:p><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:fldChar '
    'w:fldCharType="begin"/></w:r><w:r><w:instrText> INCLUDETEXT "/etc/passwd" </w:instrText>'
    '</w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>',
}


@pytest.mark.parametrize("wrapper", list(WRAPPED))
def test_a_fetching_field_in_any_wrapper_or_broken_shape_is_inert_after_intake(
    wrapper: str,
) -> None:
    data = kit.body(kit.base_docx("Tiêu đề"), WRAPPED[wrapper])
    raw = build.rfc2231_continuations("bao-cao.docx", data)
    items = unpack.extract(mail_parse.parse(raw).message, unpack.Limits())
    [item] = [i for i in items if i.status != unpack.IGNORED]
    assert item.status == "ok" and item.docx
    assert kit.active(kit.scan_ooxml(item.docx)) == []
    assert kit.REPORT_TEXT in build.docx_text(item.docx)
