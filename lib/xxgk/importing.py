"""`xxgk import`: a folder of downloaded reports becomes a data folder the batch can review.

Each file (folders recursively, zip archives by member) is read with the project's reader, which finds
agency, year and layout in the content; the file name fills what the content leaves out. Agencies are
matched by name or alias, new ones registered with a level, parent and pinyin id from their name
(agency_names.py), and the file copied to reports/<year>/<id>.<ext> with its original name, sha256 and
URL in sources.csv. Nothing is overwritten: the whole plan is made before anything is written, a second
import of the same files changes nothing, and a different file for an agency-year already on file is a
conflict left for a person to decide.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import time
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from xxgk import agency_names, registry
from xxgk.model import MISSING
from xxgk.read import ReadError, read_report
from xxgk.read.detect import MAX_BYTES

AGENCY_COLUMNS = ["agency_id", "name", "level", "region", "parent", "sums_children", "aliases"]
SOURCE_COLUMNS = ["agency_id", "year", "file", "original_name", "url", "sha256", "imported_at"]
PUBLICATION_COLUMNS = ["agency_id", "year", "published", "source_file"]
ALIAS_SEPARATOR = ";"
# The extension a copied report keeps; anything else is named after the rendering the reader found.
EXTENSIONS = {"htm": "html", "html": "html", "shtml": "html", "pdf": "pdf", "docx": "docx", "txt": "txt", "md": "md",
              "json": "json", "csv": "csv"}
RENDERING_EXTENSIONS = {"html": "html", "pdf": "pdf", "docx": "docx", "markdown": "md", "json_tables": "json",
                        "cells_csv": "csv"}
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
# Words around the agency's name in a download's file name (附件2：…2023年度政府信息公开工作年度报告).
_NAME_NOISE = (
    re.compile(r"(?:政府)?信息公开(?:工作)?(?:年度)?(?:报告|年报)|年度报告|年报|工作报告|副本|最终版|定稿|[（(]\d+[)）]$"),
    re.compile(r"(?:关于)?(?:19|20)\d{2}\s*年?度?"),
    re.compile(r"^附件\s*\d*\s*[:：\-_.、]?"),
)
_ORGAN_END = re.compile(r"(人民政府|政府|局|委员会|委|办公室|办公厅|办|厅|院|中心|管委会|管理局|所|署|会|处|站|队|部"
                        r"|[省市县区旗州盟镇乡]|街道|实验区|开发区|片区)$")

# What happens to a file.
IMPORT, SAME, CONFLICT, SKIP = "import", "same", "conflict", "skip"
ACTION_NAMES = {IMPORT: "导入", SAME: "已有（未变化）", CONFLICT: "冲突，未导入", SKIP: "跳过"}


@dataclass
class Item:
    """One input file and what the import decided about it."""
    original: str  # as the analyst knows it: a path, or archive.zip:member
    path: Path | None  # where its bytes are readable (an archive's member is extracted to a temporary folder)
    file_name: str = ""  # the file's own name (an archive member's without its folders)
    action: str = SKIP
    reason: str = ""
    sha256: str = ""
    agency_id: str = ""
    name: str = ""
    year: int | None = None
    layout: str = ""
    target: str = ""  # reports/<year>/<id>.<ext>, relative to the data folder
    published: str = ""
    url: str = ""
    confirm: list[str] = field(default_factory=list)  # what a person should check


@dataclass
class Plan:
    data_dir: Path
    items: list[Item]
    agencies: list[dict]  # the registry after the import (existing rows first, unchanged but for aliases)
    new_agencies: list[dict]

    @property
    def skipped(self) -> list[Item]:
        return [i for i in self.items if i.action in (SKIP, CONFLICT)]

    def summary(self) -> str:
        """What was (or would be) imported and what needs a decision, one line per file."""
        counts = {a: sum(1 for i in self.items if i.action == a) for a in ACTION_NAMES}
        lines = [f"{len(self.items)} 个文件：导入 {counts[IMPORT]}，已有 {counts[SAME]}，冲突 {counts[CONFLICT]}，"
                 f"跳过 {counts[SKIP]}；新登记机关 {len(self.new_agencies)} 个"]
        for item in self.items:
            if item.action in (IMPORT, SAME):
                lines.append(f"  {ACTION_NAMES[item.action]}  {item.original} → {item.target}"
                             f"（{item.name}，{item.year}年度，{item.layout}版格式）")
            else:
                lines.append(f"  {ACTION_NAMES[item.action]}  {item.original}：{item.reason}")
        for a in self.new_agencies:
            parent = f"，上级 {a['parent']}" if a["parent"] else ""
            level = registry.level_name(a["level"]) if a["level"] else "层级未定（请在 agencies.csv 中填写）"
            lines.append(f"  新登记  {a['agency_id']}  {a['name']}（{level}{parent}）"
                         + ("，无报告" if not any(i.agency_id == a["agency_id"] for i in self.items
                                               if i.action in (IMPORT, SAME)) else ""))
        confirm = [(i, c) for i in self.items for c in i.confirm]
        if confirm:
            lines.append("需要确认：")
            lines += [f"  {i.original}：{c}" for i, c in confirm]
        return "\n".join(lines)


def plan(paths, data_dir: Path, workdir: Path, sources_csv: Path | None = None) -> Plan:
    """Decide every file's fate without writing to the data folder (archives unpack into workdir)."""
    data_dir, workdir = Path(data_dir), Path(workdir)
    urls = _load_urls(sources_csv)
    agencies = _load_rows(data_dir / "agencies.csv")
    for row in agencies:
        row.setdefault("aliases", "")
    new_agencies: list[dict] = []
    taken: dict[tuple[str, int], str] = {}  # (agency_id, year) -> sha256 planned in this import
    items = list(_collect(paths, workdir))
    seen: dict[str, Item] = {}
    for item in items:
        if item.path is None:
            continue
        _detect(item)
        if item.action == SKIP and item.reason:
            continue
        if item.sha256 in seen:  # the same bytes twice in the input
            first = seen[item.sha256]
            item.action, item.reason = SKIP, f"与 {first.original} 内容相同"
            continue
        seen[item.sha256] = item
        row = _match(item, agencies, new_agencies)
        if row is None:
            continue
        item.agency_id = row["agency_id"]
        _place(item, data_dir, taken)
        item.url = urls.get(item.file_name, "")
    for row in list(new_agencies):
        _ensure_parent(row, agencies, new_agencies)
    return Plan(data_dir, items, agencies, new_agencies)


def apply(p: Plan) -> None:
    """Copy the planned files and extend agencies.csv, sources.csv and publications.csv atomically."""
    from xxgk.files import write_atomic

    now = time.strftime("%Y-%m-%dT%H:%M:%S")
    imported = [i for i in p.items if i.action == IMPORT]
    if not imported and not p.new_agencies:
        return
    for item in imported:
        write_atomic(p.data_dir / item.target, item.path.read_bytes())
    write_atomic(p.data_dir / "agencies.csv", _csv_bytes(AGENCY_COLUMNS, p.agencies))
    sources = _load_rows(p.data_dir / "sources.csv")
    sources += [{"agency_id": i.agency_id, "year": i.year, "file": i.target, "original_name": i.original,
                 "url": i.url, "sha256": i.sha256, "imported_at": now} for i in imported]
    write_atomic(p.data_dir / "sources.csv", _csv_bytes(SOURCE_COLUMNS, sources))
    dated = [i for i in imported if i.published]
    if dated:
        pubs = _load_rows(p.data_dir / "publications.csv")
        pubs += [{"agency_id": i.agency_id, "year": i.year, "published": i.published, "source_file": i.target}
                 for i in dated]
        write_atomic(p.data_dir / "publications.csv", _csv_bytes(PUBLICATION_COLUMNS, pubs))


# -- collecting files -----------------------------------------------------------------------------
def _collect(paths, workdir: Path):
    for raw in paths:
        path = Path(raw)
        # Named from the folder given down (downloads/sub/page.htm), as the analyst knows the file.
        if path.is_dir():
            for f in sorted(p for p in path.rglob("*") if p.is_file()):
                yield from _file_items(f, f.relative_to(path.parent).as_posix(), workdir)
        elif path.is_file():
            yield from _file_items(path, path.name, workdir)
        else:
            yield Item(str(path), None, "", SKIP, "文件不存在")


def _file_items(path: Path, original: str, workdir: Path):
    if path.suffix.lower() == ".zip" or zipfile.is_zipfile(path) and path.suffix.lower() not in (".docx",):
        yield from _zip_items(path, original, workdir)
    else:
        yield Item(original, path, path.name)


