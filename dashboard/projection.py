"""Projection of a model's effective compute from its recent growth (a log-linear fit).

Effective compute in a training run grows roughly exponentially over weeks, so a straight line
through log10(compute) against time over the recent window extrapolates the date at which the
model would reach its next evaluation (k x C_eval) and its buffer edge (b x C_eval).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dashboard.reference import PROJECTION_WINDOW_DAYS


@dataclass(frozen=True)
class Projection:
    fit_start: pd.Timestamp
    fit_end: pd.Timestamp
    points_used: int
    log10_growth_per_day: float
    reached: dict[str, pd.Timestamp | None] = field(default_factory=dict)  # label -> date (None: not at this rate)
    already: dict[str, bool] = field(default_factory=dict)  # label -> target already reached

    @property
    def doubling_days(self) -> float | None:
        return math.log10(2) / self.log10_growth_per_day if self.log10_growth_per_day > 0 else None


def project(points: pd.DataFrame, targets: dict[str, float], *, window_days: int = PROJECTION_WINDOW_DAYS, min_points: int = 3,
            horizon_days: int = 3650) -> Projection | None:
    """Fit log10(effective_compute) = a + r * days over the last window_days of checkpoints.

    points: recorded_at, effective_compute. Returns None with fewer than min_points in the window
    (then the window widens to the last min_points checkpoints) or fewer than 2 distinct times.
    The line is anchored at the latest checkpoint (the fit gives only the growth rate), so the
    drawn projection continues the curve. A target is projected only when the fitted growth is
    positive and it is reached within horizon_days.
    """
    data = points.dropna(subset=["recorded_at", "effective_compute"]).sort_values("recorded_at")
    if len(data) < 2:
        return None
    times = pd.to_datetime(data["recorded_at"])
    end = times.iloc[-1]
    recent = data[times >= end - pd.Timedelta(days=window_days)]
    if len(recent) < min_points:
        recent = data.tail(min_points)
    recent_times = pd.to_datetime(recent["recorded_at"])
    days = (recent_times - recent_times.iloc[0]).dt.total_seconds().to_numpy() / 86400.0
    if np.ptp(days) == 0:
        return None
    logs = np.log10(recent["effective_compute"].astype(float).to_numpy())
    slope, _intercept = np.polyfit(days, logs, 1)
    current = float(data["effective_compute"].iloc[-1])
    reached: dict[str, pd.Timestamp | None] = {}
    already: dict[str, bool] = {}
    for label, target in targets.items():
        if target is None or not math.isfinite(target):
            continue
        already[label] = current >= target
        if already[label]:
            reached[label] = None
            continue
        if slope <= 0:
            reached[label] = None
            continue
        days_to = (math.log10(target) - math.log10(current)) / slope
        reached[label] = (end + pd.Timedelta(days=max(days_to, 0))).round("s") if days_to <= horizon_days else None
    return Projection(fit_start=recent_times.iloc[0], fit_end=end, points_used=len(recent),
                      log10_growth_per_day=float(slope), reached=reached, already=already)


def projection_line(points: pd.DataFrame, projection: Projection, until: pd.Timestamp) -> pd.DataFrame:
    """The fitted line from the start of the fit window to `until`, for drawing."""
    data = points.sort_values("recorded_at")
    # Anchored at the latest point so the projection continues the curve without a jump.
    end_log = math.log10(float(data["effective_compute"].iloc[-1]))
    span = (until - projection.fit_end).total_seconds() / 86400.0
    xs = [projection.fit_end, until]
    ys = [10 ** end_log, 10 ** (end_log + projection.log10_growth_per_day * max(span, 0))]
    return pd.DataFrame({"recorded_at": xs, "effective_compute": ys})
