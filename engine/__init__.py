"""The engine's public front: what the pages and the CLI may use. Never imports streamlit."""

from engine.data import ROLES, Table, coerce_frame, infer_roles, load_table, prepare_target, \
    profile_frame, suggest_task
from engine.errors import EngineError
from engine.explain import LOG_ODDS, LOG_PREDICTION, PREDICTION, PROBABILITY, RAW_SCORE, \
    ExplainSettings, Explainer, Explanation, beeswarm_frame, dependence_frame, importance_frame, \
    interaction_feature, raw_contributions, waterfall_frame, whatif
from engine.explain_figures import LABELS as EXPLAIN_LABELS
from engine.explain_figures import figure_beeswarm, figure_dependence, figure_importance, \
    figure_waterfall
from engine.export import model_bundle, training_script
from engine.explain_store import ExplainPlan, ExplainRows, ExplainStatus, StoredExplanation, \
    explain_frame, explain_model, explanation_status, load_explainer, load_explanation, \
    load_validation_rows, plan_explanation, start_explain
from engine.featurize import FEATURIZATION_STEPS
from engine.figures import figure_confusion, figure_threshold
from engine.fitted import load_model, predict_frame
from engine.metrics import METRICS, default_metric, get_metric, metrics_for
from engine.models import MODELS, models_for
from engine.report import REPORT_TEXTS, SPLITS, ModelReport, ThresholdPoint, best_threshold, \
    has_test_set, model_metrics_frame, model_report, report_figures, report_splits, \
    save_threshold, saved_threshold, score_on_test, threshold_point
from engine.report_html import report_html
from engine.results import RunInfo, delete_run, get_run, leaderboard_frame, list_runs, \
    runs_comparison_frame, trials_frame
from engine.run import cancel_run, create_run, execute_run, start_run
from engine.samples import SAMPLES, load_sample
from engine.scoring import Scored, score_table
from engine.settings import TASKS, RunSettings, describe_validation, estimate_run_seconds
from engine.store import default_runs_dir

__all__ = [
    # data, settings, runs
    "FEATURIZATION_STEPS", "ROLES", "SAMPLES", "TASKS", "EngineError", "RunInfo", "RunSettings", "Table",
    "cancel_run", "coerce_frame", "create_run", "default_runs_dir", "delete_run",
    "describe_validation", "estimate_run_seconds", "execute_run", "get_run", "infer_roles",
    "leaderboard_frame", "list_runs", "load_model", "load_sample", "load_table",
    "predict_frame", "prepare_target", "profile_frame", "runs_comparison_frame", "start_run",
    "suggest_task", "trials_frame",
    # metrics and models
    "METRICS", "MODELS", "default_metric", "get_metric", "metrics_for", "models_for",
    # model report
    "REPORT_TEXTS", "SPLITS", "ModelReport", "ThresholdPoint", "best_threshold",
    "figure_confusion", "figure_threshold", "has_test_set", "model_metrics_frame",
    "model_report", "report_figures", "report_html", "report_splits", "save_threshold",
    "saved_threshold", "score_on_test", "threshold_point",
    # explanations
    "EXPLAIN_LABELS", "LOG_ODDS", "LOG_PREDICTION", "PREDICTION", "PROBABILITY", "RAW_SCORE",
    "ExplainPlan", "ExplainRows", "ExplainSettings", "ExplainStatus", "Explainer", "Explanation",
    "StoredExplanation", "beeswarm_frame", "dependence_frame", "explain_frame", "explain_model",
    "explanation_status", "figure_beeswarm", "figure_dependence", "figure_importance",
    "figure_waterfall", "importance_frame", "interaction_feature", "load_explainer",
    "load_explanation", "load_validation_rows", "plan_explanation", "raw_contributions",
    "start_explain", "waterfall_frame", "whatif",
    # predict and export
    "Scored", "model_bundle", "score_table", "training_script",
]
