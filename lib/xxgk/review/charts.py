"""Matplotlib figures of a review, with Chinese labels, as small embedded PNGs.

Lean and stateless: figures are built with matplotlib.figure.Figure on the Agg canvas (no pyplot, no
global backend), inside an rc_context, so no setting leaks into the next review. The CJK font is
registered from the system font folder at run time (matplotlib's cache may predate its install). A
character the font lacks (an emoji in an agency's name) is drawn as the font's box and named in the
chart's caption: a note, never a failed review.
"""

from __future__ import annotations

import base64
import io
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from xxgk.config import FONT_DIRS
from xxgk.review.facts import MIN_RATE_BASE, Fact, Facts

CJK_FONT_FILES = ("NotoSansCJK-Regular.ttc", "NotoSansCJK-Regular.otf", "NotoSansCJKsc-Regular.otf")
CJK_FAMILY = "Noto Sans CJK SC"
_DPI = 96
_HIGHLIGHT, _BASE, _MUTED = "#c0392b", "#2e6da4", "#9db7d5"
_PALETTE = ("#2e6da4", "#5aa469", "#c0392b", "#e08e0b", "#7d5ba6", "#7f8c8d", "#16a085", "#d35400")


class MissingGlyphError(RuntimeError):
    """No CJK font is installed: no chart could show Chinese."""


@dataclass(frozen=True)
class Chart:
    """One figure as PNG bytes, shown as an <img> with a caption."""

    key: str
    title: str
    png: bytes

    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")

    def _repr_html_(self) -> str:
        from xxgk.review.pages import render

        return render("chart.html.j2", key=self.key, title=self.title, uri=self.data_uri())


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """Register the CJK font file found under the system font folders; return its family name."""
    from matplotlib import font_manager

    for folder in FONT_DIRS:
        for name in CJK_FONT_FILES:
            for path in sorted(Path(folder).rglob(name)):
                font_manager.fontManager.addfont(str(path))
                families = {f.name for f in font_manager.fontManager.ttflist if Path(f.fname) == path}
                return CJK_FAMILY if CJK_FAMILY in families else sorted(families)[0]
    raise MissingGlyphError(f"未找到中文字体（{', '.join(CJK_FONT_FILES)}），请安装 fonts-noto-cjk")


@lru_cache(maxsize=1)
def _charmap() -> frozenset[int]:
    """The code points the CJK font draws."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    path = font_manager.findfont(font_manager.FontProperties(family=[cjk_font()]), fallback_to_default=False)
    return frozenset(FT2Font(path).get_charmap())


def _missing_glyphs(fig) -> list[str]:
    """Characters of the figure's drawn texts (titles, ticks, labels, legend) that the font lacks."""
    from matplotlib.text import Text

    have = _charmap()
    found = dict.fromkeys(ch for t in fig.findobj(Text) for ch in t.get_text()
                          if ord(ch) not in have and not ch.isspace())
    return list(found)


@contextmanager
def _cjk():
    """Chart settings for one figure; matplotlib's missing-glyph warning is replaced by the caption's note."""
    from matplotlib import rc_context

    family = cjk_font()
    rc = {
        "font.family": [family],
        "font.size": 9,
        "axes.unicode_minus": False,
        "text.parse_math": False,  # labels are data: a '$' must never start mathtext
        "axes.spines.top": False,
        "axes.spines.right": False,
        "savefig.dpi": _DPI,
    }
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph .* missing from", category=UserWarning)
        with rc_context(rc):
            yield


def _figure(width: float = 6.4, height: float = 3.2):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=_DPI)


