"""Word attachments: body paragraphs and tables in the order they are written.

Tables and paragraphs interleave as in the file. A merged cell is one <w:tc> (gridSpan columns) plus
vMerge continuations below it: each table becomes a Grid with the cell's row and column span, as a
web page's rowspan/colspan cell would.

Only the parts reading needs (the document, its numbering and styles, the core properties) are
unzipped and parsed, found through the package's relationships as Word finds them. The body is
flattened by one XSLT pass (_FLATTEN, in C) into records the walker reads, instead of python-docx's object
model or lxml elements visited one by one from Python (benchmarks/parse.py, sample/docx).
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib

from lxml import etree

from xxgk.read import limits
from xxgk.read.document import Document, ReadError
from xxgk.read.grid import Grid
from xxgk.read.docx_numbering import W, Numbering, style_numbers

_TITLE = "{http://purl.org/dc/elements/1.1/}title"
_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_CONTENT_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
_WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
# python-docx's settings: entities are not expanded (no entity bombs), blank text between tags is dropped.
_PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False)

# Record and field separators of the flattened body. XML forbids control characters, so these are
# U+2028/U+2029, which the XSLT turns into spaces wherever the file itself has them: text is cleaned
# of every space-like character anyway, a number (int()) reads the same, and an id holding one (a list
# or style id; Word writes none) no longer matches its list.
_RS, _FS = "\u2028", "\u2029"
# Records, in body order: "p" paragraph (field: text), "pp" paragraph with w:pPr (fields: numId, ilvl,
# pStyle, text), "t" table, "r" row (gridBefore), "c" cell (gridSpan, vMerge, "1" if it holds a table);
# t, r and c are closed by "/". Content controls (w:sdt) are looked through; a paragraph's text is
# its w:t text (as lxml's .text), w:tab as a tab, w:br and w:cr as line breaks, leaving out deleted
# text (w:delText, not w:t) and floating text boxes (w:txbxContent).
_PLAIN_CELL = "c" + _FS * 3  # no gridSpan, no vMerge, no table inside
_NAMED_LIST = re.compile(f"{_RS}pp{_FS}([^{_FS}]*){_FS}[^{_FS}]*{_FS}([^{_FS}]*){_FS}")
_FLATTEN = etree.XSLT(etree.XML(f"""\
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:w="{W[1:-1]}">
<xsl:output method="text" encoding="UTF-8"/>
<xsl:variable name="seps" select="'{_RS}{_FS}'"/>
<xsl:template match="/"><xsl:apply-templates select="/*/w:body[1]/*"/></xsl:template>
<xsl:template match="*"/>
<xsl:template match="w:sdt"><xsl:apply-templates select="w:sdtContent[1]/*"/></xsl:template>
<xsl:template match="w:p">
  <xsl:text>{_RS}p</xsl:text>
  <xsl:for-each select="w:pPr[1]">
    <xsl:text>p{_FS}</xsl:text><xsl:value-of select="translate(w:numPr[1]/w:numId[1]/@w:val, $seps, '  ')"/>
    <xsl:text>{_FS}</xsl:text><xsl:value-of select="translate(w:numPr[1]/w:ilvl[1]/@w:val, $seps, '  ')"/>
    <xsl:text>{_FS}</xsl:text><xsl:value-of select="translate(w:pStyle[1]/@w:val, $seps, '  ')"/>
  </xsl:for-each>
  <xsl:text>{_FS}</xsl:text><xsl:apply-templates select="*" mode="text"/>
</xsl:template>
<xsl:template match="*" mode="text"><xsl:apply-templates select="*" mode="text"/></xsl:template>
<xsl:template match="w:txbxContent" mode="text"/>
<xsl:template match="w:t" mode="text">
  <xsl:value-of select="translate(node()[1][self::text()], $seps, '  ')"/><xsl:apply-templates select="*" mode="text"/>
</xsl:template>
<xsl:template match="w:tab" mode="text"><xsl:text>&#9;</xsl:text><xsl:apply-templates select="*" mode="text"/></xsl:template>
<xsl:template match="w:br|w:cr" mode="text"><xsl:text>&#10;</xsl:text><xsl:apply-templates select="*" mode="text"/></xsl:template>
<xsl:template match="w:tbl"><xsl:text>{_RS}t</xsl:text><xsl:apply-templates select="*" mode="row"/><xsl:text>{_RS}/</xsl:text></xsl:template>
<xsl:template match="*" mode="row"/>
<xsl:template match="w:sdt" mode="row"><xsl:apply-templates select="w:sdtContent[1]/*" mode="row"/></xsl:template>
<xsl:template match="w:tr" mode="row">
  <xsl:text>{_RS}r{_FS}</xsl:text><xsl:value-of select="translate(w:trPr[1]/w:gridBefore[1]/@w:val, $seps, '  ')"/>
  <xsl:apply-templates select="*" mode="cell"/><xsl:text>{_RS}/</xsl:text>
