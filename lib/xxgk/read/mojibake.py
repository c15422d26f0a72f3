"""Text that was UTF-8, decoded with the wrong codec by some tool and saved again.

Two kinds reach us: read as GBK (一、总体情况 became 涓€銆佹€讳綋鎯呭喌) and read as Latin-1 /
Windows-1252 (it became ä¸€ã€æ€»ä½“æƒ…å†µ). Encoding the text back with the wrong codec gives the
original bytes again (mostly: a character that swallowed the next byte, often a quote, is lost), so
such text is recognised by what the reversal yields: readable UTF-8. Genuine Chinese turned into
GBK or Latin-1 bytes is almost never valid UTF-8.
"""

from __future__ import annotations

_MIN_CJK = 10
_HEAD = 4096
# High bytes of U+4E00-U+9FFF in UTF-16: the CJK ideographs and nothing else (surrogates are D8-DF).
_CJK_HIGH = bytes(range(0x4E, 0xA0))
# Lead bytes of UTF-8 CJK characters (E4-E9) read as Latin-1: ä å æ ç è é.
_LATIN_LEADS = "äåæçèé"
_NOT_LEADS = bytes(b for b in range(256) if chr(b) not in _LATIN_LEADS)
_HIGH_BYTES = bytes(range(0x80, 0x100))


def _cjk(text: str) -> int:
    """How many CJK ideographs, counted by C loops over the UTF-16 high bytes rather than a regex scan:
    every page's whole text passes here, some twice."""
    high = text.encode("utf-16-be", "surrogatepass")[::2]
    return len(high) - len(high.translate(None, _CJK_HIGH))


def _some_cjk(text: str) -> bool:
    """At least _MIN_CJK ideographs: most texts show them in their first page of characters."""
    return _cjk(text[:_HEAD]) >= _MIN_CJK or _cjk(text) >= _MIN_CJK


def _latin_bytes(text: str) -> bytes:
    """The bytes a Windows-1252 reading came from; C1 bytes cp1252 leaves undefined pass through as Latin-1."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1252")
        except UnicodeEncodeError:
            out += bytes([ord(ch)]) if ord(ch) < 256 else b"?"
    return bytes(out)


def _readable(text: str, raw: bytes) -> str | None:
    """The UTF-8 reading of `raw` (the bytes of the wrong reading) if it is readable, else None.
    Mis-decoded text comes back mostly readable; genuine text comes back mostly undecodable.

    Every ideograph of the reading takes three of raw's bytes above 0x7F and every U+FFFD at least one,
    so when those bytes leave room for too few ideographs, or no more than the characters lost, the
    answer is known without counting the ideographs. Half of raw is decoded first: its U+FFFD, less one
    for a character the cut may split, are no more than the whole reading's, and for most genuine
    texts already leave no room."""
    high = len(raw) - len(raw.translate(None, _HIGH_BYTES))
    own = text.count("\ufffd")
    if _no_room(high, raw[:len(raw) // 2].decode("utf-8", "replace").count("\ufffd") - 1, own):
        return None
    fixed = raw.decode("utf-8", "replace")
    bad = fixed.count("\ufffd")
    if _no_room(high, bad, own):
        return None
    cjk = _cjk(fixed)
    return fixed if cjk >= _MIN_CJK and bad - own < cjk else None


def _no_room(high: int, bad: int, own: int) -> bool:
    """Do `high` bytes above 0x7F, `bad` of them (at least) read as U+FFFD, leave room for too few
    ideographs or for no more than the U+FFFD the reading added to the text's `own`?"""
    most = (high - bad) // 3
    return most < _MIN_CJK or most <= bad - own


def _kind(text: str) -> tuple[str, str] | None:
    """(wrong codec, repaired text), or None when the text does not look mis-decoded."""
    if _some_cjk(text):
        fixed = _readable(text, text.encode("gbk", "replace"))
        if fixed is not None:
            return "GBK", fixed
    if _latin_leads(text) >= _MIN_CJK:
        fixed = _readable(text, _latin_bytes(text))
        if fixed is not None and _cjk(fixed) > _cjk(text):
            return "Latin-1", fixed
    return None


def _latin_leads(text: str) -> int:
    """How many of the text's characters are _LATIN_LEADS: the Latin-1 characters kept, the others
    deleted, by two C loops rather than a count per lead over the whole text."""
    return len(text.encode("latin-1", "ignore").translate(None, _NOT_LEADS))


def repair(text: str) -> str | None:
    """The text before it was mis-decoded, or None when it does not look mis-decoded."""
    kind = _kind(text)
    return kind[1] if kind else None


def describe(text: str) -> str:
    """How the text was mis-decoded, in words for a note."""
    kind = _kind(text)
    return f"UTF-8 文本曾被当作 {kind[0]} 读取后另存" if kind else "未发现乱码"
