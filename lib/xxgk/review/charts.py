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
    img = rgba.convert("RGB").quantize(colors=48, dither=Image.Dither.NONE)
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
    """Load the CJK font and matplotlib's drawing machinery once, with no agency's data.

    The batch's kernel zygote calls this so every forked review starts with them ready.
    """

    def draw(fig):
        ax = fig.subplots()
        bars = ax.bar(["收到", "办结"], [1, 2], color=_BASE, label="预热")
        _bar_labels(ax, bars, [1, 2])
        ax.legend(fontsize=7)

    _chart("warm-up", "预热", draw)


def _values(facts: list[Fact]) -> list[float]:
    return [f.value if f.known else 0 for f in facts]


def _counts(axis) -> None:
    """Counts of applications and cases are whole numbers: no 2.5 on an axis."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def _bar_labels(ax, bars, values) -> None:
    ax.bar_label(bars, labels=[_fmt(v) for v in values], padding=2, fontsize=8)


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
        bars = ax.barh(labels[::-1], vals[::-1], color=_BASE)
        _bar_labels(ax, bars, vals[::-1])
        ax.set_xlabel("件")
        _counts(ax.xaxis)

    return _chart("outcomes", "办理结果构成", draw, left=0.13)


def applicants(f: Facts) -> Chart:
    def draw(fig):
        ax = fig.subplots()
        vals = _values(f.applicants)
        bars = ax.bar([a.label for a in f.applicants], vals, color=[_BASE] + [_MUTED] * (len(vals) - 1))
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
            vals = [f.review[g][j].value or 0 for g in groups]
            xs = [i + (j - (len(results) - 1) / 2) * width for i in range(len(groups))]
            bars = ax.bar(xs, vals, width=width, color=_PALETTE[j], label=name)
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


PEER_LIMIT = 30  # a bar chart of more agencies than this shows only some rows:
PEER_ROWS = (12, 6, 3)  # in a review, the first, the last and the agency's neighbours on each side
RANK_ROWS = (15, 15)  # in the overview, the first and the last (the full ranking is the table beside it)


def _window(total: int, current: int | None, first: int, last: int, around: int = 0) -> list[tuple[int | None, int]]:
    """Rows to draw: (index, 0) for a kept row, (None, rows left out) for a gap."""
    if total <= PEER_LIMIT:
        return [(i, 0) for i in range(total)]
    near = range(max(0, current - around), min(total, current + around + 1)) if current is not None else ()
    keep = sorted({*range(first), *range(total - last, total), *near})
    out, prev = [], -1
    for i in keep:
        if i > prev + 1:
            out.append((None, i - prev - 1))
        out.append((i, 0))
        prev = i
    return out


def peers(names: list[str], received: list[Fact], rates: list[float | None], current: int, level: str = "") -> Chart:
    """This agency (highlighted) against the others of its region (of its level, when given): applications
    and disclosure rate. A long list keeps its first and last rows and this agency's neighbours, the rows
    left out counted in one line each, so the chart stays one picture however large the region."""
    total = len(names)
    rows = _window(total, current, *PEER_ROWS)
    names = [names[i] if i is not None else f"（另{gap}个机关）" for i, gap in rows]
    received = [received[i] if i is not None else Fact("", None) for i, _ in rows]
    rates = [rates[i] if i is not None else None for i, _ in rows]
    current = next(k for k, (i, _) in enumerate(rows) if i == current)
    n = len(names)

    def draw(fig):
        left, right = fig.subplots(1, 2, sharey=True)
        colors = [_HIGHLIGHT if i == current else _MUTED for i in range(n)]
        vals = _values(received)
        gaps = {k for k, (i, _) in enumerate(rows) if i is None}
        at = range(n)  # positions, not names: two gap lines may read alike
        bars = left.barh(at, vals, color=colors)
        left.set_yticks(at, names)
        left.bar_label(bars, labels=["" if k in gaps else _fmt(v) for k, v in enumerate(vals)], padding=2, fontsize=8)
        left.invert_yaxis()
        left.set_xlabel("新收申请（件）")
        _counts(left.xaxis)
        rate_vals = [r if r is not None else 0 for r in rates]
        bars = right.barh(at, rate_vals, color=colors)
        right.bar_label(bars, labels=["" if k in gaps else "—" if r is None else f"{r:.0f}%" for k, r in enumerate(rates)],
                        padding=2, fontsize=8)
        right.set_xlim(0, 115)
        right.set_xlabel("公开率（%）")
        label = left.get_yticklabels()[current]  # a zero bar is invisible: mark the name too
        label.set_color(_HIGHLIGHT)
        label.set_fontweight("bold")

    height = max(2.4, 0.3 * n + 0.8)
    who = f"与本地区其他{level}比较（同级机关；" if level else "与本地区其他机关比较（"
    if n < total:
        who += f"共{total}个，列出前{PEER_ROWS[0]}、后{PEER_ROWS[1]}及本机关前后各{PEER_ROWS[2]}个；"
    return _chart("peers", f"{who}红色为本机关；公开率以办结总数为基数，办结不足{MIN_RATE_BASE}件不计）", draw,
                  height=height, left=0.24, bottom=0.55 / height, top=1 - 0.15 / height, wspace=0.08)


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


def ranking(names: list[str], scores: list[float], level: str = "", tag: str = "") -> Chart:
    """Scores ranked; given a level, the agencies are of that one level (peers compared within a level)."""
    order = sorted(range(len(names)), key=lambda i: -scores[i])
    rows = [(order[k] if k is not None else None, gap) for k, gap in _window(len(order), None, *RANK_ROWS)]

    def draw(fig):
        ax = fig.subplots()
        vals = [scores[i] if i is not None else 0 for i, _ in rows]
        colors = [_HIGHLIGHT if v < 60 else _PALETTE[3] if v < 75 else _BASE for v in vals]
        at = range(len(rows))
        bars = ax.barh(at, vals, color=colors)
        ax.set_yticks(at, [names[i] if i is not None else f"（另{gap}个机关）" for i, gap in rows])
        ax.bar_label(bars, labels=[_fmt(v) if i is not None else "" for v, (i, _) in zip(vals, rows)], padding=2,
                     fontsize=8)
        ax.invert_yaxis()
        ax.set_xlim(0, 110)
        ax.set_xlabel("合规得分（红：低于60；橙：低于75）")

    h = _height(len(rows))
    title = f"{level}合规得分排名（同级机关比较）" if level else "各机关合规得分排名"
    if len(rows) < len(names):
        title += f"：共{len(names)}个，列出前{RANK_ROWS[0]}与后{RANK_ROWS[1]}个"
    return _chart(f"ranking-{tag}" if tag else "ranking", title, draw, height=h, left=0.3, bottom=0.5 / h, top=1 - 0.1 / h)


def rule_heatmap(agencies: list[str], rules: list[str], counts: list[list[int]]) -> Chart:
    """Agencies × rules, coloured by the number of failed places."""

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


def volumes(names: list[str], received: list[float], rates: list[float | None], level: str = "",
            tag: str = "") -> Chart:
    """Applications and disclosure rates, one bar per agency; given a level, the agencies of that level."""
    order = sorted(range(len(names)), key=lambda i: -received[i])
    rows = [(order[k] if k is not None else None, gap) for k, gap in _window(len(order), None, *RANK_ROWS)]

    def draw(fig):
        left, right = fig.subplots(1, 2, sharey=True)
        at = range(len(rows))
        vals = [received[i] if i is not None else 0 for i, _ in rows]
        bars = left.barh(at, vals, color=_BASE)
        left.set_yticks(at, [names[i] if i is not None else f"（另{gap}个机关）" for i, gap in rows])
        left.bar_label(bars, labels=[_fmt(v) if i is not None else "" for v, (i, _) in zip(vals, rows)], padding=2,
                       fontsize=8)
        left.invert_yaxis()
        left.set_xlabel("新收申请（件）")
        _counts(left.xaxis)
        rs = [rates[i] if i is not None else None for i, _ in rows]
        bars = right.barh(at, [r or 0 for r in rs], color=_MUTED)
        right.bar_label(bars, labels=["" if i is None else "样本不足" if r is None else f"{r:.0f}%"
                                      for r, (i, _) in zip(rs, rows)], padding=2, fontsize=8)
        right.set_xlim(0, 125)
        right.set_xlabel("公开率（%）")

    h = _height(len(rows))
    shown = f"；共{len(names)}个，列出前{RANK_ROWS[0]}与后{RANK_ROWS[1]}个" if len(rows) < len(names) else ""
    return _chart(f"volumes-{tag}" if tag else "volumes",
                  f"{level}申请量与公开率（公开率仅对办结不少于{MIN_RATE_BASE}件的机关计算{shown}）", draw, height=h, left=0.3,
                  bottom=0.5 / h, top=1 - 0.1 / h, wspace=0.08)


def score_changes(names: list[str], before: list[float], after: list[float]) -> Chart:
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
