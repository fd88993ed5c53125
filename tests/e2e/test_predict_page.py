"""The Predict & export page in headless Chromium, in English and Japanese with Japanese column
names: a table uploaded and scored, its metrics, the scored CSV and the model zip downloaded
and read back, per-row contributions, and a table with a missing column refused in one
sentence in the page's language."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from engine import leaderboard_frame, load_sample, predict_frame
from tests.conftest import run_to_end
from tests.e2e.studio import english_leftovers, full_shot, main, open_page, visible_text, wait_idle

ERRORS = "[data-testid=stException], [data-testid=stAlertContentError]"
SCORE = {"en": "Score", "ja": "スコアリング"}
DONE = {"en": "Scored 344 rows", "ja": "344 行を"}
MODEL_ZIP = {"en": "Download the model (zip)", "ja": "モデルをダウンロード（zip）"}
SCORED_CSV = {"en": "Download the scored table (CSV)", "ja": "スコアリング結果をダウンロード（CSV）"}
EXPLAIN = {"en": "Add per-row explanations", "ja": "行ごとの説明を付ける"}
KEPT = ("English", "AUC", "CSV", "TSV", "Parquet", "Excel", "zip", "joblib", "Python", "pandas",
        "numpy", "scikit-learn", "LightGBM", "py", "Drag and drop file here", "Limit", "MB",
        "per file", "Browse files", "KB", "CSV, TSV, TXT, PARQUET, XLSX, XLS")


@pytest.fixture(scope="module")
def predict_run(e2e_runs: Path) -> str:
    e2e_runs.mkdir(parents=True, exist_ok=True)
    return run_to_end(load_sample("penguins_ja"), e2e_runs, target="種", validation="cv:3",
                      max_trials=3, models=("lightgbm", "logistic_regression"))


def upload_and_score(page: Page, path: Path, lang: str) -> None:
    main(page).locator("[data-testid=stFileUploader] input[type=file]").set_input_files(path)
    wait_idle(page)
    main(page).get_by_role("button", name=SCORE[lang], exact=True).click()
    wait_idle(page)


def download(page: Page, label: str) -> bytes:
    with page.expect_download() as event:
        main(page).get_by_role("button", name=label).click()
    return Path(event.value.path()).read_bytes()


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_table_is_scored_downloaded_and_the_model_taken_away(predict_run, e2e_runs, studio,
                                                              page, ja_page, tmp_path, lang):
    page = ja_page if lang == "ja" else page
    frame = load_sample("penguins_ja")
    table = tmp_path / "新しいペンギン.csv"
    frame.to_csv(table, index=False)
    open_page(page, f"{studio}/predict?run={predict_run}")
    if lang == "ja":
        main(page).get_by_text(EXPLAIN[lang], exact=True).click()  # the toggle's label
        wait_idle(page)
        expect(page.get_by_role("switch", name=EXPLAIN[lang])).to_be_checked()
    upload_and_score(page, table, lang)
    expect(main(page).get_by_text(DONE[lang])).to_be_visible()
    assert page.locator(ERRORS).count() == 0, page.locator(ERRORS).all_inner_texts()
    full_shot(page, f"40_predict_{lang}")

    scored = pd.read_csv(io.BytesIO(download(page, SCORED_CSV[lang])), encoding="utf-8-sig")
    best = int(leaderboard_frame(predict_run, e2e_runs).query("is_best")["model_id"].iloc[0])
    ours = predict_frame(predict_run, frame, runs_dir=e2e_runs, model_id=best)
    assert len(scored) == 344 and list(scored.columns[:frame.shape[1]]) == list(frame.columns)
    assert (scored["prediction"] == ours["prediction"]).all()
    assert any(c.startswith("contrib_") for c in scored.columns) == (lang == "ja")
    bundle = zipfile.ZipFile(io.BytesIO(download(page, MODEL_ZIP[lang])))
    assert {"model.joblib", "schema.json", "training_rows.csv.gz", "README.md"} <= set(
        bundle.namelist())
    if lang == "ja":
        assert english_leftovers(visible_text(page), *KEPT, *frame.columns, "zip",
                                 *(c for c in scored.columns if c.isascii())) == set()


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_missing_column_is_refused_in_one_sentence(predict_run, studio, page, ja_page,
                                                    tmp_path, lang):
    page = ja_page if lang == "ja" else page
    table = tmp_path / "欠けた表.csv"
    load_sample("penguins_ja").drop(columns="体重_g").to_csv(table, index=False)
    open_page(page, f"{studio}/predict?run={predict_run}")
    upload_and_score(page, table, lang)
    error = main(page).locator("[data-testid=stAlertContentError]")
    expect(error).to_have_count(1)
    text = error.inner_text()
    assert "体重_g" in text and ("missing" in text if lang == "en" else "ありません" in text)
    assert page.locator("[data-testid=stException]").count() == 0
    full_shot(page, f"41_predict_error_{lang}")
