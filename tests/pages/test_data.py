"""The Data page: upload, samples, preview, column profile, roles and target."""

import json

from pages import _state

CSV = b"age,city,income,bought\n" + b"".join(
    f"{20 + i % 40},{'Tokyo' if i % 3 else 'Osaka'},{1000 + 37 * i},{'yes' if i % 4 else 'no'}\n"
    .encode() for i in range(60))


def test_empty_page_states_the_upload_limit(app, runs_dir):
    assert app.title[0].value == "Data"
    assert any("1024 MB" in c.value for c in app.caption)
    assert app.file_uploader[0].allowed_type  # CSV, TSV, Parquet, Excel
    assert app.info  # "no table yet"


def test_upload_shows_preview_profile_and_target(app, runs_dir):
    app.file_uploader(key=_state.UPLOAD).set_value(("shop.csv", CSV, "text/csv")).run()
    assert not app.exception and not app.error
    assert "shop.csv: 60 rows × 4 columns" in [s.value for s in app.subheader]
    preview, profile = app.dataframe[0].value, app.data_editor[0].value
    assert list(preview.columns) == ["age", "city", "income", "bought"]
    assert list(profile["column"]) == ["age", "city", "income", "bought"]
    assert dict(zip(profile["column"], profile["role"]))["city"] == "categorical"
    app.selectbox(key=_state.TARGET).set_value("bought").run()
    assert app.session_state[_state.TARGET] == "bought"
    assert app.get("plotly_chart")  # the target's distribution


def test_a_bad_file_is_one_sentence_and_no_traceback(app, runs_dir):
    app.file_uploader(key=_state.UPLOAD).set_value(("empty.csv", b"", "text/csv")).run()
    assert not app.exception
    assert len(app.error) == 1 and app.error[0].value.endswith(".")
    assert "\n" not in app.error[0].value and "Traceback" not in app.error[0].value


def test_one_click_sample_sets_data_and_target(app, runs_dir):
    app.button(key=f"{_state.SAMPLE_BUTTON}diabetes").click().run()
    assert not app.exception
    assert app.session_state[_state.TARGET] == "progression"
    assert app.selectbox(key=_state.TARGET).value == "progression"


def test_roles_are_editable(app, runs_dir):
    app.button(key=f"{_state.SAMPLE_BUTTON}penguins").click().run()
    key = _state.roles_editor(app.session_state[_state.DATA_SOURCE])
    columns = list(app.data_editor[0].value["column"])
    app.session_state[key] = {"edited_rows": {columns.index("island"): {"role": "ignore"}},
                              "added_rows": [], "deleted_rows": []}
    app.run()
    assert not app.exception
    assert app.session_state[_state.ROLES]["island"] == "ignore"


def test_japanese_column_names_in_tables_and_charts(app, runs_dir):
    app.button(key=f"{_state.SAMPLE_BUTTON}penguins_ja").click().run()
    assert "種" in app.dataframe[0].value.columns
    assert "くちばしの長さ_mm" in list(app.data_editor[0].value["column"])
    figure = json.loads(app.get("plotly_chart")[0].proto.spec)
    assert figure["layout"]["xaxis"]["title"]["text"] == "種"  # the chart keeps the Japanese name
    assert "アデリーペンギン" in figure["data"][0]["x"]


def test_a_new_target_forgets_the_old_task(app, runs_dir):
    app.button(key=f"{_state.SAMPLE_BUTTON}diamonds").click().run()
    app.session_state[_state.TASK] = "regression"
    app.selectbox(key=_state.TARGET).set_value("cut").run()
    assert _state.TASK not in app.session_state


def test_the_studio_can_open_on_a_sample(monkeypatch, runs_dir):
    from streamlit.testing.v1 import AppTest

    from tests.pages.conftest import APP
    monkeypatch.setenv("AUTOML_DEFAULT_SAMPLE", "penguins_ja")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception and not at.info
    assert at.session_state[_state.TARGET] == "種"
    assert list(at.dataframe[0].value.columns)[0] == "種"
