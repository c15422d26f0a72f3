"""Parent = Σ children where agencies.csv says so; Art. 49 deadlines."""

from __future__ import annotations

import copy

import pandas as pd

from rulekit import failed, run, statuses
from xxgk.layouts import load_layout
from xxgk.samples.synth import consistent_report, with_cell


def summed(children, name="某县人民政府"):
    """A parent report whose tables 三 and 四 are the children's sums (text left as generated)."""
    parent = consistent_report("2021", 2022, agency=name)
    for cell in parent.cells:
        if cell.table in ("三", "四"):
            value = sum(c.value(cell.table_id, cell.row_key, cell.column_key) for c in children)
            cell.value, cell.raw = value, str(value)
    return parent


KIDS = [consistent_report("2021", 2022, agency=n, seed=i) for i, n in enumerate(["某县商务局", "某县民政局"])]
AGENCIES = pd.DataFrame([
    {"agency_id": "gov", "name": "某县人民政府", "level": "county", "region": "某县", "parent": "", "sums_children": "true", "published": ""},
    {"agency_id": "com", "name": "某县商务局", "level": "county", "region": "某县", "parent": "gov", "sums_children": "false", "published": ""},
    {"agency_id": "civ", "name": "某县民政局", "level": "county", "region": "某县", "parent": "gov", "sums_children": "false", "published": ""},
])


def test_parent_equals_sum_of_children():
    parent = summed(KIDS)
    assert statuses(parent, "H_PARENT_SUMS_CHILDREN", agencies=AGENCIES, children=KIDS) == {"pass"}
    off = with_cell(parent, "t3", "granted", "total", str(parent.value("t3", "granted", "total") + 1))
    bad = failed(off, "H_PARENT_SUMS_CHILDREN", agencies=AGENCIES, children=KIDS)
    assert [(f.row, f.column) for f in bad] == [("（一）予以公开", "总计")]
    whose = [e["where"].split("：")[0] for e in bad[0].evidence[1:]]
    assert whose == ["某县商务局", "某县民政局"]  # each child's cell says whose report it is


def test_missing_child_is_uncertain_and_non_summing_parent_not_assessable():
    parent = summed(KIDS)
    got = run(parent, "H_PARENT_SUMS_CHILDREN", agencies=AGENCIES, children=KIDS[:1])
    assert [f.status for f in got] == ["uncertain"] and "某县民政局" in got[0].message
    records = AGENCIES.assign(sums_children="false").to_dict("records")
    assert statuses(parent, "H_PARENT_SUMS_CHILDREN", agencies=records, children=KIDS) == {"not_assessable"}


def test_department_deadline_31_january():
    report = consistent_report("2021", 2022)  # 某县商务局, published 2023-01-20
    assert statuses(report, "C_DEADLINE_DEPARTMENT") == {"pass"}
    assert statuses(report, "C_DEADLINE_GOVERNMENT") == {"not_assessable"}
    late = copy.deepcopy(report)
    late.published = "2023年2月8日"
    bad = failed(late, "C_DEADLINE_DEPARTMENT")
    assert bad and bad[0].difference == 8


def test_government_deadline_31_march_and_townships_exempt():
    gov = consistent_report("2021", 2022, agency="某县人民政府")
    gov.published = "2023-03-20"
    assert statuses(gov, "C_DEADLINE_GOVERNMENT") == {"pass"}
    gov.published = "2023-04-02"
    assert failed(gov, "C_DEADLINE_GOVERNMENT")
    town = consistent_report("2021", 2022, agency="某县梅子镇人民政府")
    town.published = "2023-05-01"
    assert statuses(town, "C_DEADLINE_GOVERNMENT") == statuses(town, "C_DEADLINE_DEPARTMENT") == {"not_assessable"}
    unknown = consistent_report("2021", 2022)
    unknown.published = None
    assert statuses(unknown, "C_DEADLINE_DEPARTMENT") == {"not_assessable"}


def test_registry_level_overrides_the_name():
    town = consistent_report("2021", 2022, agency="某街道")
    town.published = "2023-05-01"
    records = [{"agency_id": "x", "name": "某街道", "level": "county"}]
    assert failed(town, "C_DEADLINE_DEPARTMENT", agencies=records)
    assert load_layout("2021").first_year == 2021


def test_the_registry_frame_is_accepted_as_it_is_loaded():
    """registry.load_agencies keeps agency_id both as index and column; rules take it as is."""
    from xxgk import registry
    from xxgk.rules import records

    frame = registry.load_agencies()
    got = records(frame)
    assert len(got) == len(frame) and {"agency_id", "name", "level"} <= set(got[0])
