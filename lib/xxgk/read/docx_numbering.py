"""Word's automatic list numbers ("一、", "（二）", "3.") are not in the text runs: render them.

Section headings of Word reports are often auto-numbered; without the number "总体情况" would not be
recognised as section 一. Supports the formats Chinese reports use; others fall back to decimal.
"""

from __future__ import annotations

import re

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DIGITS = "零一二三四五六七八九"
_VAL, _ABSTRACT_NUM, _ABSTRACT_NUM_ID, _LVL, _ILVL = W + "val", W + "abstractNum", W + "abstractNumId", W + "lvl", W + "ilvl"
_NUM, _NUM_ID, _START, _NUM_FMT, _LVL_TEXT = W + "num", W + "numId", W + "start", W + "numFmt", W + "lvlText"
_STYLE, _STYLE_ID, _P_PR, _NUM_PR = W + "style", W + "styleId", W + "pPr", W + "numPr"
_LEVELS = 9  # OOXML list levels are 0-8; a paragraph naming another level is read without its number
_STYLES_ROOT = re.compile(rb"<w:styles[\s>][^>]*>")
_MAIN_AS_W = re.compile(rb"""xmlns:w\s*=\s*["']http://schemas\.openxmlformats\.org/wordprocessingml/2006/main["']""")
_NUM_PR_START = re.compile(rb"<w:numPr[\s/>]")
_STYLE_END = b"</w:style>"


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

    def __init__(self, root, style_num: dict[str, tuple[str, int]]):
        """`root`: numbering.xml parsed (None when the file has none); `style_num`: style_numbers()."""
        self.levels: dict[str, dict[int, tuple[int, str, str]]] = {}  # numId -> ilvl -> (start, fmt, text)
        self.abstract_of: dict[str, str] = {}
        self.counters: dict[str, list[int | None]] = {}
        self.style_num = style_num
        if root is not None:
            abstract = {}
            for a in root.findall(_ABSTRACT_NUM):
                lvls = {}
                for lvl in a.findall(_LVL):
                    ilvl = _int(lvl.get(_ILVL), 0)
                    if ilvl < _LEVELS:
                        lvls[ilvl] = (_int(_val(lvl, _START), 1), _val(lvl, _NUM_FMT) or "decimal",
                                      _val(lvl, _LVL_TEXT) or "")
                abstract[a.get(_ABSTRACT_NUM_ID)] = lvls
            for num in root.findall(_NUM):
                aid = _val(num, _ABSTRACT_NUM_ID)
                if aid in abstract:
                    self.levels[num.get(_NUM_ID)] = abstract[aid]
                    self.abstract_of[num.get(_NUM_ID)] = aid

    @staticmethod
    def names_list(num_id: str) -> bool:
        """Does a w:numPr with this numId put its paragraph in a list (0 takes it out of one)?"""
        return bool(num_id) and num_id != "0"

    def label(self, num_id: str, ilvl: str, style: str) -> str:
        """The number text of a paragraph ("" if it is not a numbered list item), counting it; from its
        w:pPr: w:numPr's numId and ilvl, else the list its w:pStyle numbers."""
        ref = (num_id, _int(ilvl, 0)) if self.names_list(num_id) else self.style_num.get(style)
        if ref is None or ref[0] not in self.levels:
            return ""
        list_id, level = ref
        levels = self.levels[list_id]
        if level not in levels:
            return ""
        counters = self.counters.setdefault(self.abstract_of[list_id], [None] * _LEVELS)
        current = counters[level]
        counters[level] = levels[level][0] if current is None else current + 1
        for deeper in range(level + 1, _LEVELS):
            counters[deeper] = None
        text = levels[level][2]
        for i in range(level + 1):
            start, fmt, _ = levels.get(i, (1, "decimal", ""))
            text = text.replace(f"%{i + 1}", _format(counters[i] if counters[i] is not None else start, fmt))
        return text


def style_numbers(styles: bytes, parse) -> dict[str, tuple[str, int]]:
    """styleId -> (numId, ilvl) of each style (w:style under the root of styles.xml) that numbers its
    paragraphs, from the part's bytes; `parse` makes them an element.

    Only the styles around each "<w:numPr" are parsed, with the part's prolog and root tag: styles.xml
    is mostly table styles. Cut out by position, the styles are those a parser finds as long as every "<"
    opens a tag (no comment, CDATA or processing instruction: no "!" or "?" after the root tag) and every
    style stands directly under the root (no writer nests them; markup-compatibility wrappers, which could
    hold one, send the part to the whole parse); a part written otherwise (another prefix or encoding, a
    "!", pieces that do not parse) is parsed whole.
    """
    root = _STYLES_ROOT.search(styles)
    if (root is None or not _MAIN_AS_W.search(root.group()) or styles.find(b"!", root.end()) != -1
            or styles.find(b"?", root.end()) != -1 or styles.find(b"AlternateContent", root.end()) != -1):
        return _numbered(parse(styles))
    pieces, done = [], root.end()
    for m in _NUM_PR_START.finditer(styles, done):
        if m.start() < done:
            continue  # in the style just taken
        start = styles.rfind(b"<w:style", done, m.start())
        while start != -1 and styles[start + 8:start + 9] not in b" \t\r\n>/":
            start = styles.rfind(b"<w:style", done, start)
        if start == -1 or styles.find(_STYLE_END, start, m.start()) != -1:
            done = m.end()  # not inside a style (w:docDefaults), nor is a later one before it: each byte is searched once
            continue
        end = styles.find(_STYLE_END, m.end())
        if end == -1:
            break  # the part ends inside this style
        done = end + len(_STYLE_END)
        pieces.append(styles[start:done])
    if not pieces:
        return {}
    try:
        return _numbered(parse(styles[:root.end()] + b"".join(pieces) + b"</w:styles>"))
    except etree.XMLSyntaxError:
        return _numbered(parse(styles))


def _numbered(root) -> dict[str, tuple[str, int]]:
    out = {}
    for style in root.findall(_STYLE):
        ref = _num_pr(style.find(_P_PR))
        if ref is not None:
            out[style.get(_STYLE_ID)] = ref
    return out


def _val(el, tag: str) -> str | None:
    child = el.find(tag) if el is not None else None
    return child.get(_VAL) if child is not None else None


def _num_pr(ppr) -> tuple[str, int] | None:
    num_pr = ppr.find(_NUM_PR) if ppr is not None else None
    if num_pr is None:
        return None
    num_id, ilvl = _val(num_pr, _NUM_ID), _val(num_pr, _ILVL) or "0"
    if not Numbering.names_list(num_id):
        return None
    return num_id, _int(ilvl, 0)


def _int(text: str | None, default: int) -> int:
    """An attribute's ASCII digits as a number; anything else (`²`, `x`, a huge run) reads as the default."""
    return int(text) if text and text.isascii() and text.isdigit() and len(text) <= 9 else default
