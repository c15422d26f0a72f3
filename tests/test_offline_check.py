"""The offline-page check reads attributes, not text inside a quoted value (issue 12: a cell's source
text `data=2021年报表` must not make the page unrenderable), and still refuses every real outside load."""

from __future__ import annotations

import time

import pytest

from xxgk.review import render

QUOTED = ['<td title="data=2021年报表">1</td>', "<span title='src=http://x'>a</span>",
          '<a title="href=/x" href="a.html">x</a>', '<td class=a title="a>b data=x">1</td>']
LOADS = ['<img title="x" src="http://e">', "<img src=http://e>", '<div data="http://x">', '<a href="/etc">x</a>',
         '<a title="x" href="https://e">', '<img title="data=1" src=//e>', '<a ping="x" href="a">', '<iframe\nsrc="x">']


@pytest.mark.parametrize("page", QUOTED)
def test_text_inside_a_quoted_value_is_no_attribute(page):
    render.check_offline(page)


@pytest.mark.parametrize("page", LOADS)
def test_a_real_outside_load_is_refused(page):
    with pytest.raises(render.RenderError):
        render.check_offline(page)


def test_a_large_page_is_checked_quickly():
    page = '<td class="c" title="表三/自然人 第12行 data=2021年报表">1</td>' * 100_000
    start = time.process_time()
    render.check_offline(page)
    assert time.process_time() - start < 5
