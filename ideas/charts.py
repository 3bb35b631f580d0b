"""Geometry of the innovation page's metrics chart, drawn as server-side SVG.

Each metric gets its own pair of bars (before the pilot and after), scaled to the larger of
the two, because metrics come in different units. The figures are printed beside the bars and
repeated in the chart's text alternative and in the table beside it.
"""

from dataclasses import dataclass
from decimal import Decimal

BAR_WIDTH = 260  # drawing width of the larger value, in SVG units
LABEL_WIDTH = 0
ROW_HEIGHT = 64


@dataclass(frozen=True)
class MetricBars:
    name: str
    y: int
    baseline_width: float
    result_width: float
    baseline_text: str
    result_text: str


@dataclass(frozen=True)
class MetricChart:
    rows: list[MetricBars]
    height: int
    width: int = BAR_WIDTH + 120


def figure(value: Decimal | None, unit: str) -> str:
    if value is None:
        return "–"
    number = f"{value.normalize():f}"
    return f"{number} {unit}".strip() if unit != "%" else f"{number} %"


def metric_chart(metrics) -> MetricChart | None:
    """Metrics with both a baseline and a result, as bar pairs; None when there are none."""
    rows = []
    for metric in metrics:
        if metric.baseline is None or metric.result is None:
            continue
        largest = max(abs(metric.baseline), abs(metric.result)) or Decimal(1)
        y = len(rows) * ROW_HEIGHT
        rows.append(
            MetricBars(
                name=metric.name,
                y=y,
                baseline_width=round(float(abs(metric.baseline) / largest) * BAR_WIDTH, 1),
                result_width=round(float(abs(metric.result) / largest) * BAR_WIDTH, 1),
                baseline_text=figure(metric.baseline, metric.unit),
                result_text=figure(metric.result, metric.unit),
            )
        )
    if not rows:
        return None
    return MetricChart(rows=rows, height=len(rows) * ROW_HEIGHT)
