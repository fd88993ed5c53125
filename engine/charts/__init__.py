"""Chart data of the model report: plain numbers (dataclasses, arrays, DataFrames), no drawing.

Curves are computed on all rows and thinned to at most ``MAX_POINTS`` exact points for drawing;
:mod:`engine.figures` draws them.
"""

from engine.charts._base import MACRO, MAX_POINTS, MICRO, Curve, CurveSet
from engine.charts._classification import (
    calibration_data,
    confusion_frame,
    gains_curve_data,
    lift_curve_data,
    pr_curve_data,
    roc_curve_data,
)
from engine.charts._regression import (
    PERCENTILES,
    PredictedVsTrueData,
    ResidualsData,
    predicted_vs_true_data,
    residuals_data,
)
from engine.charts._threshold import best_cost_threshold, threshold_table

__all__ = [
    "MACRO",
    "MAX_POINTS",
    "MICRO",
    "PERCENTILES",
    "Curve",
    "CurveSet",
    "PredictedVsTrueData",
    "ResidualsData",
    "best_cost_threshold",
    "calibration_data",
    "confusion_frame",
    "gains_curve_data",
    "lift_curve_data",
    "pr_curve_data",
    "predicted_vs_true_data",
    "residuals_data",
    "roc_curve_data",
    "threshold_table",
]
