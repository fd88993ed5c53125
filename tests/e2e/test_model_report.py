"""The model report in headless Chromium for a binary, a multiclass and a regression run, in
English and Japanese: every chart drawn with data, no error; the threshold and cost tool,
compare, the test split, scoring on demand and the HTML download."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from engine import best_threshold, leaderboard_frame, load_sample, save_threshold, saved_threshold
from tests.conftest import run_to_end
from tests.e2e.studio import english_leftovers, full_shot, main, open_page, set_number, \
    visible_text, wait_idle

CHARTS = {"binary": 7 + 2, "multiclass": 7, "regression": 3}  # binary: + the threshold tool's
ERRORS = "[data-testid=stException], [data-testid=stAlertContentError]"
TITLE = {"en": "Model report", "ja": "モデルのレポート"}


@pytest.fixture(scope="module")
def report_runs(e2e_runs: Path) -> dict[str, str]:
    """A finished run of each kind in the studio's store."""
    e2e_runs.mkdir(parents=True, exist_ok=True)
    return {
        "binary": run_to_end(load_sample("breast_cancer"), e2e_runs, target="diagnosis",
                             validation="cv:3", test_fraction=0.2, max_trials=3, ensembles=True,
                             models=("lightgbm", "logistic_regression")),
        "multiclass": run_to_end(load_sample("penguins"), e2e_runs, target="species",
                                 validation="cv:3", max_trials=3,
                                 models=("lightgbm", "logistic_regression")),
        "regression": run_to_end(load_sample("diabetes"), e2e_runs, target="progression",
                                 validation="holdout:0.25", test_fraction=0.2, max_trials=3,
                                 models=("elastic_net", "lightgbm")),
    }




def best(runs: Path, run_id: str) -> int:
    board = leaderboard_frame(run_id, runs)
    return int(board.loc[board["is_best"], "model_id"].iloc[0])


def open_report(page: Page, studio: str, run_id: str, model_id: int, lang: str = "en") -> None:
    open_page(page, f"{studio}/model?run={run_id}&model={model_id}")
    expect(main(page).locator("h1")).to_contain_text(TITLE[lang])
    wait_idle(page)


def drawn_charts(page: Page, expected: int) -> list[dict]:
    """Every chart of the page once drawn: its trace count and points; none empty, no error."""
    charts = main(page).locator("[data-testid=stPlotlyChart]")
    expect(charts).to_have_count(expected, timeout=30_000)
    for i in range(expected):
        charts.nth(i).locator(".main-svg").first.wait_for()
    drawn = page.evaluate("""() => Array.from(document.querySelectorAll(
        '[data-testid=stMain] [data-testid=stPlotlyChart] .js-plotly-plot')).map(el => ({
            traces: el.data.length, type: el.data[0].type,
            points: el.calcdata[0].length,  // points plotly computed for the first trace
            cells: (el._fullData[0].z || []).length,
            images: el.querySelectorAll('.heatmaplayer image').length}))""")
    assert len(drawn) == expected
    for chart in drawn:  # the model's own first trace has real data
        if chart["type"] == "heatmap":
            assert chart["images"] >= 1 and chart["cells"] >= 2, drawn
        else:
            assert chart["points"] >= 2, drawn
    assert page.locator(ERRORS).count() == 0
    return drawn




KEPT = ("AUC", "AP", "F1", "ROC", "LightGBM", "English", "HTML", "R²", "micro", "macro")


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("kind", list(CHARTS))
def test_every_chart_renders(page: Page, ja_page: Page, studio: str, e2e_runs: Path,
                             report_runs: dict[str, str], kind: str, lang: str) -> None:
    tab = ja_page if lang == "ja" else page
    run_id = report_runs[kind]
    open_report(tab, studio, run_id, best(e2e_runs, run_id), lang)
    drawn_charts(tab, CHARTS[kind])
    if lang == "ja":
        classes = {"binary": ("benign", "malignant"), "multiclass": ("Adelie", "Chinstrap",
                                                                      "Gentoo")}.get(kind, ())
        assert english_leftovers(visible_text(tab), *KEPT, *classes) == set()
    full_shot(tab, f"model_{kind}_{lang}")


