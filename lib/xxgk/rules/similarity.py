"""Copied text: each section against the agency's previous report and against peers of the same year.

Character shingles (digits folded, so a changed year does not hide a copy) minus shared boilerplate:
the phrases in boilerplate.yaml, every layout label and heading, and shingles most peers share.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from sys import intern
from typing import Iterable

from xxgk import yamlfile
from xxgk.layouts import VERSIONS, load_layout
from xxgk.model import FAIL, Finding, Peer, Report, Section
from xxgk.nfkc import nfkc
from xxgk.rules import Context, parameters, rule

_PARAMS = parameters()["similarity"]  # catalog.yaml says what each means
SHINGLE, THRESHOLD, MIN_SHINGLES, MIN_PASSAGE, COMMON_SHARE = (
    _PARAMS[k] for k in ("shingle", "threshold", "min_shingles", "min_passage", "common_share"))
BOILERPLATE_FILE = Path(__file__).with_name("boilerplate.yaml")
_DROP = re.compile(r"[\s\W_]+", re.UNICODE)


def clean(text: str) -> str:
    """NFKC, no spaces or punctuation, every digit folded to 0."""
    text = nfkc(text or "")
    return re.sub(r"\d", "0", _DROP.sub("", text))


def shingles(text: str, n: int = SHINGLE) -> set[str]:
    """Interned: a region's texts share most of their shingles, and a batch keeps every one in memory."""
    return {intern(text[i: i + n]) for i in range(len(text) - n + 1)}


@lru_cache(maxsize=1)
def boilerplate() -> tuple[str, ...]:
    """Cleaned boilerplate phrases, longest first (so a long phrase is cut before its parts)."""
    phrases = list(yamlfile.load(BOILERPLATE_FILE))
    for v in VERSIONS:
        lay = load_layout(v)
        phrases += [lay.format_title, lay.issuing_document]
        phrases += [s.heading for s in lay.sections] + [x for s in lay.sections for x in s.variants]
        for t in lay.tables:
            phrases += [r.label for r in t.rows] + [c.label for c in t.columns] + [t.subtable or "", t.title or ""]
    cleaned = {clean(p) for p in phrases if len(clean(p)) >= 2}
    return tuple(sorted(cleaned, key=len, reverse=True))


def own_shingles(text: str, common: set[str] = frozenset()) -> set[str]:
    """Shingles of a text with boilerplate phrases cut out (no shingle spans a cut) and common ones dropped."""
    return set(_own(text) - common)


# Caches by content: every review of a region meets the same peer texts, and a kernel forked from a
# process that already checked them (or a run checking many reports) cleans and shingles each text once.
@lru_cache(maxsize=None)
def _own(text: str) -> frozenset[str]:
    rest = clean(text)
    for phrase in boilerplate():
        rest = rest.replace(phrase, "|")
    out: set[str] = set()
    for part in rest.split("|"):
        out |= shingles(part)
    return frozenset(out)


@lru_cache(maxsize=None)
def text_shingles(text: str) -> frozenset[str]:
    """shingles(clean(text)), once per distinct text."""
    return frozenset(shingles(clean(text)))


@lru_cache(maxsize=32)
def _counts(texts: frozenset[tuple[str, int]]) -> dict[str, int]:
    """In how many of the texts (a multiset: text -> copies) each shingle stands."""
    counts: dict[str, int] = {}
    for text, copies in texts:
        for sh in text_shingles(text):
            counts[sh] = counts.get(sh, 0) + copies
    return counts


@lru_cache(maxsize=32)
def _at_least(texts: frozenset[tuple[str, int]], threshold: float) -> frozenset[str]:
    return frozenset(sh for sh, k in _counts(texts).items() if k >= threshold)


def _common(reports: Iterable[Report | Peer], number: int, mine: str = "") -> set[str]:
    """Shingles of section `number` that most of the given reports share.

    The counts are taken over the reports plus `mine` (the checked report's own section) and `mine` is then
    taken out again: every review of a region (whose peers are the region less itself) thus shares one count.
    """
    texts = [s.text for r in reports if (s := r.section(number)) is not None]
    if len(texts) < 3:
        return set()
    threshold = _threshold(len(texts))
    key = _multiset([*texts, mine])
    return _without_mine(_counts(key), _at_least(key, threshold), threshold, mine)


