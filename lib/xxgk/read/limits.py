"""Decompression caps, checked before a reader unpacks anything.

A Word file is a zip archive and a PDF holds Flate-compressed streams: a few MB on disk can inflate to
gigabytes in a parser's memory (a 4.2 MB DOCX used 4.2 GB, a 1 MB PDF 2 GB). Each part is inflated in
bounded chunks and the file refused with one line naming it and the part as soon as a cap is passed, so no
parser sees a bomb: a PDF's streams all before reading, a Word file's parts as the reader takes them.
Real reports stay far below every cap (their document.xml is well under 5 MB, a page's content stream
under 1 MB).
"""

from __future__ import annotations

import re
import zipfile
import zlib

from xxgk.read.document import ReadError

MB = 1024 * 1024
DOCX_MAX_PARTS = 5000  # zip entries
DOCX_MAX_XML_PART = 32 * MB  # one XML part (document.xml, numbering.xml, …) inflated; lxml parses it whole
DOCX_MAX_TOTAL = 256 * MB  # all parts inflated (images included)
PDF_MAX_STREAM = 64 * MB  # one stream inflated (through nested Flate layers)
PDF_MAX_TOTAL = 512 * MB  # all streams inflated
_CHUNK = MB
_FLATE_LAYERS = 4  # a stream compressed several times over (FlateDecode listed twice) is followed this deep


def check(rendering: str, data: bytes, name: str) -> None:
    """Raise ReadError when a DOCX or PDF would inflate past its caps; other renderings are not compressed."""
    if rendering == "docx":
        check_docx(data, name)
    elif rendering == "pdf":
        check_pdf(data, name)


def _too_big(name: str, part: str, cap: int) -> ReadError:
    return ReadError(f"{name}: {part}解压后超过 {cap // MB} MB（疑为解压炸弹），未读取")


def check_docx(data: bytes, name: str) -> None:
    """The number of zip entries; each part the Word reader reads is inflated through read_docx_part, under the
    caps, and parts it never reads (images, thumbnails, other styles) are never inflated at all."""
    import io

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError):
        return  # not a readable zip: the Word reader says so in its own words
    with archive:
        entries = len(archive.infolist())
    if entries > DOCX_MAX_PARTS:
        raise ReadError(f"{name}: Word 文件含 {entries} 个部件（上限 {DOCX_MAX_PARTS}），未读取")


def read_docx_part(archive: zipfile.ZipFile, member: str, name: str, inflated: int) -> bytes:
    """One zip entry inflated in chunks, refused past its cap or past the archive's total with the `inflated`
    bytes of the parts read before it: the declared sizes may lie, the inflated bytes cannot."""
    cap = min(DOCX_MAX_XML_PART, DOCX_MAX_TOTAL) if member.endswith((".xml", ".rels")) else DOCX_MAX_TOTAL
    chunks, size = [], 0
    with archive.open(member) as fh:
        while chunk := fh.read(_CHUNK):
            size += len(chunk)
            if size > cap:
                raise _too_big(name, f"Word 文件的部件 {member} ", cap)
            if inflated + size > DOCX_MAX_TOTAL:
                raise _too_big(name, "Word 文件的全部部件合计", DOCX_MAX_TOTAL)
            chunks.append(chunk)
    return b"".join(chunks)


_STREAM = re.compile(rb"stream\r?\n")


def check_pdf(data: bytes, name: str) -> None:
    """Every Flate stream inflated in chunks, without trusting /Length (a bomb can state any length)."""
    total = 0
    for number, m in enumerate(_STREAM.finditer(data), 1):
        size = _inflated_size(data, m.end(), PDF_MAX_STREAM + 1)
        if size > PDF_MAX_STREAM:
            raise _too_big(name, f"PDF 第{number}个数据流", PDF_MAX_STREAM)
        total += size
        if total > PDF_MAX_TOTAL:
            raise _too_big(name, "PDF 全部数据流合计", PDF_MAX_TOTAL)


def _inflated_size(data: bytes, start: int, cap: int, layer: int = 1) -> int:
    """Bytes the zlib stream at `start` inflates to, counted up to `cap`; 0 when none starts there.

    When the inflated bytes are themselves a zlib stream (Flate applied twice), the inner one is
    measured instead, up to _FLATE_LAYERS deep.
    """
    if not _zlib_header(data[start:start + 2]):
        return 0
    inflater = zlib.decompressobj()
    size, head, pos = 0, b"", start
    try:
        while pos < len(data) and not inflater.eof:
            piece = inflater.decompress(inflater.unconsumed_tail or data[pos:pos + _CHUNK], _CHUNK)
            if not inflater.unconsumed_tail:
                pos += _CHUNK
            if len(head) < 2:
                head += piece[:2 - len(head)]
            size += len(piece)
            if size > cap:
                break
    except zlib.error:
        pass  # damaged or not Flate after all: what inflated so far is what a reader could get
    if size <= cap and layer < _FLATE_LAYERS and _zlib_header(head):
        inner = _inflate_bytes(data, start, cap)
        return max(size, _inflated_size(inner, 0, cap, layer + 1))
    return size


def _inflate_bytes(data: bytes, start: int, cap: int) -> bytes:
    """The first `cap` inflated bytes of the zlib stream at `start` (an outer layer, to look inside)."""
    try:
        return zlib.decompressobj().decompress(data[start:], cap)
    except zlib.error:
        return b""


def _zlib_header(two: bytes) -> bool:
    return len(two) == 2 and two[0] & 0x0F == 8 and (two[0] * 256 + two[1]) % 31 == 0
