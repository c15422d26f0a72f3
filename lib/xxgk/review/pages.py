"""What every exported page carries at its top (the way back: all years → year → page; the date it was
made; for the bundled sample, a plain statement that the data are fictional) and the template engine
every page and page piece is rendered with.

Readers open these pages from a folder, print them or forward one alone; each must say where it sits,
how old it is and whether its numbers are real. Pages are Jinja templates (templates/pages/) rendered with
autoescaping on: data reach the markup only through the engine's escaping, never by hand.
"""

from __future__ import annotations

import time
from functools import lru_cache
from pathlib import Path

from xxgk.config import TEMPLATES_DIR
from xxgk.fmt import FINDING_STATUS_NAMES, SEVERITY_NAMES, number_text
from xxgk.registry import level_name

PAGE_TEMPLATES = TEMPLATES_DIR / "pages"
# The first line of the README the sample generator writes (samples.data.README_HEAD): a data folder
# with this README is the bundled sample or a copy of it, whatever its agencies are called.
SAMPLE_README_MARK = "本文件为虚构示例数据"
SAMPLE_NOTICE = "本页由项目自带的虚构示例数据生成：其中的机关、人员、数字和文字均为虚构，不代表任何真实机关。"


def _number(value) -> str:
    """A number as a report writes it; anything else as itself (None as nothing)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number_text(value)
    return "" if value is None else value


@lru_cache(maxsize=1)
def environment():
    """One Jinja environment for every page: autoescape on, undefined names an error, fmt's words as filters."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader([str(PAGE_TEMPLATES), str(TEMPLATES_DIR)]), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(number=_number, level=level_name, severity=lambda s: SEVERITY_NAMES.get(s, s),
                       finding_status=lambda s: FINDING_STATUS_NAMES.get(s, s))
    env.globals.update(SEVERITY_NAMES=SEVERITY_NAMES, FINDING_STATUS_NAMES=FINDING_STATUS_NAMES,
                       SAMPLE_NOTICE=SAMPLE_NOTICE)
    return env


def render(template: str, **context) -> str:
    """A page or page piece from templates/pages/, every value escaped by the engine."""
    return environment().get_template(template).render(**context)


def warm_up() -> None:
    """Compile every page template once, so processes forked afterwards start with them compiled."""
    env = environment()
    for name in env.list_templates(filter_func=lambda n: n.endswith(".j2") and "/" not in n):
        env.get_template(name)


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
    return render("nav.html.j2", crumbs=crumbs)


def stamp_html(sample: bool, generated: str | None = None) -> str:
    """The generation date and, for the sample, the fictional-data notice (both printed)."""
    return render("stamp.html.j2", sample=sample, generated=generated or today(), notice=SAMPLE_NOTICE)


def top_html(crumbs: list[tuple[str, str]], sample: bool, generated: str | None = None) -> str:
    """What opens every page: the way back, the date, the sample notice."""
    return render("top.html.j2", crumbs=crumbs, sample=sample, generated=generated or today(), notice=SAMPLE_NOTICE)