def _png(fig) -> bytes:
    """PNG, quantized to a small palette: charts are flat colours, and pages must stay small.

    The pixels are taken from the Agg canvas as drawn: no full-colour PNG is written only to be decoded again.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    rgba = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    # Fast octree, not median cut: much faster, and the charts' own colours keep their values; light greys
    # and anti-aliased edges may shift by a few levels.
    img = rgba.convert("RGB").quantize(colors=48, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def _chart(key: str, title: str, draw, width: float = 6.4, height: float = 3.2, **margins) -> Chart:
    """Fixed margins instead of a layout engine: a constrained layout draws every figure twice."""
    with _cjk():
        fig = _figure(width, height)
        fig.subplots_adjust(**{"left": 0.09, "right": 0.97, "bottom": 0.14, "top": 0.95, **margins})
        draw(fig)
        png = _png(fig)  # drawn: tick labels now hold their text
        missing = _missing_glyphs(fig)
        if missing:
            title += f"（注：字体缺少「{'」「'.join(missing)}」，图中以方框代替）"
        return Chart(key, title, png)


def warm_up() -> None:
    """Load the CJK font and matplotlib's drawing machinery once, with no agency's data, and compile the page
    templates the review's pieces and charts are written with.

    The batch's kernel zygote calls this so every forked review starts with them ready.
    """
    from xxgk.review import pages

    pages.warm_up()

    def draw(fig):
        ax = fig.subplots()
        bars = ax.bar(["收到", "办结"], [1, 2], color=_BASE, label="预热")
        _bar_labels(ax, bars, [1, 2])
        ax.legend(fontsize=7)

    _chart("warm-up", "预热", draw)


def _values(facts: list[Fact]) -> list[float | None]:
    """The counts, None where the cell is blank or unreadable (drawn as no bar, labelled "—")."""
    return [f.value if f.known else None for f in facts]


def _heights(values: list[float | None]) -> list[float]:
    return [v or 0 for v in values]


def _counts(axis) -> None:
    """Counts of applications and cases are whole numbers: no 2.5 on an axis."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def _bar_labels(ax, bars, values) -> None:
    """Each bar's count as the table prints it; a blank or unreadable cell (None) is "—", never 0."""
    ax.bar_label(bars, labels=["—" if v is None else _fmt(v) for v in values], padding=2, fontsize=8)


def _fmt(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _empty(ax, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="#555555")
    ax.set_axis_off()


# -- the charts of one report ---------------------------------------------------------------------------
def flow(f: Facts) -> Chart:
    """Received + carried over -> outcomes -> carried forward, as three stacked bars."""

    title = "申请办理流程：收到（新收+上年结转）→ 办理结果 → 结转下年"
    inflow = [f.received, f.carried_over]
    if not any(x.value for x in [*inflow, *f.outcomes, f.carried_forward]):
        return _chart("flow", title, lambda fig: _empty(fig.subplots(), "本年度没有收到、办结或结转的申请（表三均为0或空）"), height=0.6)

    def draw(fig):
        ax = fig.subplots()
        stages = ["收到", "办结", "结转下年"]
        bottom = 0
        for i, x in enumerate(inflow):
            ax.bar(stages[0], x.value or 0, bottom=bottom, color=(_BASE, _MUTED)[i], label=x.label)
            bottom += x.value or 0
        bottom = 0
        for i, x in enumerate(f.outcomes):
            if x.value:
                ax.bar(stages[1], x.value, bottom=bottom, color=_PALETTE[(i + 1) % len(_PALETTE)], label=x.label)
                bottom += x.value
        ax.bar(stages[2], f.carried_forward.value or 0, color="#bbbbbb", label=f.carried_forward.label)
        ax.set_ylabel("件")
        _counts(ax.yaxis)
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)

    return _chart("flow", title, draw, right=0.66)


def outcomes(f: Facts) -> Chart:
    def draw(fig):
        ax = fig.subplots()
        vals = _values(f.outcomes)
        labels = [o.label for o in f.outcomes]
        bars = ax.barh(labels[::-1], _heights(vals[::-1]), color=_BASE)
        _bar_labels(ax, bars, vals[::-1])
        ax.set_xlabel("件")
        _counts(ax.xaxis)

    return _chart("outcomes", "办理结果构成", draw, left=0.13)


def applicants(f: Facts) -> Chart:
    def draw(fig):
        ax = fig.subplots()
        vals = _values(f.applicants)
        bars = ax.bar([a.label for a in f.applicants], _heights(vals), color=[_BASE] + [_MUTED] * (len(vals) - 1))
        _bar_labels(ax, bars, vals)
        ax.set_ylabel("件")
        _counts(ax.yaxis)
        ax.tick_params(axis="x", labelsize=8)

    return _chart("applicants", "新收申请的申请人构成", draw)


