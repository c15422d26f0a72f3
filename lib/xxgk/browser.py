"""Open an exported page in headless Chromium (Debian's, driven by Playwright) the way a reader would.

Used by the tests and the screenshot script: what the page shows, which images loaded, and every
request the browser made (an offline page makes exactly one: for its own file).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync")


@dataclass
class PageView:
    url: str
    text: str  # the visible text of the page body
    images: list[tuple[int, int]]  # natural width and height of every <img>
    requests: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    code_blocks: int = 0  # elements that look like notebook input (code) areas

    @property
    def outside_requests(self) -> list[str]:
        return [u for u in self.requests if u != self.url]


@contextmanager
def offline_page(page_file: Path, **page_args):
    """(page, requests) of a local HTML file loaded in headless Chromium, every request recorded and all
    but the file's own blocked: how every test and screenshot opens a page."""
    from playwright.sync_api import sync_playwright

    url = Path(page_file).resolve().as_uri()
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=list(ARGS))
        try:
            page = browser.new_page(**page_args)

            def route(r):
                requests.append(r.request.url)
                r.continue_() if r.request.url == url else r.abort()

            page.route("**/*", route)
            yield page, requests
        finally:
            browser.close()


def view(page_file: Path, screenshot: Path | None = None, width: int = 900, full_page: bool = True,
         clip_height: int | None = None) -> PageView:
    """Load a local HTML file with network requests recorded and blocked; optionally save a screenshot."""
    url = Path(page_file).resolve().as_uri()
    console: list[str] = []
    with offline_page(page_file, viewport={"width": width, "height": clip_height or 900}) as (page, requests):
        page.on("console", lambda m: console.append(m.text))
        page.goto(url, wait_until="load")
        images = page.eval_on_selector_all("img", "els => els.map(e => [e.naturalWidth, e.naturalHeight])")
        text = page.inner_text("body")
        code = page.eval_on_selector_all("pre code, .jp-InputArea, .input_area, .highlight", "els => els.length")
        if screenshot is not None:
            Path(screenshot).parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=full_page and clip_height is None)
    return PageView(url, text, [tuple(i) for i in images], requests, console, code)


# Chromium fills the spans; the footer is drawn in the page's bottom margin.
PAGE_NUMBER_FOOTER = ('<div style="width:100%;text-align:center;font-size:8pt;color:#555">'
                      '第 <span class="pageNumber"></span> 页，共 <span class="totalPages"></span> 页</div>')


def print_pdf(pages: list[tuple[Path, Path]], page_numbers: bool = False) -> None:
    """Print local HTML files to PDF as a browser's 'Save as PDF' does: (html, pdf) pairs, one browser."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=list(ARGS))
        try:
            page = browser.new_page()
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
            for html_file, pdf_file in pages:
                page.goto(Path(html_file).resolve().as_uri(), wait_until="load")
                numbers = {"display_header_footer": True, "header_template": "<span></span>",
                           "footer_template": PAGE_NUMBER_FOOTER,
                           "margin": {"top": "15mm", "bottom": "18mm", "left": "15mm", "right": "15mm"}}
                page.pdf(path=str(pdf_file), format="A4", **(numbers if page_numbers else {}))
        finally:
            browser.close()
