"""Is this text an official row label or sub-table caption of some layout? For readers that must find
rows before they know the layout (PDF text lines, pipe text)."""

from __future__ import annotations

from functools import lru_cache

from xxgk.layouts import VERSIONS, load_layout, normalize_label

MAX_LABEL_CHARS = 60  # longer lines are prose, never a row label or caption


@lru_cache(maxsize=4096)
def row_match(text: str, fuzzy: bool) -> str | None:
    """'exact', 'variant' or 'fuzzy' if text is an official row label of some layout, else None."""
    if len(normalize_label(text)) > MAX_LABEL_CHARS:
        return None
    for version in VERSIONS:
        hit = load_layout(version).match_row(text, cutoff=0.82 if fuzzy else 1.0)
        if hit is not None and (fuzzy or hit[2] != "fuzzy"):
            return hit[2]
    return None


@lru_cache(maxsize=4096)
def is_caption(text: str) -> bool:
    return any(load_layout(v).match_caption(text) is not None for v in VERSIONS)


def is_known(text: str) -> bool:
    """A row label (typos included) or a sub-table caption."""
    return is_caption(text) or row_match(text, True) is not None
