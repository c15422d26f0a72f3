"""Waivers match by agency id; a name is an alias that still waives but says to write the id."""

from __future__ import annotations

import pytest

from xxgk.read import read_report
from xxgk.rules import check

from conftest import SEED

NAME = "青禾示例县商务局"
AGENCIES = [{"agency_id": "qh-commerce", "name": NAME, "level": "county_department", "region": "青禾示例县",
             "parent": "", "sums_children": "false"}]
HEADER = "agency,year,rule,cell,reason,who,date\n"


@pytest.fixture(scope="module")
def report():
    return read_report(SEED, year=2021, agency=NAME)


def _waived(report, tmp_path, agency: str):
    path = tmp_path / "waivers.csv"
    path.write_text(HEADER + f"{agency},2021,C_FORMAT_VERSION,,旧格式经批准,张三,2022-03-01\n", encoding="utf-8")
    return [f for f in check(report, waivers=path, agencies=AGENCIES) if f.rule == "C_FORMAT_VERSION" and f.status == "fail"]


def test_waiver_by_id(report, tmp_path):
    (f,) = _waived(report, tmp_path, "qh-commerce")
    assert f.waived and f.waiver_reason == "旧格式经批准；张三；2022-03-01"


def test_waiver_by_name_is_an_alias_with_a_warning(report, tmp_path):
    (f,) = _waived(report, tmp_path, NAME)
    assert f.waived and "请改写为机关编号 qh-commerce" in f.waiver_reason


def test_waiver_of_another_agency_waives_nothing(report, tmp_path):
    (f,) = _waived(report, tmp_path, "qh-market")
    assert not f.waived


def test_fingerprint_follows_waivers_by_id_and_by_name(tmp_path):
    import shutil

    from xxgk.config import DATA_DIR
    from xxgk.review.inputs import Data

    data = tmp_path / "data"
    (data / "reports" / "2022").mkdir(parents=True)
    shutil.copy(DATA_DIR / "agencies.csv", data / "agencies.csv")
    shutil.copy(DATA_DIR / "reports/2022/qh-commerce.txt", data / "reports/2022/qh-commerce.txt")
    waivers = data / "waivers.csv"

    def fingerprint(*lines: str) -> str:
        waivers.write_text(HEADER + "".join(lines), encoding="utf-8")
        return Data(data).answer(("waivers", "qh-commerce"))  # what a review of qh-commerce records

    bare = fingerprint()
    assert fingerprint("qh-market,2022,C_FORMAT_VERSION,,x,,\n") == bare
    by_id = fingerprint("qh-commerce,2022,C_FORMAT_VERSION,,x,,\n")
    by_name = fingerprint(f"{NAME},2022,C_FORMAT_VERSION,,x,,\n")
    assert len({bare, by_id, by_name}) == 3
