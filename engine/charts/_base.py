"""The shapes curve data come in, the one sort every ranking curve is built from, and thinning."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.errors import EngineError

MAX_POINTS = 2000
MICRO, MACRO = "micro", "macro"
NAN = float("nan")


@dataclass(frozen=True)
class Curve:
    """One line of a chart.

    Attributes:
        label: class name, ``micro`` or ``macro``.
        x, y: the points, at most ``MAX_POINTS`` of them.
        threshold: the score cut at each point (``inf`` before the first, NaN where none).
        area: AUC for ROC, average precision for PR; NaN for other kinds.
        baseline: share of the class in ``y_true`` (chance level of PR, ideal of gains).
        count: rows behind each point (calibration bins); None elsewhere.
    """

    label: str
    x: np.ndarray
    y: np.ndarray
    threshold: np.ndarray
    area: float = NAN
    baseline: float = NAN
    count: np.ndarray | None = None


@dataclass(frozen=True)
class CurveSet:
    """The lines of one chart; ``kind`` is ``roc``, ``pr``, ``gains``, ``lift`` or
    ``calibration``."""

    kind: str
    curves: tuple[Curve, ...]

    def get(self, label: str) -> Curve:
        """The line of one class (or ``micro`` / ``macro``)."""
        for curve in self.curves:
            if curve.label == label:
                return curve
        raise EngineError(f"No curve named '{label}'; choose from: "
                          f"{', '.join(c.label for c in self.curves)}.")

    def select(self, *labels: str) -> CurveSet:
        """Only the named lines, in the order given (e.g. the positive class of a binary task)."""
        return CurveSet(self.kind, tuple(self.get(label) for label in labels))


@dataclass(frozen=True)
class Ranked:
    """Counts when predicting positive for ``score >= t``, at each distinct ``t`` going down."""

    tps: np.ndarray
    fps: np.ndarray
    thresholds: np.ndarray

    @property
    def positives(self) -> float:
        return float(self.tps[-1]) if len(self.tps) else 0.0

    @property
    def negatives(self) -> float:
        return float(self.fps[-1]) if len(self.fps) else 0.0


def rank(is_pos: np.ndarray, score: np.ndarray) -> Ranked:
    """One descending sort of the scores, then cumulative counts at each distinct score."""
    order = np.argsort(-score)
    score, hits = score[order], is_pos[order]
    last = np.r_[np.flatnonzero(np.diff(score)), len(score) - 1] if len(score) else np.arange(0)
    tps = np.cumsum(hits, dtype=np.float64)[last]
    return Ranked(tps=tps, fps=1.0 + last - tps, thresholds=score[last])


def one_vs_rest(y_true: np.ndarray, proba: np.ndarray,
                classes: Sequence[str]) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(class name, is-this-class 0/1 vector, its probability column) for each class."""
    y_true, proba = np.asarray(y_true), np.asarray(proba, dtype=float)
    if proba.ndim != 2 or proba.shape[1] != len(classes):
        raise EngineError(f"Expected probabilities with one column per class ({len(classes)}), "
                          f"got shape {proba.shape}.")
    return [(str(name), (y_true == c).astype(np.int8), proba[:, c])
            for c, name in enumerate(classes)]


def micro(y_true: np.ndarray, proba: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (row, class) pair as one binary problem: the micro average's input."""
    proba = np.asarray(proba, dtype=float)
    hot = np.asarray(y_true)[:, None] == np.arange(proba.shape[1])[None, :]
    return hot.ravel().astype(np.int8), proba.ravel()


def ratio(num: np.ndarray, den: float) -> np.ndarray:
    """``num / den``, all NaN when ``den`` is not positive."""
    return num / den if den > 0 else np.full(len(num), np.nan)


def thin_indices(x: np.ndarray, y: np.ndarray, max_points: int = MAX_POINTS) -> np.ndarray:
    """Indices of at most ``max_points`` points of a line, first and last included.

    Half are spread evenly along the drawn path (so steep parts keep their shape), half evenly
    by position (so dense parts keep theirs).
    """
    n = len(x)
    if n <= max_points:
        return np.arange(n)
    half = (max_points - 2) // 2
    by_position = np.linspace(0, n - 1, half).round().astype(np.intp)
    if np.all(np.isfinite(x)) and np.all(np.isfinite(y)):
        span_x, span_y = np.ptp(x) or 1.0, np.ptp(y) or 1.0
        path = np.r_[0.0, np.cumsum(np.hypot(np.diff(x) / span_x, np.diff(y) / span_y))]
        by_path = np.searchsorted(path, np.linspace(0.0, path[-1], half)).clip(0, n - 1)
    else:
        by_path = np.linspace(0, n - 1, max_points - 2 - half).round().astype(np.intp)
    return np.unique(np.r_[0, by_position, by_path, n - 1])


def curve(label: str, x: np.ndarray, y: np.ndarray, threshold: np.ndarray, *,
          area: float = NAN, baseline: float = NAN) -> Curve:
    """A curve thinned for drawing from its full points."""
    keep = thin_indices(x, y)
    return Curve(label, x[keep], y[keep], threshold[keep], float(area), float(baseline))