def _threshold(n: int) -> float:
    """How many of n texts a shingle must stand in to be common (3 texts at least)."""
    return max(3, COMMON_SHARE * n)


def _without_mine(counts: dict[str, int], shared: frozenset[str], threshold: float, mine: str) -> set[str]:
    """The shared shingles (counted over the others plus `mine`) less those only `mine` made common."""
    return set(shared.difference(sh for sh in text_shingles(mine) if sh in shared and counts[sh] - 1 < threshold))


def _multiset(texts: list[str]) -> frozenset[tuple[str, int]]:
    copies: dict[str, int] = {}
    for text in texts:
        copies[text] = copies.get(text, 0) + 1
    return frozenset(copies.items())


class Region:
    """A region's reports of one year as its reviews' copied-text checks read them, indexed once before a batch's
    kernels fork (review.warm): per section number, the multiset of the members' texts with its shingle counts,
    shared shingles and postings, and which members hold each text. A review whose peers are the region less
    itself (`_indexed`) then reads only what its own sections lead to, not every peer's sections: that walk grew
    each review's time with the region (benchmarks/peers.py --as-batch) and, in a forked kernel, copied the pages
    those objects lie on (reading an object writes its reference count).

    `members` are the given peers, each now pointing here (Peer.region)."""

    def __init__(self, peers: Iterable[Peer]) -> None:
        self.members = tuple(replace(p, region=self) for p in peers)
        self.position = {id(m): i for i, m in enumerate(self.members)}  # the members live as long as the index
        texts: dict[int, list[str]] = {}
        holders: dict[int, dict[str, list[int]]] = {}
        namesakes: dict[str, list[int]] = {}
        for i, member in enumerate(self.members):
            for number in dict.fromkeys(s.number for s in member.sections if s.number):
                text = member.section(number).text
                texts.setdefault(number, []).append(text)
                holders.setdefault(number, {}).setdefault(text, []).append(i)
                _own(text)
                text_shingles(text)
            if member.agency is not None:
                namesakes.setdefault(member.agency, []).append(i)
        self.holders = {n: {text: tuple(at) for text, at in held.items()} for n, held in holders.items()}
        self.namesakes = {agency: tuple(at) for agency, at in namesakes.items()}
        self.sizes = {n: len(found) for n, found in texts.items()}
        keys = {n: _multiset(found) for n, found in texts.items()}
        # Kept here, not only in the functions' small caches: a run of many regions would push them out there.
        self.counts = {n: _counts(key) for n, key in keys.items()}
        self.shared = {n: _at_least(key, _threshold(self.sizes[n] - 1)) for n, key in keys.items()
                       if self.sizes[n] - 1 >= 3}
        self.postings = {n: _postings(key) for n, key in keys.items()}

    def common(self, number: int, mine: str) -> set[str]:
        """_common over the region less the member whose section `number` reads `mine`."""
        others = self.sizes[number] - 1
        if others < 3:
            return set()
        return _without_mine(self.counts[number], self.shared[number], _threshold(others), mine)

    def holding(self, likely: dict[int, set[str] | None], left_out: int, peers: list[Peer]) -> list[Peer]:
        """The members but `left_out` whose section of a number holds one of that number's likely texts, in the
        order of `peers` (the region less that member)."""
        hit = {i for n, found in likely.items() if found for text in found for i in self.holders[n].get(text, ())}
        hit.discard(left_out)
        order = {id(p): k for k, p in enumerate(peers)}
        return sorted((self.members[i] for i in hit), key=lambda p: order[id(p)])


def _indexed(report: Report, peers) -> tuple[Region, int] | None:
    """(the region, the position of its member left out) when `peers` are one indexed region less one member whose
    numbered sections read as the report's own: every count, shared shingle and posting over the peers plus the
    report is then the region's. Else None, and the rules walk the peers. Only the peer objects are read here."""
    region = getattr(peers[0], "region", None) if peers else None
    if region is None or len(peers) != len(region.members) - 1:
        return None
    ids = {id(p) for p in peers}
    if len(ids) != len(peers) or not ids <= region.position.keys():
        return None
    (left_out,) = (i for m, i in region.position.items() if m not in ids)
    me = region.members[left_out]
    for mine in report.sections:
        if mine.number and mine.key is not None:
            theirs = me.section(mine.number)
            if theirs is None or theirs.text != mine.text:
                return None
    return region, left_out


