"""The agency registry (data/agencies.csv) and where each agency's report file lies."""

from __future__ import annotations

import re
from pathlib import Path

from xxgk.config import AGENCIES_CSV, REPORTS_DATA_DIR

_AGENCY_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def valid_agency_id(agency_id: str) -> bool:
    """Agency ids become file names: ASCII slugs only, so no id can point outside reports/."""
    return bool(_AGENCY_ID.match(agency_id or ""))


def load_agencies(path: Path = AGENCIES_CSV):
    """The registry as a DataFrame indexed by agency_id (ids validated)."""
    import pandas as pd

    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    bad = [a for a in frame["agency_id"] if not valid_agency_id(a)]
    if bad:
        raise ValueError(f"{path}: invalid agency_id {bad[:3]} (ASCII letters, digits, '-' and '_' only)")
    return frame.set_index("agency_id", drop=False)


def report_file(agency_id: str, year: int, data_dir: Path = REPORTS_DATA_DIR) -> Path | None:
    """The agency's report file for a year, whatever its extension; None when it has none."""
    if not valid_agency_id(agency_id):
        raise ValueError(f"invalid agency id {agency_id!r}")
    hits = sorted(p for p in (Path(data_dir) / str(year)).glob(f"{agency_id}.*") if p.is_file())
    return hits[0] if hits else None


def report_years(data_dir: Path = REPORTS_DATA_DIR) -> list[int]:
    return sorted(int(p.name) for p in Path(data_dir).iterdir() if p.is_dir() and p.name.isdigit())
