"""JSON Merge Patch (RFC 7396): how PATCH bodies change a record."""

from typing import Any


def merge_patch(target: Any, patch: Any) -> Any:
    """Objects merge key by key, null removes a key, anything else replaces the value (lists whole)."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged
