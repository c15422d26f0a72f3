"""Hostile text from reports and the registry in the pages the project writes, hostile agency ids and
paths, and papermill parameters: markup shows as text, no script from a report runs (headless
Chromium), nothing is written outside the output folder, no parameter value becomes code.

The hostile data folder is a copy of data/ in tmp with script, event-handler and javascript: text
put into agency names, report prose, table cells and a report's file name.
"""

from __future__ import annotations

import ast
import csv
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xxgk import registry

from xxgk.review import render

from xxgk.review import review
from xxgk.browser import offline_page
from xxgk.config import DATA_DIR, ROOT

XXGK = str(ROOT / ".venv/bin/xxgk")
YEAR = 2021
# Each piece would set window.pwned or the title if it ever ran, or fetch something if it ever loaded.
INJECT = ('<script>window.pwned=1;document.title="PWNED"</script>'
          '<img src=x onerror="window.pwned=2;document.title=\'PWNED\'">'
          '<a href="javascript:window.pwned=3">点此</a><svg onload="window.pwned=4"></svg>')
CELL_INJECT = '<img src=y onerror=window.pwned=6>'
HTML_INJECT = ("<p>&lt;script&gt;window.pwned=8&lt;/script&gt;&lt;img src=z onerror=window.pwned=9&gt;"
               "<script>window.pwned=10</script></p>")
FILE_INJECT = "<b onmouseover=window.pwned=7>x"  # a report file name (extension) is outside text too
AGENCIES = ["qh-gov", "qh-gov-office", "qh-commerce"]


def code_name(marker: Path) -> str:
    """An agency name that is also Python code, if anyone ever pasted it into a cell unquoted."""
    return (f'青禾"""\nimport pathlib; pathlib.Path(r"{marker}").write_text("x")\n"""\' + '
            f'__import__("pathlib").Path(r"{marker}").write_text("y") + \'\\\n办公室')


