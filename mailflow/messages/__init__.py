"""All user-facing sentences, one dict per area, merged into ``CATALOGUE``.

Each area module exports ``MESSAGES: dict[str, dict[str, str]]`` mapping a key to its
``{"vi": ..., "en": ...}`` texts. Keys are prefixed with the area so they never clash.
"""

from __future__ import annotations

import importlib
import pkgutil

CATALOGUE: dict[str, dict[str, str]] = {}

for _info in pkgutil.iter_modules(__path__):
    _mod = importlib.import_module(f"{__name__}.{_info.name}")
    for _key, _texts in _mod.MESSAGES.items():
        if _key in CATALOGUE:
            raise RuntimeError(f"message key {_key!r} defined twice")
        CATALOGUE[_key] = _texts
