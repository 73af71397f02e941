"""bench/structure.py counts what the closing note of issue 14 reports: modules, lines,
function lengths (median, p90, max) and lines per layer."""

from __future__ import annotations

from pathlib import Path

from bench.structure import measure, report


def test_the_shape_counts_modules_lines_and_every_function_length(tmp_path: Path) -> None:
    package = tmp_path / "mailflow"
    (package / "core").mkdir(parents=True)
    (package / "model.py").write_text("X = 1\n\n\ndef one():\n    return 1\n")
    (package / "core" / "plan.py").write_text(
        "class Plan:\n"
        "    def three(self):\n"
        "        a = 1\n"
        "        return a\n"
        "\n"
        "\n"
        "async def nested():\n"
        "    def inner():\n"
        "        pass\n"
        "\n"
        "    return inner\n"
    )
    shape = measure("test", package)
    assert (shape.modules, shape.lines) == (2, 16)
    assert sorted(shape.functions) == [2, 2, 3, 5]
    assert shape.layers == {"(top level)": 5, "core": 11}
    assert shape.longest[0] == (5, "core/plan.py:nested")
    text = report(shape)
    assert "median 2.5, p90 5, max 5" in text
