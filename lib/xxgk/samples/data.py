"""The bundled fictional sample data: one made-up county's agencies over three report years.

Deterministic (every random choice comes from a generator seeded by agency and year), so a fresh run
reproduces data/ byte for byte. The reference report (a county commerce bureau, 2021) is the one
file not generated: it is copied from the shared corpus as the commerce bureau's 2021 report, and
that bureau's other years are generated to be consistent with it.

A realistic share of reports carries deliberate mistakes; each is recorded (data/sample_mistakes.csv)
with the finding a careful reviewer, and the rules, should report.

    python -m xxgk.samples.data --out data            # refuses to overwrite existing files
    python -m xxgk.samples.data --out data --force    # developer regeneration
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

from xxgk.samples import prose
from xxgk.config import CORPUS_DIR, DATA_DIR
from xxgk.layouts import Layout, layout_for_year, load_layout
from xxgk.samples.render import (
    CellKey, SampleDocument, write_cells_csv, write_docx, write_html, write_pipe_text,
)

COUNTY = "青禾示例县"
PORTAL = f"{COUNTY}人民政府门户网站"
YEARS = (2020, 2021, 2022)
SEED_FILE = CORPUS_DIR / "seed_county_commerce_bureau_2021.txt"
SEED_AGENCY, SEED_YEAR = "qh-commerce", 2021
NOTICE = (f"本文件为虚构示例数据：{COUNTY}及其机关、人员、数字和文字均由 xxgk 项目生成，"
          "仅供测试和演示，不代表任何真实机关。")
EXTENSIONS = {"pipe_text": "txt", "html": "html", "docx": "docx", "cells_csv": "csv"}
WRITERS = {"pipe_text": write_pipe_text, "html": write_html, "docx": write_docx, "cells_csv": write_cells_csv}

# Applicant columns of table 三 and how often each kind of applicant writes in.
APPLICANT_WEIGHTS = {"natural_person": 72, "commercial": 14, "research": 1, "social_welfare": 2,
                     "legal_service": 6, "other_org": 5}
# How handled applications end (row keys of table 三; rows absent from a layout are skipped).
RESULT_WEIGHTS = {
    "granted": 40, "partial": 8, "denied_state_secret": 0.3, "denied_law_prohibited": 0.5,
    "denied_three_safety_one_stability": 0.4, "denied_third_party_rights": 1.5, "denied_internal_affairs": 1,
    "denied_process_info": 2, "denied_enforcement_file": 0.5, "denied_admin_query": 1, "unable_not_held": 20,
    "unable_needs_creation": 3, "unable_unclear_after_correction": 2, "np_petition_complaint": 6,
    "np_duplicate": 3, "np_publication": 0.5, "np_mass_repeated": 0.5, "np_confirm_or_reissue": 1.5,
    "other_handling": 4, "other_no_correction": 2.5, "other_other": 1.5,
}
OTHER_RESULTS = ("other_handling", "other_no_correction", "other_fee_unpaid", "other_other")


@dataclass(frozen=True)
class Profile:
    """Typical yearly volumes of one kind of agency (inclusive ranges)."""

    apps: tuple[int, int]
    forward_share: float = 0.0  # chance that an application is still open on 31 December
    reviews: tuple[int, int] = (0, 0)
    suits: tuple[int, int] = (0, 0)
    docs: tuple[int, int] = (0, 2)  # normative documents issued per year
    licensing: tuple[int, int] = (0, 0)  # decisions per year
    penalty: tuple[int, int] = (0, 0)
    coercion: tuple[int, int] = (0, 0)
    fee_items: int = 0
    fee_amount: tuple[float, float] = (0.0, 0.0)  # 万元
    purchases: tuple[int, int] = (0, 2)
    proposals: tuple[int, int] = (0, 0)
    items: tuple[int, int] = (40, 120)  # pieces of information published proactively


@dataclass(frozen=True)
class Agency:
    id: str
    name: str
    level: str  # county_government / county_department / township
    voice: prose.Voice
    profile: Profile
    rendering: str = "pipe_text"
    parent: str = ""
    sums_children: bool = False


def _voice(short: str, we: str, topics: tuple[str, ...], services: tuple[str, ...] = ()) -> prose.Voice:
    return prose.Voice(COUNTY + short.removeprefix("县"), short, we, topics, services)


AGENCIES: tuple[Agency, ...] = (
    Agency("qh-gov", f"{COUNTY}人民政府", "county_government",
           _voice("县人民政府", "县政府", ("政府工作报告", "重大行政决策", "财政预决算", "民生实事", "重大建设项目", "政府常务会议")),
           Profile((0, 0), reviews=(0, 0), docs=(6, 14), licensing=(0, 0), purchases=(4, 9), items=(600, 900)),
           rendering="html", sums_children=True),
    Agency("qh-gov-office", f"{COUNTY}人民政府办公室", "county_department",
           _voice("县政府办公室", "我办", ("政策解读", "政府公报", "建议提案办理", "政务服务", "政府文件", "领导信息")),
           Profile((18, 34), forward_share=0.06, reviews=(0, 3), suits=(0, 1), docs=(3, 8), purchases=(2, 5),
                   proposals=(10, 25), items=(300, 480))),
    Agency("qh-commerce", f"{COUNTY}商务局", "county_department",
           _voice("县商务局", "我局", ("促进消费", "外贸外资", "市场保供", "电子商务", "成品油流通", "再生资源回收")),
           Profile((0, 3), licensing=(2, 6), purchases=(0, 1), proposals=(0, 3), items=(30, 70))),
    Agency("qh-education", f"{COUNTY}教育局", "county_department",
           _voice("县教育局", "我局", ("招生入学", "教育收费", "学生资助", "教师招聘", "校园安全", "营养改善计划")),
           Profile((3, 8), reviews=(0, 1), docs=(1, 4), licensing=(8, 20), penalty=(0, 3), fee_items=2,
                   fee_amount=(0.0, 0.0), purchases=(3, 8), proposals=(2, 8), items=(120, 220)),
           rendering="html"),
    Agency("qh-natres", f"{COUNTY}自然资源局", "county_department",
           _voice("县自然资源局", "我局", ("土地征收", "国土空间规划", "不动产登记", "矿产资源", "耕地保护", "地质灾害防治")),
           Profile((32, 58), forward_share=0.08, reviews=(1, 4), suits=(0, 2), docs=(1, 3), licensing=(150, 320),
                   penalty=(20, 60), coercion=(0, 4), fee_items=3, fee_amount=(8.0, 40.0), purchases=(2, 6),
                   proposals=(3, 9), items=(180, 300)),
           rendering="html"),
    Agency("qh-market", f"{COUNTY}市场监督管理局", "county_department",
           _voice("县市场监督管理局", "我局", ("食品安全抽检", "双随机一公开", "市场主体登记", "特种设备安全", "价格监督", "知识产权保护")),
           Profile((8, 18), forward_share=0.04, reviews=(0, 1), docs=(0, 2), licensing=(1500, 2600),
                   penalty=(120, 320), coercion=(5, 20), fee_items=1, fee_amount=(0.5, 3.0), purchases=(2, 5),
                   proposals=(1, 5), items=(260, 420))),
    Agency("qh-health", f"{COUNTY}卫生健康委员会", "county_department",
           _voice("县卫生健康委员会", "我委", ("疫情防控", "医疗服务价格", "公共卫生服务", "医疗机构执业", "计划生育奖扶", "健康扶贫")),
           Profile((4, 10), forward_share=0.03, docs=(1, 3), licensing=(40, 90), penalty=(20, 60), coercion=(0, 3),
                   purchases=(3, 7), proposals=(2, 6), items=(200, 340))),
    Agency("qh-hrss", f"{COUNTY}人力资源和社会保障局", "county_department",
           _voice("县人力资源和社会保障局", "我局", ("社会保险待遇", "就业创业补贴", "职称评审", "劳动保障监察", "事业单位招聘", "农民工工资支付")),
           Profile((5, 12), forward_share=0.05, reviews=(0, 1), docs=(1, 3), licensing=(10, 30), penalty=(2, 10),
                   purchases=(1, 4), proposals=(1, 5), items=(150, 260)),
           rendering="html"),
    Agency("qh-hefeng", f"{COUNTY}禾丰镇人民政府", "township",
           _voice("禾丰镇", "我镇", ("惠农补贴", "村务公开", "低保救助", "乡村振兴项目", "人居环境整治", "防汛减灾")),
           Profile((0, 4), docs=(0, 1), purchases=(0, 1), items=(30, 80))),
    Agency("qh-qingshi", f"{COUNTY}青石镇人民政府", "township",
           _voice("青石镇", "我镇", ("惠农补贴", "低保救助", "农村危房改造", "乡村振兴项目", "安全生产", "退役军人服务")),
           Profile((0, 3), docs=(0, 1), purchases=(0, 1), items=(25, 70))),
    Agency("qh-liuxi", f"{COUNTY}柳溪镇人民政府", "township",
           _voice("柳溪镇", "我镇", ("惠农补贴", "村务公开", "农村危房改造", "河长制工作", "人居环境整治", "防汛减灾")),
           Profile((0, 3), docs=(0, 1), purchases=(0, 1), items=(25, 70)),
           rendering="html"),
    Agency("qh-dongguan", f"{COUNTY}东关街道办事处", "township",
           _voice("东关街道", "我街道", ("社区服务", "老旧小区改造", "低保救助", "就业服务", "网格化管理", "拆迁安置")),
           Profile((1, 5), docs=(0, 1), purchases=(0, 2), items=(40, 90)),
           rendering="html"),
    Agency("qh-nanhu", f"{COUNTY}南湖街道办事处", "township",
           _voice("南湖街道", "我街道", ("社区服务", "城市管理", "低保救助", "养老服务", "文明创建", "物业管理")),
           Profile((0, 5), docs=(0, 1), purchases=(0, 2), items=(40, 90))),
)
# Every department and township reports to the county government, whose report sums them all.
AGENCIES = tuple(a if a.sums_children else replace(a, parent="qh-gov") for a in AGENCIES)
AGENCY = {a.id: a for a in AGENCIES}
CHILDREN = {a.id: [c.id for c in AGENCIES if c.parent == a.id] for a in AGENCIES}

# Renderings other than the agency's usual one.
RENDERING_OVERRIDES = {("qh-health", 2020): "docx", ("qh-natres", 2022): "docx", ("qh-education", 2022): "cells_csv"}


@dataclass(frozen=True)
class Mistake:
    """One expected finding in the sample data: planted, a consequence of one, or in the reference report."""

    agency_id: str
    year: int
    mistake: str
    category: str
    expected_status: str  # fail / uncertain / not_assessable / read (read correctly, nothing to report)
    table: str = ""
    row: str = ""
    column: str = ""
    kind: str = "planted"  # planted / consequence (of a planted one) / reference (the seed) / rendering
    description: str = ""

    FIELDS = ("agency_id", "year", "mistake", "category", "expected_status", "table", "row", "column", "kind",
              "description")


@dataclass
class SampleReport:
    agency: Agency
    year: int
    layout: Layout
    rendering: str
    published: str
    values: dict[CellKey, float | int] = field(default_factory=dict)  # intended numbers
    raws: dict[CellKey, str] = field(default_factory=dict)  # what the file prints
    forward: dict[str, int] = field(default_factory=dict)
    label_overrides: dict[str, str] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return f"reports/{self.year}/{self.agency.id}.{EXTENSIONS[self.rendering]}"

    def printed(self, table_id: str, row_key: str, col_key: str):
        """The number as printed (None for blank or '/')."""
        from xxgk.values import parse_value

        return parse_value(self.raws.get((table_id, row_key, col_key), "")).value


# -- numbers ---------------------------------------------------------------------------------------
def _split(rng: random.Random, n: int, weights: dict[str, float]) -> dict[str, int]:
    keys = list(weights)
    counts = dict.fromkeys(keys, 0)
    for k in rng.choices(keys, [weights[k] for k in keys], k=n) if n else ():
        counts[k] += 1
    return counts


def _table3(rng, layout: Layout, agency: Agency, carried: dict[str, int], apps: int) -> tuple[dict, dict]:
    """Table 三 numbers that balance in every column; returns (cells, carried-forward per column)."""
    t3 = layout.table("t3")
    cols = [c.key for c in t3.columns if c.key != "total"]
    new = _split(rng, apps, APPLICANT_WEIGHTS)
    results = [r.key for r in t3.data_rows if r.key in RESULT_WEIGHTS]
    if agency.level == "township":  # small offices do not use the 其他处理 routes
        results = [r for r in results if r not in OTHER_RESULTS]
    cells: dict[CellKey, int] = {}
    forward = {}
    for col in cols:
        available = new[col] + carried.get(col, 0)
        forward[col] = sum(1 for _ in range(available) if rng.random() < agency.profile.forward_share)
        done = _split(rng, available - forward[col], {k: RESULT_WEIGHTS[k] for k in results})
        for row in t3.data_rows:
            cells[("t3", row.key, col)] = done.get(row.key, 0)
        cells[("t3", "new_received", col)] = new[col]
        cells[("t3", "carried_over", col)] = carried.get(col, 0)
        cells[("t3", "total_processed", col)] = available - forward[col]
        cells[("t3", "carried_forward", col)] = forward[col]
    for row in t3.data_rows:
        cells[("t3", row.key, "total")] = sum(cells[("t3", row.key, c)] for c in cols)
    return cells, forward


def _table4(rng, layout: Layout, p: Profile) -> dict:
    t4 = layout.table("t4")
    counts = {"rv": rng.randint(*p.reviews), "ld": rng.randint(*p.suits), "la": 0}
    if counts["rv"] and rng.random() < 0.3:
        counts["la"] = 1
    cells = {}
    for prefix, n in counts.items():
        parts = _split(rng, n, {"maintained": 6, "corrected": 1, "other": 1.5, "pending": 1.5})
        for part, v in parts.items():
            cells[("t4", "cases", f"{prefix}_{part}")] = v
        cells[("t4", "cases", f"{prefix}_total")] = n
    assert set(cells) == {("t4", "cases", c.key) for c in t4.columns}
    return cells


def _table2(rng, layout: Layout, p: Profile, stock: dict) -> dict:
    """Table 二 in either layout; `stock` carries counts from year to year (valid documents, items)."""
    docs = rng.randint(*p.docs)
    cells: dict[CellKey, float | int] = {}
    if layout.version == "2021":
        repealed = min(stock.setdefault("valid", rng.randint(8, 40) if docs else rng.randint(0, 3)), rng.randint(0, 2))
        stock["valid"] += docs - repealed
        values = {
            ("t2_art20_1", "regulations"): (0, 0, 0),
            ("t2_art20_1", "normative_documents"): (docs, repealed, stock["valid"]),
            ("t2_art20_5", "admin_licensing"): (rng.randint(*p.licensing),),
            ("t2_art20_6", "admin_penalty"): (rng.randint(*p.penalty),),
            ("t2_art20_6", "admin_coercion"): (rng.randint(*p.coercion),),
            ("t2_art20_8", "admin_fees"): (round(rng.uniform(*p.fee_amount), 2),),
        }
    else:
        published = stock.setdefault("published", rng.randint(10, 60) if docs else rng.randint(0, 4)) + docs

        def items(base: int, decisions: tuple[int, int]) -> tuple[int, int, int]:
            before = rng.randint(base, base + 10) if base or decisions[1] else 0
            change = rng.randint(-min(2, before), 3) if before else 0
            return before, change, rng.randint(*decisions)

        values = {
            ("t2_art20_1", "regulations"): (0, 0, 0),
            ("t2_art20_1", "normative_documents"): (docs, docs, published),
            ("t2_art20_5", "admin_licensing"): items(5 if p.licensing[1] else 0, p.licensing),
            ("t2_art20_5", "other_external_services"): items(3 if p.licensing[1] > 50 else 0, (0, p.licensing[1] // 10)),
            ("t2_art20_6", "admin_penalty"): items(20 if p.penalty[1] else 0, p.penalty),
            ("t2_art20_6", "admin_coercion"): items(2 if p.coercion[1] else 0, p.coercion),
            ("t2_art20_8", "admin_fees"): (p.fee_items, 0),
        }
        n = rng.randint(*p.purchases)
        values[("t2_art20_9", "central_procurement")] = (n, round(n * rng.uniform(8, 60), 2) if n else 0)
        stock["published"] = published
    for (tid, row), nums in values.items():
        for col, v in zip(layout.table(tid).columns, nums):
            cells[(tid, row, col.key)] = v
    return cells


def _raw(v) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".") if isinstance(v, float) else str(v)


# -- the county over three years -------------------------------------------------------------------
class County:
    """Generates every report, year by year, children before the parent that sums them."""

    def __init__(self):
        self.reports: dict[tuple[str, int], SampleReport] = {}
        self.mistakes: list[Mistake] = []
        self.stock: dict[str, dict] = {a.id: {} for a in AGENCIES}

    def rng(self, agency_id: str, year: int, part: str) -> random.Random:
        return random.Random(f"xxgk-sample/{agency_id}/{year}/{part}")

    def run(self) -> None:
        for year in YEARS:
            for agency in AGENCIES:
                if not agency.sums_children:
                    self.numbers(agency, year)
            for agency in AGENCIES:
                if agency.sums_children:
                    self.numbers(agency, year)

    def layout(self, agency: Agency, year: int) -> Layout:
        if (agency.id, year) in WRONG_LAYOUT:
            return load_layout("2019")
        return layout_for_year(year)

    def numbers(self, agency: Agency, year: int) -> None:
        layout = self.layout(agency, year)
        rng = self.rng(agency.id, year, "numbers")
        rendering = RENDERING_OVERRIDES.get((agency.id, year), agency.rendering)
        report = SampleReport(agency, year, layout, rendering, publication_date(agency, year))
        previous = self.reports.get((agency.id, year - 1))
        carried = dict(previous.forward) if previous else self.first_carried(agency, rng)
        if (agency.id, year) == SEED_KEY:
            return self.seed_numbers(report)
        if agency.sums_children:
            report.values.update(self.children_sum(agency, year, layout))
            report.forward = {c.key: report.values[("t3", "carried_forward", c.key)] for c in layout.table("t3").columns
                              if c.key != "total"}
        else:
            apps = rng.randint(*agency.profile.apps)
            if (agency.id, year) == CHAIN_BREAK:
                carried = {}
            t3, report.forward = _table3(rng, layout, agency, carried, apps)
            if (agency.id, year) == PARENT_OMITS_SETUP:
                apps = max(apps, 2)
            if (agency.id, year) == CHAIN_BREAK_SETUP and not sum(report.forward.values()):
                report.forward["natural_person"] = 2  # the chain break below needs something to lose
                t3 = self.move_to_forward(t3, "natural_person", 2)
            report.values.update(t3)
            report.values.update(_table4(rng, layout, agency.profile))
            if (agency.id, year) == T4_WRONG and report.values[("t4", "cases", "rv_total")] < 2:
                for col in ("rv_maintained", "rv_total"):
                    report.values[("t4", "cases", col)] += 2
        report.values.update(_table2(rng, layout, agency.profile, self.stock[agency.id]))
        if agency.id == "qh-commerce":
            self.commerce_licensing(report)
        report.raws = {k: _raw(v) for k, v in report.values.items()}
        self.reports[(agency.id, year)] = report

    @staticmethod
    def move_to_forward(t3: dict, col: str, n: int) -> dict:
        """Keep n applications of a column open at year end, taking them from results (or adding new ones)."""
        t3 = dict(t3)
        for _ in range(n):
            row = next((k[1] for k in t3 if k[0] == "t3" and k[2] == col and k[1] in RESULT_WEIGHTS and t3[k] > 0), None)
            if row is None:
                for r in ("new_received", "carried_forward"):
                    t3[("t3", r, col)] += 1
                    t3[("t3", r, "total")] += 1
                continue
            t3[("t3", row, col)] -= 1
            t3[("t3", row, "total")] -= 1
            for r, d in (("total_processed", -1), ("carried_forward", 1)):
                t3[("t3", r, col)] += d
                t3[("t3", r, "total")] += d
        return t3

    def first_carried(self, agency: Agency, rng: random.Random) -> dict[str, int]:
        """What the 2019 reports (not bundled) carried into 2020."""
        if agency.profile.forward_share == 0:
            return {}
        return {"natural_person": rng.randint(0, 2), "commercial": rng.randint(0, 1)}

    def seed_numbers(self, report: SampleReport) -> None:
        """The reference report's own numbers: 0 in tables 三 and 四, so 0 carried forward."""
        for t in report.layout.tables:
            for r in t.data_rows:
                for c in t.columns:
                    report.values[(t.id, r.key, c.key)] = 0
        for k in (("t2_art20_5", "admin_licensing", "change"), ("t2_art20_5", "admin_licensing", "decisions")):
            report.values[k] = 5
        report.forward = {}
        report.raws = {k: _raw(v) for k, v in report.values.items()}
        self.reports[(report.agency.id, report.year)] = report

    @staticmethod
    def commerce_licensing(report: SampleReport) -> None:
        """2020 must lead to the reference report's 上一年项目数量 0: two items moved out in 2020."""
        if report.layout.version == "2019":
            report.values[("t2_art20_5", "admin_licensing", "prev_year_items")] = 2
            report.values[("t2_art20_5", "admin_licensing", "change")] = -2

    def children_sum(self, parent: Agency, year: int, layout: Layout) -> dict:
        """Tables 三 and 四 of a summarising parent: the children's intended numbers added up."""
        out: dict[CellKey, int] = {}
        keys = [(t.id, r.key, c.key) for t in (layout.table("t3"), layout.table("t4")) for r in t.data_rows
                for c in t.columns]
        for child_id in CHILDREN[parent.id]:
            if (parent.id, year) == PARENT_OMITS and child_id == PARENT_OMITTED_CHILD:
                continue
            child = self.reports[(child_id, year)]
            for k, v in child.values.items():
                if k[0] in ("t3", "t4") and k not in keys:
                    assert v == 0, (child_id, year, k)  # rows of the other layout are kept empty
            for k in keys:
                out[k] = out.get(k, 0) + child.values.get(k, 0)
        return out