@lru_cache(maxsize=32)
def _postings(texts: frozenset[tuple[str, int]]) -> dict[str, tuple[str, ...]]:
    """shingle -> the texts holding it, for one section number of a region (built once, like the counts)."""
    out: dict[str, list[str]] = {}
    for text, _ in texts:
        for sh in text_shingles(text):
            out.setdefault(sh, []).append(text)
    return {sh: tuple(holders) for sh, holders in out.items()}


def candidates(mine: Section, others: list[str], common: set[str]) -> set[str] | None:
    """The texts among `others` that can hold THRESHOLD of my own shingles; None when I am too short to judge.

    Exact, not a sketch: a text sharing at least t of my n own shingles misses at most n - t of them, so it
    holds one of any n - t + 1; taking the n - t + 1 rarest (shortest posting lists) makes the union small.
    Every review of a region shares one posting index, so comparing stays flat as the region grows.
    """
    return _candidates(mine, lambda: _postings(_multiset([*others, mine.text])), common)


def _candidates(mine: Section, postings_of, common: set[str]) -> set[str] | None:
    """candidates() with the posting index of the others plus mine (`postings_of()`, asked only when needed)."""
    own = _own(mine.text) - common
    if len(own) < MIN_SHINGLES:
        return None
    postings = postings_of()
    need = len(own) - _shared_needed(len(own)) + 1
    rarest = sorted(own, key=lambda sh: len(postings.get(sh, ())))[:need]
    return {t for sh in rarest for t in postings.get(sh, ())}


def _shared_needed(n: int) -> int:
    """The fewest of n own shingles another text must hold for share >= THRESHOLD."""
    t = int(THRESHOLD * n)
    return t if t / n >= THRESHOLD else t + 1


def compare(mine: Section, other: Section, common: set[str]) -> tuple[float, int] | None:
    """(share of my own shingles found in `other`, my own shingle count), None when too short."""
    own = _own(mine.text) - common
    if len(own) < MIN_SHINGLES:
        return None
    return len(own & text_shingles(other.text)) / len(own), len(own)


def _clean_indexed(text: str) -> tuple[str, list[int]]:
    """clean(text), and for each of its characters the index of the character of `text` it came from."""
    out, where = [], []
    for i, ch in enumerate(text or ""):
        for c in unicodedata.normalize("NFKC", ch):
            if not _DROP.fullmatch(c):
                out.append("0" if c.isdigit() else c)
                where.append(i)
    return "".join(out), where


_CLAUSE_END = "。；！？\n"
_OPEN, _CLOSE = "（(“《【", "）)”》】"
EXCERPT_CHARS = 120  # an excerpt longer than this is cut at a clause boundary


def excerpt(text: str, start: int, end: int) -> str:
    """The words of text[start:end] as written, widened to whole sentences, cut only at a clause boundary
    and never inside brackets or quotes.

    >>> excerpt("前言。本机关公开政府信息25条（含解读3条），较上年增加。后文", 5, 14)
    '本机关公开政府信息25条（含解读3条），较上年增加。'
    """
    while start > 0 and text[start - 1] not in _CLAUSE_END and end - start < 2 * EXCERPT_CHARS:
        start -= 1
    while end < len(text) and text[end - 1] not in _CLAUSE_END and end - start < 2 * EXCERPT_CHARS:
        end += 1
    piece = text[start:end].strip()
    if len(piece) > EXCERPT_CHARS:
        cuts = [i for i, ch in enumerate(piece[:EXCERPT_CHARS]) if ch in "，；。、" and _balanced(piece[: i + 1])]
        piece = piece[: cuts[-1] + 1] + "…" if cuts else piece[:EXCERPT_CHARS] + "…"
    return piece


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += (ch in _OPEN) - (ch in _CLOSE)
    return depth <= 0


def passages(mine: str, other: str, common: set[str], limit: int = 3) -> list[tuple[str, str]]:
    """The longest passages of `mine` that also stand in `other` (boilerplate-only ones left out), each as
    written in both texts: (mine, other)."""
    a, a_at = _clean_indexed(mine)
    b, b_at = _clean_indexed(other)
    blocks = difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
    found = []
    for blk in sorted(blocks, key=lambda x: -x.size):
        if blk.size < MIN_PASSAGE or len(found) >= limit:
            break
        if own_shingles(a[blk.a: blk.a + blk.size], common):
            found.append((excerpt(mine, a_at[blk.a], a_at[blk.a + blk.size - 1] + 1),
                          excerpt(other, b_at[blk.b], b_at[blk.b + blk.size - 1] + 1)))
    return found


