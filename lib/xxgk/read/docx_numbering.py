"""Word's automatic list numbers ("一、", "（二）", "3.") are not in the text runs: render them.

Section headings of Word reports are often auto-numbered; without the number "总体情况" would not be
recognised as section 一. Supports the formats Chinese reports use; others fall back to decimal.
"""

from __future__ import annotations

from docx.oxml.ns import qn

_DIGITS = "零一二三四五六七八九"
_W_VAL = qn("w:val")
_LEVELS = 9  # OOXML list levels are 0-8; a paragraph naming another level is read without its number


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十, 105 -> 一百零五.

    >>> [chinese_number(n) for n in (1, 10, 12, 20, 99, 105)]
    ['一', '十', '十二', '二十', '九十九', '一百零五']
    """
    if n <= 0 or n >= 1000:
        return str(n)
    hundreds, tens, ones = n // 100, n // 10 % 10, n % 10
    out = f"{_DIGITS[hundreds]}百" if hundreds else ""
    if tens:
        out += ("" if tens == 1 and not hundreds else _DIGITS[tens]) + "十"
    elif hundreds and ones:
        out += "零"
    return out + (_DIGITS[ones] if ones else "")


def _format(n: int, fmt: str) -> str:
    if fmt.startswith(("chineseCounting", "japaneseCounting", "ideographDigital", "taiwaneseCounting")):
        return chinese_number(n)
    if fmt in ("lowerLetter", "upperLetter") and 1 <= n <= 26:
        letter = chr(ord("a") + n - 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt == "ideographTraditional" and 1 <= n <= 10:
        return "甲乙丙丁戊己庚辛壬癸"[n - 1]
    if fmt == "none":
        return ""
    return str(n)


class Numbering:
    """Counts list items in reading order and renders each one's number text."""

    def __init__(self, word):
        self.levels: dict[str, dict[int, tuple[int, str, str]]] = {}  # numId -> ilvl -> (start, fmt, text)
        self.abstract_of: dict[str, str] = {}
        self.counters: dict[str, list[int | None]] = {}
        self.style_num: dict[str, tuple[str, int]] = {}
        try:
            root = word.part.numbering_part.element
        except (KeyError, NotImplementedError):
            root = None
        if root is not None:
            abstract = {}
            for a in root.findall(qn("w:abstractNum")):
                lvls = {}
                for lvl in a.findall(qn("w:lvl")):
                    ilvl = _int(lvl.get(qn("w:ilvl")), 0)
                    if ilvl < _LEVELS:
                        lvls[ilvl] = (_int(_val(lvl, "w:start"), 1), _val(lvl, "w:numFmt") or "decimal",
                                      _val(lvl, "w:lvlText") or "")
                abstract[a.get(qn("w:abstractNumId"))] = lvls
            for num in root.findall(qn("w:num")):
                aid = _val(num, "w:abstractNumId")
                if aid in abstract:
                    self.levels[num.get(qn("w:numId"))] = abstract[aid]
                    self.abstract_of[num.get(qn("w:numId"))] = aid
        for style in word.styles.element.findall(qn("w:style")):
            ref = _num_pr(style.find(qn("w:pPr")))
            if ref is not None:
                self.style_num[style.get(qn("w:styleId"))] = ref

    def label(self, p) -> str:
        """The number text of paragraph `p` ("" if it is not a numbered list item), counting it."""
        ppr = p.find(qn("w:pPr"))
        ref = _num_pr(ppr)
        if ref is None and ppr is not None:
            ref = self.style_num.get(_val(ppr, "w:pStyle") or "")
        if ref is None or ref[0] not in self.levels:
            return ""
        num_id, ilvl = ref
        levels = self.levels[num_id]
        if ilvl not in levels:
            return ""
        counters = self.counters.setdefault(self.abstract_of[num_id], [None] * _LEVELS)
        current = counters[ilvl]
        counters[ilvl] = levels[ilvl][0] if current is None else current + 1
        for deeper in range(ilvl + 1, _LEVELS):
            counters[deeper] = None
        text = levels[ilvl][2]
        for i in range(ilvl + 1):
            start, fmt, _ = levels.get(i, (1, "decimal", ""))
            text = text.replace(f"%{i + 1}", _format(counters[i] if counters[i] is not None else start, fmt))
        return text


def _val(el, tag: str) -> str | None:
    child = el.find(qn(tag)) if el is not None else None
    return child.get(_W_VAL) if child is not None else None


def _num_pr(ppr) -> tuple[str, int] | None:
    num_pr = ppr.find(qn("w:numPr")) if ppr is not None else None
    if num_pr is None:
        return None
    num_id, ilvl = _val(num_pr, "w:numId"), _val(num_pr, "w:ilvl") or "0"
    if not num_id or num_id == "0":
        return None
    return num_id, _int(ilvl, 0)


def _int(text: str | None, default: int) -> int:
    """An attribute's ASCII digits as a number; anything else (`²`, `x`, a huge run) reads as the default."""
    return int(text) if text and text.isascii() and text.isdigit() and len(text) <= 9 else default
