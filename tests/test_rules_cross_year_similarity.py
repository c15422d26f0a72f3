"""Same agency across years (carry chain, 表二 stocks) and copied text against last year and peers."""

from __future__ import annotations

import copy
from dataclasses import replace

from hypothesis import given, settings, strategies as st

from rulekit import failed, run, statuses
from xxgk.model import Peer, Section
from xxgk.rules import Context, catalog, load_rules, similarity
from xxgk.rules.similarity import clean
from xxgk.samples.synth import consistent_report, with_cell

P20 = consistent_report("2019", 2020, seed=5)
P21 = consistent_report("2021", 2021, seed=5, previous=P20)
R22 = consistent_report("2021", 2022, seed=5, previous=P21)


def test_carry_chain_per_column_and_across_the_format_change():
    for prev, now in ((P20, P21), (P21, R22)):
        assert statuses(now, "X_T3_CARRY_CHAIN", previous=prev) == {"pass"}
    broken = with_cell(R22, "t3", "carried_over", "legal_service", str(R22.value("t3", "carried_over", "legal_service") + 1))
    bad = failed(broken, "X_T3_CARRY_CHAIN", previous=P21)
    assert [f.column for f in bad] == ["法人或其他组织/法律服务机构"] and bad[0].difference == 1
    assert any(e["cell"].startswith("上年") for e in bad[0].evidence)


def test_carry_chain_needs_consecutive_years():
    assert statuses(R22, "X_T3_CARRY_CHAIN") == {"not_assessable"}
    assert statuses(R22, "X_T3_CARRY_CHAIN", previous=P20) == {"not_assessable"}
    blank = with_cell(P21, "t3", "carried_forward", "research", "")
    assert "uncertain" in statuses(R22, "X_T3_CARRY_CHAIN", previous=blank)


def test_2021_valid_stock_and_repeal_bound():
    assert statuses(R22, "X_T2_2021_VALID_STOCK", previous=P21) == {"pass"}
    assert statuses(R22, "X_T2_2021_REPEAL_BOUND", previous=P21) == {"pass"}
    off = with_cell(R22, "t2_art20_1", "normative_documents", "valid",
                    str(R22.value("t2_art20_1", "normative_documents", "valid") + 4))
    assert [f.row for f in failed(off, "X_T2_2021_VALID_STOCK", previous=P21)] == ["行政规范性文件"]
    huge = with_cell(R22, "t2_art20_1", "normative_documents", "repealed", "100000")
    assert failed(huge, "X_T2_2021_REPEAL_BOUND", previous=P21)


def test_table_two_never_compared_across_versions():
    for rule in ("X_T2_2021_VALID_STOCK", "X_T2_2019_ITEM_CHAIN", "X_T2_2019_PUBLISHED_STOCK"):
        got = run(P21, rule, previous=P20)
        assert [f.status for f in got] == ["not_assessable"], rule
    assert "口径不同" in run(P21, "X_T2_2021_VALID_STOCK", previous=P20)[0].message


def test_2019_item_chain_and_published_stock():
    p19 = consistent_report("2019", 2019, seed=6)
    p20 = consistent_report("2019", 2020, seed=6, previous=p19)
    assert statuses(p20, "X_T2_2019_ITEM_CHAIN", previous=p19) == {"pass"}
    assert statuses(p20, "X_T2_2019_PUBLISHED_STOCK", previous=p19) == {"pass"}
    off = with_cell(p20, "t2_art20_6", "admin_coercion", "prev_year_items",
                    str(p20.value("t2_art20_6", "admin_coercion", "prev_year_items") + 2))
    assert [f.row for f in failed(off, "X_T2_2019_ITEM_CHAIN", previous=p19)] == ["行政强制"]
    more = with_cell(p20, "t2_art20_1", "normative_documents", "total_published", "9999")
    assert failed(more, "X_T2_2019_PUBLISHED_STOCK", previous=p19)


LONG = ("今年我局聚焦营商环境专项整治，梳理涉企收费目录并逐项公开依据和标准，"
        "对全县一百二十家规模以上企业逐户走访，收集政策诉求四十余条，形成问题清单并限时办结。")


def with_section(report, number, text):
    out = copy.deepcopy(report)
    out.sections[number - 1].text = text
    return out


def test_copied_section_against_previous_year_with_passages_shown():
    prev = with_section(P21, 1, LONG.replace("今年", "2021年"))
    now = with_section(R22, 1, LONG.replace("今年", "2022年"))  # the same text, only the year changed
    bad = failed(now, "X_SIMILARITY_PREVIOUS", previous=prev)
    assert [f.row for f in bad] == ["一、总体情况"] and bad[0].actual >= 0.9
    assert any(clean("逐户走访") in e["raw"] for e in bad[0].evidence)
    assert statuses(R22, "X_SIMILARITY_PREVIOUS", previous=P21) <= {"pass", "not_assessable"}


def test_shared_boilerplate_does_not_count():
    boiler = "根据《中华人民共和国政府信息公开条例》，本报告中所列数据的统计期限自2022年1月1日起至2022年12月31日止。" * 3
    a = with_section(R22, 6, boiler + "本年度未收取信息处理费。")
    b = with_section(consistent_report("2021", 2022, agency="某县民政局"), 6, boiler + "本年度未收取信息处理费。")
    assert not failed(a, "X_SIMILARITY_PEERS", peers=[b])


def test_copied_from_a_peer():
    a = with_section(R22, 5, LONG)
    peer = with_section(consistent_report("2021", 2022, agency="某县民政局", seed=9), 5, LONG)
    other = consistent_report("2021", 2022, agency="某县水务局", seed=10)
    bad = failed(a, "X_SIMILARITY_PEERS", peers=[peer, other])
    assert len(bad) == 1 and "某县民政局" in bad[0].message
    assert statuses(a, "X_SIMILARITY_PEERS") == {"not_assessable"}