</xsl:template>
<xsl:template match="*" mode="cell"/>
<xsl:template match="w:sdt" mode="cell"><xsl:apply-templates select="w:sdtContent[1]/*" mode="cell"/></xsl:template>
<xsl:template match="w:tc" mode="cell">
  <xsl:text>{_RS}c{_FS}</xsl:text><xsl:value-of select="translate(w:tcPr[1]/w:gridSpan[1]/@w:val, $seps, '  ')"/>
  <xsl:text>{_FS}</xsl:text>
  <xsl:for-each select="w:tcPr[1]/w:vMerge[1]">
    <xsl:choose>
      <xsl:when test="@w:val"><xsl:value-of select="translate(@w:val, $seps, '  ')"/></xsl:when>
      <xsl:otherwise>continue</xsl:otherwise>
    </xsl:choose>
  </xsl:for-each>
  <xsl:text>{_FS}</xsl:text><xsl:if test=".//w:tbl">1</xsl:if>
  <xsl:apply-templates select="*"/><xsl:text>{_RS}/</xsl:text>
</xsl:template>
</xsl:stylesheet>"""))


def read(data: bytes, path: str) -> Document:
    try:
        package = _Package(data, path)
        main = package.main_document()
        flat = str(_FLATTEN(package.xml(main).getroottree()))
        numbers = _numbering(package, main, flat)
        core = package.related("/", _CORE)
        title_el = package.xml(core).find(_TITLE) if core else None
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, NotImplementedError,
            etree.XMLSyntaxError, etree.XSLTApplyError) as exc:
        raise ReadError(f"{path}: 不是可读的 Word（.docx）文件（{exc}）") from exc
    doc = Document(path, "docx")
    walker = _Walker(doc, numbers)
    walker.blocks(_nest(flat))
    title = (title_el.text or "").strip() if title_el is not None else ""
    doc.title = title if "报告" in title else walker.first_title
    return doc


def _numbering(package: _Package, main: str, flat: str) -> Numbering:
    """The list numbering of the document's paragraphs: styles.xml is read when a paragraph with properties
    names no list itself (its style may), numbering.xml only when some paragraph is a list item, so a
    document without lists never parses it."""
    named = _NAMED_LIST.findall(flat)  # (numId, pStyle) of each paragraph with w:pPr
    styles = package.related(main, _OFFICE + "styles") if any(not Numbering.names_list(n) for n, _ in named) else None
    style_num = style_numbers(package.read(styles), _parse) if styles else {}
    if not any(Numbering.names_list(n) or style_num.get(s) is not None for n, s in named):
        return Numbering(None, style_num)
    numbering = package.related(main, _OFFICE + "numbering")
    return Numbering(package.xml(numbering) if numbering else None, style_num)


def _parse(xml: bytes):
    return etree.fromstring(xml, _PARSER)


class _Package:
    """The zip's parts by part name ("/word/document.xml"), linked by relationships (_rels/*.rels)."""

    def __init__(self, data: bytes, name: str):
        self.zip, self.name, self.inflated = zipfile.ZipFile(io.BytesIO(data)), name, 0
        self.links: dict[str, dict[str, list[str]]] = {}  # part -> relationship type -> target parts

    def read(self, part: str) -> bytes:
        """A part's bytes, inflated under the decompression caps (limits.py)."""
        data = limits.read_docx_part(self.zip, part[1:], self.name, self.inflated)
        self.inflated += len(data)
        return data

    def xml(self, part: str):
        return _parse(self.read(part))

    def main_document(self) -> str:
        """The document part the package names, refused unless it is a Word document's."""
        types = self.xml("/[Content_Types].xml")
        part = self.related("/", _OFFICE + "officeDocument", required=True)
        overrides = {o.get("PartName", "").lower(): o.get("ContentType") for o in types.findall(_CONTENT_TYPES + "Override")}
        defaults = {d.get("Extension", "").lower(): d.get("ContentType") for d in types.findall(_CONTENT_TYPES + "Default")}
        content_type = overrides.get(part.lower()) or defaults.get(posixpath.splitext(part)[1][1:].lower())
        if content_type is None:
            raise KeyError(f"no content type for partname '{part}' in [Content_Types].xml")
        if content_type != _WORD_MAIN:
            raise ValueError(f"not a Word file, content type is '{content_type}'")
        return part

    def related(self, part: str, reltype: str, required: bool = False) -> str | None:
        """The part that `part` ("/": the package) links to with this relationship type; None if none
        (KeyError when `required`), ValueError if several."""
        if part not in self.links:
            base, name = posixpath.split(part)
            try:
                rels = self.xml(posixpath.join(base, "_rels", name + ".rels"))
            except KeyError:  # a part without relationships
                rels = ()
            by_id = {r.get("Id"): r for r in rels if r.tag == _RELATIONSHIP}
            self.links[part] = links = {}
            for r in by_id.values():
                if r.get("TargetMode") != "External":
                    links.setdefault(r.get("Type"), []).append(posixpath.normpath(posixpath.join(base, r.get("Target", ""))))
        targets = self.links[part].get(reltype, [])
        if len(targets) > 1:
            raise ValueError(f"multiple relationships of type '{reltype}' in collection")
        if not targets:
            if required:
                raise KeyError(f"no relationship of type '{reltype}' in collection")
            return None
        return targets[0]


