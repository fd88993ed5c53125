"""Every session-state key of the studio, and the few accessors pages share.

Widgets are keyed and drawn with ``persist_state=KEEP`` so their values survive page switches;
``init_widgets`` (called by ``app.py``) gives them their starting values. The run being watched
also lives in the URL (``?run=<id>``) so that a page reload reattaches to it.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import streamlit as st

from engine import FEATURIZATION_STEPS

LANG = "lang"

# Data page
DATA = "data"                      # the training table (DataFrame)
DATA_NAME = "data_name"            # file name or sample key, shown to the user
DATA_SOURCE = "data_source"        # upload file id or "sample:<key>": reload only when it changes
DATA_WARNINGS = "data_warnings"    # reader warnings of the loaded table
ROLES = "roles"                    # column -> role, the user's edits included
TARGET = "target"                  # widget: the column to predict
PROFILE = "profile"                # (roles signature, profile frame) of the loaded table
UPLOAD = "upload"                  # widget: the data file uploader
SAMPLE_BUTTON = "sample_"          # widget prefix: one button per bundled sample

# Setup page (widgets)
TASK = "setup_task"
METRIC = "setup_metric"
VALIDATION = "setup_validation"    # auto | cv | holdout | file
FOLDS = "setup_folds"
HOLDOUT = "setup_holdout"
TEST_MODE = "setup_test_mode"      # none | fraction | file
TEST_FRACTION = "setup_test_fraction"
BUDGET_MINUTES = "setup_budget_minutes"
MAX_TRIALS = "setup_max_trials"    # 0: no limit
PATIENCE = "setup_patience"        # 0: off
MODELS = "setup_models"
SEED = "setup_seed"
ENSEMBLES = "setup_ensembles"
FEATURIZATION = "setup_featurization"  # the featurization steps left on
VALIDATION_UPLOAD = "setup_validation_upload"
TEST_UPLOAD = "setup_test_upload"
# Setup page (values)
VALIDATION_DATA = "validation_data"  # (file id, DataFrame) of the validation file
TEST_DATA = "test_data"              # (file id, DataFrame) of the test file
SETTINGS = "settings"                # the RunSettings the Setup page last built

# Run, Leaderboard, Runs pages
RUN_ID = "run_id"                  # the run being watched (mirrored in ?run=)
SELECTED_MODEL = "selected_model"  # (run_id, model_id) picked on the leaderboard
SHOW_PARAMS = "leaderboard_show_params"
KINDS = "leaderboard_kinds"
CANCEL_ASKED = "cancel_asked"      # run ids whose cancel this session asked for
DELETE_CANDIDATE = "delete_candidate"  # run id waiting for the delete confirmation
ROUTE_QUERY = "page"               # URL query parameter: the page a direct visit asked for
RUN_QUERY = "run"                  # URL query parameter of the watched run
MODEL_QUERY = "model"              # URL query parameter of the selected model

# Predict page
PREDICT_UPLOAD = "predict_upload"    # widget: the table to score
PREDICT_EXPLAIN = "predict_explain"  # widget: add per-row contributions
SCORED = "scored"                    # (run_id, model_id, file name, Scored) of the last scoring

KEEP = "session"                   # persist_state of every keyed widget: kept across pages
# Starting values of widgets whose default does not depend on the data.
DEFAULTS: dict[str, Any] = {
    VALIDATION: "auto", FOLDS: 5, HOLDOUT: 20, TEST_MODE: "none", TEST_FRACTION: 10,
    BUDGET_MINUTES: 5.0, MAX_TRIALS: 0, PATIENCE: 0, SEED: 0, ENSEMBLES: True,
    SHOW_PARAMS: False, PREDICT_EXPLAIN: False, FEATURIZATION: list(FEATURIZATION_STEPS),
}


_routed = False  # app.py has called st.navigation in this server process


def routed() -> bool:
    return _routed


def mark_routed() -> None:
    global _routed
    _routed = True


def require_app(page_file: str) -> None:
    """Send a direct visit of a page through ``app.py`` when it has not run yet.

    Until some session has run ``st.navigation``, Streamlit serves a URL like ``/run`` from the
    ``pages/`` folder without ``app.py`` (its old multipage mode): after a server restart, a
    reloaded ``/run?run=...`` would lose the sidebar and the language. ``app.py`` reads
    ``?page=`` and switches back to the page asked for, keeping the other query parameters.
    """
    if not _routed:
        st.switch_page("app.py", query_params={**st.query_params.to_dict(),
                                               ROUTE_QUERY: Path(page_file).stem})


def init_widgets() -> None:
    """Give widgets their starting values (once per session; the user's choices stay)."""
    for key, value in DEFAULTS.items():
        st.session_state.setdefault(key, value)


def language() -> str:
    """The interface language: the sidebar's choice, else the browser's, else English."""
    if LANG not in st.session_state:
        locale = st.context.locale or ""
        st.session_state[LANG] = "ja" if locale.lower().startswith("ja") else "en"
    return st.session_state[LANG]


def get(key: str, default: Any = None) -> Any:
    return st.session_state.get(key, default)


def put(key: str, value: Any) -> None:
    st.session_state[key] = value


def set_data(frame: Any, *, name: str, source: str, roles: dict[str, str],
             target: str | None, warnings: tuple[str, ...] | list[str] = ()) -> None:
    """A new training table replaces the old one and everything chosen for it."""
    for key in (TARGET, TASK, METRIC, MODELS, PROFILE, SETTINGS, VALIDATION_DATA, TEST_DATA):
        st.session_state.pop(key, None)
    st.session_state.update({DATA: frame, DATA_NAME: name, DATA_SOURCE: source, ROLES: roles,
                             DATA_WARNINGS: list(warnings)})
    if target is not None:
        st.session_state[TARGET] = target


def roles_editor(source: str) -> str:
    """Widget key of the roles editor of one loaded table (a new table starts with no edits)."""
    return f"roles_editor:{source}"


def leaderboard_table(run_id: str, model_ids: Iterable[int]) -> str:
    """Widget key of a leaderboard table; other rows shown make a new one (no stale selection)."""
    return f"leaderboard_table:{run_id}:{zlib.crc32(repr(tuple(model_ids)).encode())}"


def runs_table(run_ids: Iterable[str]) -> str:
    """Widget key of the runs table; a changed list of runs makes a new one."""
    return f"runs_table:{zlib.crc32(repr(tuple(run_ids)).encode())}"


def forget_task() -> None:
    """A new target: the task, metric and models are suggested afresh."""
    for key in (TASK, METRIC, MODELS, SETTINGS):
        st.session_state.pop(key, None)


def watched_run() -> str | None:
    """The run this tab follows: from the URL after a reload, else from the session."""
    from_url = st.query_params.get(RUN_QUERY)
    if from_url:
        st.session_state[RUN_ID] = from_url
    return st.session_state.get(RUN_ID)


def watch_run(run_id: str | None) -> None:
    """Follow this run (None: follow none), in the session and in the URL."""
    st.session_state[RUN_ID] = run_id
    if run_id is None:
        st.query_params.pop(RUN_QUERY, None)
    else:
        st.query_params[RUN_QUERY] = run_id


def select_model(run_id: str, model_id: int) -> None:
    st.session_state[SELECTED_MODEL] = (run_id, int(model_id))


def selected_model() -> tuple[str, int] | None:
    """(run_id, model_id) chosen on the leaderboard, or from ``?run=&model=`` after a reload."""
    run_id, model = st.query_params.get(RUN_QUERY), st.query_params.get(MODEL_QUERY)
    if run_id and model and model.isdigit():
        st.session_state[SELECTED_MODEL] = (run_id, int(model))
    return st.session_state.get(SELECTED_MODEL)


# Model page
COST_FP = "model_cost_fp"          # widget: cost of one false positive (threshold tool)
COST_FN = "model_cost_fn"          # widget: cost of one false negative


def model_widget(name: str, run_id: str, model_id: int) -> str:
    """Widget key of one model's report (split, compare, curves, threshold): each model keeps
    its own choices and starts from its own defaults."""
    return f"model_{name}:{run_id}:{model_id}"