def _zip_items(path: Path, original: str, workdir: Path):
    """An archive's members, extracted under numbered names: a member's own name never becomes a path."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        yield Item(original, None, "", SKIP, f"压缩包无法打开（{exc}）")
        return
    with archive:
        for n, info in enumerate(archive.infolist()):
            name = _member_name(info)
            label = f"{original}:{name}"
            if info.is_dir():
                continue
            parts = PurePosixPath(info.filename.replace("\\", "/")).parts
            if info.filename.startswith(("/", "\\")) or ".." in parts or re.match(r"^[A-Za-z]:", info.filename):
                yield Item(label, None, "", SKIP, "压缩包成员的路径指向包外，未解压")
                continue
            if info.file_size > MAX_BYTES:
                yield Item(label, None, "", SKIP, f"文件过大（{info.file_size / 1e6:.0f} MB），未解压")
                continue
            if PurePosixPath(name).suffix.lower() == ".zip":
                yield Item(label, None, "", SKIP, "压缩包中的压缩包，请先解开")
                continue
            target = workdir / f"{n:05d}{_safe_suffix(name)}"
            try:
                with archive.open(info) as src:
                    data = src.read(MAX_BYTES + 1)
            except (zipfile.BadZipFile, OSError, RuntimeError, EOFError) as exc:
                yield Item(label, None, "", SKIP, f"压缩包成员无法读取（{exc}）")
                continue
            target.write_bytes(data)
            yield Item(label, target, PurePosixPath(name.replace("\\", "/")).name)


def _member_name(info: zipfile.ZipInfo) -> str:
    """Zip members without the UTF-8 flag are usually GBK on Chinese Windows, stored as cp437 by Python."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            name = name.encode("cp437").decode("gbk")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name


def _safe_suffix(name: str) -> str:
    suffix = PurePosixPath(name).suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else ""


# -- reading what a file is -------------------------------------------------------------------------
def _detect(item: Item) -> None:
    """Agency name, year and layout from the content, with the file name filling gaps."""
    data = item.path.read_bytes()
    item.sha256 = hashlib.sha256(data).hexdigest()
    try:
        report = read_report(item.path)
    except ReadError as exc:
        item.action, item.reason = SKIP, str(exc).replace(str(item.path), "").lstrip("：: ") or "无法读取"
        return
    if not report.sections and not any(c.status != MISSING for c in report.cells):
        item.action, item.reason = SKIP, "不是年度报告（没有找到报告的章节或表格）"
        return
    file_name, file_year = name_from_filename(item.file_name)
    item.layout = report.format_version
    item.published = report.published or ""
    item.year = report.year or file_year
    if report.year and file_year and report.year != file_year:
        item.confirm.append(f"文件名写 {file_year} 年，正文是 {report.year} 年度，按正文")
    if item.year is None:
        item.action, item.reason = SKIP, "无法确定年度（正文和文件名都没有年份），请把年份写进文件名后再导入"
        return
    content = report.agency or ""
    item.name = content or file_name
    if content and file_name and agency_names.match_key(content) != agency_names.match_key(file_name) \
            and not _same_place(content, file_name):
        item.name = file_name  # a file name is a typed title; text read from a PDF may carry OCR slips
        item.confirm.append(f"文件名写“{file_name}”，正文写“{content}”，按文件名登记")
    if not item.name:
        item.action, item.reason = SKIP, "无法识别机关名称（正文和文件名都没有），请把机关名称写进文件名后再导入"
        return
    item.action = IMPORT


def name_from_filename(file_name: str) -> tuple[str, int | None]:
    """(agency name, year) a download's file name states; ("", None) for what it does not.

    >>> name_from_filename("附件：洪泽区人民政府2023年政府信息公开工作年度报告.PDF")
    ('洪泽区人民政府', 2023)
    >>> name_from_filename("沭阳县人民政府2025年报.md")
    ('沭阳县人民政府', 2025)
    >>> name_from_filename("page.htm")
    ('', None)
    """
    stem = unicodedata.normalize("NFKC", file_name)
    stem = re.sub(r"\.[A-Za-z0-9]{1,8}$", "", stem).strip()
    years = _YEAR.findall(stem)
    name = stem
    for noise in _NAME_NOISE:
        name = noise.sub("", name).strip()
    name = re.sub(r"[\s_\-]+", "", name).strip("：:、.")
    name = name if re.search(r"[\u4e00-\u9fff]", name) and _ORGAN_END.search(name) else ""
    return name, int(years[0]) if years else None


def _same_place(a: str, b: str) -> bool:
    """淮安市洪泽区人民政府 and 洪泽区人民政府: one name is the other with a higher place in front."""
    ka, kb = agency_names.match_key(a), agency_names.match_key(b)
    long, short = (ka, kb) if len(ka) >= len(kb) else (kb, ka)
    return bool(short) and long.endswith(short) and bool(agency_names.parse(long[: -len(short)]).places) \
        and agency_names.parse(long[: -len(short)]).organ == ""


