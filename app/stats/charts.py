"""Charts drawn on the server as inline SVG: the geometry is computed here, the markup
written by templates/stats/_charts.html. No script, no image request; 240 units wide, so
one unit is one pixel on a 240 px screen and the text stays readable there; the same
numbers always follow in a table."""
from dataclasses import dataclass, field

WIDTH = 240
LEFT = 30  # room for the scale's numbers
TOP = 14
PLOT_HEIGHT = 100
LABEL_ROW = 14


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int


@dataclass
class Chart:
    width: int
    height: int
    scale_max: int
    bars: list[Bar] = field(default_factory=list)
    lines: list[dict] = field(default_factory=list)  # {"name", "path", "points": [(x, y)]}
    baseline: float = 0.0


def _nice(value: float) -> int:
    """A round number at or above `value` for the top of the scale: 1, 2, 5 times a power of ten."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def columns(values: list[int], labels: list[str], height: int = PLOT_HEIGHT, scale: int | None = None) -> Chart:
    """Vertical bars, one per value (a month), on a scale from 0 to a round maximum (or to
    the `scale` several charts share)."""
    top = _nice(max(values, default=0) if scale is None else scale)
    slot = (WIDTH - LEFT) / max(1, len(values))
    gap = min(2.0, slot / 4)
    baseline = TOP + height
    chart = Chart(width=WIDTH, height=baseline + LABEL_ROW + 4, scale_max=top, baseline=baseline)
    for index, (value, label) in enumerate(zip(values, labels, strict=True)):
        bar_height = round(height * value / top, 1)
        chart.bars.append(Bar(x=round(LEFT + index * slot + gap / 2, 1), y=round(baseline - bar_height, 1),
                              width=round(slot - gap, 1), height=bar_height, label=label, value=value))
    return chart


def rows(values: list[int], labels: list[str], row_height: int = 30, top: int | None = None) -> Chart:
    """Horizontal bars, the label above each (long Vietnamese names need the whole width)."""
    top = top or _nice(max(values, default=0))
    chart = Chart(width=WIDTH, height=len(values) * row_height + 4, scale_max=top)
    usable = WIDTH - 40  # the value is written after the bar
    for index, (value, label) in enumerate(zip(values, labels, strict=True)):
        chart.bars.append(Bar(x=0, y=index * row_height + 16, width=round(usable * value / top, 1), height=10,
                              label=label, value=value))
    return chart


def lines(series: dict[str, list[float | None]], labels: list[str], top: float | None = None,
          height: int = PLOT_HEIGHT) -> Chart:
    """One line per series over the same months; a month with no value (None) breaks the line."""
    values = [v for points in series.values() for v in points if v is not None]
    scale = int(top) if top else _nice(max(values, default=0))
    count = max(1, len(labels))
    slot = (WIDTH - LEFT) / count
    baseline = TOP + height
    chart = Chart(width=WIDTH, height=baseline + LABEL_ROW + 4, scale_max=scale, baseline=baseline)
    chart.bars = [Bar(x=round(LEFT + i * slot + slot / 2, 1), y=baseline, width=0, height=0, label=label, value=0)
                  for i, label in enumerate(labels)]
    for name, points in series.items():
        path, drawn, pen_down = [], [], False
        for index, value in enumerate(points):
            if value is None:
                pen_down = False
                continue
            x = round(LEFT + index * slot + slot / 2, 1)
            y = round(baseline - height * value / scale, 1)
            path.append(f"{'L' if pen_down else 'M'}{x} {y}")
            drawn.append((x, y))
            pen_down = True
        chart.lines.append({"name": name, "path": "".join(path), "points": drawn})
    return chart