def publication_date(agency: Agency, year: int) -> str:
    """Departments publish in January, the government's own report in March, townships by mid-February."""
    if (agency.id, year) in LATE:
        return LATE[(agency.id, year)]
    if (agency.id, year) == SEED_KEY or (agency.id, year) in SIGNED_LATE:
        return ""  # the reference page shows no date; an unrecorded late report has only its 落款
    rng = random.Random(f"xxgk-sample/{agency.id}/{year}/published")
    if agency.level == "county_government":
        return f"{year + 1}-03-{rng.randint(10, 28):02d}"
    if agency.level == "township":
        month = rng.choice((1, 2))
        return f"{year + 1}-{month:02d}-{rng.randint(12, 27) if month == 1 else rng.randint(3, 15):02d}"
    return f"{year + 1}-01-{rng.randint(12, 29):02d}"


# -- deliberate mistakes ---------------------------------------------------------------------------
SEED_KEY = (SEED_AGENCY, SEED_YEAR)
WRONG_LAYOUT = {("qh-dongguan", 2022)}
CHAIN_BREAK_SETUP, CHAIN_BREAK = ("qh-hrss", 2020), ("qh-hrss", 2021)
PARENT_OMITS, PARENT_OMITTED_CHILD = ("qh-gov", 2022), "qh-nanhu"
PARENT_OMITS_SETUP = (PARENT_OMITTED_CHILD, PARENT_OMITS[1])
T4_WRONG = ("qh-gov-office", 2022)
# Late publication (条例第四十九条), one per date source: the page's metadata (HTML), the publication
# register only (pipe text), a government's own report after 31 March; and a report whose register
# entry has no date and whose 落款 (closing date) is already after the deadline.
LATE = {("qh-natres", 2020): "2021-02-20", ("qh-education", 2021): "2022-03-08",
        ("qh-gov", 2021): "2022-04-08", ("qh-market", 2022): "2023-02-14"}