def review_litigation(f: Facts) -> Chart:
    def draw(fig):
        ax = fig.subplots()
        groups = list(f.review)
        results = f.review_results
        width = 0.8 / len(results)
        for j, name in enumerate(results):
            vals = [f.review_totals[g].parts[j].value for g in groups]  # the results, 总计 left out by role
            xs = [i + (j - (len(results) - 1) / 2) * width for i in range(len(groups))]
            bars = ax.bar(xs, _heights(vals), width=width, color=_PALETTE[j], label=name)
            _bar_labels(ax, bars, vals)
        ax.set_xticks(range(len(groups)), [g.replace("/", "\n") for g in groups])
        ax.set_ylabel("件")
        _counts(ax.yaxis)
        ax.legend(fontsize=7, frameon=False, ncols=len(results), loc="lower center", bbox_to_anchor=(0.5, 1.0))

    return _chart("review", "行政复议、行政诉讼结果", draw, bottom=0.17, top=0.88)


def years(series: dict[int, Facts]) -> Chart:
    """New, processed and carried forward per year, with the disclosure rate on a second axis."""
    ordered = sorted(series)

    def draw(fig):
        ax = fig.subplots()
        labels = [str(y) for y in ordered]
        for i, (name, get) in enumerate(
            (("新收申请", lambda x: x.received), ("办结", lambda x: x.processed), ("结转下年", lambda x: x.carried_forward))
        ):
            ys = [get(series[y]).value for y in ordered]
            ax.plot(labels, [float("nan") if v is None else v for v in ys], marker="o", color=_PALETTE[i], label=name)
        ax.set_ylabel("件")
        ax.set_ylim(bottom=0)
        _counts(ax.yaxis)
        rates = [series[y].disclosure_rate for y in ordered]
        if any(r is not None for r in rates):
            ax2 = ax.twinx()
            ax2.plot(labels, [float("nan") if r is None else r for r in rates], ls="--", marker="s", color=_PALETTE[3], label="公开率（%）")
            ax2.set_ylim(0, 105)
            ax2.set_ylabel("公开率（%）")
            ax2.spines["right"].set_visible(True)
        fig.legend(fontsize=7, loc="lower center", ncols=4, frameon=False)

    return _chart("years", f"历年变化（{ordered[0]}–{ordered[-1]}年）", draw, bottom=0.2, right=0.9)


PEER_LIMIT = 30  # more agencies than this are drawn as a distribution, not one bar each
# Why an agency has no rate on a chart (Facts.disclosure_rate, comparable_rate): every reason, in one wording.
_RATE_LEFT_OUT = f"办结不足{MIN_RATE_BASE}件、无法读取或表内合计与其各项不符的不计"
RANK_ROWS = 10  # beside an overview distribution: the lowest-scoring agencies by name (the full ranking is a table)


def _quartiles(values: list[float]) -> tuple[float, float, float]:
    import numpy as np

    q1, q2, q3 = np.percentile(values, [25, 50, 75])
    return float(q1), float(q2), float(q3)


def _strip(ax, values: list[float], me: float | None = None, unit: str = "") -> None:
    """Every agency as a grey dot (jittered up and down), the quartile box behind them, this agency in red."""
    import numpy as np

    rng = np.random.default_rng(0)  # the same jitter on every run: pages do not change when data do not
    ys = rng.uniform(-0.28, 0.28, len(values))
    ax.boxplot([values], orientation="horizontal", positions=[0], widths=0.75, showfliers=False, whis=(0, 100),
               patch_artist=True, boxprops={"facecolor": "#e8eef6", "edgecolor": _BASE},
               medianprops={"color": _BASE, "lw": 2}, whiskerprops={"color": _BASE}, capprops={"color": _BASE})
    ax.scatter(values, ys, s=7, color="#7f8c8d", alpha=0.55, linewidths=0, zorder=3)
    if me is not None:
        ax.scatter([me], [0], s=70, marker="D", color=_HIGHLIGHT, zorder=4)
        shown = f"{me:.0f}" if unit == "%" else _fmt(me)
        ax.annotate(f"本机关 {shown}{unit}", (me, 0), xytext=(0, 18), textcoords="offset points", ha="center",
                    color=_HIGHLIGHT, fontweight="bold", fontsize=8)
    ax.set_yticks([])
    ax.set_ylim(-0.6, 0.75)
    ax.spines["left"].set_visible(False)


def _place(values: list[float], me: float) -> int:
    """1 + how many are above: the agency's place from the top (ties share the better place)."""
    return 1 + sum(1 for v in values if v > me)


