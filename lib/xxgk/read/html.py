"""Web pages: prose blocks become text tokens, every <table> a Grid (row and column spans expanded).

Only what a reader of the page sees is kept: scripts, styles, forms, navigation and hidden elements
are skipped. Page metadata tables (名称/索引号/发布日期…) are prose, not report tables: they become
text lines and give the title and publication date.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree

from xxgk.read.document import Document
from xxgk.read.grid import Grid

_SKIP = {
    "script", "style", "noscript", "template", "head", "title", "meta", "link", "nav", "form", "select",
    "option", "button", "input", "textarea", "iframe", "object", "embed", "svg", "canvas", "map", "audio",
    "video",
}
_BLOCK = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "section", "article",
    "aside", "header", "footer", "main", "blockquote", "pre", "center", "address", "figure", "figcaption",
    "hr", "caption", "tr", "td", "th", "thead", "tbody", "tfoot", "body", "html",
}
_NAV_CLASS = re.compile(r"(?:^|[\s_-])(?:nav|navbar|menu|breadcrumbs?|crumbs?|position|footer|share|toolbar)(?:$|[\s_-])", re.I)
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_SPACE = re.compile(r"\s+")
_SPAN = re.compile(r"\s*(\d{1,4})")
_META_STRIP = re.compile(r"[\s:：]")
_TEXT_CONTENT = etree.XPath("string()", smart_strings=False)  # what lxml.html's text_content() runs
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
# A run of a hundred or more tags with nothing between them (<div><div>… or …</div></div>) holds no
# text: the parser's depth limit would otherwise cut off the report that follows it.
_DEEP_RUN = re.compile(r"(?:<[a-z][a-z0-9]*(?:\s[^<>]*)?>\s*){100,}|(?:</[a-z][a-z0-9]*\s*>\s*){100,}", re.I)

# Labels of the metadata block government sites put above a document (not official report labels).
_META_KEYS = ("名称", "标题", "文件名称", "索引号", "发布机构", "发文机关", "发文机构", "公开日期", "公开时间",
              "发布日期", "发布时间", "成文日期", "生成日期", "印发日期", "文号", "发文字号", "关键词", "主题词",
              "分类", "主题分类", "公开方式", "公开范围", "时效", "有效性", "来源", "信息来源", "文件下载",
              "所属机构", "组配分类")
_META_KEY_SET = frozenset(_META_KEYS)
_PUBLISHED_KEYS = ("发布日期", "发布时间", "公开日期", "公开时间", "生成日期", "成文日期", "印发日期")
_TITLE_KEYS = ("标题", "名称", "文件名称")
_DATE = re.compile(r"((?:19|20)\d{2})\s*(?:[-/.年])\s*(\d{1,2})\s*(?:[-/.月])\s*(\d{1,2})")
_META_LABEL = re.compile(rf"(?:^|(?<=\s))({'|'.join(sorted(_META_KEYS, key=len, reverse=True))})\s*[:：]\s*")
_META_TAGS = ("pubdate", "publishdate", "firstpublishedtime", "published_time", "article:published_time")
_TITLE_TAIL = re.compile(r"(报告)\s*[-_|｜－—–]+\s*[^-_|｜－—–]*$")


def read(text: str, path: str) -> Document:
    doc = Document(path, "html")
    declaration = _XML_DECL.match(text)  # anchored: a match, where sub() tried every position
    if declaration:
        text = text[declaration.end():]
    try:
        root, too_deep = _parse(text)
        if too_deep:  # past the parser's depth limit: drop the empty nesting, read again
            text, runs = _DEEP_RUN.subn("", text)
            if runs:
                doc.note("deep_nesting", f"网页中有 {runs} 处上百层空的嵌套标签（不含文字），已略去后读取")
                root, too_deep = _parse(text)
    except etree.ParserError:
        return doc  # nothing but whitespace or comments: the caller reports that no report was found
    if too_deep:
        doc.note("truncated", "网页元素嵌套过深，超出解析上限的部分未读取")
    walker = _Walker(doc, root)
    walker.walk(root)
    walker.flush()
    doc.published = _published(walker.meta) or _published_in_head(root)
    doc.title = _title(root, walker)
    return doc


def _parse(text: str):
    """(root element, whether the parser's depth limit cut the tree). The plain etree parser builds the
    tree lxml.html builds, without a Python class lookup for every element the walk touches."""
    parser = etree.HTMLParser()
    root = etree.fromstring(text, parser)
    if root is None:
        raise etree.ParserError("Document is empty")
    return root, any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log)


def _clean(text: str) -> str:
    """Collapse &nbsp;, full-width spaces and line wraps of the source into single spaces (str.split's
    whitespace is the regex's \\s, character for character)."""
    return " ".join(text.split())


# What can hide an element is in its attributes. The page's style, hidden, class and id attributes are
# found by three XPath scans of the whole tree, so that the walks, which visit every element, ask each
# only its tag and whether it is in the set these give, not for its attributes.
_STYLES = etree.XPath("descendant-or-self::*/@style", smart_strings=False)
_STYLED = etree.XPath("descendant-or-self::*[@style]")  # asked only when some style hides
_MARKS = etree.XPath("descendant-or-self::*/@hidden | descendant-or-self::*/@class | descendant-or-self::*/@id")


def _unseen(root) -> set:
    """The elements (under `root`) whose attributes hide them (display:none or visibility:hidden in the
    style, a hidden attribute) or whose class or id names site navigation, unless a table is inside.
    lxml hands out one proxy per element while it is referenced, so the set answers by identity."""
    unseen = set()
    styles = _STYLES(root)
    if any(map(_hides, set(styles))):
        unseen.update(el for el in _STYLED(root) if _hides(el.get("style")))
    for value in _MARKS(root):
        # class and id are searched one at a time: a word cannot run from one into the other. The memo
        # gets a plain str: a smart string would keep its element, and the whole page, alive.
        if value.attrname == "hidden" or _navigation(str(value)) and not _holds_table(value.getparent()):
            unseen.add(value.getparent())
    return unseen


@lru_cache(maxsize=4096)
def _hides(style: str) -> bool:
    """Does an inline style hide the element? Memoized: a page repeats a few styles
    (style="font-family: …") on thousands of elements, and a batch's pages repeat their site's."""
    return _HIDDEN.search(style) is not None


@lru_cache(maxsize=4096)
def _navigation(name: str) -> bool:
    """Does a class or id name site navigation? Memoized: a site's pages share their class names."""
    return _NAV_CLASS.search(name) is not None


def _holds_table(el) -> bool:
    """Is there a <table> inside (what `.//table` finds, without compiling an XPath per call)?"""
    return next(el.iterdescendants("table"), None) is not None


def _links_only(el) -> bool:
    """A list whose every word is a link: site navigation, not report text (a link's itertext is its
    XPath string value, without an XPath call per link)."""
    links = "".join(["".join(a.itertext()) for a in el.iter("a")])
    return bool(links.strip()) and _SPACE.sub("", links) == _SPACE.sub("", _TEXT_CONTENT(el))


class _Walker:
    """Walks the element tree in document order, cutting text at block boundaries and <br>."""

    def __init__(self, doc: Document, root):
        self.doc, self.root = doc, root  # the root's tail lies outside the page
        self.buffer: list[str] = []
        self.paragraphs = 0
        self.tables = 0
        self.meta: dict[str, str] = {}
        self.headings: list[str] = []  # visible <h1>–<h3> text, title candidates
        # Every element the walks leave out, found once per page (the tag scans run in C), so that asking
        # an element is one set lookup: hidden by its attributes, a tag never shown, a list of links only.
        self.hidden = _unseen(root)
        self.hidden.update(root.iter(*_SKIP))
        self.hidden.update(el for el in root.iter("ul", "ol") if _links_only(el))

    def shown(self, el) -> str | None:
        """The element's lowercased tag, or None when it is no element or is invisible or site furniture."""
        if el in self.hidden:
            return None
        tag = el.tag
        if tag.__class__ is str and tag.isascii():  # the parser lowercases ASCII letters
            return tag
        if not isinstance(tag, str):
            return None  # a comment or processing instruction
        tag = tag.lower()  # a Kelvin sign lowers to k
        if tag in _SKIP:
            return None
        return None if tag in ("ul", "ol") and _links_only(el) else tag

    # -- prose --------------------------------------------------------------------------------
    def flush(self) -> None:
        if not self.buffer:  # most calls: a block boundary right after another
            return
        line = _clean("".join(self.buffer))
        self.buffer = []
        if line:
            self.paragraphs += 1
            self.doc.text(line, f"第{self.paragraphs}段")
            if len(line) <= 200 and (":" in line or "：" in line):  # a metadata line: "来源：… 发布时间：2024-01-17 …"
                labels = list(_META_LABEL.finditer(line))
                for m, nxt in zip(labels, labels[1:] + [None]):
                    value = line[m.end(): nxt.start() if nxt else len(line)].strip()
                    if value:
                        self.meta.setdefault(m.group(1), value)

    def walk(self, el) -> None:
        tag = self.shown(el)
        if tag is not None:
            if tag == "br":
                self.flush()
            elif tag == "table":
                self.flush()
                self.table(el)
            else:
                if tag in ("h1", "h2", "h3"):
                    self.headings.append(_clean(_TEXT_CONTENT(el)))
                if tag in _BLOCK:
                    self.walk_children(el)
                else:
                    text = el.text
                    if text:
                        self.buffer.append(text)
                    if len(el):  # an empty element's children are not iterated (most are leaves)
                        for child in el:
                            self.walk(child)
        tail = el.tail
        if tail and el is not self.root:
            self.buffer.append(tail)

    # -- tables -------------------------------------------------------------------------------
    def table(self, table) -> None:
        rows = self.rows(table)
        if _holds_table(table):
            # A layout table wrapping the page: its cells are page regions, read as prose.
            for tr in rows:
                for td in self.cells(tr):
                    self.walk_children(td)
            return
        cells_of = [self.cells(tr) for tr in rows]
        grid = [[self.cell_text(td) for td in cells] for cells in cells_of]
        if _is_metadata(grid):
            for cells in grid:
                for key, value in zip(cells[::2], cells[1::2]):
                    if value:
                        self.buffer.append(f"{key}：{value}")
                        self.flush()
            return
        self.tables += 1
        n = self.tables
        rows_in = []
        for r, (tds, cells) in enumerate(zip(cells_of, grid), 1):
            row = f"表{n} 第{r}行 第"
            rows_in.append([(text, f"{row}{c}格", *_spans(td)) for c, (td, text) in enumerate(zip(tds, cells), 1)])
        self.doc.grid(Grid.build(rows_in, f"表{n}"))

    def walk_children(self, el) -> None:
        self.flush()
        text = el.text
        if text:
            self.buffer.append(text)
        if len(el):
            for child in el:
                self.walk(child)
        self.flush()

    def rows(self, table) -> list:
        """The table's own rows (not those of tables nested in its cells)."""
        return [tr for tr in table.iter("tr") if _owner(tr) is table and self.shown(tr) is not None]

    def cells(self, tr) -> list:
        return [c for c in tr if self.shown(c) in ("td", "th")]

    def cell_text(self, td) -> str:
        """A cell's visible text; <p>, <div> and <br> inside it become line breaks."""
        text = td.text
        parts: list[str] = [text] if text else []
        if len(td):
            for child in td:
                self.visit_cell(child, parts)
        joined = "".join(parts).strip("\n")  # a break at either end only starts or ends the text
        if "\n" not in joined:  # one line
            return _clean(joined)
        return "\n".join(filter(None, map(" ".join, map(str.split, joined.split("\n")))))  # _clean of each line

    def visit_cell(self, el, parts: list[str]) -> None:
        tag = el.tag  # shown(el), its common case inline: a cell's elements are most of a page's
        if el in self.hidden:
            tag = None
        elif tag.__class__ is not str or not tag.isascii():
            tag = self.shown(el)
        if tag is not None:
            block = tag in _BLOCK
            if tag == "br" or block:
                parts.append("\n")
            if tag != "br":
                text = el.text
                if text:
                    parts.append(text)
            if len(el):  # most elements in a cell are leaves
                for child in el:
                    self.visit_cell(child, parts)
            if block:
                parts.append("\n")
        tail = el.tail
        if tail:
            parts.append(tail)


def _owner(el):
    parent = el.getparent()
    while parent is not None and not (isinstance(parent.tag, str) and parent.tag.lower() == "table"):
        parent = parent.getparent()
    return parent


def _spans(td) -> tuple[int, int]:
    """rowspan and colspan as a browser reads them: leading digits, anything else is 1."""
    rowspan, colspan = td.get("rowspan"), td.get("colspan")
    return 1 if rowspan is None else _span(rowspan), 1 if colspan is None else _span(colspan)


def _span(written: str) -> int:
    m = _SPAN.match(written)
    return int(m.group(1)) if m and int(m.group(1)) > 0 else 1


def _is_metadata(grid: list[list[str]]) -> bool:
    """A site's document-information table: label/value pairs with known metadata labels (three are
    enough to tell; a report table is read to its end)."""
    found = 0
    for cells in grid:
        for cell in cells[::2]:
            if _meta_key(cell):
                found += 1
                if found >= 3:
                    return True
    return False


def _meta_key(text: str) -> str | None:
    key = _META_STRIP.sub("", text)
    return key if key in _META_KEY_SET else None


def _published(meta: dict[str, str], keys: tuple[str, ...] = _PUBLISHED_KEYS) -> str | None:
    for key in keys:
        m = _DATE.search(meta.get(key, ""))
        if m:
            y, mo, d = (int(g) for g in m.groups())
            if 1 <= mo <= 12 and 1 <= d <= 31:
                return f"{y:04d}-{mo:02d}-{d:02d}"
    return None


def _published_in_head(root) -> str | None:
    """<meta name="PubDate" content="2024-01-17 09:30">, as many government sites write it."""
    for meta in root.iter("meta"):
        name = (meta.get("name") or meta.get("property") or "").lower()
        if name in _META_TAGS:
            found = _published({"date": meta.get("content") or ""}, ("date",))
            if found:
                return found
    return None


def _title(root, walker: _Walker) -> str | None:
    """The report's own title: metadata first, then a visible heading, then <title>; site suffixes cut."""
    candidates = [walker.meta.get(k, "") for k in _TITLE_KEYS] + walker.headings
    candidates += [_clean(_TEXT_CONTENT(t)) for t in root.iter("title")]
    for cand in candidates:
        if "报告" in cand:
            return _TITLE_TAIL.sub(r"\1", cand)
    return next((c for c in candidates if c), None)
