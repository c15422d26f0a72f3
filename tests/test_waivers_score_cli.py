"""Waivers keep findings visible; the score formula; `xxgk check` and `xxgk rules`."""

from __future__ import annotations

import json

from conftest import SEED
from xxgk.cli import main
from xxgk.model import Finding, flatten
from xxgk.read import read_report
from xxgk.rules import catalog, check
from xxgk.score import score
from xxgk.samples.synth import consistent_report, render_pipe_text, with_cell
from xxgk.waivers import load_waivers

BROKEN = with_cell(consistent_report("2021", 2022), "t3", "granted", "research", "")


def write_waivers(tmp_path, *rows):
    path = tmp_path / "waivers.csv"
    lines = ["agency,year,rule,cell,reason,who,date"] + [",".join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_waived_finding_stays_visible(tmp_path):
    path = write_waivers(tmp_path, ("某县商务局", "2022", "C_CELLS_BLANK", "表三/（一）予以公开/法人或其他组织/科研机构",
                                    "原表如此，已核实为0", "张三", "2023-02-01"))
    findings = check(BROKEN, waivers=path)
    blank = [f for f in findings if f.rule == "C_CELLS_BLANK"]
    assert [(f.status, f.waived) for f in blank] == [("fail", True)]
    assert "原表如此" in blank[0].waiver_reason and blank[0].to_json()["waived"] is True
    other = [f for f in flatten(findings) if f.rule == "T3_RESULTS_SUM" and f.status == "uncertain"]
    assert other and not any(f.waived for f in other)


def test_waivers_match_agency_year_and_rule(tmp_path):
    path = write_waivers(tmp_path, ("某县民政局", "", "C_CELLS_BLANK", "", "别的机关", "李四", ""),
                         ("某县商务局", "2021", "C_CELLS_BLANK", "*", "别的年度", "李四", ""))
    assert not any(f.waived for f in check(BROKEN, waivers=load_waivers(path)))
    assert load_waivers(tmp_path / "absent.csv") == []


def _finding(rule, severity, status="fail", row=None, waived=False):
    return Finding(rule, "arithmetic", severity, status, "m", table="三", row=row, waived=waived)


def test_score_formula():
    from xxgk.rules import scoring

    p = scoring()  # the parameters are data in catalog.yaml
    w, cap = p["weights"], p["caps"]
    assert score([_finding("A", "error", "pass")]).score == 100
    s = score([_finding("A", "error", row=str(i)) for i in range(5)] + [_finding("B", "warning", row="x"),
                                                                        _finding("C", "info", row="y")])
    assert s.deductions == {"A": min(cap["error"], 5 * w["error"]), "B": w["warning"], "C": w["info"]}
    assert s.score == 100 - sum(s.deductions.values())
    assert score([_finding("A", "error", row="1", waived=True)]).score == 100
    assert score([_finding("A", "error", "uncertain")]).score == 100
    assert score([_finding("A", "error", "not_assessable"), _finding("B", "error", "pass")]).coverage == 0.5


def test_one_error_is_never_an_a():
    ok = [_finding(f"P{i}", "error", "pass") for i in range(9)]
    assert score(ok).grade == "A"
    one = score(ok + [_finding("E", "error", row="1")])
    assert one.failed == {"error": 1} and one.grade != "A"
    assert score(ok + [_finding("W", "warning", row="1")]).grade == "A"


def test_no_grade_below_the_minimum_coverage():
    from xxgk.rules import scoring

    n = 10
    decided = int(scoring()["min_coverage"] * n) - 1
    findings = [_finding(f"P{i}", "error", "pass") for i in range(decided)]
    findings += [_finding(f"U{i}", "error", "uncertain" if i % 2 else "not_assessable") for i in range(n - decided)]
    s = score(findings)
    assert s.grade is None and s.note.startswith("无法评分（可评估规则不足") and s.score == 100
    assert s.label().startswith("无法评分") and "100分" not in s.label()


def test_pre2019_report_and_tables_only_file_get_no_grade():
    from conftest import REAL

    pre = read_report(REAL / "pingtan_2018_page_pre2019_format.txt")
    s = score(check(pre), pre)
    assert s.grade is None and "旧条例时期" in s.note
    tables = read_report(REAL / "kiro_jinhu_county_2023_llm_parsed_report33.json")
    s = score(check(tables), tables)
    assert s.grade is None and "只有表格数据" in s.note
    full = read_report(SEED)
    assert score(check(full), full).grade in ("B", "C", "D")  # two errors: wrong layout, a missing section


def test_sample_county_grades_spread():
    """The sample county's reports (data/) are graded A to D; the tables-only one gets none (README)."""
    import importlib

    sample = importlib.import_module("test_rules_sample_data")
    from xxgk.config import REPORTS_DATA_DIR

    got = {}
    for (aid, year), findings in sample.checked().items():
        path = next((REPORTS_DATA_DIR / str(year)).glob(f"{aid}.*"))
        got[(aid, year)] = score(findings, read_report(path, year=year)).grade
    assert {"A", "B", "C", "D"} <= set(got.values())
    assert got[("qh-education", 2022)] is None  # the cells CSV: tables only
    assert got[("qh-hefeng", 2022)] not in ("A", None)  # a missing statutory section
    assert got[("qh-dongguan", 2022)] not in ("A", None)  # the wrong layout
    assert got[("qh-market", 2022)] not in ("A", None)  # published late


def test_cli_check_json_on_the_reference_report(capsys):
    assert main(["check", str(SEED), "--json"]) == 1  # error-level findings fail: exit status 1, for scripts
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"report", "findings", "score"}
    assert out["report"]["year"] == 2021 and out["report"]["format_version"] == "2019"
    keys = {"rule", "category", "severity", "status", "message", "table", "subtable", "row", "column", "expected",
            "actual", "evidence"}
    assert all(keys <= set(f) for f in out["findings"])
    assert {f["status"] for f in out["findings"]} <= {"fail", "uncertain"}
    errors = {f["rule"] for f in out["findings"] if f["severity"] == "error"}
    assert errors == {"C_FORMAT_VERSION", "C_SIX_SECTIONS"}
    assert main(["check", str(SEED), "--json", "--all"]) == 1
    every = json.loads(capsys.readouterr().out)
    assert {f["rule"] for f in every["findings"]} == set(catalog())


def test_cli_check_text_and_several_files(tmp_path, capsys):
    prev = consistent_report("2021", 2021, seed=8)
    now = consistent_report("2021", 2022, seed=8, previous=prev)
    files = []
    for r in (prev, now):
        path = tmp_path / f"{r.year}.txt"
        path.write_text(render_pipe_text(r), encoding="utf-8")
        files.append(str(path))
    assert main(["check", *files, "--json", "--all"]) == 0  # consistent reports: no error, exit status 0
    out = json.loads(capsys.readouterr().out)
    assert len(out) == 2
    chain = [f for f in out[1]["findings"] if f["rule"] == "X_T3_CARRY_CHAIN"]
    assert {f["status"] for f in chain} == {"pass"}  # the 2021 file served as the 2022 file's previous year
    assert main(["check", str(SEED)]) == 1
    text = capsys.readouterr().out
    assert "错误" in text and "C_FORMAT_VERSION" in text


def test_cli_check_unreadable_file_exits_2(tmp_path, capsys):
    assert main(["check", str(tmp_path / "nope.txt")]) == 2
    assert "nope.txt" in capsys.readouterr().err


def test_cli_rules_prints_the_catalog(capsys):
    assert main(["rules"]) == 0
    text = capsys.readouterr().out
    assert all(rule in text for rule in catalog())
