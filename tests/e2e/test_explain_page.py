"""The Explanations page in headless Chromium for a binary, a multiclass (Japanese column names)
and a regression run, in English and Japanese: the global and local views render with data and
no error, the engineered view and the class picker work, a what-if edit changes the prediction
shown, and a model never explained is planned, started and followed until its views appear."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from engine import (explanation_status, get_run, importance_frame, leaderboard_frame,
                    load_explainer, load_explanation, load_sample, load_validation_rows)
from tests.conftest import run_to_end
from tests.e2e.studio import english_leftovers, full_shot, main, open_page, visible_text, \
    wait_idle

ERRORS = "[data-testid=stException], [data-testid=stAlertContentError]"
GLOBAL = {"en": "Global explanation", "ja": "全体の説明"}
EDITED = {"en": "With your edits", "ja": "編集後"}
ROW_NUMBER = {"en": "Row number", "ja": "行番号"}
CHARTS = 4  # importance, beeswarm, dependence, waterfall
KEPT = ("SHAP", "LightGBM", "R²")  # names that stay as they are in Japanese


@pytest.fixture(scope="module")
def explain_runs(e2e_runs: Path) -> dict[str, str]:
    """A finished run of each kind; each run explains its best model in the background."""
    e2e_runs.mkdir(parents=True, exist_ok=True)
    runs = {
        "binary": run_to_end(load_sample("breast_cancer"), e2e_runs, target="diagnosis",
                             validation="holdout:0.3", max_trials=3, ensembles=True,
                             models=("lightgbm", "logistic_regression")),
        "multiclass": run_to_end(load_sample("penguins_ja"), e2e_runs, target="種",
                                 validation="cv:3", max_trials=3,
                                 models=("lightgbm", "logistic_regression")),
        "regression": run_to_end(load_sample("diabetes"), e2e_runs, target="progression",
                                 validation="holdout:0.25", max_trials=3,
                                 models=("lightgbm", "elastic_net")),
    }
    for run_id in runs.values():
        wait_explained(run_id, get_run(run_id, e2e_runs).best_model_id, e2e_runs)
    return runs




def wait_explained(run_id: str, model_id: int, runs: Path, timeout: float = 240) -> None:
    end = time.time() + timeout
    while explanation_status(run_id, model_id, runs_dir=runs).live:
        assert time.time() < end, f"model {model_id} of {run_id} is still being explained"
        time.sleep(0.5)


def open_explain(page: Page, studio: str, run_id: str, model_id: int, lang: str) -> None:
    open_page(page, f"{studio}/explain?run={run_id}&model={model_id}")
    expect(main(page).get_by_role("heading", name=GLOBAL[lang])).to_be_visible(timeout=120_000)
    wait_idle(page)


def drawn(page: Page) -> list[int]:
    """Points of every chart (all traces), once all are drawn; no error on the page."""
    charts = main(page).locator("[data-testid=stPlotlyChart]")
    expect(charts).to_have_count(CHARTS, timeout=60_000)  # a busy machine draws them in turn
    for i in range(CHARTS):
        charts.nth(i).locator(".main-svg").first.wait_for()
    points = page.evaluate("""() => Array.from(document.querySelectorAll(
        '[data-testid=stMain] .js-plotly-plot')).map(
            el => el._fullData.reduce((n, trace) => n + (trace._length || 0), 0))""")
    assert all(p >= 2 for p in points), points
    assert page.locator(ERRORS).count() == 0, page.locator(ERRORS).all_inner_texts()
    return points


def edited_prediction(page: Page, lang: str) -> str:
    metric = main(page).locator("[data-testid=stMetric]").filter(has_text=EDITED[lang])
    return metric.locator("[data-testid=stMetricValue]").inner_text()


def edit(page: Page, column: str, value: float) -> None:
    field = main(page).locator(f"input[aria-label='{column}']")
    field.fill(f"{value:g}")
    field.press("Enter")
    wait_idle(page)




def whatif_case(run_id: str, model_id: int, runs: Path) -> tuple[int, str, float, float]:
    """The validation row the model is least sure about, the most important numeric column
    and that column's range."""
    rows = load_validation_rows(run_id, runs_dir=runs)
    ranked = importance_frame(load_explanation(run_id, model_id, runs_dir=runs).view())
    column = next(c for c in ranked["feature"] if rows.features.get(c) == "numeric")
    predicted = load_explainer(run_id, model_id, runs_dir=runs).predict(
        rows.frame.drop(columns=[rows.target]))
    unsure = int(rows.frame.index[predicted.max(axis=1).argmin()]) if predicted.ndim == 2 \
        else int(rows.frame.index[0])
    return unsure, column, float(rows.frame[column].min()), float(rows.frame[column].max())


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("kind", ["binary", "multiclass", "regression"])
def test_global_and_local_views_and_a_whatif_edit(page: Page, ja_page: Page, studio: str,
                                                  e2e_runs: Path, explain_runs: dict[str, str],
                                                  kind: str, lang: str) -> None:
    tab = ja_page if lang == "ja" else page
    run_id = explain_runs[kind]
    model_id = get_run(run_id, e2e_runs).best_model_id
    start = time.perf_counter()
    open_explain(tab, studio, run_id, model_id, lang)
    drawn(tab)
    print(f"\n{kind}/{lang}: stored explanation shown in {time.perf_counter() - start:.1f} s")
    if kind == "multiclass" and lang == "ja":
        assert english_leftovers(visible_text(tab), *KEPT, "English", "_mm") == set()
    full_shot(tab, f"explain_{kind}_{lang}")

    row, column, low, high = whatif_case(run_id, model_id, e2e_runs)
    number = main(tab).locator(f"input[aria-label='{ROW_NUMBER[lang]}']")
    number.fill(str(row))
    number.press("Enter")
    wait_idle(tab)
    before = edited_prediction(tab, lang)
    for value in (low, high):  # one end of the range moves the prediction, if not both
        start = time.perf_counter()
        edit(tab, column, value)
        print(f"{kind}/{lang}: what-if edit shown in {time.perf_counter() - start:.2f} s")
        if edited_prediction(tab, lang) != before:
            break
    assert edited_prediction(tab, lang) != before
    drawn(tab)
    if lang == "en":
        full_shot(tab, f"explain_{kind}_whatif_{lang}")


def test_engineered_view_class_picker_and_row_table(page: Page, studio: str, e2e_runs: Path,
                                                    explain_runs: dict[str, str]) -> None:
    run_id = explain_runs["multiclass"]
    open_explain(page, studio, run_id, get_run(run_id, e2e_runs).best_model_id, "en")
    main(page).get_by_role("radio", name="Engineered features").click()
    wait_idle(page)
    drawn(page)
    class_box = main(page).get_by_role("combobox", name="Class explained")
    class_box.click()
    page.get_by_role("option", name="ヒゲペンギン", exact=True).click()
    wait_idle(page)
    expect(main(page)).to_contain_text("Probability of ヒゲペンギン")
    search = main(page).get_by_role("textbox", name="Search the rows")
    search.fill("ヒゲペンギン")
    search.press("Enter")
    wait_idle(page)
    expect(main(page)).to_contain_text("matching rows")
    row = main(page).locator("input[aria-label='Row number']")
    row.fill("5")
    row.press("Enter")
    wait_idle(page)
    expect(main(page)).to_contain_text("The values of row 5")
    drawn(page)
    full_shot(page, "explain_multiclass_engineered_en")


def test_a_model_never_explained_is_planned_started_and_followed(page: Page, studio: str,
                                                                 e2e_runs: Path,
                                                                 explain_runs: dict[str, str]):
    run_id = explain_runs["regression"]
    board = leaderboard_frame(run_id, e2e_runs)
    other = int(board.loc[~board["is_best"], "model_id"].iloc[-1])
    assert explanation_status(run_id, other, runs_dir=e2e_runs).state == "none"
    open_page(page, f"{studio}/explain?run={run_id}&model={other}")
    expect(main(page)).to_contain_text("What the explanation computes")
    expect(main(page)).to_contain_text("validation rows")
    expect(main(page)).to_contain_text("until the global views")
    full_shot(page, "explain_plan_en")
    start = time.perf_counter()
    main(page).get_by_role("button", name="Compute explanations").click()
    expect(main(page).get_by_role("heading", name=GLOBAL["en"])).to_be_visible(timeout=120_000)
    wait_idle(page)
    drawn(page)
    print(f"\nregression model {other}: first global view {time.perf_counter() - start:.1f} s "
          "after the click")
    assert explanation_status(run_id, other, runs_dir=e2e_runs).ready


def test_an_unknown_run_in_the_url_falls_back_to_a_known_one(page: Page, studio: str) -> None:
    open_page(page, f"{studio}/explain?run=no-such-run")
    expect(main(page).get_by_role("combobox", name="Run")).to_be_visible()
    assert page.locator(ERRORS).count() == 0
