"""What every exported page carries at its top: the way back (all years → year → page), the date it was
made, and — when it was made from the bundled sample — a plain statement that the data are fictional.

Readers open these pages from a folder, print them or forward one alone; each must say where it sits,
how old it is and whether its numbers are real. Every piece of data in them is escaped here.
"""

from __future__ import annotations

import html
import time
from pathlib import Path

# The first line of the README the sample generator writes (samples.data.README_HEAD): a data folder
# with this README is the bundled sample or a copy of it, whatever its agencies are called.
SAMPLE_README_MARK = "本文件为虚构示例数据"
SAMPLE_NOTICE = "本页由项目自带的虚构示例数据生成：其中的机关、人员、数字和文字均为虚构，不代表任何真实机关。"
CSS = """
nav.crumbs{font-size:.9rem;margin:.2rem 0 .6rem;color:#666}
nav.crumbs a{color:#2e6da4}
p.generated{font-size:.8rem;color:#666;margin:.2rem 0}
p.sample-notice{background:#fff3c4;border-left:4px solid #b26a00;padding:.4rem .6rem;font-weight:600;margin:.4rem 0}
@media print{nav.crumbs{display:none}p.sample-notice{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"""


def is_sample(data_dir: Path | str | None) -> bool:
    """True for the bundled sample data (or a copy of it): its README's title says it is fictional."""
    if data_dir is None:
        return False
    try:
        with open(Path(data_dir) / "README.md", encoding="utf-8") as fh:
            first = fh.readline()
    except (OSError, UnicodeDecodeError):
        return False
    return first.startswith("#") and SAMPLE_README_MARK in first


def today() -> str:
    return time.strftime("%Y-%m-%d")


def year_crumbs(year: int | str, *, here: str = "") -> list[tuple[str, str]]:
    """The way back from a page in <out>/<year>/: all years, then the year's index (unless that is the page)."""
    crumbs = [("全部年度", "../index.html"), (f"{year}年度一览", "index.html" if here else "")]
    return crumbs + ([(here, "")] if here else [])


def nav_html(crumbs: list[tuple[str, str]]) -> str:
    """The navigation line with its style; a crumb without a link is the page itself (hidden in print)."""
    e = html.escape
    links = " › ".join(f'<a href="{e(href)}">{e(label)}</a>' if href else f"<span>{e(label)}</span>"
                       for label, href in crumbs)
    return f'<style>{CSS}</style>\n<nav class="crumbs">{links}</nav>'


def stamp_html(sample: bool, generated: str | None = None) -> str:
    """The generation date and, for the sample, the fictional-data notice (both printed)."""
    notice = f'\n<p class="sample-notice">{html.escape(SAMPLE_NOTICE)}</p>' if sample else ""
    return f'<p class="generated">生成日期：{html.escape(generated or today())}</p>{notice}'


def top_html(crumbs: list[tuple[str, str]], sample: bool, generated: str | None = None) -> str:
    """What opens every page: the way back, the date, the sample notice."""
    return nav_html(crumbs) + "\n" + stamp_html(sample, generated)
