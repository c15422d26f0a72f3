"""Review notebook -> executed notebook -> lean offline HTML, through the Python APIs (no CLI start-up).

Parameters go in as data through papermill's parameter injection. The HTML comes from a small
nbconvert template (templates/review/): code hidden, lang="zh", charts inline as data URIs, no
script, font or stylesheet from outside. Both files are written atomically next to each other.
"""

from __future__ import annotations

import html
import importlib
import importlib.util
import math
import re
import sys
import threading
import types
from pathlib import Path

from xxgk.review import pages
from xxgk.config import DATA_DIR, NOTEBOOKS_DIR, OUTPUT_DIR, TEMPLATES_DIR
from xxgk.files import write_atomic

REVIEW_NOTEBOOK = NOTEBOOKS_DIR / "review.ipynb"
TEMPLATE = "review"
KERNEL = "python3"
DEFAULT_TIMEOUT = 300
# A tag attribute that would make the browser fetch something (anything but inline data or a link's target),
# or a stylesheet import/url(): forbidden in an exported page. Text content cannot match: it is escaped.
# Whole attributes before the one looked at: text inside a quoted value (a cell's source "data=2021年报表") is no attribute.
_ATTRS = r"""(?:\s+[^\s=<>"'/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'<>]+))?)*?"""
_FETCH_ATTR = re.compile(r"""<(?!a\s)[a-z][^\s<>/]*""" + _ATTRS
                         + r"""\s+(?:src|href|action|poster|srcset|data|background)\s*=\s*["']?\s*(?!data:|#)[^"'\s>]""", re.I)
# A link the reader may follow (not a load) stays within the output folder: a relative path, no scheme, no root.
_LINK_OUT = re.compile(r"""<a""" + _ATTRS + r"""\s+(?:href\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:|/|\\)|ping\s*=)""", re.I)
_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.I | re.S)
_STYLE_FETCH = re.compile(r"@import|url\(", re.I)


class RenderError(RuntimeError):
    """The page could not be made safely (e.g. it would reference an outside URL)."""


class _Deferred(types.ModuleType):
    """A module imported only when something first uses it."""

    def real(self):
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return importlib.import_module(self.__name__)

    def __getattr__(self, name):
        if name.startswith("__"):  # the import system's own questions (`__path__` of a from-import)
            raise AttributeError(name)
        return getattr(self.real(), name)


def _defer_rfc3987_syntax() -> None:
    """nbformat imports jsonschema, which imports rfc3987_syntax for its `iri` format checks, and that module
    builds its Lark grammars at import: about a second of CPU in every process that reads a notebook (jsonschema#1428,
    nbformat#420). Notebook validation checks no IRI, so the grammars are built only if something ever does."""
    name = "rfc3987_syntax"
    if "jsonschema" in sys.modules or name in sys.modules or importlib.util.find_spec(name) is None:
        return
    stub = _Deferred(name)
    stub.is_valid_syntax = lambda *args, **kw: stub.real().is_valid_syntax(*args, **kw)
    sys.modules[name] = stub


_defer_rfc3987_syntax()


def parameters(agency_id: str, year: int, data_dir: Path, out_dir: Path) -> dict:
    return {"agency": agency_id, "year": int(year), "data_dir": str(data_dir), "output_dir": str(out_dir)}


def execute(notebook: Path, params: dict, timeout: float = DEFAULT_TIMEOUT, kernel_manager_class=None, cwd=None):
    """Run a parameterized notebook in a fresh kernel; returns the executed NotebookNode.

    The kernel is killed as soon as the last cell ran: its outputs are already in the notebook.
    """
    import papermill

    extra = {"kernel_manager_class": kernel_manager_class} if kernel_manager_class is not None else {}
    return papermill.execute_notebook(
        str(notebook), None, parameters=params, kernel_name=KERNEL, progress_bar=False,
        execution_timeout=math.ceil(timeout),  # nbclient takes whole seconds; a batch's watchdog keeps the fraction
        cwd=str(cwd or notebook.parent), shutdown_kernel="immediate", **extra,
    )


