"""Geometry for the dashboard's server-rendered SVG charts.

Each chart carries its figures as text beside the shapes (and a text alternative), so that it
reads without colour and without sight of the picture.
"""

from dataclasses import dataclass

WIDTH = 240  # drawing width of a full scale, in SVG units
BAR_HEIGHT = 14
ROW_HEIGHT = 22
LABEL_WIDTH = 170


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str
    y: int
    width: float


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    height: int
    label_width: int = LABEL_WIDTH
    full_width: int = WIDTH

    @property
    def total_width(self) -> int:
        return self.label_width + self.full_width + 50


def criterion_bars(criteria, means: dict[int, float]) -> BarChart:
    """One bar per criterion: the idea's mean score, as a share of that criterion's scale."""
    bars = []
    for index, criterion in enumerate(criteria):
        mean = means.get(criterion.pk)
        if mean is None:
            continue
        share = (mean - criterion.scale_min) / (criterion.scale_max - criterion.scale_min)
        bars.append(
            Bar(
                label=criterion.name,
                value=mean,
                text=f"{mean:.1f} / {criterion.scale_max}",
                y=index * ROW_HEIGHT,
                width=round(max(share, 0) * WIDTH, 1),
            )
        )
    return BarChart(bars=bars, height=max(len(criteria), 1) * ROW_HEIGHT)


@dataclass(frozen=True)
class Strip:
    """One juror's totals as marks along the round's scale, with their mean marked."""

    marks: list[float]
    mean_x: float
    width: int = WIDTH
    height: int = 30

    @property
    def total_width(self) -> int:
        return self.width + 20


def juror_strip(totals: tuple[float, ...], mean: float, scale: tuple[float, float]) -> Strip:
    low, high = scale

    def x(value: float) -> float:
        return round(10 + (value - low) / (high - low) * WIDTH, 1)

    return Strip(marks=[x(t) for t in totals], mean_x=x(mean))


def count_bars(counts: list[tuple[str, int]]) -> BarChart | None:
    """One bar per label: its count, as a share of the largest count."""
    if not counts:
        return None
    largest = max(count for _label, count in counts) or 1
    bars = [
        Bar(
            label=label,
            value=count,
            text=str(count),
            y=index * ROW_HEIGHT,
            width=round(count / largest * WIDTH, 1),
        )
        for index, (label, count) in enumerate(counts)
    ]
    return BarChart(bars=bars, height=len(bars) * ROW_HEIGHT)


def score_bars(scores: list[tuple[str, float]], scale: tuple[float, float]) -> BarChart | None:
    """One bar per idea: its mean score, as a share of the round's scale."""
    if not scores:
        return None
    low, high = scale
    bars = [
        Bar(
            label=label,
            value=score,
            text=f"{score:.2f}",
            y=index * ROW_HEIGHT,
            width=round(max((score - low) / ((high - low) or 1), 0) * WIDTH, 1),
        )
        for index, (label, score) in enumerate(scores)
    ]
    return BarChart(bars=bars, height=len(bars) * ROW_HEIGHT)