# -- the registry -----------------------------------------------------------------------------------
def _match(item: Item, agencies: list[dict], new_agencies: list[dict]) -> dict | None:
    """The registered agency the name means, or a new row; None (item skipped) when no id can be made."""
    key = agency_names.match_key(item.name)
    for row in agencies:
        keys = [agency_names.match_key(row["name"])] + [
            agency_names.match_key(a) for a in (row.get("aliases") or "").split(ALIAS_SEPARATOR) if a]
        if key in keys:
            return row
    for row in agencies:
        if _same_place(row["name"], item.name):
            item.confirm.append(f"按名称并入已登记的“{row['name']}”（{row['agency_id']}），已把“{item.name}”记为别名")
            _add_alias(row, item.name)
            return row
    row = _new_agency(item.name, agencies)
    if row is None:
        item.action, item.reason = SKIP, f"机关名称“{item.name}”无法生成编号（没有可转为拼音或字母的字符）"
        return None
    agencies.append(row)
    new_agencies.append(row)
    if not row["level"]:
        item.confirm.append(f"“{item.name}”的层级无法从名称判断，请在 agencies.csv 中填写 level")
    return row


def _new_agency(name: str, agencies: list[dict]) -> dict | None:
    base = agency_names.slug(name)
    if not base or not registry.valid_agency_id(base):
        return None
    ids = {r["agency_id"] for r in agencies}
    agency_id, n = base, 2
    while agency_id in ids:
        agency_id, n = f"{base}-{n}", n + 1
    parsed = agency_names.parse(name)
    return {"agency_id": agency_id, "name": parsed.name, "level": parsed.level, "region": parsed.region,
            "parent": "", "sums_children": "false", "aliases": "", "_parent_name": parsed.parent_name}


def _ensure_parent(row: dict, agencies: list[dict], new_agencies: list[dict]) -> None:
    """Link a new agency to the government its name implies, registering that government if absent."""
    parent_name = row.pop("_parent_name", "")
    if not parent_name:
        return
    key = agency_names.match_key(parent_name)
    parent = next((r for r in agencies if agency_names.match_key(r["name"]) == key or key in [
        agency_names.match_key(a) for a in (r.get("aliases") or "").split(ALIAS_SEPARATOR) if a]), None)
    if parent is None:
        parent = _new_agency(parent_name, agencies)
        if parent is None:
            return
        agencies.append(parent)
        new_agencies.append(parent)
        _ensure_parent(parent, agencies, new_agencies)
    parent.pop("_parent_name", None)
    row["parent"] = parent["agency_id"]


def _add_alias(row: dict, name: str) -> None:
    aliases = [a for a in (row.get("aliases") or "").split(ALIAS_SEPARATOR) if a]
    if name not in aliases and name != row["name"]:
        row["aliases"] = ALIAS_SEPARATOR.join([*aliases, name])


def _place(item: Item, data_dir: Path, taken: dict) -> None:
    """Where the file goes; the same bytes already there is nothing to do, different bytes a conflict."""
    ext = EXTENSIONS.get(PurePosixPath(item.file_name).suffix.lower().lstrip("."))
    if ext is None:
        ext = RENDERING_EXTENSIONS.get(read_rendering(item.path), "txt")
    existing = registry.report_file(item.agency_id, item.year, data_dir / "reports")
    if existing is not None:
        item.target = str(existing.relative_to(data_dir))
        if hashlib.sha256(existing.read_bytes()).hexdigest() == item.sha256:
            item.action = SAME
        else:
            item.action = CONFLICT
            item.reason = f"{item.name} {item.year} 年度已有另一份报告 {item.target}，请核对后手工替换"
        return
    planned = taken.get((item.agency_id, item.year))
    if planned is not None:
        item.action = CONFLICT
        item.reason = f"{item.name} {item.year} 年度在本次导入中已有另一份文件（{planned}），请核对"
        return
    taken[(item.agency_id, item.year)] = item.original
    item.target = f"reports/{item.year}/{item.agency_id}.{ext}"


def read_rendering(path: Path) -> str:
    from xxgk.read import detect

    return detect.sniff_rendering(Path(path).read_bytes(), str(path))


# -- small CSV helpers --------------------------------------------------------------------------------
def _load_rows(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [{k: (v or "") for k, v in row.items() if k} for row in csv.DictReader(fh)]


def _load_urls(path: Path | None) -> dict[str, str]:
    """--sources: a CSV of url,file; the file is matched by its base name."""
    if path is None:
        return {}
    return {Path(r.get("file", "")).name: r.get("url", "") for r in _load_rows(Path(path)) if r.get("file")}


def _csv_bytes(columns: list[str], rows: list[dict]) -> bytes:
    extra = [k for r in rows for k in r if k not in columns and not k.startswith("_")]
    out = io.StringIO()
    writer = csv.DictWriter(out, [*columns, *dict.fromkeys(extra)], lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")
