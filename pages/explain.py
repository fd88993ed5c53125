"""Explanations: why a model predicts what it does, over the validation rows (importance,
beeswarm, dependence) and for one row (waterfall, what-if), on uploaded columns or engineered
features. The engine computes them in a background process; this page follows and reads them."""

import streamlit as st

from engine import (explanation_status, figure_importance, importance_frame, load_explanation,
                    plan_explanation, raw_contributions)
from pages import _state
from pages._explain_widgets import (beeswarm, computing, dependence, fidelity, figure_words,
                                    follow, local_view, pick_model, sample_caption)
from pages._i18n import t
from pages._widgets import call, runs_dir

_state.require_app(__file__)
ROOT = str(runs_dir())


@st.cache_data(ttl=600, max_entries=32, show_spinner=False)
def cached_plan(run_id: str, model_id: int, root: str):
    return plan_explanation(run_id, model_id, runs_dir=root)


@st.cache_resource(max_entries=8, show_spinner=False)
def cached_explanation(run_id: str, model_id: int, root: str, version: str):
    return load_explanation(run_id, model_id, runs_dir=root)


@st.cache_resource(max_entries=16, show_spinner=False)
def cached_view(run_id: str, model_id: int, root: str, version: str, engineered: bool):
    stored = cached_explanation(run_id, model_id, root, version)
    return stored.explanation if engineered else raw_contributions(stored.explanation)


st.title(t("explain.title"))
picked = pick_model(ROOT)
if picked is None:
    st.stop()
run_id, model_id = picked
status = call(explanation_status, run_id, model_id, runs_dir=ROOT)
if status is None:
    st.stop()
stored = cached_explanation(run_id, model_id, ROOT, status.version) if status.ready else None
if stored is None:
    plan = status.plan or call(cached_plan, run_id, model_id, ROOT)
    computing(run_id, model_id, ROOT, status, plan)
    st.stop()

words = figure_words()
view_col, class_col = st.columns([2, 3], vertical_alignment="bottom")
views = {"raw": t("explain.view_raw"), "engineered": t("explain.view_engineered")}
engineered = view_col.segmented_control(
    t("explain.view"), list(views), format_func=views.get, default="raw", required=True,
    key=_state.model_widget("explain_view", run_id, model_id),
    persist_state=_state.KEEP) == "engineered"
full = cached_view(run_id, model_id, ROOT, status.version, engineered)
label = None
if full.output_classes:
    classes = list(full.classes)
    label = class_col.selectbox(t("explain.class"), classes,
                                index=classes.index(full.output_classes[0]),
                                key=_state.model_widget("explain_class", run_id, model_id),
                                persist_state=_state.KEEP)
single = full.for_class(label) if label is not None else full

st.subheader(t("explain.global"))
st.caption(sample_caption(stored.plan, full, stored.timings))
fidelity(full)
st.markdown(f"**{t('explain.importance')}**")
if engineered:  # permutation importance shuffles uploaded columns, not engineered features
    st.caption(t("explain.importance_engineered"))
else:
    st.caption(t("explain.importance_help") if stored.permutation is not None
               else t("explain.permutation_pending"))
if stored.permutation is None:
    follow(run_id, model_id, ROOT, status.version, stored.plan)
ranked = importance_frame(full)
permutation = None if engineered else stored.permutation
st.plotly_chart(figure_importance(ranked, permutation, labels=words), key="explain_importance")
beeswarm(single, words)
dependence(single, list(ranked["feature"]), words,
           key=_state.model_widget(f"explain_dependence_{int(engineered)}", run_id, model_id))

st.subheader(t("explain.local"))
st.caption(t("explain.local_help"))
local_view(run_id, model_id, ROOT, status.version, engineered, label, words)
