"""Section headings found by numeral and meaning: variant wordings, a lost comma, a heading broken over
two lines. A section is missing only when its content is."""

from __future__ import annotations

import pytest

from xxgk.read.assemble import assemble
from xxgk.read.document import Document

BODY = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]


def _sections(headings: list[list[str]]):
    doc = Document("test.txt", "crawler_text")
    lines = ["某局2023年政府信息公开工作年度报告"]
    for parts in headings:
        lines += [*parts, "本部分正文。"]
    for i, line in enumerate(lines, 1):
        doc.text(line, f"第{i}行")
    return assemble(doc, year=2023).sections


@pytest.mark.parametrize("number, written", [
    (6, ["六、需要说明的其他事项与附表"]),
    (5, ["五、当前存在的突出问题和整改措施"]),
    (1, ["一总体情况"]),
    (5, ["五、存在的主要", "问题及改进情况"]),
    (4, ["四、政府信息公开行政复议、", "行政诉讼情况"]),
])
def test_variant_headings_find_their_section(number, written):
    headings = [[h] for h in BODY]
    headings[number - 1] = written
    sections = _sections(headings)
    assert [s.number for s in sections] == [1, 2, 3, 4, 5, 6]
    found = sections[number - 1]
    assert found.text == "本部分正文。"
    assert found.official == ("".join(written) == BODY[number - 1])


def test_a_numbered_paragraph_is_no_heading():
    sections = _sections([[h] for h in BODY[:5]] + [["六、加强培训", "提高水平"]])
    assert [s.number for s in sections] == [1, 2, 3, 4, 5]