SIGNED_LATE = {("qh-gov-office", 2021): "2022-02-15"}
NEAR_IDENTICAL = (("qh-qingshi", 2021), ("qh-liuxi", 2021))  # the first copies the second
COPIED_SECTION_5 = ("qh-natres", 2022)
WRONG_YEAR = ("qh-health", 2022)
PLACEHOLDER = ("qh-nanhu", 2021)
NO_SECTION_6 = ("qh-hefeng", 2022)
TEXT_MISMATCH = ("qh-health", 2021)
LABEL_VARIANT = ("qh-market", 2021)


def plant_table_mistakes(county: County) -> None:
    """Mistakes in printed cells; the intended numbers (what the parent sums) stay as they were."""
    add = county.mistakes.append
    t3, t4 = load_layout("2019").table("t3"), load_layout("2021").table("t4")

    r = county.reports[("qh-market", 2020)]
    for col in ("natural_person", "total"):
        k = ("t3", "new_received", col)
        r.raws[k] = _raw(r.values[k] + 1)
        label = t3.column(col).path
        add(Mistake("qh-market", 2020, "t3_imbalance", "arithmetic", "fail", "三", t3.row("new_received").label,
                    label, description="本年新收申请数多印 1 件：第一项加第二项不等于第三项加第四项"))
        add(Mistake("qh-gov", 2020, "t3_imbalance_in_child", "hierarchy", "fail", "三",
                    t3.row("new_received").label, label, "consequence",
                    "县市场监督管理局表三多印 1 件，县政府汇总的是正确数字，与各单位所印之和差 1"))

    r = county.reports[("qh-education", 2020)]
    k = ("t3", "granted", "total")
    r.raws[k] = ""
    add(Mistake("qh-education", 2020, "blank_total_cell", "completeness", "fail", "三", t3.row("granted").label,
                t3.column("total").path, description="（一）予以公开的总计栏空白"))
    add(Mistake("qh-education", 2020, "blank_total_cell", "arithmetic", "uncertain", "三", t3.row("granted").label,
                t3.column("total").path, "consequence", "空白单元格参与的勾稽关系无法判定"))
    add(Mistake("qh-gov", 2020, "blank_cell_in_child", "hierarchy", "uncertain", "三", t3.row("granted").label,
                t3.column("total").path, "consequence", "县教育局该单元格空白，汇总关系无法判定"))

    r = county.reports[("qh-hefeng", 2020)]
    for c in t3.columns:
        r.raws[("t3", "carried_over", c.key)] = "/"
    add(Mistake("qh-hefeng", 2020, "slash_in_number_cells", "completeness", "fail", "三",
                t3.row("carried_over").label, "", description="上年结转一行全部填“/”而不是 0"))
    add(Mistake("qh-hefeng", 2020, "slash_in_number_cells", "arithmetic", "uncertain", "三", "", "",
                "consequence", "“/”参与的第一项加第二项等式无法判定"))
    add(Mistake("qh-gov", 2020, "slash_in_child", "hierarchy", "uncertain", "三", t3.row("carried_over").label, "",
                "consequence", "禾丰镇该行为“/”，汇总关系无法判定"))

    r = county.reports[("qh-hrss", 2020)]
    for k, v in list(r.raws.items()):
        if k[0] == "t3":
            r.raws[k] = v.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    add(Mistake("qh-hrss", 2020, "fullwidth_digits", "format", "read", "三", "", "",
                description="表三数字为全角字符，读取为数字并保留原文；不应报告算术错误"))

    r = county.reports[T4_WRONG]
    k = ("t4", "cases", "rv_total")
    assert r.values[k] >= 1, "the 表四 mistake needs review cases"
    r.raws[k] = "0"
    col = t4.column("rv_total").path
    add(Mistake("qh-gov-office", 2022, "t4_total_wrong", "arithmetic", "fail", "四", "", col,
                description=f"行政复议总计印为 0，而结果维持、纠正、其他、尚未审结合计 {r.values[k]} 件"))
    add(Mistake("qh-gov-office", 2022, "t4_total_wrong", "narrative", "fail", "四", "", col, "consequence",
                f"正文称被申请行政复议 {r.values[k]} 件，表四总计为 0"))
    add(Mistake("qh-gov", 2022, "t4_total_wrong_in_child", "hierarchy", "fail", "四", "", col, "consequence",
                "县政府办公室表四总计印错，县政府汇总的是正确数字"))

    market21 = county.reports[LABEL_VARIANT]
    row = market21.layout.table("t2_art20_1").row("normative_documents")
    market21.label_overrides[row.label] = row.variants[0]
    add(Mistake(*LABEL_VARIANT, "label_variant", "format", "fail", "二", row.label, "",
                description=f"2021 格式的行标签写作“{row.variants[0]}”"))