_WORDS = "本机关全年主动公开政府信息依申请公开办理答复培训平台建设监督保障解读回应关切网站栏目更新维护"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, len(_WORDS) - 1), min_size=30, max_size=160), min_size=2, max_size=12),
       st.data())
def test_the_candidate_index_misses_no_text_that_could_reach_the_threshold(drawn, data):
    """candidates() is exact: every text holding THRESHOLD of a section's own shingles is among them."""
    texts = ["".join(_WORDS[i] for i in chars) for chars in drawn]
    # some texts copy another with a few characters changed, so shares near the threshold occur
    for k in range(1, len(texts)):
        if data.draw(st.booleans()):
            src = list(texts[data.draw(st.integers(0, k - 1))])
            for _ in range(data.draw(st.integers(0, max(1, len(src) // 8)))):
                src[data.draw(st.integers(0, len(src) - 1))] = data.draw(st.sampled_from(_WORDS))
            texts[k] = "".join(src)
    mine, others = Section(number=2, heading="二、主动公开政府信息情况", text=texts[0]), texts[1:]
    found = similarity.candidates(mine, others, set())
    for other in others:
        got = similarity.compare(mine, Section(number=2, heading="", text=other), set())
        if got is not None and got[0] >= similarity.THRESHOLD:
            assert found is not None and other in found


def _similar(report, peers, previous):
    """Both copied-text rules' findings, the rules called as check() calls them."""
    functions, base = load_rules().functions, Context(report, previous, tuple(peers))
    return {rule: [f.to_json() for f in functions[rule](replace(base, meta=catalog()[rule], _cells=base._cells))]
            for rule in ("X_SIMILARITY_PEERS", "X_SIMILARITY_PREVIOUS")}


def _prose(data, pool: list[str]) -> str:
    """A section's words: one of a few texts the region shares, a few characters changed, or words of its own."""
    if pool and data.draw(st.booleans()):
        chars = list(data.draw(st.sampled_from(pool)))
        for _ in range(data.draw(st.integers(0, 4))):
            chars[data.draw(st.integers(0, len(chars) - 1))] = data.draw(st.sampled_from(_WORDS))
        return "".join(chars)
    return "".join(data.draw(st.lists(st.sampled_from(_WORDS), min_size=20, max_size=90)))


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_a_region_indexed_once_finds_what_walking_its_peers_finds(data):
    """A batch indexes each region once (similarity.Region) and a review of one member reads the index instead of
    its peers' sections: the findings of both copied-text rules are those of walking the same peers."""
    pool = [_prose(data, []) for _ in range(3)]
    reports = []
    for i in range(data.draw(st.integers(2, 8))):
        report = consistent_report("2021", 2022, agency=data.draw(st.sampled_from(["某县民政局", "某县水务局", f"某县第{i}局"])),
                                   seed=i)
        for section in report.sections:
            if section.number in (1, 2, 5):
                section.text = _prose(data, pool)
        reports.append(report)
    previous = with_section(P21, 1, _prose(data, pool))
    plain = [Peer(f"{i}.txt", r.agency, r.year, tuple(r.sections), None, None) for i, r in enumerate(reports)]
    region = similarity.Region(plain)
    for i, report in enumerate(reports):
        walked = plain[:i] + plain[i + 1:]
        indexed = list(region.members[:i] + region.members[i + 1:])
        assert similarity._indexed(report, indexed) == (region, i)
        assert similarity._indexed(report, walked) is None
        assert _similar(report, indexed, previous) == _similar(report, walked, previous)


def test_the_index_is_read_only_for_the_region_less_the_report_itself():
    reports = [consistent_report("2021", 2022, agency=f"某县第{i}局", seed=i) for i in range(4)]
    reports[:2] = [with_section(r, 5, LONG) for r in reports[:2]]  # the first two agencies share a section
    region = similarity.Region(Peer(f"{i}.txt", r.agency, r.year, tuple(r.sections), None, None)
                               for i, r in enumerate(reports))
    others = list(region.members[1:])
    assert similarity._indexed(reports[0], others) == (region, 0)
    assert similarity._indexed(with_section(reports[0], 5, LONG + "另"), others) is None  # not the text indexed
    assert similarity._indexed(reports[0], others[:-1]) is None  # two members left out
    assert similarity._indexed(reports[0], others[:-1] + [replace(others[-1], agency="某县")]) is None  # not a member
    assert similarity._indexed(reports[0], others[:-1] + [others[0]]) is None  # one peer twice
    found = _similar(reports[0], others, None)["X_SIMILARITY_PEERS"]
    assert [(f["status"], f["row"]) for f in found] == [("fail", reports[0].sections[4].heading)]
    assert "某县第1局" in found[0]["message"]


def test_a_text_most_of_the_others_share_is_boilerplate_by_the_index_as_by_the_walk():
    """Four of seven agencies write one section alike: for one of the four, its three peers are half of its six
    (the common share), so the text is the region's boilerplate and no copy; the index counts the region less the
    report, as the walk does."""
    reports = [consistent_report("2021", 2022, agency=f"某县第{i}局", seed=i) for i in range(7)]
    reports[:4] = [with_section(r, 5, LONG) for r in reports[:4]]
    plain = [Peer(f"{i}.txt", r.agency, r.year, tuple(r.sections), None, None) for i, r in enumerate(reports)]
    indexed = list(similarity.Region(plain).members[1:])
    assert _similar(reports[0], indexed, None) == _similar(reports[0], plain[1:], None)
    assert [f["status"] for f in _similar(reports[0], indexed, None)["X_SIMILARITY_PEERS"]] == ["pass"]
