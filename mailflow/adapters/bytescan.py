"""Substring tests over a document's parts, with StringZilla's SIMD search when installed.

Why: every reply's own ``document.xml`` (tens of KB, met once) is searched for a dozen
markers before anything is parsed — the sanitiser's seven (``sanitize.has_active``), the
tracked-change tags (``docx_read._may_hold_revisions``), the ``<`` count that bounds its
elements and the ``<!`` of a DOCTYPE (``unpack._part_facts``). CPython's ``in`` costs 6–12 µs
per marker on a 24 KB part (its skip loop stops on every byte that ends a marker, and XML
is full of them); StringZilla's vectorised search gives the same answer in well under a
microsecond: ~0.12 ms less CPU per reply, a tenth of its analysis.

Same answers: :func:`contains` is ``needle in haystack`` and :func:`count` is
``haystack.count(needle)`` for any bytes (``tests/test_intake_fast_paths.py`` holds them to
the stdlib on random and corpus bytes); without the library (an environment installed
before it was added) they ARE the stdlib's, only slower.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable

try:  # a dependency (pyproject.toml); without it the stdlib searches, slower
    import stringzilla as _sz
except ImportError:  # pragma: no cover - an environment installed before it was added
    _sz = None

#: ``contains(haystack, needle)`` ≡ ``needle in haystack``
contains: Callable[[bytes, bytes], bool] = _sz.contains if _sz is not None else operator.contains


def count(haystack: bytes, needle: bytes) -> int:
    """``haystack.count(needle)`` (non-overlapping occurrences, as the stdlib counts)."""
    if _sz is None:
        return haystack.count(needle)
    return int(_sz.count(haystack, needle))


def contains_any(haystack: bytes, needles: Iterable[bytes]) -> bool:
    """Whether any of ``needles`` occurs in ``haystack`` (``any(n in haystack ...)``)."""
    return any(contains(haystack, needle) for needle in needles)
