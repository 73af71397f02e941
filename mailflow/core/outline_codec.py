"""A parsed outline as plain JSON data and back: what the outline cache stores.

Why: parsing the outline .docx needs python-docx and lxml, most of the start-up cost of
``mailflow status``, which only needs the parsed sections. The shell keeps this data next
to the state, keyed by the file's content (``adapters.outline_cache``); this module only
converts, so the round trip is exact and testable without I/O.
"""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

from mailflow.model import Department, Outline, Section, UnresolvedAssignment

#: Bumped when the stored shape changes: older cache files are then parsed again.
CODEC_VERSION = 1


def outline_to_data(outline: Outline) -> dict[str, Any]:
    """The outline as JSON-ready data (tuples become lists)."""
    return asdict(outline)


def _build(cls: type[Any], data: dict[str, Any]) -> Any:
    """One frozen dataclass from its ``asdict`` form: lists back to tuples, unknown keys
    refused (a TypeError), so a cache from another shape is never half read."""
    names = {f.name for f in fields(cls)}
    extra = set(data) - names
    if extra:
        raise TypeError(f"unknown fields {sorted(extra)}")
    return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})


def outline_from_data(data: dict[str, Any]) -> Outline:
    """The outline stored by ``outline_to_data``. Raises TypeError/KeyError/ValueError on
    data of another shape; the caller then parses the file again."""
    if not isinstance(data, dict):
        raise TypeError("outline data is not an object")
    sections = tuple(_build(Section, s) for s in data["sections"])
    unresolved = tuple(_build(UnresolvedAssignment, u) for u in data.get("unresolved", ()))
    title = data["title"]
    if not isinstance(title, str):
        raise TypeError("title is not a string")
    return Outline(title=title, sections=sections, unresolved=unresolved)


def departments_data(departments: tuple[Department, ...]) -> list[dict[str, Any]]:
    """The departments an outline was parsed against, as data: part of the cache key,
    since a renamed or added department changes who a section is assigned to."""
    return [asdict(d) for d in departments]