def peers(names: list[str], received: list[float | None], rates: list[float | None], current: int,
          level: str = "") -> Chart:
    """This agency (highlighted) against the others of its region (of its level, when given): applications
    (None where the cell is blank or unreadable) and disclosure rate. Up to PEER_LIMIT agencies, one named bar
    each; beyond, the distribution — every agency a dot, the quartiles a box, this agency in red with its place —
    so the chart stays one picture however large the region."""
    if len(names) > PEER_LIMIT:
        return _peer_distribution(received, rates, current, level)
    n = len(names)

    def draw(fig):
        left, right = fig.subplots(1, 2, sharey=True)
        colors = [_HIGHLIGHT if i == current else _MUTED for i in range(n)]
        at = range(n)  # positions, not names: two agencies may be shortened alike
        bars = left.barh(at, _heights(received), color=colors)
        left.set_yticks(at, names)
        _bar_labels(left, bars, received)
        left.invert_yaxis()
        left.set_xlabel("新收申请（件）")
        _counts(left.xaxis)
        bars = right.barh(at, _heights(rates), color=colors)
        right.bar_label(bars, labels=["—" if r is None else f"{r:.0f}%" for r in rates], padding=2, fontsize=8)
        right.set_xlim(0, 115)
        right.set_xlabel("公开率（%）")
        label = left.get_yticklabels()[current]  # a zero bar is invisible: mark the name too
        label.set_color(_HIGHLIGHT)
        label.set_fontweight("bold")

    height = max(2.4, 0.3 * n + 0.8)
    who = f"与本地区其他{level}比较（同级机关；" if level else "与本地区其他机关比较（"
    return _chart("peers", f"{who}红色为本机关；公开率以办结总数为基数，{_RATE_LEFT_OUT}）", draw,
                  height=height, left=0.24, bottom=0.55 / height, top=1 - 0.15 / height, wspace=0.08)


def _peer_distribution(received: list[float | None], rates: list[float | None], current: int, level: str) -> Chart:
    vals = [v for v in received if v is not None]
    mine = received[current]
    known_rates = [r for r in rates if r is not None]
    my_rate = rates[current]

    def draw(fig):
        left, right = fig.subplots(1, 2)
        if vals:
            _strip(left, vals, mine, "件")
            _counts(left.xaxis)
        else:
            _empty(left, "同级机关的新收申请数均无法读取")
        left.set_xlabel("新收申请（件）")
        if known_rates:
            _strip(right, known_rates, my_rate, "%")
            right.set_xlim(-3, 105)
        else:
            _empty(right, f"没有可比的公开率（{_RATE_LEFT_OUT}）")
        right.set_xlabel("公开率（%）")

    unread = len(received) - len(vals)  # no dot and no place for them: the caption says how many
    counted = f"（{len(vals)}个机关可读）" if unread else ""
    where = [f"新收申请第{_place(vals, mine)}位{counted}" if mine is not None else "新收申请无法读取"]
    if my_rate is not None:
        where.append(f"公开率第{_place(known_rates, my_rate)}位（{len(known_rates)}个机关可比）")
    else:
        where.append(f"公开率不比较（{_RATE_LEFT_OUT}）")
    who = f"本地区{level}" if level else "本地区机关"
    spread = ""
    if vals:
        q1, q2, q3 = _quartiles(vals)
        spread = f"（新收申请中位数{_fmt(q2)}件，四分位{_fmt(q1)}–{_fmt(q3)}件）"
    if unread:
        spread += f"（{unread}个机关的新收数无法读取，未计入）"
    title = (f"与{who}比较：共{len(received)}个，本机关{'，'.join(where)}；灰点为各机关，箱体为四分位{spread}，"
             f"红色为本机关；公开率以办结总数为基数，{_RATE_LEFT_OUT}")
    return _chart("peers", title, draw, height=2.0, left=0.04, right=0.98, bottom=0.24, top=0.97, wspace=0.1)


def review_charts(f: Facts, history: dict[int, Facts] | None = None, peer_view: tuple | None = None) -> list[Chart]:
    """Every chart the data supports: flow always; the others when they would show something."""
    out = [flow(f)]
    if f.layout is None:
        return out
    if any(o.value for o in f.outcomes):
        out.append(outcomes(f))
    if f.received.value:
        out.append(applicants(f))
    if any(x.value for group in f.review.values() for x in group):
        out.append(review_litigation(f))
    if history and len(history) > 1:
        out.append(years(history))
    if peer_view and len(peer_view[0]) > 1:
        out.append(peers(*peer_view))
    return out



# -- the region overview ---------------------------------------------------------------------------
def _height(n: int) -> float:
    return max(2.4, 0.28 * n + 0.9)


