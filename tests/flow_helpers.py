"""Helpers for tests that edit flow documents as plain data (editor, linter, diff, CLI)."""

from __future__ import annotations

from typing import Any


def node(data: dict[str, Any], node_id: str) -> dict[str, Any]:
    """The node with this id in a flow document, to read or to change in place."""
    for body in data["sections"].values():
        for item in body["nodes"]:
            if item["id"] == node_id:
                return item  # type: ignore[no-any-return]
    raise KeyError(node_id)