def to_html(nb, title: str = "", top: str = "") -> str:
    """Export an executed notebook with the review template; refuses any outside reference.

    `top` is the page's escaped head block (xxgk.review.pages.top_html: links back, date, sample notice).
    """
    if title:
        nb.metadata["title"] = title
    nb.metadata["xxgk_top"] = top
    with _EXPORTER_LOCK:  # the exporter's filters hold one page's resources at a time
        body, _ = exporter().from_notebook_node(nb)
    check_offline(body)
    return body


_EXPORTER_LOCK = threading.RLock()
_EXPORTER = None  # the process's one exporter, once made
_CHAR_REF = re.compile(r"&#([0-9]{1,7});")


def exporter():
    """The process's one exporter: its template is compiled once, not per review or per batch thread (an export
    is short beside a review, and threads share one interpreter lock anyway). A batch makes it while the kernel
    zygote warms up."""
    global _EXPORTER
    with _EXPORTER_LOCK:
        if _EXPORTER is None:
            _EXPORTER = _new_exporter()
        return _EXPORTER


def _new_exporter():
    from jinja2 import pass_context
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReviewExporter(HTMLExporter):
        """HTMLExporter without its last pass: re-parsing the whole page with BeautifulSoup to give images
        without alt text an English one and JupyterLab's cell classes a tabindex. The review template
        writes every image's alt and has no such classes, and that pass was most of the export (it re-parses
        the inline PNGs)."""

        @pass_context
        def markdown2html(self, context, source):
            """Characters of a heading come back from its anchor (ElementTree) as `&#22270;` references:
            written as themselves again, as that pass did; markup-significant ASCII stays escaped."""
            return _CHAR_REF.sub(lambda m: chr(int(m.group(1))) if int(m.group(1)) > 127 else m.group(0),
                                 super().markdown2html(context, source))

        def from_notebook_node(self, nb, resources=None, **kw):
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    # optimistic_validation: the notebook is validated once, after the last preprocessor, not after each of the
    # eleven (most of them disabled, each validation a walk of the whole notebook and its images).
    return ReviewExporter(
        template_name=TEMPLATE, extra_template_basedirs=[str(TEMPLATES_DIR)], exclude_input=True,
        exclude_input_prompt=True, exclude_output_prompt=True, optimistic_validation=True,
    )


def check_offline(page: str) -> None:
    """Raise RenderError if the page would load anything besides itself."""
    hit = _FETCH_ATTR.search(page) or _LINK_OUT.search(page)
    if hit is None:
        hit = next((m for s in _STYLE.finditer(page) if (m := _STYLE_FETCH.search(s.group(1)))), None)
    if hit is not None:
        raise RenderError(f"导出的页面会加载外部资源：{hit.group(0)[:120]!r}")


def _title(nb) -> str:
    """The review's title, from the header the notebook displayed (its <h1>)."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            m = re.search(r"<h1>(.*?)</h1>", out.get("data", {}).get("text/html", ""), re.S)
            if m:
                return html.unescape(m.group(1))
    return ""


def render_review(
    agency_id: str,
    year: int,
    out_dir: Path | str = OUTPUT_DIR,
    data_dir: Path | str = DATA_DIR,
    timeout: float = DEFAULT_TIMEOUT,
    kernel_manager_class=None,
) -> Path:
    """Execute notebooks/review.ipynb for one agency and write <out_dir>/<year>/<agency>.ipynb and .html.

    `timeout` limits each cell; a failing notebook raises (papermill's error) and writes nothing.
    """
    import nbformat

    out_dir, data_dir = Path(out_dir), Path(data_dir)
    target = out_dir / str(int(year))
    nb = execute(REVIEW_NOTEBOOK, parameters(agency_id, year, data_dir, out_dir), timeout, kernel_manager_class)
    title = _title(nb)
    page = to_html(nb, title, pages.top_html(pages.year_crumbs(year, here=title), pages.is_sample(data_dir)))
    write_atomic(target / f"{agency_id}.ipynb", nbformat.writes(nb).encode("utf-8"))
    html_path = target / f"{agency_id}.html"
    write_atomic(html_path, page.encode("utf-8"))
    return html_path
