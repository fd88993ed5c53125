"""Data: upload a table or pick a sample, see its columns, set their roles, pick the target."""

import os

import streamlit as st

from engine import ROLES, SAMPLES, infer_roles, load_sample, load_table, profile_frame
from pages import _state
from pages._i18n import engine_text, role_name, t, task_name
from pages._widgets import FILE_TYPES, call, distribution_chart, dtype_name

_state.require_app(__file__)

PREVIEW_ROWS = 200

st.title(t("data.title"))
st.caption(t("data.intro"))

upload_tab, sample_tab = st.tabs([t("data.tab_upload"), t("data.tab_sample")])
with upload_tab:
    upload = st.file_uploader(t("data.upload"), type=FILE_TYPES, key=_state.UPLOAD,
                              help=t("data.upload_help"))
    st.caption(t("data.upload_limit", mb=st.get_option("server.maxUploadSize")))
    if upload is not None and _state.get(_state.DATA_SOURCE) != upload.file_id:
        table = call(load_table, upload, name=upload.name)
        if table is not None:
            _state.set_data(table.frame, name=upload.name, source=upload.file_id,
                            roles=infer_roles(table.frame), target=None, warnings=table.warnings)
with sample_tab:
    ja = _state.language() == "ja"
    for sample in SAMPLES.values():
        title = sample.title_ja if ja else sample.title_en
        left, right = st.columns([3, 1], vertical_alignment="center")
        meta = t("data.sample_meta", target=sample.target, task=task_name(sample.task),
                 file=sample.file)
        left.markdown(f"**{title}**  \n{meta}")
        if right.button(t("data.sample_load"), key=f"{_state.SAMPLE_BUTTON}{sample.key}"):
            frame = call(load_sample, sample.key)
            if frame is not None:
                _state.set_data(frame, name=title, source=f"sample:{sample.key}",
                                roles=infer_roles(frame), target=sample.target)
    st.caption(t("data.sample_licences"))

default = SAMPLES.get(os.environ.get("AUTOML_DEFAULT_SAMPLE", ""))
if _state.get(_state.DATA) is None and default is not None:  # `make run` opens on a sample
    opened = load_sample(default.key)
    _state.set_data(opened, name=default.title_ja if ja else default.title_en,
                    source=f"sample:{default.key}", roles=infer_roles(opened),
                    target=default.target)
frame = _state.get(_state.DATA)
if frame is None:
    st.info(t("data.empty"), icon=":material/upload_file:")
    st.stop()

for warning in _state.get(_state.DATA_WARNINGS, []):
    st.warning(engine_text(warning))
st.subheader(t("data.preview", name=_state.get(_state.DATA_NAME), rows=f"{len(frame):,}",
               cols=frame.shape[1]))
st.dataframe(frame.head(PREVIEW_ROWS), height=260, placeholder="—")

st.subheader(t("data.target"))
if _state.get(_state.TARGET) not in frame.columns:
    _state.put(_state.TARGET, None)
target = st.selectbox(t("data.target_label"), options=list(frame.columns),
                      placeholder=t("data.target_placeholder"), on_change=_state.forget_task,
                      key=_state.TARGET, persist_state=_state.KEEP)

st.subheader(t("data.columns"))
st.caption(t("data.columns_help"))
roles = _state.get(_state.ROLES)
signature = (_state.get(_state.DATA_SOURCE), tuple(roles.items()))
cached = _state.get(_state.PROFILE)
if cached is None or cached[0] != signature:
    cached = (signature, profile_frame(frame, roles))
    _state.put(_state.PROFILE, cached)
profile = cached[1]
table = profile[["column", "role", "missing_pct", "unique", "example"]].assign(
    dtype=profile["dtype"].map(dtype_name),
    distribution=[h if len(h) else list(top.values())
                  for h, top in zip(profile["histogram"], profile["top_values"])],
    is_target=profile["column"] == target)
edited = st.data_editor(
    table, key=_state.roles_editor(_state.get(_state.DATA_SOURCE)), hide_index=True,
    disabled=["column", "dtype", "missing_pct", "unique", "example", "distribution", "is_target"],
    column_order=["is_target", "column", "role", "distribution", "missing_pct", "unique",
                  "dtype", "example"],
    column_config={
        "is_target": st.column_config.CheckboxColumn(t("profile.target"), width=60),
        "column": st.column_config.TextColumn(t("profile.column"), pinned=True),
        "role": st.column_config.SelectboxColumn(t("profile.role"), options=ROLES,
                                                 format_func=role_name, required=True,
                                                 help=t("profile.role_help")),
        "distribution": st.column_config.BarChartColumn(t("profile.distribution"), width=140),
        "missing_pct": st.column_config.ProgressColumn(t("profile.missing"), format="%.1f%%",
                                                       min_value=0, max_value=100, width=110),
        "unique": st.column_config.NumberColumn(t("profile.unique"), format="%d"),
        "dtype": st.column_config.TextColumn(t("profile.dtype")),
        "example": st.column_config.TextColumn(t("profile.example")),
    })
new_roles = dict(zip(edited["column"], edited["role"]))
if new_roles != roles:
    _state.put(_state.ROLES, new_roles)
    st.rerun()

if target is None:
    st.info(t("data.pick_target"), icon=":material/ads_click:")
    st.stop()
row = profile[profile["column"] == target].iloc[0]
distribution_chart(row, title=t("data.target_distribution", target=target))
st.page_link("pages/setup.py", label=t("data.next"), icon=":material/arrow_forward:")