def _check(ctx: Context, other: Report | Peer, who: str, common_pool: list[Report | Peer],
           commons: dict, indexed: tuple[Region, int] | None = None) -> list[Finding]:
    """`commons` keeps the shared shingles of each section number across the calls of one rule; `indexed`: the
    common pool as its region less one member (_indexed), so that a section's shared shingles are the region's."""
    out = []
    for mine in ctx.report.sections:
        theirs = other.section(mine.number) if mine.number else None
        if theirs is None or mine.key is None:
            continue
        if mine.number not in commons:
            commons[mine.number] = (indexed[0].common(mine.number, mine.text) if indexed is not None
                                    else _common(common_pool, mine.number, mine.text))
        common = commons[mine.number]
        got = compare(mine, theirs, common)
        if got is None:
            continue
        share, size = got
        place = {"row": mine.heading}
        if share >= THRESHOLD:
            ev = []
            for own, other_words in passages(mine.text, theirs.text, common):
                ev.append({"where": f"第{mine.number}部分（{mine.source}）", "raw": own})
                ev.append({"where": f"{who}第{theirs.number}部分（{theirs.source}）", "raw": other_words})
            if not ev:  # only short passages in common: name the other text by its first sentence
                ev.append({"where": f"{who}第{theirs.number}部分（{theirs.source}）", "raw": excerpt(theirs.text, 0, 1)})
            out.append(ctx.finding(FAIL, f"第{mine.number}部分 {share:.0%} 的文字与{who}相同（套话不计）",
                                   expected=f"低于{THRESHOLD:.0%}", actual=round(share, 3), evidence=ev, **place))
        else:
            out.append(ctx.passed(f"第{mine.number}部分与{who}相同的文字占 {share:.0%}", actual=round(share, 3), **place))
    return out


@rule("X_SIMILARITY_PREVIOUS")
def similar_to_previous(ctx: Context) -> Iterable[Finding]:
    prev = ctx.previous
    if prev is None:
        return [ctx.not_assessable("没有提供上年报告")]
    found = _check(ctx, prev, f"{prev.year or '上'}年报告", list(ctx.peers), {}, _indexed(ctx.report, ctx.peers))
    return found or [ctx.not_assessable("各部分正文太短或与上年报告没有可比的部分")]


@rule("X_SIMILARITY_PEERS")
def similar_to_peers(ctx: Context) -> Iterable[Finding]:
    indexed = _indexed(ctx.report, ctx.peers)
    if indexed is not None and ctx.report.agency is not None and any(
            i != indexed[1] for i in indexed[0].namesakes.get(ctx.report.agency, ())):
        indexed = None  # peers of the report's own name are left out below: no longer the region less one
    if indexed is not None:
        peers = list(ctx.peers)
    else:
        peers = [p for p in ctx.peers if p is not ctx.report and (p.agency != ctx.report.agency or p.agency is None)]
    if not peers:
        return [ctx.not_assessable("没有提供同年其他机关的报告")]
    out, commons, likely = [], {}, {}
    for mine in ctx.report.sections:
        if mine.number and mine.key is not None:
            if indexed is not None:
                region = indexed[0]
                commons[mine.number] = region.common(mine.number, mine.text)
                likely[mine.number] = _candidates(mine, lambda: region.postings[mine.number], commons[mine.number])
            else:
                others = [s.text for p in peers if (s := p.section(mine.number)) is not None]
                commons[mine.number] = _common(peers, mine.number, mine.text)
                likely[mine.number] = candidates(mine, others, commons[mine.number])
    for peer in indexed[0].holding(likely, indexed[1], peers) if indexed is not None else peers:
        if not any(found is not None and (s := peer.section(n)) is not None and s.text in found
                   for n, found in likely.items()):
            continue  # holds THRESHOLD of no section of mine: it could only pass, and passes are not listed
        out += [f for f in _check(ctx, peer, f"{peer.agency or peer.source_file}的报告", peers, commons)
                if f.status == FAIL]
    return out or [ctx.passed(f"与 {len(peers)} 份同年报告相比未见雷同")]
