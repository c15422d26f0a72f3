"""xxgk.nfkc.nfkc is unicodedata's NFKC, character for character, on any text: the full-width forms it folds
first sit beside combining marks, compatibility characters and other full-width forms (it decides every
label match, cell value and copied-text comparison)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from xxgk.config import CORPUS_DIR
from xxgk.nfkc import nfkc

# Characters NFKC changes or composes, mixed with what reports print: full-width ASCII and the
# ideographic space, combining marks after full-width letters, half-width katakana and voicing marks,
# circled and parenthesized numbers, ligatures, Hangul jamo, Kangxi radicals, ideographs and ASCII.
_TRICKY = ("\uff01\uff0c\uff08\uff09\uff10\uff19\uff21\uff41\uff45\uff5e\u3000\u0301\u0308\u0323\u0338"
           "\uff76\uff9e\uff9f\u2460\u2474\u2488\ufb01\u1100\u1161\u11a8\u2f00\u2f08\u3001\u3002"
           "\u201c\u201d\u2026\u00b7\u00a0\u2002一二三收到申请数件aE1 ,.-")


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(_TRICKY) | st.characters(), max_size=40))
def test_nfkc_is_unicodedata_nfkc(text):
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


def test_nfkc_on_every_line_of_the_corpus_text():
    lines = [line for path in sorted(CORPUS_DIR.rglob("*")) if path.suffix in (".txt", ".md", ".html")
             for line in path.read_text(encoding="utf-8", errors="replace").splitlines()]
    assert len(lines) > 1000
    assert [nfkc(line) for line in lines] == [unicodedata.normalize("NFKC", line) for line in lines]