def score_distribution(scores: list[float]) -> Chart:
    def draw(fig):
        ax = fig.subplots()
        bins = list(range(0, 101, 10))
        ax.hist([min(s, 99.9) for s in scores], bins=bins, color=_BASE, edgecolor="white")
        ax.set_xlabel("合规得分")
        ax.set_ylabel("机关数")
        ax.set_xticks(bins)
        _counts(ax.yaxis)

    return _chart("scores", f"合规得分分布（{len(scores)} 个机关）", draw)


def ranking(names: list[str], scores: list[float], level: str = "", tag: str = "", unscored: int = 0) -> Chart:
    """Scores ranked; given a level, the agencies are of that one level (peers compared within a level).
    `unscored` agencies of the level have no score (无法评分): the title says they are left out.

    Up to PEER_LIMIT agencies, one named bar each; beyond, the level's distribution (dots and quartiles)
    beside the RANK_ROWS lowest by name, so the chart keeps one screen's height at any size."""
    key = f"ranking-{tag}" if tag else "ranking"
    title = f"{level}合规得分排名（同级机关比较）" if level else "各机关合规得分排名"
    if unscored:
        title += f"（另有{unscored}个机关无法评分，未计入）"
    if len(names) > PEER_LIMIT:
        return _score_distribution(key, title, names, scores)
    order = sorted(range(len(names)), key=lambda i: -scores[i])

    def draw(fig):
        ax = fig.subplots()
        vals = [scores[i] for i in order]
        at = range(len(order))
        bars = ax.barh(at, vals, color=[_band(v) for v in vals])
        ax.set_yticks(at, [names[i] for i in order])
        ax.bar_label(bars, labels=[_fmt(v) for v in vals], padding=2, fontsize=8)
        ax.invert_yaxis()
        ax.set_xlim(0, 110)
        ax.set_xlabel("合规得分（红：低于60；橙：低于75）")

    h = _height(len(order))
    return _chart(key, title, draw, height=h, left=0.3, bottom=0.5 / h, top=1 - 0.1 / h)


def _clip(name: str, most: int = 14) -> str:
    """A name cut to what fits beside a panel (the full name is in the ranking table)."""
    return name if len(name) <= most else name[: most - 1] + "…"


def _band(score: float) -> str:
    return _HIGHLIGHT if score < 60 else _PALETTE[3] if score < 75 else _BASE


def _score_distribution(key: str, title: str, names: list[str], scores: list[float]) -> Chart:
    lowest = sorted(range(len(names)), key=lambda i: scores[i])[:RANK_ROWS]

    def draw(fig):
        left = fig.add_axes((0.08, 0.15, 0.40, 0.81))
        right = fig.add_axes((0.72, 0.15, 0.24, 0.81))  # room for the names between the two
        bins = list(range(0, 101, 5))
        counts, edges, patches = left.hist([min(s, 99.9) for s in scores], bins=bins, color=_BASE, edgecolor="white")
        for patch, edge in zip(patches, edges):
            patch.set_facecolor(_band(edge))
        for q, style in zip(_quartiles(scores), (":", "--", ":")):
            left.axvline(q, color="#333333", ls=style, lw=1)
        left.set_xlim(0, 100)
        left.set_xlabel("合规得分（虚线：中位数；点线：四分位）")
        left.set_ylabel("机关数")
        _counts(left.yaxis)
        at = range(len(lowest))
        vals = [scores[i] for i in lowest]
        bars = right.barh(at, vals, color=[_band(v) for v in vals])
        right.set_yticks(at, [_clip(names[i]) for i in lowest], fontsize=8)
        right.bar_label(bars, labels=[_fmt(v) for v in vals], padding=2, fontsize=8)
        right.invert_yaxis()
        right.set_xlim(0, 115)
        right.set_xlabel(f"得分最低的{len(lowest)}个")

    q1, q2, q3 = _quartiles(scores)
    title += (f"：共{len(names)}个，中位数{q2:.1f}分，四分位{q1:.1f}–{q3:.1f}分；"
              f"左为分布（红：低于60；橙：低于75），右为得分最低的{len(lowest)}个，完整排名见上表")
    return _chart(key, title, draw, height=3.4)


