"""Issue 16's four cost cases through `mailflow ingest` and `mailflow assemble`, each a
subprocess on a fresh workspace (bench/hostile_costs.py builds and runs them): both
commands exit 0 and the oversized part ends quarantined or capped with its reason. No
timing assert here: `python -m bench.hostile_costs` prints the time and memory table.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench import hostile_costs

pytestmark = [pytest.mark.slow, pytest.mark.libreoffice]

# case -> (status, reason, sanitiser params that must be recorded)
EXPECTED: dict[str, tuple[str, str, dict[str, str]]] = {
    "paras100k": ("ok", "intake.unpack.docx", {}),  # taken in whole: under every bound
    "xml147": ("quarantined", "intake.unpack.xml_too_large", {}),
    "png30k": ("ok", "intake.unpack.docx", {"removed_big_pictures": "1"}),
    "pdf500": ("quarantined", "intake.unpack.pdf_timeout", {}),
}


@pytest.mark.parametrize("case", list(EXPECTED))
def test_a_cost_case_is_taken_in_and_assembled_with_its_reason_recorded(
    case: str, tmp_path: Path
) -> None:
    run = hostile_costs.run_case(case, tmp_path / case)
    assert run.steps["ingest"].exit_code == 0, run.steps["ingest"].last_line
    assert run.steps["assemble"].exit_code == 0, run.steps["assemble"].last_line
    assert run.draft is not None
    # The PDF is a convenience beside the .docx: on a loaded machine LibreOffice may pass
    # `draft.pdf_timeout_seconds` printing the 100,000-paragraph case; then the command
    # must say so (a time bound, not a timing assert).
    # (the note is worded in the office's language, config `lang`: it also goes to the Office)
    assert run.draft.with_suffix(".pdf").is_file() or re.search(
        r"took more than \d+ s to convert|sang PDF quá \d+ giây", run.steps["assemble"].output
    ), run.steps["assemble"].output[-400:]
    [doc] = [d for d in run.documents if d["name"] in ("bao-cao.docx", "bao-cao.pdf")]
    status, reason, params = EXPECTED[case]
    assert (doc["status"], doc["reason"]) == (status, reason)
    assert params.items() <= dict(doc["params"]).items()  # type: ignore[call-overload]
