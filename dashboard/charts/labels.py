"""Where a chart's text labels go so that they cover neither each other nor the points nor the axes,
at every width the chart is drawn at. Pure geometry in pixels, no Plotly, no Streamlit.

Plotly places an annotation's text at a fixed pixel offset from its point, and the points spread out
as the chart widens while the offsets stay. So labels placed apart at the narrowest plot (a phone)
stay apart at every wider one: the layout is worked out once, for MIN_PLOT (the plot of a 390 px
wide page), and holds from there up. A label that finds no free place is left out (the page names it
in words instead)."""
from __future__ import annotations

from dataclasses import dataclass

# The plot area of a chart on a 390 px page (Streamlit's padding and the figure's margins taken off;
# the legend under the plot wraps to several rows there): the narrowest a chart is drawn. The
# trajectory's plot is taller (a taller figure, a longer legend).
MIN_PLOT = (270.0, 180.0)
MIN_TRAJECTORY_PLOT = (270.0, 230.0)
CHAR_PX = 6.4  # the widest average character of an 11 px label (Source Sans; digits and capitals)
LABEL_HEIGHT = 16.0
POINT_RADIUS = 7.0


def text_width(text: str) -> float:
    """An upper estimate of an 11 px label's width in pixels, its padding included."""
    return CHAR_PX * len(text) + 6


@dataclass(frozen=True)
class Box:
    """A rectangle in plot pixels, y upwards: left, bottom, right, top."""
    left: float
    bottom: float
    right: float
    top: float

    def meets(self, other: "Box") -> bool:
        return self.left < other.right and other.left < self.right and self.bottom < other.top and other.bottom < self.top

    def inside(self, width: float, height: float) -> bool:
        return self.left >= 0 and self.right <= width and self.bottom >= 0 and self.top <= height


@dataclass(frozen=True)
class Placement:
    """A label placed: ay, the pixel offset of its box from its point (negative: above, Plotly's
    sense), xanchor and yanchor of the box at the end of its leader line."""
    ay: float
    xanchor: str
    yanchor: str


def point_box(x: float, y: float) -> Box:
    return Box(x - POINT_RADIUS, y - POINT_RADIUS, x + POINT_RADIUS, y + POINT_RADIUS)


def _label_box(x: float, y: float, width: float, placement: Placement) -> Box:
    left = {"left": x, "center": x - width / 2, "right": x - width}[placement.xanchor]
    bottom = y - placement.ay if placement.yanchor == "bottom" else y - placement.ay - LABEL_HEIGHT
    return Box(left, bottom, left + width, bottom + LABEL_HEIGHT)


def candidates(levels: int = 8) -> list[Placement]:
    """Where a label may go, nearest first: above its point, then below, each centred or to one side,
    one row (LABEL_HEIGHT) further away per level."""
    found = []
    for level in range(levels):
        gap = 12 + LABEL_HEIGHT * level
        for ay, yanchor in ((-gap, "bottom"), (gap, "top")):
            for xanchor in ("center", "left", "right"):
                found.append(Placement(ay, xanchor, yanchor))
    return found


def place_labels(labels: list[tuple[float, float, str]], points: list[tuple[float, float]],
                 obstacles: list[Box] = (), size: tuple[float, float] = MIN_PLOT) -> list[Placement | None]:
    """A placement per label (None: no free place), in the order given (the most important first).

    labels: (x, y, text) with x and y as fractions of the plot (0 to 1, y upwards); points: every
    point drawn, the same way; obstacles: boxes in pixels of the plot of the given size (other
    labels, lines' labels). A placed label lies inside the plot and meets no point, no obstacle and
    no label placed before it."""
    width, height = size
    taken = [point_box(x * width, y * height) for x, y in points] + list(obstacles)
    placed: list[Placement | None] = []
    for x, y, text in labels:
        px, py, text_px = x * width, y * height, text_width(text)
        choice = None
        for placement in candidates():
            box = _label_box(px, py, text_px, placement)
            if box.inside(width, height) and not any(box.meets(other) for other in taken):
                choice = placement
                taken.append(box)
                break
        placed.append(choice)
    return placed


def line_label_boxes(annotations, y_range, size: tuple[float, float]) -> list[Box]:
    """The boxes, in pixels of a plot of the given size, of the labels of a figure's horizontal lines
    (charts.log_hline: x in paper units at an edge, y in log10 units of the y range) among its
    annotations (objects with Plotly's annotation attributes)."""
    if y_range is None:
        return []
    width, height = size
    boxes = []
    for annotation in annotations:
        if annotation.xref != "paper" or annotation.yref != "y" or annotation.showarrow or annotation.text is None:
            continue
        text_px = text_width(annotation.text)
        left = annotation.x * width if annotation.xanchor == "left" else annotation.x * width - text_px
        line = (annotation.y - y_range[0]) / (y_range[1] - y_range[0]) * height
        bottom = line if annotation.yanchor == "bottom" else line - LABEL_HEIGHT
        boxes.append(Box(left, bottom, left + text_px, bottom + LABEL_HEIGHT))
    return boxes