def _nest(flat: str) -> list:
    """The flattened body as nested lists: a paragraph is its record; a table, row or cell is
    [its record, its contents…]."""
    body: list = []
    stack = [body]
    for record in flat.split(_RS)[1:]:
        if record == "/":
            stack.pop()
        elif record[0] == "p":
            stack[-1].append(record)
        else:
            node = [record]
            stack[-1].append(node)
            stack.append(node)
    return body


def _lines(text: str) -> list[str]:
    """The text's lines, each with its runs of spaces (any, U+3000 too) made one space, blank ones dropped."""
    if "\n" not in text:
        line = " ".join(text.split())
        return [line] if line else []
    return [line for line in (" ".join(x.split()) for x in text.split("\n")) if line]


class _Walker:
    def __init__(self, doc: Document, numbering: Numbering):
        self.doc, self.numbering = doc, numbering
        self.paragraphs = 0
        self.tables = 0
        self.first_title: str | None = None

    def paragraph_lines(self, record: str) -> list[str]:
        if record[1] != "p":
            return _lines(record[2:])
        _, num_id, ilvl, style, text = record.split(_FS)
        return _lines(self.numbering.label(num_id, ilvl, style) + text)

    def cell_text(self, content: list) -> str:
        if len(content) == 1 and content[0][1] != "p" and "\n" not in content[0]:  # one plain paragraph
            return " ".join(content[0][2:].split())
        return "\n".join(line for p in content for line in self.paragraph_lines(p))

    def blocks(self, items: list) -> None:
        for item in items:
            if type(item) is str:
                for line in self.paragraph_lines(item):
                    self.paragraphs += 1
                    self.doc.text(line, f"第{self.paragraphs}段")
                    if self.first_title is None and self.paragraphs <= 5 and "报告" in line:
                        self.first_title = line
            else:
                self.table(item[1:])

    def table(self, rows: list) -> None:
        if any(cell[0][-1] == "1" for row in rows for cell in row[1:]):
            # A layout table holding the document (a cell holds a table): its cells are page regions, read as prose.
            for row in rows:
                for cell in row[1:]:
                    self.blocks(cell[1:])
            return
        self.tables += 1
        n = self.tables
        skips = [_number(row[0][2:], 0) for row in rows]
        grid_rows: list[list[tuple[str, str, int, int]]] = []
        origins: dict[int, list] = {}  # grid column -> [row index, cell index] of the vertically merged cell over it
        for r, row in enumerate(rows):
            cells: list[tuple[str, str, int, int]] = []
            col = skips[r]
            for c in range(1, len(row)):
                cell = row[c]
                if cell[0] == _PLAIN_CELL:
                    span, merge = 1, ""
                else:
                    _, span_text, merge, _ = cell[0].split(_FS)
                    span = max(1, _number(span_text, 1))
                if merge == "continue" and col in origins:
                    up_r, up_c = origins[col]
                    text, where, rowspan, colspan = grid_rows[up_r][up_c]
                    grid_rows[up_r][up_c] = (text, where, rowspan + 1, colspan)
                else:
                    text = self.cell_text(cell[1:])
                    if merge == "restart":
                        origins[col] = [r, len(cells)]
                    else:  # the columns it covers no longer continue a merge (a huge span: look at origins instead)
                        covered = (range(col, col + span) if span <= len(origins)
                                   else [k for k in origins if col <= k < col + span])
                        for k in covered:
                            origins.pop(k, None)
                    cells.append((text, f"表{n} 第{r + 1}行 第{c}格", 1, span))
                col += span
            grid_rows.append(cells)
        # Rows that start after w:gridBefore get an empty cell in front, so columns line up.
        lined_up = [[("", "", 1, skip)] * (1 if skip else 0) + cells for skip, cells in zip(skips, grid_rows)]
        self.doc.grid(Grid.build(lined_up, f"表{n}"))


def _number(text: str, default: int) -> int:
    """A w:gridSpan or w:gridBefore value; the default when it is missing or not a number."""
    if text:
        try:
            return int(text)
        except ValueError:
            pass
    return default
