"""The agency registry (data/agencies.csv) and where each agency's report file lies."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from xxgk.config import AGENCIES_CSV, DATA_DIR, PUBLICATIONS_CSV, REPORTS_DATA_DIR, WAIVERS_CSV

# How agencies.csv's level codes read in reports and pages (and the order pages list them in).
LEVEL_NAMES = {
    "county_government": "县级人民政府",
    "county_department": "县级政府部门",
    "township": "乡镇（街道）",
    "city_government": "设区的市人民政府",
    "city_department": "市级政府部门",
    "province_government": "省级人民政府",
    "province_department": "省级政府部门",
    "zone": "开发区（片区）",
}
# What Art. 49 needs to know of a level: (township?, a rule-making level?, government? — None: the name
# decides). Keyed by the codes above and the other spellings agencies.csv files use for a level.
LEVEL_KINDS = {
    "county_government": (False, False, True), "county_department": (False, False, False),
    "township": (True, False, None),
    "city_government": (False, True, True), "city_department": (False, False, False),
    "province_government": (False, True, True), "province_department": (False, False, False),
    "zone": (False, False, None),
    "national": (False, True, None), "国家": (False, True, None), "中央": (False, True, None),
    "province": (False, True, None), "provincial": (False, True, None), "省": (False, True, None),
    "省级": (False, True, None),
    "city": (False, True, None), "市": (False, True, None), "市级": (False, True, None),
    "prefecture": (False, True, None),
    "county": (False, False, None), "县": (False, False, None), "县级": (False, False, None),
    "district": (False, False, None),
    "town": (True, False, None), "乡镇": (True, False, None),
    "街道": (True, False, None), "乡": (True, False, None), "镇": (True, False, None),
}
_NATIONAL = ("national", "国家", "中央")  # the State Council's departments make rules (部门规章) too
_TOWNSHIP_NAME = re.compile(r"(镇|乡|街道)(人民政府|政府|办事处)?$")
_GOVERNMENT_NAME = re.compile(r"(人民政府|政府|管委会|管理委员会|[省市县区旗州])$")  # a bare region name is its government

_AGENCY_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def valid_agency_id(agency_id: str) -> bool:
    """Agency ids become file names: ASCII slugs only, so no id can point outside reports/."""
    return bool(_AGENCY_ID.fullmatch(agency_id or ""))


def data_paths(data_dir: Path | str | None = None) -> tuple[Path, Path, Path]:
    """(agencies.csv, reports folder, waivers.csv) under a data folder laid out like config.DATA_DIR."""
    root = Path(data_dir) if data_dir else DATA_DIR
    return tuple(root / p.relative_to(DATA_DIR) for p in (AGENCIES_CSV, REPORTS_DATA_DIR, WAIVERS_CSV))


def publications_path(data_dir: Path | str | None = None) -> Path:
    """publications.csv under a data folder laid out like config.DATA_DIR."""
    root = Path(data_dir) if data_dir else DATA_DIR
    return root / PUBLICATIONS_CSV.relative_to(DATA_DIR)


def load_publications(path: Path | str | None = PUBLICATIONS_CSV) -> list[dict]:
    """publications.csv as records (agency_id, year, published, source_file); [] when the file is absent.

    The recorded publication date of each agency's report per year: what the timeliness rules
    (条例第四十九条) read first.
    """
    import csv

    if path is None or not Path(path).is_file():
        return []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items() if k} for row in csv.DictReader(fh)]


def source_record(report_path: Path | str, data_dir: Path | str | None = None) -> dict:
    """sources.csv's row for a report file under a data folder (original_name, url, sha256, imported_at);
    {} when the file was not brought in by `xxgk import`."""
    import csv

    root = Path(data_dir) if data_dir else DATA_DIR
    path = root / "sources.csv"
    if not path.is_file():
        return {}
    try:
        relative = Path(report_path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return {}
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return next((row for row in csv.DictReader(fh) if row.get("file") == relative), {})


def data_folder_problem(data_dir: Path | str | None = None) -> str | None:
    """One line saying what a data folder lacks and what it must hold; None when it has both parts."""
    root = Path(data_dir) if data_dir else DATA_DIR
    agencies, reports, _ = data_paths(root)
    missing = [p.name for p in (agencies, reports) if not (p.is_file() if p is agencies else p.is_dir())]
    if not missing:
        return None
    return (f"{root} 不是数据目录（缺少 {'、'.join(missing)}）：数据目录包含 agencies.csv（机关登记表）和 "
            f"reports/<年度>/<机关编号>.<扩展名>（报告文件）；用 xxgk import 下载的文件 --data {root} 生成")


def unregistered_reports(year: int, agency_ids, data_dir: Path = REPORTS_DATA_DIR) -> list[Path]:
    """Report files of a year whose name is no registered agency id: reviewed by no one unless listed."""
    folder = Path(data_dir) / str(year)
    known = set(agency_ids)
    return sorted(p for p in folder.glob("*") if p.is_file() and not p.name.startswith(".")
                  and p.name.split(".", 1)[0] not in known) if folder.is_dir() else []


def first_report(agency_id: str | None = None, year: int | None = None,
                 data_dir: Path | str | None = None) -> tuple[str, int]:
    """(agency, year) to open when a notebook is not told: the latest year on file, the first agency
    registered with a report that year."""
    agencies_csv, reports_dir, _ = data_paths(data_dir)
    years = [year] if year else sorted(report_years(reports_dir), reverse=True)
    ids = [agency_id] if agency_id else list(load_agencies(agencies_csv).index)
    for y in years:
        for a in ids:
            if report_file(a, y, reports_dir) is not None:
                return a, int(y)
    raise ValueError(f"{reports_dir} 中没有 {agency_id or '任何登记机关'} 的{year or ''}年度报告")


def level_name(code: str) -> str:
    return LEVEL_NAMES.get(code, code)


def agency_kind(name: str, level: str) -> dict | None:
    """What Art. 49 needs to know of an agency: government or department, township or not, rule-making level.

    The agencies.csv `level` decides when it is a known spelling; otherwise the name does (镇/乡/街道 =
    township, …人民政府 = a government). None when neither is given.
    """
    name, level = (name or "").strip(), (level or "").strip().lower()
    if not name and not level:
        return None
    known = LEVEL_KINDS.get(level)
    township = known[0] if known else bool(_TOWNSHIP_NAME.search(name))
    government = known[2] if known and known[2] is not None else \
        bool(_GOVERNMENT_NAME.search(name)) and "办公" not in name
    if known:
        rulemaker = known[1] and (government or level in _NATIONAL)
    else:
        rulemaker = government and not re.search(r"[县区旗镇乡]", name) and bool(re.search(r"[省市]", name))
    label = "乡镇（街道）" if township else ("人民政府" if government else "政府部门")
    return {"township": township, "government": government, "rulemaker": rulemaker, "label": label}


REQUIRED_COLUMNS = ("agency_id", "name")
OPTIONAL_COLUMNS = ("level", "region", "parent", "sums_children")  # empty when the registry has no such column


class RegistryError(ValueError):
    """agencies.csv cannot be used; the one-line message names the file and the line."""


def file_state(st: os.stat_result) -> tuple[int, int, int, int, int]:
    """What a memo of a file's contents is keyed by (here, files.py, review.py): the file (device, inode) and its
    size and times. The change time is there because a rewrite that keeps size and modification time (`cp -p`,
    `touch -r`) still moves it."""
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


_AGENCIES: dict[str, tuple[tuple, object]] = {}  # registry path -> (its file state, its frame), the last read


def load_agencies(path: Path = AGENCIES_CSV):
    """The registry as a DataFrame indexed by agency_id: UTF-8, the required columns, one valid id per row,
    no id twice. Any fault is one RegistryError naming the file and line, before any agency is reviewed.

    Parsed once per file state (a batch's zygote parses it; each review asks for it three times), and each
    caller gets a copy of its own to change."""
    try:
        state = file_state(os.stat(path))
    except OSError:
        state = None  # _parse_agencies says why
    known = _AGENCIES.get(str(path))
    if state is None or known is None or known[0] != state:
        known = (state, _parse_agencies(path))
        if state is not None:
            _AGENCIES[str(path)] = known
    return known[1].copy()


def _parse_agencies(path: Path):
    import csv
    import io

    import pandas as pd

    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise RegistryError(f"{path}: 无法读取登记表（{exc.strerror}）") from None
    except UnicodeDecodeError as exc:
        line = Path(path).read_bytes()[: exc.start].count(b"\n") + 1
        raise RegistryError(f"{path}: 第{line}行不是 UTF-8 编码（请将登记表另存为 UTF-8）") from None
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip() for h in next(reader)]
        rows = []
        for row in reader:
            if any(x.strip() for x in row):
                rows.append((reader.line_num, row))
    except StopIteration:
        raise RegistryError(f"{path}: 空文件，没有表头（{','.join(REQUIRED_COLUMNS)}…）") from None
    except csv.Error as exc:
        raise RegistryError(f"{path}: 第{reader.line_num}行无法解析（{exc}）") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise RegistryError(f"{path}: 第1行（表头）缺少列 {'、'.join(missing)}")
    seen: dict[str, int] = {}
    records = []
    for line, row in rows:
        if len(row) > len(header):  # a shorter row just leaves its last columns empty
            raise RegistryError(f"{path}: 第{line}行有 {len(row)} 列，表头只有 {len(header)} 列")
        record = {h: v.strip() for h, v in zip(header, [*row, *[""] * (len(header) - len(row))])}
        agency_id = record["agency_id"]
        if not valid_agency_id(agency_id):
            raise RegistryError(f"{path}: 第{line}行 invalid agency_id {agency_id!r} (ASCII letters, digits, '-' and '_' only)")
        if agency_id in seen:
            raise RegistryError(f"{path}: 第{line}行的 agency_id {agency_id} 与第{seen[agency_id]}行重复")
        seen[agency_id] = line
        records.append(record)
    columns = list(dict.fromkeys([*header, *OPTIONAL_COLUMNS]))
    frame = pd.DataFrame(records, columns=columns, dtype=str).fillna("")
    return frame.set_index("agency_id", drop=False)


def report_file(agency_id: str, year: int, data_dir: Path = REPORTS_DATA_DIR) -> Path | None:
    """The agency's report file for a year, whatever its extension; None when it has none."""
    if not valid_agency_id(agency_id):
        raise ValueError(f"invalid agency id {agency_id!r}")
    hits = _year_files(Path(data_dir) / str(year)).get(agency_id)
    return hits[0] if hits else None


def year_reports(year: int, data_dir: Path = REPORTS_DATA_DIR) -> dict[str, Path]:
    """report_file of every agency with a report that year, from one look at the folder."""
    return {agency_id: hits[0] for agency_id, hits in _year_files(Path(data_dir) / str(year)).items() if hits}


_LISTINGS: dict[Path, tuple[int, dict[str, list[Path]]]] = {}


def _year_files(folder: Path) -> dict[str, list[Path]]:
    """agency id -> its report files in one year folder, listed again only when the folder changed (a file
    added, removed or renamed changes its mtime): every review asks for each peer's file, and listing the
    folder each time grows with a region's square. A folder changed in the last second is listed every time,
    since file-system clocks are coarser than two quick changes (git's "racy clean" rule)."""
    try:
        changed = os.stat(folder).st_mtime_ns
    except OSError:
        return {}
    known = _LISTINGS.get(folder)
    if known is not None and known[0] == changed and time.time_ns() - changed > 1_000_000_000:
        return known[1]
    files: dict[str, list[Path]] = {}
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if "." in entry.name and entry.is_file():  # ids hold no '.': the id is what precedes the first
                    files.setdefault(entry.name.partition(".")[0], []).append(Path(entry.path))
    except OSError:
        return {}
    for paths in files.values():
        paths.sort()
    _LISTINGS[folder] = (changed, files)
    return files


def report_years(data_dir: Path = REPORTS_DATA_DIR) -> list[int]:
    """Years with a folder under reports/; other folders (`²`, `old`, `2022备份`) are not years and are passed over."""
    return sorted(int(p.name) for p in Path(data_dir).iterdir()
                  if p.is_dir() and p.name.isascii() and p.name.isdigit() and len(p.name) == 4)
