"""Setup: task, primary metric, validation, test data, budget, model families, seed and
featurization steps."""

import streamlit as st

from engine import (
    FEATURIZATION_STEPS,
    METRICS,
    RunSettings,
    default_metric,
    load_table,
    metrics_for,
    models_for,
    suggest_task,
)
from engine.settings import TASKS
from pages import _state
from pages._i18n import family_name, metric_help, metric_name, t, task_name
from pages._widgets import FILE_TYPES, call, start_button, summary

_state.require_app(__file__)

VALIDATIONS = ("auto", "cv", "holdout", "file")
TEST_MODES = ("none", "fraction", "file")


def explained(metric: str) -> str:
    """The metric's one-line explanation and which way is better."""
    better = (t("setup.higher_better") if METRICS[metric].greater_is_better
              else t("setup.lower_better"))
    return t("setup.metric_caption", help=metric_help(metric), direction=better)


def uploaded_table(label: str, uploader_key: str, state_key: str) -> None:
    """An extra table (validation or test file), read once per upload."""
    upload = st.file_uploader(label, type=FILE_TYPES, key=uploader_key)
    if upload is None:
        _state.put(state_key, None)
    elif (_state.get(state_key) or (None,))[0] != upload.file_id:
        table = call(load_table, upload, name=upload.name)
        _state.put(state_key, None if table is None else (upload.file_id, table.frame))


st.title(t("setup.title"))
frame, target = _state.get(_state.DATA), _state.get(_state.TARGET)
if frame is None or target is None:
    st.info(t("setup.need_data"), icon=":material/table_view:")
    st.page_link("pages/data.py", label=t("nav.data"), icon=":material/arrow_back:")
    st.stop()

suggested = call(suggest_task, frame[target]) or TASKS[0]
if _state.get(_state.TASK) not in TASKS:
    _state.put(_state.TASK, suggested)
keep = _state.KEEP
left, right = st.columns(2, gap="large")
with left:
    task = st.segmented_control(t("setup.task"), TASKS, format_func=task_name, required=True,
                                key=_state.TASK, persist_state=keep)
    st.caption(t("setup.task_suggested", task=task_name(suggested), target=target))
    metrics = metrics_for(task)
    if _state.get(_state.METRIC) not in metrics:
        _state.put(_state.METRIC, default_metric(task))
    metric = st.selectbox(t("setup.metric"), metrics, format_func=metric_name,
                          key=_state.METRIC, persist_state=keep)
    st.caption(explained(metric))
    with st.expander(t("setup.metric_all")):
        st.markdown("\n".join(f"- **{metric_name(m)}** — {explained(m)}" for m in metrics))

    validation = st.radio(t("setup.validation"), VALIDATIONS, horizontal=True,
                          format_func=lambda v: t(f"setup.validation_{v}"),
                          key=_state.VALIDATION, persist_state=keep)
    spec = "auto"
    if validation == "cv":
        folds = st.number_input(t("setup.folds"), 2, 20, key=_state.FOLDS, persist_state=keep)
        spec = f"cv:{folds}"
    elif validation == "holdout":
        share = st.slider(t("setup.holdout"), 5, 50, step=5, format="%d%%",
                          key=_state.HOLDOUT, persist_state=keep)
        spec = f"holdout:{share / 100}"
    if validation == "file":
        uploaded_table(t("setup.validation_upload"), _state.VALIDATION_UPLOAD,
                       _state.VALIDATION_DATA)
    else:
        _state.put(_state.VALIDATION_DATA, None)

    test_mode = st.radio(t("setup.test"), TEST_MODES, horizontal=True, help=t("setup.test_help"),
                         format_func=lambda v: t(f"setup.test_{v}"),
                         key=_state.TEST_MODE, persist_state=keep)
    test_fraction = None
    if test_mode == "fraction":
        share = st.slider(t("setup.test_fraction"), 5, 40, step=5, format="%d%%",
                          key=_state.TEST_FRACTION, persist_state=keep)
        test_fraction = share / 100
    if test_mode == "file":
        uploaded_table(t("setup.test_upload"), _state.TEST_UPLOAD, _state.TEST_DATA)
    else:
        _state.put(_state.TEST_DATA, None)

with right:
    st.markdown(f"**{t('setup.budget')}**")
    minutes = st.number_input(t("setup.budget_minutes"), 0.1, 24 * 60.0, step=0.5,
                              key=_state.BUDGET_MINUTES, persist_state=keep)
    max_trials = st.number_input(t("setup.max_trials"), 0, 100_000, help=t("setup.zero_off"),
                                 key=_state.MAX_TRIALS, persist_state=keep)
    patience = st.number_input(t("setup.patience"), 0, 10_000, help=t("setup.zero_off"),
                               key=_state.PATIENCE, persist_state=keep)
    families = models_for(task)
    chosen = _state.get(_state.MODELS)
    _state.put(_state.MODELS, families if chosen is None else [m for m in chosen if m in families])
    models = st.multiselect(t("setup.models"), families, format_func=family_name,
                            placeholder=t("setup.models_placeholder"),
                            key=_state.MODELS, persist_state=keep)
    ensembles = st.checkbox(t("setup.ensembles"), help=t("setup.ensembles_help"),
                            key=_state.ENSEMBLES, persist_state=keep)
    seed = st.number_input(t("setup.seed"), 0, 2**31 - 1, key=_state.SEED, persist_state=keep)
    steps = st.multiselect(t("setup.featurization"), list(FEATURIZATION_STEPS),
                           format_func=lambda step: t(f"featurize.{step}"),
                           help=t("setup.featurization_help"), key=_state.FEATURIZATION,
                           persist_state=keep)

roles = {c: r for c, r in _state.get(_state.ROLES).items() if c != target}
settings = RunSettings(
    target=target, task=task, metric=metric, roles=roles, validation=spec,
    time_budget=float(minutes) * 60, max_trials=int(max_trials) or None,
    patience=int(patience) or None, models=tuple(models) or None, seed=int(seed),
    test_fraction=test_fraction, ensembles=ensembles,
    featurization_off=tuple(step for step in FEATURIZATION_STEPS if step not in steps))
_state.put(_state.SETTINGS, settings)

has_valid, has_test = bool(_state.get(_state.VALIDATION_DATA)), bool(_state.get(_state.TEST_DATA))
summary(settings, frame, has_validation_file=has_valid, has_test_file=has_test)
if validation == "file" and not has_valid:
    st.warning(t("setup.validation_missing"))
elif test_mode == "file" and not has_test:
    st.warning(t("setup.test_missing"))
else:
    start_button(settings, frame)
