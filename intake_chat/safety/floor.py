"""The built-in safety floor: rules, wording and US resources that are always on.

A practice's ``flows/safety.json`` is merged over this and can add to it, never take away. The
floor is reviewed data (``data/floor.json``, the tripwire's ``data/tripwire.json`` and the shared
``data/words.json``), expanded by ``ruledata`` into the same shape as the rules file.
"""

from __future__ import annotations

from typing import Any

from .ruledata import load_floor

__all__ = ["FLOOR", "NET_PREFIX", "TRIPWIRE_PREFIX"]

NET_PREFIX = "floor.net."  # the safety net's rule ids: word-window families (see floor.json)
TRIPWIRE_PREFIX = "floor.tripwire."  # the tripwire's: a word alone, never above concern

FLOOR: dict[str, Any] = load_floor()
