"""Pages are Jinja templates rendered with autoescape: data reach the markup only escaped, no template opts
out, and every template is part of the code fingerprint (editing one re-renders what it shapes)."""

from __future__ import annotations

import re

from xxgk.config import code_files
from xxgk.review import pages

# The only links and sources a template fills in, none of them text from a report or the registry's names:
LINKS_FROM = {
    "chart.html.j2": {"uri"},  # the chart's own PNG as a data: URI (charts.Chart.data_uri)
    "nav.html.j2": {"href"},  # pages.year_crumbs: ../index.html and index.html
    "index.html.j2": {"r.id"},  # an agency id, checked by registry.valid_agency_id before any path is made
    "root.html.j2": {"y.name"},  # a year folder's name, all digits
}
HOSTILE = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">'


def test_every_page_template_is_in_the_code_fingerprint():
    templates = sorted(pages.PAGE_TEMPLATES.iterdir())
    assert templates and set(templates) <= set(code_files())


def test_no_template_turns_escaping_off_or_writes_data_into_a_script_a_style_or_a_link():
    for path in pages.PAGE_TEMPLATES.iterdir():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\|\s*safe\b|autoescape\s+false|Markup", text), path.name
        # a value inside a script or style, or as a whole link, would be code or a URL built from data
        for block in re.findall(r"<(?:script|style)[^>]*>(.*?)</(?:script|style)>", text, re.S):
            assert "{{" not in block, path.name
        links = set(re.findall(r"""(?:href|src)="\{\{\s*([\w.]+)""", text))
        assert links <= LINKS_FROM.get(path.name, set()), (path.name, links)


def test_data_are_escaped_by_the_engine():
    page = pages.render("review_header.html.j2", title=HOSTILE, fields=[(HOSTILE, HOSTILE)])
    assert "<script>" not in page and "<img" not in page and page.count("&lt;script&gt;") == 3
    assert pages.nav_html([(HOSTILE, "")]).count("&lt;img") == 1
