"""What one review read, recorded as the questions it asked of the data folder with the answers it got.

A re-run must re-render a page exactly when something it showed could differ. A fixed list of files
misses what a review looks up: a child's report removed, a peer's added, a waiver or a publication row
naming the agency. So the review records each lookup as a question (("report", agency, year),
("waivers", agency), ("peers", region, year), …) with a short answer (a file name and content hash, a row
as JSON, a digest of the region's rows and reports), and a later run asks the same questions again
(`changed`). Code, catalog, layouts and notebook are the batch's code fingerprint, beside these.
"""

from __future__ import annotations

import hashlib
import json
from functools import cached_property
from pathlib import Path

from xxgk import registry
from xxgk.files import file_digest

KINDS = ("report", "agency", "peers", "years", "publications", "waivers", "sources")


_AGENCY_ROWS: dict[tuple, dict[str, str]] = {}  # registry file state -> Data._agency_rows


class Data:
    """Answers from one data folder; registry files are read once per asker (a review, or a whole batch)."""

    def __init__(self, data_dir: Path | str):
        self.data_dir = Path(data_dir)
        self.agencies_csv, self.reports_dir, self.waivers_csv = registry.data_paths(self.data_dir)
        self._answered: dict[str, str] = {}

    @cached_property
    def agencies(self):
        return registry.load_agencies(self.agencies_csv)

    @cached_property
    def _agency_rows(self) -> dict[str, str]:
        """Each registry row as its answer, made once per registry file state in this process: a review asks after
        every peer, a batch after every review's, and each review's kernel inherits the zygote's."""
        try:
            st = self.agencies_csv.stat()
            key = (str(self.agencies_csv), *registry.file_state(st))  # with the change time: `cp -p` keeps the rest
        except OSError:
            key = None
        rows = _AGENCY_ROWS.get(key) if key else None
        if rows is None:  # read after the stat, not self.agencies: rows older than their key would outlive an edit
            frame = registry.load_agencies(self.agencies_csv)
            rows = {agency_id: _json(row) for agency_id, row in frame.to_dict("index").items()}
            if key:
                _AGENCY_ROWS[key] = rows
        return rows

    @cached_property
    def publications(self) -> list[dict]:
        return registry.load_publications(registry.publications_path(self.data_dir))

    @cached_property
    def waiver_lines(self) -> list[str]:
        return self.waivers_csv.read_text(encoding="utf-8").splitlines() if self.waivers_csv.exists() else []

    def answer(self, question: tuple | list) -> str:
        kind, *args = question
        if kind not in KINDS:
            raise ValueError(f"unknown input {kind!r}")
        return getattr(self, f"_{kind}")(*args)

    def answer_recorded(self, question: str) -> str:
        """The answer to a question as a review recorded it (JSON); each asked once per Data: the reviews of a
        region ask after the same peers, so a batch checking them all would otherwise answer N² times."""
        if question not in self._answered:
            self._answered[question] = self.answer(json.loads(question))
        return self._answered[question]

    def _file(self, agency_id: str, year: int) -> Path | None:
        return registry.report_file(agency_id, int(year), self.reports_dir)

    def _report(self, agency_id: str, year: int) -> str:
        return self._named(self._file(agency_id, year))

    def _named(self, path: Path | None) -> str:
        if path is None:
            return "-"
        return f"{path.name}:{file_digest(path, self.reports_dir)}"  # kept by file state (files.py)

    def _agency(self, agency_id: str) -> str:
        return self._agency_rows.get(agency_id, "-")

    def _peers(self, region: str, year: int) -> str:
        """The region's agencies, each with its registry row and its report of the year, as one digest. A review
        reads them all (its peers, its children, the peer chart), so any of them changing may change its page;
        one short answer, where two per agency made a review's record grow with its region (and every review's
        record is written twice and read back by each re-run)."""
        ids = sorted(self.agencies.index[self.agencies["region"] == region])
        files = registry.year_reports(int(year), self.reports_dir)  # the folder listed once, not once per agency
        digest = hashlib.sha256()
        for agency_id in ids:
            digest.update(_json([agency_id, self._agency(agency_id), self._named(files.get(agency_id))]).encode("utf-8"))
            digest.update(b"\n")
        return f"{len(ids)}:{digest.hexdigest()}"

    def _years(self, before: int) -> str:
        """The report years earlier than `before` (a later year's folder is no input of this review)."""
        return _json([y for y in registry.report_years(self.reports_dir) if y < int(before)])

    def _publications(self, agency_id: str, year: int) -> str:
        """The rows timeliness can take for this report: by agency id, or by the report's file name."""
        path = self._file(agency_id, year)
        return _json([p for p in self.publications if str(p.get("agency_id") or "") == agency_id
                      or (path is not None and Path(str(p.get("source_file") or "")).name == path.name)])

    def _waivers(self, agency_id: str) -> str:
        """Lines naming the agency by id, or by name as an alias (waivers.apply_waivers)."""
        name = self.agencies.loc[agency_id, "name"] if agency_id in self.agencies.index else None
        return _json([ln for ln in self.waiver_lines if ln.split(",", 1)[0].strip() in (agency_id, name)])

    def _sources(self, agency_id: str, year: int) -> str:
        path = self._file(agency_id, year)
        return _json(registry.source_record(path, self.data_dir) if path is not None else {})


class Inputs:
    """The questions one review asked, with their answers (JSON-ready: question as JSON -> answer)."""

    def __init__(self, data_dir: Path | str):
        self.data = Data(data_dir)
        self.answers: dict[str, str] = {}

    def ask(self, *question) -> None:
        self.answers[_json(list(question))] = self.data.answer(question)


def changed(answers: dict, data: Data) -> bool:
    """Would any recorded question be answered differently now? (A damaged record counts as changed.)"""
    if not isinstance(answers, dict) or not answers:
        return True
    try:
        return any(data.answer_recorded(q) != a for q, a in answers.items())
    except Exception:  # a planted or stale record, an unreadable registry: render again
        return True


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