def hostile_data(root: Path, marker: Path) -> Path:
    data = root / "data"
    shutil.copytree(DATA_DIR, data)
    rows = list(csv.DictReader((data / "agencies.csv").open(encoding="utf-8")))
    for row in rows:
        if row["agency_id"] == "qh-commerce":
            row["name"] = "青禾示例县商务局" + INJECT
        if row["agency_id"] == "qh-gov-office":
            row["name"] = code_name(marker)
    with (data / "agencies.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    reports = data / "reports" / str(YEAR)
    # pipe text: markup in the prose of section 六 and in a table 三 cell; the file name carries markup too
    lines = (reports / "qh-commerce.txt").read_text(encoding="utf-8").splitlines()
    six = next(i for i, ln in enumerate(lines) if ln.startswith("六、"))
    lines.insert(six + 1, "本机关网站曾被植入" + INJECT + "，已清除。")
    first = next(i for i, ln in enumerate(lines) if ln.startswith("一、本年新收"))
    lines[first + 1] = CELL_INJECT + " |"
    (reports / "qh-commerce.txt").unlink()
    (reports / f"qh-commerce.{FILE_INJECT}").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # web page: escaped markup (text once parsed) and a real script in the prose, escaped markup in a cell
    page = (reports / "qh-gov.html").read_text(encoding="utf-8")
    page = page.replace("<p>六、其他需要报告的事项</p>", "<p>六、其他需要报告的事项</p>" + HTML_INJECT, 1)
    page = page.replace("<td>行政规范性文件</td><td>11</td>", "<td>行政规范性文件</td><td>&lt;b onmouseover=window.pwned=11&gt;11</td>", 1)
    (reports / "qh-gov.html").write_text(page, encoding="utf-8")
    return data


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The hostile data folder, one `xxgk run` and one `xxgk review` over it (a few agencies)."""
    root = tmp_path_factory.mktemp("hostile")
    marker = root / "INJECTED"
    data = hostile_data(root, marker)
    out = root / "out"
    run = subprocess.run([XXGK, "run", "--year", str(YEAR), "--data", str(data), "--out", str(out), "--jobs", "2",
                          "--agency", *AGENCIES], capture_output=True, text=True, timeout=900)
    single = root / "single"
    one = subprocess.run([XXGK, "review", "qh-commerce", "--year", str(YEAR), "--data", str(data), "--out", str(single)],
                         capture_output=True, text=True, timeout=600)
    return {"root": root, "data": data, "out": out, "run": run, "review": one, "marker": marker, "single": single}


def browse(page_file: Path) -> dict:
    """What a reader's browser does with a page: whether any injected script ran, what is visible, what it fetched."""
    url = page_file.resolve().as_uri()
    dialogs = []
    with offline_page(page_file) as (page, requests):
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(url, wait_until="load")
        text = page.inner_text("body")
        # hover over and click every element (links aside: they only open sibling pages), so that mouse
        # handlers would fire if any were live
        page.evaluate("""() => { for (const el of document.querySelectorAll('body *')) {
            el.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));
            if (!el.closest('a[href]')) el.dispatchEvent(new MouseEvent('click', {bubbles: true})); } }""")
        page.wait_for_timeout(200)
        return {
            "pwned": page.evaluate("() => window.pwned === undefined ? null : String(window.pwned)"),
            "title": page.title(),
            "text": text,
            "handlers": page.evaluate("""() => [...document.querySelectorAll('*')].flatMap(e =>
                [...e.attributes].filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name))"""),
            "js_links": page.evaluate("() => document.querySelectorAll('[href^=\"javascript:\" i], [src^=\"javascript:\" i]').length"),
            "scripts": page.evaluate("() => [...document.scripts].map(s => s.textContent)"),
            "requests": [u for u in requests if u != url],
            "dialogs": dialogs,
        }


def _own_page(url: str, folder: Path) -> bool:
    from urllib.parse import unquote, urlparse

    u = urlparse(url)
    path = Path(unquote(u.path))
    return u.scheme == "file" and path.suffix == ".html" and path.parent == folder.resolve() and path.exists()


def pages(hostile) -> list[Path]:
    year = hostile["out"] / str(YEAR)
    return [year / f"{a}.html" for a in AGENCIES] + [year / "index.html", year / "overview.html",
                                                     hostile["single"] / str(YEAR) / "qh-commerce.html"]


@pytest.mark.slow
def test_hostile_run_and_review_complete(hostile):
    assert hostile["run"].returncode == 0, hostile["run"].stderr[-2000:]
    assert hostile["review"].returncode == 0, hostile["review"].stderr[-2000:]
    for p in pages(hostile):
        assert p.exists(), p


@pytest.mark.slow
@pytest.mark.parametrize("name", [*(f"{a}.html" for a in AGENCIES), "index.html", "overview.html", "single"])
def test_no_script_from_a_report_runs(hostile, name):
    page = hostile["single"] / str(YEAR) / "qh-commerce.html" if name == "single" else hostile["out"] / str(YEAR) / name
    if not page.exists():
        pytest.fail(f"{page.name} was not written: {hostile['run'].stderr[-1500:]}")
    seen = browse(page)
    assert seen["pwned"] is None and seen["title"] != "PWNED" and not seen["dialogs"]  # the title shows the name as text
    assert seen["handlers"] == [] and seen["js_links"] == 0
    assert not any("pwned" in s for s in seen["scripts"])
    # clicking the index's own links opens sibling pages; anything else (an injected src=x) is a fetch
    fetched = [u for u in seen["requests"] if not _own_page(u, page.parent)]
    assert fetched == [], "an injected <img>/<svg> made the browser fetch something"
    text = seen["text"]
    if name in ("qh-commerce.html", "single"):
        # the agency name with its markup is visible as text in the header, and so is the cell's raw text
        assert "青禾示例县商务局<script>window.pwned=1;" in text
        assert 'onerror="window.pwned=2' in text and 'href="javascript:window.pwned=3"' in text
        assert CELL_INJECT in text
        assert FILE_INJECT in text, "the report's file name is shown (as text) in the header"
    if name == "qh-gov.html":
        assert "<b onmouseover=window.pwned=11>11" in text
    if name == "qh-gov-office.html":
        assert '青禾"""' in text and "write_text" in text
    if name == "index.html":
        assert "青禾示例县商务局<script>window.pwned=1;" in text


@pytest.mark.slow
def test_agency_name_with_code_never_executes(hostile):
    """The name with quotes, newlines and triple quotes around Python is data: the marker never appears."""
    assert hostile["run"].returncode == 0
    assert not hostile["marker"].exists()
    assert not list(hostile["root"].rglob("INJECTED*"))


@pytest.mark.slow
def test_parameters_cell_holds_only_the_values(hostile):
    """In each executed notebook the injected parameters cell assigns exactly the four values, nothing else."""
    import nbformat

    nb = nbformat.read(hostile["out"] / str(YEAR) / "qh-gov-office.ipynb", as_version=4)
    cell = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assigned = _assignments(cell.source)
    assert assigned == {"agency": "qh-gov-office", "year": YEAR, "data_dir": str(hostile["data"]),
                        "output_dir": str(hostile["out"])}


def _assignments(source: str) -> dict:
    tree = ast.parse(source)
    out = {}
    for node in tree.body:
        assert isinstance(node, ast.Assign) and len(node.targets) == 1, ast.dump(node)
        out[node.targets[0].id] = ast.literal_eval(node.value)
    return out


@settings(max_examples=60, deadline=None, derandomize=True)
@given(text=st.text(min_size=0, max_size=80) | st.sampled_from(['"""', "'''", '\\', '"\n__import__("os")._exit(9)\n"', '\\"; x=1 #', "\r\n", "\x00"]))
def test_papermill_translates_any_path_as_data(text):
    """Whatever a folder path holds (quotes, newlines, backslashes, NUL), papermill's cell gives it back verbatim."""
    import papermill.translators as tr

    params = render.parameters("qh-gov", YEAR, Path("/data") / text, Path("/out") / text)
    source = tr.translate_parameters("python", "python", params, "Parameters")
    assert _assignments(source) == params


@pytest.mark.slow
def test_data_folder_path_with_quotes_and_newlines(tmp_path):
    """A data folder whose path is itself code-like renders normally and runs nothing."""
    marker = tmp_path / "MARKER"
    weird = tmp_path / f'd"""\nimport pathlib; pathlib.Path(r"{marker}").touch()\n"""\'x'
    shutil.copytree(DATA_DIR, weird)
    out = tmp_path / "out"
    done = subprocess.run([XXGK, "review", "qh-market", "--year", str(YEAR), "--data", str(weird), "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-1500:]
    assert (out / str(YEAR) / "qh-market.html").exists()
    assert not marker.exists()


# -- agency ids and paths -----------------------------------------------------------------------------------
BAD_IDS = ["../evil", "../../tmp/evil", "/tmp/evil", "qh-gov/../../evil", "..", ".", "", "qh\u2215gov", "ｑｈ-gov",
           "qh-gov\x00", "qh-gov\n", "QH-GOV", "qh gov", "qh-gov.html", "-rf", "é", "\u202eqh-gov"]


@pytest.mark.parametrize("agency_id", BAD_IDS, ids=repr)
def test_bad_agency_ids_are_refused_before_any_path(tmp_path, agency_id):
    assert not registry.valid_agency_id(agency_id)
    with pytest.raises(ValueError):
        registry.report_file(agency_id, YEAR, DATA_DIR / "reports")
    with pytest.raises(review.ReviewError):
        review.load(agency_id, YEAR, output_dir=tmp_path / "out")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.json"))


@given(st.text(max_size=70))
@settings(max_examples=200, deadline=None)
def test_every_valid_id_is_a_plain_file_name(agency_id):
    if registry.valid_agency_id(agency_id):
        assert agency_id.isascii() and "/" not in agency_id and "\\" not in agency_id
        assert agency_id not in (".", "..") and not agency_id.startswith((".", "-"))
        assert Path(agency_id).name == agency_id and agency_id.strip() == agency_id


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.mark.slow
@pytest.mark.parametrize("agency_id", ["../evil", "/tmp/xxgk-evil", "qh\u2215evil", "..\\evil"], ids=repr)
def test_review_command_refuses_bad_ids_and_writes_nothing(tmp_path, agency_id):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    out = tmp_path / "box" / "out"
    out.mkdir(parents=True)
    before = _tree(tmp_path)
    done = subprocess.run([XXGK, "review", agency_id, "--year", str(YEAR), "--data", str(data), "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert agency_id in done.stderr or repr(agency_id) in done.stderr
    created = _tree(tmp_path) - before
    assert all(c.startswith("box/out/") for c in created), created
    assert not any(c.endswith((".html", ".ipynb")) for c in created), created
    assert not Path("/tmp/xxgk-evil.html").exists() and not (tmp_path / "box" / "evil.html").exists()


@pytest.mark.slow
def test_render_review_with_bad_id_writes_nothing(tmp_path):
    """Through the Python API too: the notebook refuses the id and no file appears anywhere."""
    out = tmp_path / "box" / "out"
    out.mkdir(parents=True)
    before = _tree(tmp_path)
    with pytest.raises(Exception) as err:
        render.render_review("../escaped", YEAR, out, data_dir=DATA_DIR, timeout=120)
    assert "escaped" in str(err.value)
    assert not [c for c in _tree(tmp_path) - before if not c.startswith("box/out/.cache")]


@pytest.mark.slow
@pytest.mark.parametrize("bad", ["../evil", "/abs/evil", "qh-gov\u2215x"], ids=repr)
def test_run_command_refuses_a_registry_with_bad_ids(tmp_path, bad):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    with (data / "agencies.csv").open("a", encoding="utf-8") as fh:
        fh.write(f'"{bad}",恶意机关,county_department,青禾示例县,qh-gov,false\n')
    out = tmp_path / "out"
    done = subprocess.run([XXGK, "run", "--year", str(YEAR), "--data", str(data), "--out", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "Traceback" not in done.stderr and bad in done.stderr
    assert not (tmp_path / "evil").exists() and not any(out.rglob("*.html")) if out.exists() else True


@pytest.mark.slow
def test_run_command_refuses_unknown_agency_argument(tmp_path):
    done = subprocess.run([XXGK, "run", "--year", str(YEAR), "--data", str(DATA_DIR), "--out", str(tmp_path / "out"),
                           "--agency", "../../evil"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "Traceback" not in done.stderr and "../../evil" in done.stderr
    assert not any((tmp_path / "out").rglob("*.html")) if (tmp_path / "out").exists() else True
    assert not (tmp_path.parent / "evil").exists()
