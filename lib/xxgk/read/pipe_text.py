"""Web text flattened one cell per line (the reference report): 'cell |', a bare '|' for an empty
cell, and a run of pipes closing a row whose merged cells leave grid positions unused."""

from __future__ import annotations

import re

from xxgk.read.document import Document

_PIPE_RUN = re.compile(r"^\|{2,}$")


def read(text: str, path: str) -> Document:
    doc = Document(path, "pipe_text")
    for i, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        where = f"第{i}行"
        if not stripped:
            continue
        if _PIPE_RUN.match(stripped):
            doc.row_end(where)
        elif stripped == "|":
            doc.cell("", where)
        elif stripped.endswith("|"):
            doc.cell(stripped[:-1].strip(), where)
        else:
            doc.text(stripped, where)
    return doc