def rule_heatmap(agencies: list[str], rules: list[str], counts: list[list[int]], levels: list[str] | None = None,
                 level_sizes: dict[str, int] | None = None) -> Chart:
    """Agencies × rules, coloured by the number of failed places. More than PEER_LIMIT agencies are drawn as
    levels × the most common rules instead: how many agencies of each level (`levels`, one per agency; the
    level's reviewed agencies in `level_sizes`) fail each rule, one row per level."""
    if len(agencies) > PEER_LIMIT and levels is not None and level_sizes:
        return _rule_levels(rules, counts, levels, level_sizes)

    def draw(fig):
        ax = fig.subplots()
        image = ax.imshow(counts, cmap="Reds", aspect="auto", vmin=0)
        ax.set_xticks(range(len(rules)), rules, rotation=60, ha="right", fontsize=7)
        ax.set_yticks(range(len(agencies)), agencies, fontsize=8)
        for i, row in enumerate(counts):
            for j, v in enumerate(row):
                if v:
                    ax.text(j, i, str(v), ha="center", va="center", fontsize=7,
                            color="white" if v > max(map(max, counts)) / 2 else "black")
        fig.colorbar(image, ax=ax, fraction=0.03, pad=0.02)

    h = _height(len(agencies)) + 1.0
    width = max(6.4, 0.35 * len(rules) + 3)
    return _chart("heatmap", "机关 × 规则：不符合之处的数量（错误与警告）", draw, width=width, height=h,
                  left=2.4 / width, right=0.93, bottom=1.5 / h, top=1 - 0.15 / h)


TOP_RULES = 20  # the most common problems a large region's heat map shows


def _rule_levels(rules: list[str], counts: list[list[int]], levels: list[str], sizes: dict[str, int]) -> Chart:
    order = [level for level in sizes if level in levels]
    failing = [[sum(1 for row, lv in zip(counts, levels) if lv == level and row[j]) for j in range(len(rules))]
               for level in order]
    top = sorted(range(len(rules)), key=lambda j: -sum(f[j] for f in failing))[:TOP_RULES]
    shares = [[failing[i][j] / sizes[level] for j in top] for i, level in enumerate(order)]

    def draw(fig):
        ax = fig.subplots()
        image = ax.imshow(shares, cmap="Reds", aspect="auto", vmin=0, vmax=1)
        ax.set_xticks(range(len(top)), [rules[j] for j in top], rotation=60, ha="right", fontsize=7)
        ax.set_yticks(range(len(order)), [f"{level}（{sizes[level]}个）" for level in order], fontsize=8)
        for i in range(len(order)):
            for k, j in enumerate(top):
                if failing[i][j]:
                    ax.text(k, i, str(failing[i][j]), ha="center", va="center", fontsize=7,
                            color="white" if shares[i][k] > 0.5 else "black")
        fig.colorbar(image, ax=ax, fraction=0.03, pad=0.02, label="该层级机关中的占比")

    h = 0.45 * len(order) + 1.6  # 1.25 in below the cells for the rotated rule ids
    width = max(6.4, 0.35 * len(top) + 3)
    drawn = sum(1 for lv in levels if lv in order)  # an agency of no known level has no row to be counted in
    title = (f"最常见的{len(top)}项问题 × 层级：数字为不符合该规则的机关数，颜色为占该层级机关的比例（错误与警告；"
             f"{drawn}个机关有此类问题" + (f"，另有{len(levels) - drawn}个机关层级不明，未列出" if drawn < len(levels) else "")
             + "）")
    return _chart("heatmap", title, draw, width=width, height=h, left=2.0 / width, right=0.93, bottom=1.25 / h,
                  top=1 - 0.1 / h)


def volumes(names: list[str], received: list[float | None], rates: list[float | None], level: str = "",
            tag: str = "") -> Chart:
    """Applications (None: unreadable) and disclosure rates; given a level, the agencies of that level. Up to
    PEER_LIMIT agencies one named bar each, beyond that the distribution of each (dots and quartiles)."""
    key = f"volumes-{tag}" if tag else "volumes"
    base = f"{level}申请量与公开率（公开率：{_RATE_LEFT_OUT}"
    if len(names) > PEER_LIMIT:
        return _volume_distribution(key, base, received, rates)
    order = sorted(range(len(names)), key=lambda i: -(received[i] or 0))

    def draw(fig):
        left, right = fig.subplots(1, 2, sharey=True)
        at = range(len(order))
        vals = [received[i] for i in order]
        bars = left.barh(at, _heights(vals), color=_BASE)
        left.set_yticks(at, [names[i] for i in order])
        _bar_labels(left, bars, vals)
        left.invert_yaxis()
        left.set_xlabel("新收申请（件）")
        _counts(left.xaxis)
        rs = [rates[i] for i in order]
        bars = right.barh(at, _heights(rs), color=_MUTED)
        right.bar_label(bars, labels=["不计" if r is None else f"{r:.0f}%" for r in rs], padding=2, fontsize=8)
        right.set_xlim(0, 125)
        right.set_xlabel("公开率（%）")

    h = _height(len(order))
    return _chart(key, base + "）", draw, height=h, left=0.3, bottom=0.5 / h, top=1 - 0.1 / h, wspace=0.08)


