"""Dotted paths into a scenario's tree (`population.owners.consent_probability`, `timeline[3].set.portal.open`).

Every walk along such a path is here: reading a value (`lookup`), and setting one that
must already exist (`set_existing`, a variant's `[set]`).
"""

from __future__ import annotations

import re
from typing import Any

from sim.errors import ScenarioError
from sim.scenario.provenance import is_value_table

_STEP = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\]")
def lookup(tree: Any, dotted: str, leaves_only: bool = True) -> Any:
    """The value at a dotted path like `timeline[3].set.portal.open`, or None.

    With `leaves_only`, a table or list there also gives None (error messages show leaves only).
    """
    node = tree
    for name, index in _STEP.findall(dotted):
        try:
            if index:
                node = node[int(index)]
            elif isinstance(node, dict) and name in node:
                node = node[name]
            elif isinstance(node, dict):
                # a quoted dotted key inside a `set` table
                rest = dotted[dotted.index(name):]
                return node.get(rest)
            else:
                return None
        except (IndexError, KeyError, TypeError):
            return None
    return node if not (leaves_only and isinstance(node, (dict, list))) else None


def set_existing(tree: dict, dotted: str, value: Any, shown: str) -> None:
    keys = dotted.split(".")
    node = tree
    for i, key in enumerate(keys):
        at = ".".join(keys[: i + 1])
        if not isinstance(node, dict) or is_value_table(node) or key not in node:
            raise ScenarioError(shown, dotted, f"the base scenario has no {at}")
        if i == len(keys) - 1:
            node[key] = value
        else:
            node = node[key]
