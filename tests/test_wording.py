"""Wording a reviewer would sign: no empty brackets or quotes, no internal labels or paths, no Python
values leaking into what a review says — checked on every finding and narrative of the corpus and the
sample county."""

from __future__ import annotations

import re

import pytest

from conftest import REAL, SEED
from xxgk.config import DATA_DIR
from xxgk.review.facts import facts
from xxgk.review.narrative import narrative
from xxgk.read import read_report
from xxgk.rules import check

DOCS = {"expected.json", "manifest.csv"}
FILES = sorted([SEED, *(p for p in REAL.iterdir() if p.name not in DOCS), *(DATA_DIR / "reports").glob("*/*")])
BAD = re.compile(r"（）|\(\)|“”|\"\"|//|数据行|\bNone\b|\bnan\b|\binf\b|\[\]|\{\}")


def _texts(findings) -> list[str]:
    out = []
    for f in findings:
        out += [f.message, str(f.expected or ""), str(f.actual or "")]
        out += [str(ev.get(k, "")) for ev in f.evidence for k in ("cell", "where")]
        out += _texts(f.caused)
    return out


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_empty_brackets_internal_labels_or_python_values(path):
    report = read_report(path, year=int(path.parent.name)) if path.parent.name.isdigit() else read_report(path)
    findings = check(report)
    said = _texts(findings) + [str(narrative(facts(report), findings))]
    bad = sorted({m.group(0) + " in: " + t[:80] for t in said for m in [BAD.search(t)] if m})
    assert not bad, bad[:5]