def _volume_distribution(key: str, base: str, received: list[float | None], rates: list[float | None]) -> Chart:
    known = [r for r in rates if r is not None]
    counted = [v for v in received if v is not None]

    def draw(fig):
        left, right = fig.subplots(1, 2)
        if counted:
            _strip(left, counted)
            _counts(left.xaxis)
        else:
            _empty(left, "新收申请数均无法读取")
        left.set_xlabel("新收申请（件）")
        if known:
            _strip(right, known)
            right.set_xlim(-3, 105)
        else:
            _empty(right, f"没有可比的公开率（{_RATE_LEFT_OUT}）")
        right.set_xlabel("公开率（%）")

    said = f"；共{len(received)}个"
    if counted:
        q1, q2, q3 = _quartiles(counted)
        said += f"，新收申请中位数{_fmt(q2)}件，四分位{_fmt(q1)}–{_fmt(q3)}件"
    if len(counted) < len(received):
        said += f"（{len(received) - len(counted)}个机关的新收数无法读取，未计入）"
    if known:
        r1, r2, r3 = _quartiles(known)
        said += f"；公开率{len(known)}个机关可比，中位数{r2:.0f}%，四分位{r1:.0f}%–{r3:.0f}%"
    return _chart(key, base + said + "；灰点为各机关，箱体为四分位；各机关的数字见上面的排名表，可按新收申请排序）", draw, height=2.0,
                  left=0.04, right=0.98, bottom=0.24, top=0.97, wspace=0.1)


def score_changes(names: list[str], before: list[float], after: list[float]) -> Chart:
    """Last year's score to this year's, one arrow per agency; more than PEER_LIMIT agencies as one dot each
    (last year across, this year up: below the diagonal fell)."""
    if len(names) > PEER_LIMIT:
        return _change_scatter(before, after)
    order = sorted(range(len(names)), key=lambda i: after[i] - before[i])

    def draw(fig):
        ax = fig.subplots()
        for row, i in enumerate(order):
            colour = _HIGHLIGHT if after[i] < before[i] else _PALETTE[1]
            ax.annotate("", xy=(after[i], row), xytext=(before[i], row),
                        arrowprops={"arrowstyle": "->", "color": colour, "lw": 1.5})
            ax.plot([before[i]], [row], "o", color=_MUTED, ms=4)
        ax.set_yticks(range(len(order)), [names[i] for i in order])
        ax.set_xlim(0, 105)
        ax.set_ylim(-0.7, len(order) - 0.3)
        ax.set_xlabel("合规得分：上年（圆点）→ 本年（箭头）")

    h = _height(len(names))
    return _chart("changes", "与上年相比的得分变化", draw, height=h, left=0.3, bottom=0.5 / h, top=1 - 0.1 / h)


def _change_scatter(before: list[float], after: list[float]) -> Chart:
    fell = sum(1 for b, a in zip(before, after) if a < b)
    rose = sum(1 for b, a in zip(before, after) if a > b)

    def draw(fig):
        ax = fig.subplots()
        colours = [_HIGHLIGHT if a < b else _PALETTE[1] if a > b else "#7f8c8d" for b, a in zip(before, after)]
        ax.plot([0, 100], [0, 100], color="#999999", lw=1, ls="--")
        ax.scatter(before, after, s=9, c=colours, alpha=0.6, linewidths=0)
        ax.set_xlim(0, 102)
        ax.set_ylim(0, 102)
        ax.set_aspect("equal")
        ax.set_xlabel("上年合规得分")
        ax.set_ylabel("本年合规得分")

    return _chart("changes", f"与上年相比的得分变化：{len(before)}个机关，上升{rose}个（绿），下降{fell}个（红，虚线以下），"
                  f"其余持平", draw, width=4.4, height=4.0, left=0.14, right=0.97, bottom=0.12, top=0.97)
