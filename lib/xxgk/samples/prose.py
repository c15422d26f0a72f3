"""Chinese prose of the fictional sample reports: the six sections, written from the tables' numbers.

Phrases are chosen with the report's own seeded random generator, so each agency reads differently
and a run reproduces the same words. Every number restated here is taken from the tables.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Voice:
    """How an agency speaks of itself and what its work is about."""

    name: str  # 青禾示例县商务局
    short: str  # 县商务局
    we: str  # 我局
    topics: tuple[str, ...]  # fields of its proactive disclosure
    services: tuple[str, ...]  # what the public asks it for


def _pick(rng: random.Random, items, k: int) -> list:
    return rng.sample(list(items), k)


def preface(v: Voice, year: int, issuing_document: str, portal: str) -> list[str]:
    return [
        f"本报告由{v.name}根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和{issuing_document}的要求编制。"
        f"全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、"
        f"存在的主要问题及改进情况、其他需要报告的事项。本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
        f"本报告电子版可在{portal}政府信息公开专栏查阅或下载。"
    ]


_OPENINGS = (
    "{year}年，{we}在县委、县政府的领导下，认真贯彻落实《条例》和上级关于政务公开工作的部署，坚持以公开为常态、不公开为例外，",
    "{year}年，{we}以提升政务公开质量为目标，严格执行《条例》各项规定，",
    "{year}年，{we}围绕中心工作，把政府信息公开作为转变作风、服务群众的重要抓手，",
    "{year}年，{we}对照年度政务公开工作要点逐项抓落实，",
    "一年来，{we}把公开透明要求贯穿履职全过程，",
)
_OPENING_ENDS = (
    "稳步推进{t0}、{t1}等重点领域信息公开，政府信息公开工作取得新进展。",
    "重点做好{t0}和{t1}信息的发布与解读，各项工作有序开展。",
    "着力加强{t0}、{t1}方面的信息发布，公开工作的规范化水平进一步提高。",
    "群众关心的{t0}和{t1}事项做到第一时间发布、及时回应。",
    "以{t0}、{t1}为重点，推动决策、执行、管理、服务、结果全过程公开。",
)
_ACTIVE = (
    "（一）主动公开。全年通过县政府门户网站和政务新媒体主动公开政府信息{items}条，其中{t2}信息{part}条。",
    "（一）主动公开。{we}全年主动公开各类政府信息{items}条，及时发布{t2}等群众关注的信息，其中相关信息{part}条。",
    "（一）主动公开。本年度共主动公开政府信息{items}条，涉及{t2}的{part}条，做到应公开尽公开。",
    "（一）主动公开。围绕{t2}等工作，{we}全年发布信息{items}条，其中{part}条通过政务新媒体同步推送。",
    "（一）主动公开。按照公开标准目录，全年在公开专栏更新信息{items}条，{t2}专题发布{part}条。",
)
_MANAGE = (
    "（三）政府信息管理。严格落实公开前保密审查制度，做到“先审查、后公开”“一事一审”，全年未发生泄密事件。",
    "（三）政府信息管理。对照公开标准目录动态调整公开事项，对已公开的文件开展清理，确保信息准确有效。",
    "（三）政府信息管理。完善信息发布审核流程，由分管负责同志把关，确保发布内容准确、规范。",
    "（三）政府信息管理。建立政府信息公开台账，规范文件公开属性认定，做到依法依规公开。",
    "（三）政府信息管理。开展历史文件清理，对失效、废止文件及时标注，方便公众识别。",
)
_PLATFORM = (
    "（四）政府信息公开平台建设。依托县政府门户网站政府信息公开专栏，及时更新机构职能、{t3}等栏目内容。",
    "（四）政府信息公开平台建设。进一步规范公开专栏栏目设置，{t3}等信息实现集中发布、便于查询。",
    "（四）政府信息公开平台建设。加强网站日常维护，定期检查{t3}栏目链接和内容，保障平台稳定运行。",
    "（四）政府信息公开平台建设。在办事大厅设置查阅点，并通过公众号推送{t3}信息，拓宽获取渠道。",
    "（四）政府信息公开平台建设。{t3}信息在门户网站和公开栏同步发布，线上线下互为补充。",
)
_SUPERVISE = (
    "（五）监督保障。将政府信息公开工作纳入年度目标考核，明确专人负责，本年度未发生因信息公开工作引起的责任追究情况。",
    "（五）监督保障。成立政务公开工作领导小组，定期研究部署，组织工作人员参加业务培训{train}次。",
    "（五）监督保障。建立健全工作责任制，主要负责同志亲自抓，分管负责同志具体抓，全年开展业务培训{train}次。",
    "（五）监督保障。主动接受社会监督，公布监督电话，全年开展自查{train}次，发现问题及时整改。",
    "（五）监督保障。把公开工作与业务工作同部署、同检查，全年组织专题学习{train}次。",
)


def overview(v: Voice, year: int, rng: random.Random, facts: dict) -> list[str]:
    """Section 一: an opening, then the five customary parts."""
    t = _pick(rng, v.topics, 4)
    head = rng.choice(_OPENINGS).format(year=year, we=v.we) + rng.choice(_OPENING_ENDS).format(t0=t[0], t1=t[1])
    active = rng.choice(_ACTIVE).format(items=facts["items"], part=facts["items_part"], t2=t[2], we=v.we)
    return [head, active, requests_summary(v, facts), rng.choice(_MANAGE),
            rng.choice(_PLATFORM).format(t3=t[3]), rng.choice(_SUPERVISE).format(train=rng.randint(1, 4))]


def requests_summary(v: Voice, facts: dict) -> str:
    """The numbers of table 三 in words: received, carried over, handled, carried forward."""
    if facts.get("scope"):
        lead = f"（二）依申请公开。{facts['scope']}本年度共收到政府信息公开申请{facts['received']}件"
    else:
        lead = f"（二）依申请公开。{v.we}本年度共收到政府信息公开申请{facts['received']}件"
    if facts.get("carried") is not None:
        lead += f"，上年结转{facts['carried']}件"
    if facts["handled"] == 0 and not facts["received"]:
        return lead + "，无需办理的申请。"
    text = lead + f"，本年度办结{facts['handled']}件，结转下年度继续办理{facts['forward']}件。"
    if facts["handled"]:
        share = 100 * (facts["granted"] + facts["partial"]) / facts["handled"]
        text += (f"办结的申请中，予以公开{facts['granted']}件，部分公开{facts['partial']}件，"
                 f"予以公开和部分公开的占{share:.1f}%；无法提供{facts['unable']}件，不予处理{facts['not_processed']}件。")
    return text


def proactive(v: Voice, rng: random.Random) -> list[str]:
    """Section 二: one lead-in sentence before the 第二十条 tables."""
    return [rng.choice((
        f"{v.we}按照《条例》第二十条的规定主动公开政府信息，具体情况如下：",
        "本年度主动公开政府信息情况见下表。",
        f"{v.we}主动公开的规范性文件、行政许可、行政处罚等信息统计如下：",
    ))]


def requests(v: Voice, rng: random.Random) -> list[str]:
    """Section 三: a lead-in sentence before table 三."""
    return [rng.choice((
        "本年度收到和处理政府信息公开申请情况如下：",
        f"{v.we}严格按照法定程序和时限办理政府信息公开申请，收到和处理情况见下表。",
        "依申请公开的受理、办理和答复情况统计如下：",
    ))]


def review(v: Voice, rv: int, lit: int) -> list[str]:
    """Section 四: review and litigation counts as in table 四."""
    if rv == 0 and lit == 0:
        return [f"本年度，{v.we}未发生因政府信息公开工作被申请行政复议或提起行政诉讼的情况。"]
    return [f"本年度，{v.we}因政府信息公开工作被申请行政复议{rv}件，被提起行政诉讼{lit}件，具体情况如下："]


_PROBLEMS = (
    "{t}等领域的信息公开还不够及时、全面，部分信息更新滞后",
    "政策解读形式较为单一，对{t}相关政策的图解、视频解读偏少",
    "工作人员业务能力有待提高，对{t}信息的公开范围把握不够准确",
    "依申请公开答复的规范性还需加强，{t}类申请的答复文书有待统一",
    "公开专栏中{t}栏目的分类不够清晰，群众查找不便",
    "基层工作人员变动较多，{t}信息的报送和审核衔接不够顺畅",
)
_MEASURES = (
    "加强{t}信息的梳理和发布，做到应公开尽公开、及时更新",
    "丰富政策解读形式，围绕{t}推出图文解读和简明问答",
    "定期组织业务培训，提高工作人员对{t}信息公开的把关能力",
    "规范依申请公开办理流程，统一{t}类申请的答复文书格式",
    "优化公开专栏栏目设置，把{t}信息集中展示，方便群众查询",
    "建立信息报送台账，明确{t}信息的报送责任人和时限",
)
_ORDINALS = ("一是", "二是", "三是")


def problems(v: Voice, year: int, rng: random.Random, plan_year: bool = True) -> list[str]:
    """Section 五: two or three concrete problems, then as many measures for next year."""
    k = rng.choice((2, 3))
    topics = _pick(rng, v.topics, k)
    probs = _pick(rng, range(len(_PROBLEMS)), k)
    meas = _pick(rng, range(len(_MEASURES)), k)
    found = "；".join(f"{_ORDINALS[i]}{_PROBLEMS[p].format(t=topics[i])}" for i, p in enumerate(probs))
    when = f"{year + 1}年，{v.we}将" if plan_year else f"下一步，{v.we}将"
    out = [f"{v.we}政府信息公开工作仍存在一些不足：{found}。", f"{when}重点做好以下工作："]
    out += [f"{_ORDINALS[i]}{_MEASURES[m].format(t=topics[(i + 1) % k])}。" for i, m in enumerate(meas)]
    return out


_FEES = (
    "本年度{we}未收取政府信息公开信息处理费。",
    "{year}年，{we}办理政府信息公开申请均未收取信息处理费。",
    "按照《政府信息公开信息处理费管理办法》，{we}本年度未发生信息处理费收费情形。",
    "本年度{we}依申请提供政府信息，未向申请人收取信息处理费。",
)
_PROPOSALS = (
    "本年度{we}承办人大代表建议和政协委员提案{n}件，均已按时办结，办理结果已按规定公开。",
    "{year}年共承办建议提案{n}件，办复率100%，答复全文已在公开专栏发布。",
    "{we}全年办理人大代表建议、政协委员提案{n}件，按期办结并公开办理复文。",
)
_KEY_POINTS = (
    "对照{year}年全县政务公开工作要点，{we}围绕{t}等事项推进公开，各项任务均已完成。",
    "{year}年政务公开工作要点中涉及{we}的{t}等任务已全部落实。",
    "{we}按照年度政务公开工作要点，把{t}作为今年公开重点，按期完成。",
)


def other(v: Voice, year: int, rng: random.Random, fee_rule: bool, proposals: int) -> list[str]:
    """Section 六: the 2021 format expects the 信息处理费 statement; proposals and key points if any."""
    out = []
    if fee_rule:
        out.append(rng.choice(_FEES).format(we=v.we, year=year))
    if proposals:
        out.append(rng.choice(_PROPOSALS).format(we=v.we, year=year, n=proposals))
        out.append(rng.choice(_KEY_POINTS).format(we=v.we, year=year, t=rng.choice(v.topics)))
    if not out:
        out.append(rng.choice((f"{v.we}无其他需要报告的事项。", "本年度无其他需要报告的事项。")))
    return out
