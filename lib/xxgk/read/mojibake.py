"""Text that was UTF-8, decoded as GBK by some tool and saved again: 一、总体情况 became 涓€銆佹€讳綋鎯呭喌.

Re-encoding as GBK gives the original bytes back (mostly: a character that swallowed the next byte,
often a quote, is lost), so such text is recognised by what the reversal yields: readable UTF-8.
Genuine Chinese turned into GBK bytes is almost never valid UTF-8.
"""

from __future__ import annotations

_MIN_CJK = 10


def _cjk(text: str) -> int:
    return sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")


def repair(text: str) -> str | None:
    """The text before it was mis-decoded, or None when it does not look mis-decoded."""
    if _cjk(text) < _MIN_CJK:
        return None
    fixed = text.encode("gbk", "replace").decode("utf-8", "replace")
    lost = fixed.count("\ufffd") - text.count("\ufffd")
    # Mis-decoded text comes back mostly readable; genuine text comes back mostly undecodable.
    return fixed if _cjk(fixed) >= _MIN_CJK and lost < _cjk(fixed) else None