def plant_structural_mistakes(county: County) -> None:
    add = county.mistakes.append
    t3 = load_layout("2021").table("t3")
    add(Mistake(*SEED_KEY, "wrong_layout", "format", "fail", kind="reference",
                description="2021 年度报告使用 2019 年（试行）表格格式"))
    add(Mistake(*SEED_KEY, "missing_heading", "structure", "fail", kind="reference",
                description="缺少标题“二、主动公开政府信息情况”（表二仍在）"))
    add(Mistake(*SEED_KEY, "no_fee_statement", "narrative", "fail", kind="reference",
                description="2021 年起第六部分应说明信息处理费收取情况，报告未提"))
    add(Mistake("qh-gov", 2021, "wrong_layout_in_child", "hierarchy", "uncertain", "三",
                t3.row("other_handling").label, "", "consequence", "县商务局用 2019 格式，（六）其他处理的分项无法比对"))
    add(Mistake("qh-dongguan", 2022, "wrong_layout", "format", "fail",
                description="2022 年度报告使用 2019 年（试行）表格格式"))
    add(Mistake("qh-gov", 2022, "wrong_layout_in_child", "hierarchy", "uncertain", "三",
                t3.row("other_handling").label, "", "consequence", "东关街道用 2019 格式，（六）其他处理的分项无法比对"))
    prev = county.reports[CHAIN_BREAK_SETUP].forward
    for col, n in prev.items():
        if n:
            label = t3.column(col).path
            for c in (label, t3.column("total").path):
                add(Mistake(*CHAIN_BREAK, "carry_chain_broken", "cross_year", "fail", "三",
                            t3.row("carried_over").label, c,
                            description=f"上年结转为 0，而 2020 年报告结转下年度{label} {n} 件"))
                add(Mistake("qh-gov", 2021, "carry_chain_broken_in_child", "cross_year", "fail", "三",
                            t3.row("carried_over").label, c, "consequence", "县人社局漏记上年结转，汇总随之断链"))
    omitted = county.reports[(PARENT_OMITTED_CHILD, PARENT_OMITS[1])].values[("t3", "new_received", "total")]
    assert omitted > 0, "the omitted child must have applications"
    add(Mistake(*PARENT_OMITS, "parent_not_sum", "hierarchy", "fail", "三", t3.row("new_received").label,
                t3.column("total").path, description=f"汇总漏算南湖街道（{omitted} 件申请）"))
    for key, date in LATE.items():
        add(Mistake(*key, "late_publication", "timeliness", "fail", description=f"{date} 才公开，晚于{_due(key)}"))
    for key, date in SIGNED_LATE.items():
        add(Mistake(*key, "late_publication", "timeliness", "fail",
                    description=f"发布登记表未记日期，报告落款 {date} 已晚于{_due(key)}"))
    for key in NEAR_IDENTICAL:
        add(Mistake(*key, "near_identical_townships", "similarity", "fail",
                    description="青石镇与柳溪镇报告正文几乎相同（只换了镇名和数字）"))
    add(Mistake(*COPIED_SECTION_5, "section5_copied", "similarity", "fail", row="五、存在的主要问题及改进情况",
                description="第五部分与 2021 年报告逐字相同"))
    add(Mistake(*WRONG_YEAR, "wrong_year", "narrative", "fail",
                description="统计期限仍写 2021 年 1 月 1 日至 2021 年 12 月 31 日"))
    add(Mistake(*PLACEHOLDER, "placeholder", "narrative", "fail", description="正文留有占位符“XX”"))
    add(Mistake(*NO_SECTION_6, "missing_section", "structure", "fail", row="六、其他需要报告的事项",
                description="缺少第六部分"))
    for (agency_id, year), report in county.reports.items():
        if report.rendering == "cells_csv":
            add(Mistake(agency_id, year, "tables_only", "structure", "not_assessable", kind="rendering",
                        description="单元格长表只含表格，没有正文：章节和正文类检查无从判断"))
    add(Mistake(*TEXT_MISMATCH, "text_table_mismatch", "narrative", "fail", "三", t3.row("new_received").label,
                t3.column("total").path, description="正文所写收到申请数比表三多 1 件"))


