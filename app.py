"""The studio: page config, the language switch, and navigation over the pages of the flow."""

from pathlib import Path

import streamlit as st

from pages import _state
from pages._i18n import LANGUAGES, t

ROOT = Path(__file__).resolve().parent
# (script, title key, icon, url path); pages whose file does not exist yet are left out.
PAGES = (
    ("pages/data.py", "nav.data", ":material/table_view:", "data"),
    ("pages/setup.py", "nav.setup", ":material/tune:", "setup"),
    ("pages/run.py", "nav.run", ":material/play_circle:", "run"),
    ("pages/leaderboard.py", "nav.leaderboard", ":material/leaderboard:", "leaderboard"),
    ("pages/model.py", "nav.model", ":material/insights:", "model"),
    ("pages/explain.py", "nav.explain", ":material/psychology:", "explain"),
    ("pages/predict.py", "nav.predict", ":material/online_prediction:", "predict"),
    ("pages/runs.py", "nav.runs", ":material/history:", "runs"),
)

st.set_page_config(page_title=t("app.title"), page_icon=":material/model_training:",
                   layout="wide")
_state.init_widgets()
_state.language()
with st.sidebar:
    st.segmented_control(t("app.language"), options=list(LANGUAGES), format_func=LANGUAGES.get,
                         key=_state.LANG, required=True,
                         persist_state=_state.KEEP)
pages = {url: st.Page(script, title=t(title), icon=icon, url_path=url, default=not i)
         for i, (script, title, icon, url) in enumerate(PAGES) if (ROOT / script).exists()}
first_visit = not _state.routed()
page = st.navigation(list(pages.values()))
_state.mark_routed()
if first_visit:  # Streamlit served the server's first visit in its pages/-folder mode
    st.rerun()
asked = st.query_params.get(_state.ROUTE_QUERY)
if asked in pages:  # a direct visit sent here by _state.require_app
    rest = {k: v for k, v in st.query_params.to_dict().items() if k != _state.ROUTE_QUERY}
    st.switch_page(pages[asked], query_params=rest)
page.run()