def test_threshold_tool_finds_saves_and_resets(page: Page, studio: str, e2e_runs: Path,
                                               report_runs: dict[str, str]) -> None:
    run_id = report_runs["binary"]
    model_id = best(e2e_runs, run_id)
    open_report(page, studio, run_id, model_id)
    set_number(page, "Cost of a false negative", 10)
    page.get_by_role("button", name="Find the lowest-cost threshold").click()
    wait_idle(page)
    expected = best_threshold(run_id, model_id, cost_fp=1, cost_fn=10, runs_dir=e2e_runs)
    shown = main(page).locator("[data-testid=stSlider] [data-testid=stSliderThumbValue]")
    assert float(shown.inner_text()) == pytest.approx(expected.threshold, abs=5e-4)
    expect(main(page)).to_contain_text(f"{expected.cost:.4f}")
    drawn_charts(page, CHARTS["binary"])
    full_shot(page, "model_binary_threshold_en")
    try:
        page.get_by_role("button", name=re.compile(r"^Save threshold")).click()
        expect(main(page)).to_contain_text("Predictions of this model use it.")
        wait_idle(page)
        assert saved_threshold(run_id, model_id, runs_dir=e2e_runs) == pytest.approx(
            expected.threshold)
        page.get_by_role("button", name="Back to the most probable class").click()
        expect(main(page)).to_contain_text("No threshold saved")
        wait_idle(page)
        assert saved_threshold(run_id, model_id, runs_dir=e2e_runs) is None
    finally:
        save_threshold(run_id, model_id, None, e2e_runs)


def test_compare_test_split_and_download(page: Page, studio: str, e2e_runs: Path,
                                         report_runs: dict[str, str]) -> None:
    run_id = report_runs["binary"]
    open_report(page, studio, run_id, best(e2e_runs, run_id))
    alone = drawn_charts(page, CHARTS["binary"])
    page.get_by_role("combobox", name="Compare with").click()
    page.get_by_role("option").nth(1).click()  # the first other model
    wait_idle(page)
    both = drawn_charts(page, CHARTS["binary"])
    assert sum(c["traces"] for c in both) > sum(c["traces"] for c in alone)
    full_shot(page, "model_binary_compare_en")

    main(page).get_by_role("radio", name="Test", exact=True).click()
    wait_idle(page)
    expect(main(page)).to_contain_text("Test: ")
    drawn_charts(page, CHARTS["binary"] - 2)  # the threshold is chosen on validation data only
    full_shot(page, "model_binary_test_en")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download the report (HTML)").click()
    html = Path(download.value.path()).read_text(encoding="utf-8")
    assert download.value.suggested_filename.endswith(".html")
    assert html.count('class="plotly-graph-div"') >= 7 + 7  # validation and test charts


def test_scoring_another_model_on_the_test_set(page: Page, studio: str, e2e_runs: Path,
                                               report_runs: dict[str, str]) -> None:
    run_id = report_runs["regression"]
    board = leaderboard_frame(run_id, e2e_runs)
    other = int(board.loc[~board["is_best"], "model_id"].iloc[0])
    open_report(page, studio, run_id, other)
    expect(main(page).get_by_role("radio", name="Test", exact=True)).to_have_count(0)
    page.get_by_role("button", name="Score on the test set").click()
    wait_idle(page)
    main(page).get_by_role("radio", name="Test", exact=True).click()
    wait_idle(page)
    drawn_charts(page, CHARTS["regression"])
    full_shot(page, "model_regression_scored_test_en")


def test_no_model_chosen(page: Page, studio: str) -> None:
    open_page(page, f"{studio}/model")
    expect(main(page)).to_contain_text("Pick a model on the leaderboard first")
    assert page.locator(ERRORS).count() == 0