# -- words -----------------------------------------------------------------------------------------
def facts(report: SampleReport) -> dict:
    """Numbers the prose restates, read from the printed table (what a writer copies)."""
    t3 = report.layout.table("t3")
    p = lambda row: report.printed("t3", row, "total")  # noqa: E731 - a local shorthand
    kids = lambda group: sum(report.values[("t3", r.key, "total")] for r in t3.children(group))  # noqa: E731
    out = {
        "received": p("new_received"), "carried": p("carried_over"), "handled": p("total_processed"),
        "forward": p("carried_forward"), "granted": report.values[("t3", "granted", "total")],
        "partial": report.values[("t3", "partial", "total")], "unable": kids("unable"),
        "not_processed": kids("not_processed"),
    }
    if report.agency.sums_children:
        out["scope"] = "全县各级行政机关"
    if (report.agency.id, report.year) == TEXT_MISMATCH:
        out["received"] += 1
    rng = random.Random(f"xxgk-sample/{report.agency.id}/{report.year}/items")
    out["items"] = rng.randint(*report.agency.profile.items)
    out["items_part"] = rng.randint(5, out["items"] // 3)
    return out


def sections(county: County, report: SampleReport) -> list[tuple[int, list[str]]]:
    """The six sections' paragraphs, with the planted text mistakes."""
    a, year = report.agency, report.year
    key = (a.id, year)
    words_key = NEAR_IDENTICAL[1] if key == NEAR_IDENTICAL[0] else key
    rng = county.rng(*words_key, "words")
    voice = AGENCY[words_key[0]].voice
    f = facts(report)
    rv = report.values[("t4", "cases", "rv_total")]
    lit = report.values[("t4", "cases", "ld_total")] + report.values[("t4", "cases", "la_total")]
    plan_year = a.id != COPIED_SECTION_5[0]
    out = [
        (1, prose.overview(voice, year, rng, f)),
        (2, prose.proactive(voice, rng)),
        (3, prose.requests(voice, rng)),
        (4, prose.review(voice, rv, lit)),
        (5, prose.problems(voice, year, rng, plan_year)),
    ]
    proposals = random.Random(f"xxgk-sample/{a.id}/{year}/proposals").randint(*a.profile.proposals)
    out.append((6, prose.other(voice, year, rng, year >= 2021, proposals)))
    if key == COPIED_SECTION_5:
        out[4] = (5, sections(county, county.reports[(a.id, year - 1)])[4][1])
    if voice is not a.voice:
        out = [(n, [p.replace(voice.short, a.voice.short) for p in paras]) for n, paras in out]
    if key == PLACEHOLDER:
        out[5][1].append(f"如对本报告有疑问，请与{a.voice.short}XX办公室联系，联系电话：0000-XXXXXXX。")
    if key == NO_SECTION_6:
        out = out[:5]
    return out


def _due(key: tuple[str, int]) -> str:
    """The statutory deadline of 条例第四十九条 for the sample agency, as the mistakes list words it."""
    level = next(a.level for a in AGENCIES if a.id == key[0])
    return f"{key[1] + 1} 年 3 月 31 日" if level == "county_government" else f"{key[1] + 1} 年 1 月 31 日"


def closing_line(report: SampleReport) -> str | None:
    """The report's 落款日期 as written under the agency's name (signed on the day it is published)."""
    signed = SIGNED_LATE.get((report.agency.id, report.year)) or report.published
    if not signed:
        return None
    y, m, d = (int(x) for x in signed.split("-"))
    return f"{y}年{m}月{d}日"


def document(county: County, report: SampleReport) -> SampleDocument:
    a, year, layout = report.agency, report.year, report.layout
    title = f"{a.name}{year}年政府信息公开工作年度报告"
    stated_year = year - 1 if (a.id, year) == WRONG_YEAR else year
    doc = SampleDocument(title, NOTICE, report.published, a.name, layout=layout, raws=report.raws)
    doc.blocks.append(("title", title))
    doc.blocks.append(("para", NOTICE))
    doc.blocks.append(("para", prose.preface(a.voice, stated_year, layout.issuing_document, PORTAL)[0]))
    headings = {s.number: s.heading for s in layout.sections}
    tables = {2: "二", 3: "三", 4: "四"}
    for number, paras in sections(county, report):
        doc.blocks.append(("para", headings[number]))
        doc.blocks += [("para", p) for p in paras]
        if number in tables:
            doc.blocks.append(("table", tables[number]))
    signed = closing_line(report)
    if signed:  # 落款: the agency's name and the date, the last lines of the report
        doc.blocks += [("para", a.name), ("para", signed)]
    doc.labels = report.label_overrides
    return doc


# -- files -----------------------------------------------------------------------------------------
def build() -> County:
    """The county's numbers for every agency and year, with the deliberate mistakes planted."""
    county = County()
    county.run()
    plant_table_mistakes(county)
    plant_structural_mistakes(county)
    return county


def generate(county: County | None = None) -> dict[str, bytes]:
    """Every file of data/ (relative path -> bytes), reproducibly."""
    county = county or build()
    files: dict[str, bytes] = {}
    for (agency_id, year), report in sorted(county.reports.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if (agency_id, year) == SEED_KEY:
            files[f"reports/{year}/{agency_id}.txt"] = seed_bytes()
            continue
        files[report.path] = WRITERS[report.rendering](document(county, report))
    files["agencies.csv"] = _csv(("agency_id", "name", "level", "region", "parent", "sums_children"), [
        (a.id, a.name, a.level, COUNTY, a.parent, "true" if a.sums_children else "false") for a in AGENCIES])
    files["publications.csv"] = _csv(("agency_id", "year", "published", "source_file"), [
        (a, y, r.published, f"reports/{y}/{a}.txt" if (a, y) == SEED_KEY else r.path)
        for (a, y), r in sorted(county.reports.items(), key=lambda kv: (kv[0][1], kv[0][0]))])
    files["README.md"] = readme(county).encode("utf-8")
    files["sample_mistakes.csv"] = _csv(Mistake.FIELDS, [
        tuple(getattr(m, f) for f in Mistake.FIELDS)
        for m in sorted(county.mistakes, key=lambda m: (m.year, m.agency_id, m.kind != "planted", m.mistake))])
    return files


README_HEAD = f"""# Bundled sample data — fictional (本文件为虚构示例数据)

Everything under `data/` except one file is **fictional sample data generated by the project**
(`lib/xxgk/samples/data.py`): {COUNTY} does not exist, and neither do its agencies, people, numbers
or words. The one exception is `reports/{SEED_YEAR}/{SEED_AGENCY}.txt`, a byte-identical copy of the
reference report `../shared/corpus/seed_county_commerce_bureau_2021.txt` (a county commerce bureau's
{SEED_YEAR} report); the generated {COUNTY}商务局 reports of the other years are made consistent with
it (it carries 0 applications forward, and its 2019-layout 上一年项目数量 follows from 2020).
Files of `../shared/corpus/real` are never copied here.

Every generated file says so itself: a preface line (pipe text, HTML, DOCX), an HTML comment and
the DOCX comments property, or the `source` column of the cells CSV.

## Files

- `agencies.csv` — `agency_id` (ASCII slug), `name`, `level` (`county_government`,
  `county_department`, `township`), `region`, `parent` (an `agency_id`), `sums_children`
  (`true` when the parent's tables 三 and 四 are the sum of its children's: here the county
  government's report sums every department and township).
- `publications.csv` — one row per report: `agency_id`, `year`, `published` (ISO date; empty where
  unknown, as for the reference report), `source_file` (relative to `data/`). Publication dates live
  here, not in `agencies.csv`, because they change every year; HTML pages repeat their date.
- `reports/<year>/<agency_id>.<ext>` — `.txt` pipe-flattened web text like the reference report,
  `.html` web pages with real `<table>` markup, `.docx` Word files, `.csv` the project's long-format
  cells (`table,subtable,row,column,value,raw,status,source`; tables only, no prose).
- `sample_mistakes.csv` — the findings a careful reviewer should report, machine-readable:
  `agency_id`, `year`, `mistake`, `category` (rule category), `expected_status` (`fail`,
  `uncertain`, `not_assessable`, or `read` = read correctly, nothing to report), `table`, `row`,
  `column`, `kind` (`planted`; `consequence` of a planted mistake elsewhere, e.g. the county
  government's sum no longer matching a child's misprint; `reference` = in the reference report;
  `rendering` = what the file format cannot carry), `description`. Reports not listed there are
  meant to be consistent: no error-level finding.

Regenerate (a developer action; a run never overwrites anything under `data/` without `--force`):

    xxgk sample-data --out data --force      # or: python -m xxgk.samples.data --out data --force

`tests/test_sample_data.py` checks that these files equal a fresh generation byte for byte.
"""


def readme(county: County) -> str:
    """data/README.md: what the files are, which rendering and layout each report uses, the mistakes."""
    lines = [README_HEAD, "## Reports", "", "| year | agency | file | layout |", "|---|---|---|---|"]
    for (agency_id, year), r in sorted(county.reports.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        path = f"reports/{year}/{agency_id}.txt" if (agency_id, year) == SEED_KEY else r.path
        lines.append(f"| {year} | {r.agency.name} | `{path}` | {r.layout.version} |")
    lines += ["", "## Deliberate mistakes (planted, in the reference report, and what a rendering cannot carry)", "",
              "| year | agency | mistake | category | expected | where | description |", "|---|---|---|---|---|---|---|"]
    for m in sorted(county.mistakes, key=lambda m: (m.year, m.agency_id, m.mistake)):
        if m.kind != "consequence":
            where = "/".join(x for x in (f"表{m.table}" if m.table else "", m.row, m.column) if x)
            lines.append(f"| {m.year} | {AGENCY[m.agency_id].name} | {m.mistake} | {m.category} | "
                         f"{m.expected_status} | {where} | {m.description} |")
    lines += ["", "Consequences of these mistakes (for example on the county government's sums) are listed in",
              "`sample_mistakes.csv` with `kind` = `consequence`.", ""]
    return "\n".join(lines)


def seed_bytes() -> bytes:
    if not SEED_FILE.is_file():
        raise FileNotFoundError(f"参考报告 {SEED_FILE} 不存在：共享语料库未就位")
    return SEED_FILE.read_bytes()


def _csv(header, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def write(out: Path, force: bool = False) -> list[Path]:
    """Write the sample data under `out`; refuses to touch existing files unless `force`."""
    files = generate()
    targets = {out / rel: data for rel, data in files.items()}
    existing = [p for p in targets if p.exists()]
    if existing and not force:
        raise FileExistsError(f"{len(existing)} 个文件已存在（如 {existing[0]}）；示例数据不覆盖，重新生成请加 --force")
    for path, data in targets.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return list(targets)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options shared by `python -m xxgk.samples.data` and `xxgk sample-data`."""
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="target folder (default: the project's data/)")
    parser.add_argument("--force", action="store_true", help="overwrite existing files (developer regeneration)")


def run(args: argparse.Namespace) -> int:
    try:
        written = write(args.out, args.force)
    except (FileExistsError, FileNotFoundError) as exc:
        print(f"xxgk: {exc}", file=sys.stderr)
        return 1
    print(f"{len(written)} 个文件写入 {args.out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m xxgk.samples.data", description="生成虚构示例县的示例数据")
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
