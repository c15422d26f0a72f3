"""Render one review and photograph it in headless Chromium for the README (docs/review-screenshot.png).

    .venv/bin/python scripts/screenshot.py [AGENCY] [YEAR]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from xxgk.browser import view
from xxgk.config import ROOT
from xxgk.review.render import render_review

SHOT = ROOT / "docs" / "review-screenshot.png"


def main(argv: list[str]) -> int:
    agency, year = (argv + ["qh-gov", "2022"][len(argv):])[:2]
    with tempfile.TemporaryDirectory() as out:
        page = render_review(agency, int(year), Path(out))
        shown = view(page, screenshot=SHOT, width=960, clip_height=1500)
    from PIL import Image

    Image.open(SHOT).convert("RGB").quantize(colors=64).save(SHOT)  # a page of flat colours: keep the repo small
    if shown.outside_requests:
        print(f"outside requests: {shown.outside_requests}", file=sys.stderr)
        return 1
    print(SHOT)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
