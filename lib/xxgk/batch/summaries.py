"""A year's review summaries (<year>/<agency>.json), read from their files whenever they are asked for.

The year's outputs (index, CSVs, workbook, notices, leader summary, overview) pass over every summary a few
times. Held at once, a region of a thousand agencies' summaries (and the finding rows made from them) were most of
the driver's memory at the year's end; read again at each pass, that memory no longer grows with the region.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

RUN_FILE = "run.json"  # the run's own record beside the summaries, no agency's


class Summaries(Mapping):
    """agency id -> its summary, for the ids given whose file is there and reads as JSON (checked once, here).

    Each lookup reads the file again and returns a new dict: changing it changes nothing here. A year's outputs
    are written under the run's lock, so a file that was there at the check is there when it is read; one that is
    not, or no longer reads, is an error naming it, never a summary silently left out of one output but not another.
    """

    def __init__(self, folder: Path, agency_ids: Iterable[str]) -> None:
        self.folder = Path(folder)
        self._ids = {a: None for a in agency_ids if _read(self._path(a)) is not None}  # ordered, unique

    @classmethod
    def every(cls, folder: Path) -> Summaries:
        """Every summary a year's folder holds (an earlier year's, whose registry may have changed since)."""
        folder = Path(folder)
        found = sorted(folder.glob("*.json")) if folder.is_dir() else []
        return cls(folder, [p.stem for p in found if p.name != RUN_FILE])

    def _path(self, agency_id: str) -> Path:
        return self.folder / f"{agency_id}.json"

    def __getitem__(self, agency_id: str) -> dict:
        if agency_id not in self._ids:
            raise KeyError(agency_id)
        found = _read(self._path(agency_id))
        if found is None:
            raise ValueError(f"{self._path(agency_id)}: 审查摘要在生成年度汇总期间被删除或改坏")
        return found

    def __contains__(self, agency_id: object) -> bool:
        return agency_id in self._ids

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


def _read(path: Path) -> dict | None:
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None
