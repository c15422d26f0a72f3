"""A data folder that is not one says so in one line; report files no registry row names are listed
(by `xxgk run` and on the index), never silently ignored; explore.ipynb opens on any folder."""

from __future__ import annotations


import pandas as pd
import pytest

from xxgk import registry

from xxgk.batch import overview
from xxgk.cli import main
from xxgk.config import CORPUS_DIR, NOTEBOOKS_DIR


@pytest.mark.parametrize("verb", [["run", "--year", "all"], ["review", "qh-gov", "--year", "2022"]])
def test_a_folder_without_registry_or_reports_gets_one_line(tmp_path, capsys, verb):
    (tmp_path / "reports").mkdir()
    assert main([*verb, "--data", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "缺少 agencies.csv" in err and "xxgk import" in err and "Traceback" not in err


def test_unregistered_report_files_are_listed(tmp_path):
    reports = tmp_path / "reports" / "2023"
    reports.mkdir(parents=True)
    for name in ("known.html", "stray.pdf", "另一个.txt", ".hidden"):
        (reports / name).write_text("x", encoding="utf-8")
    found = registry.unregistered_reports(2023, ["known"], tmp_path / "reports")
    assert [p.name for p in found] == ["stray.pdf", "另一个.txt"]
    agencies = pd.DataFrame([{"agency_id": "known", "name": "某局", "level": "county_department"}]).set_index(
        "agency_id", drop=False)
    page = overview.index_html(2023, agencies, {}, {}, tmp_path, "", [p.name for p in found])
    assert "2 个文件没有登记" in page and "stray.pdf、另一个.txt" in page


@pytest.mark.slow
def test_explore_notebook_opens_any_folder(tmp_path):
    import papermill

    data = tmp_path / "data"
    assert main(["import", str(CORPUS_DIR / "real" / "pingtan_jtj_2023.html"), "--data", str(data)]) == 0
    out = tmp_path / "explore.ipynb"
    papermill.execute_notebook(str(NOTEBOOKS_DIR / "explore.ipynb"), str(out), parameters={"data_dir": str(data)},
                               progress_bar=False)
    text = out.read_text(encoding="utf-8")
    assert "平潭综合实验区交通与建设局" in text and "pingtanzongheshiyanqu-jtyjsj" in text
