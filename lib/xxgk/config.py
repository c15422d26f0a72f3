"""Every path the project uses, derived from the project root (never built by hand elsewhere)."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
LAYOUTS_DIR = PACKAGE_DIR / "layouts"

# lib/xxgk -> lib -> project root; XXGK_ROOT lets an installed copy point at a checkout.
ROOT = Path(os.environ.get("XXGK_ROOT", PACKAGE_DIR.parent.parent)).resolve()
DATA_DIR = ROOT / "data"
REPORTS_DATA_DIR = DATA_DIR / "reports"
AGENCIES_CSV = DATA_DIR / "agencies.csv"
PUBLICATIONS_CSV = DATA_DIR / "publications.csv"  # agency_id, year, published, source_file
WAIVERS_CSV = DATA_DIR / "waivers.csv"
NOTEBOOKS_DIR = ROOT / "notebooks"
OUTPUT_DIR = ROOT / "reports"

# Shared corpus of real reports: read by tests, never copied into the repository.
CORPUS_DIR = Path(os.environ.get("XXGK_CORPUS", ROOT.parent / "shared" / "corpus")).resolve()

# System font folders searched for the CJK chart font (Debian's fonts-noto-cjk installs under the first).
FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
TEMPLATES_DIR = PACKAGE_DIR / "templates"


def code_files() -> list[Path]:
    """The package files that shape a review (code, layouts, templates), for fingerprints: everything but
    the sample generator (samples/), so editing the generator re-renders nothing."""
    samples = PACKAGE_DIR / "samples"
    return sorted(p for p in PACKAGE_DIR.rglob("*")
                  if p.suffix in {".py", ".yaml", ".j2", ".css", ".json"} and not p.is_relative_to(samples))
