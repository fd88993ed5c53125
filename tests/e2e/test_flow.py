"""The studio end to end in headless Chromium: upload → target and metric → Start → a live
leaderboard → open a model; cancel a run; reload mid-run; the Japanese interface."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from engine import RunSettings, create_run, execute_run, load_sample
from tests.e2e.studio import (
    ROOT,
    choose,
    english_leftovers,
    click_row,
    grid_rows,
    main,
    open_page,
    remove_chosen,
    set_number,
    shot,
    studio_server,
    visible_text,
    wait_idle,
)

PENGUINS = ROOT / "assets" / "datasets" / "penguins.csv"
RUN_DONE = 150_000  # ms


def tiny_finished_run(runs_dir) -> str:
    """A one-trial run executed in this process (the CLI's way), for pages to open."""
    settings = RunSettings(target="species", task="classification", validation="holdout:0.2",
                           max_trials=1, models=("logistic_regression",), ensembles=False)
    run_id = create_run(settings, load_sample("penguins"), runs_dir=runs_dir)
    execute_run(run_id, runs_dir)
    return run_id


def start_run(page: Page, *, start_label: str = "Start") -> None:
    page.get_by_role("button", name=start_label).click()
    page.wait_for_url(re.compile(r"/run\?run="))
    wait_idle(page)


def wait_first_model(page: Page) -> None:
    main(page).locator("[data-testid=stDataFrame]").first.wait_for(timeout=RUN_DONE)


def test_upload_to_leaderboard_with_a_reload_mid_run(page: Page, studio: str):
    open_page(page, studio)
    page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(PENGUINS)
    expect(main(page)).to_contain_text("penguins.csv: 344 rows × 8 columns")
    wait_idle(page)
    shot(page, "01_data_uploaded")
    choose(page, "Target column", "species")
    expect(main(page)).to_contain_text("Distribution of species")
    shot(page, "02_data_target")

    page.get_by_role("link", name="Next: set up the run").click()
    expect(main(page)).to_contain_text("What will run")
    wait_idle(page)
    choose(page, "Primary metric", "Accuracy")
    for family in ("Histogram gradient boosting", "Extra trees", "k-nearest neighbours"):
        remove_chosen(page, family)
    set_number(page, "Maximum number of trials", 6)
    set_number(page, "Time budget (minutes)", 2)
    expect(main(page)).to_contain_text("Primary metric: Accuracy")
    expect(main(page)).to_contain_text("at most 6 trials")
    expect(main(page)).to_contain_text(
        "Model families: LightGBM, Random forest, Logistic regression")
    shot(page, "03_setup")

    start_run(page)
    run_id = page.url.split("run=")[1]
    expect(main(page)).to_contain_text(f"Run {run_id}")
    wait_first_model(page)
    shot(page, "04_run_live")
    if "Running" in main(page).inner_text():
        page.reload()  # a reload is a new session: the URL alone reattaches it
        wait_idle(page)
        expect(main(page)).to_contain_text(f"Run {run_id}")
        expect(page.get_by_role("button", name="Cancel the run")).to_be_visible()
        shot(page, "05_reloaded_mid_run")
    expect(main(page)).to_contain_text("The run is complete.", timeout=RUN_DONE)
    wait_idle(page)
    assert grid_rows(page) >= 3
    shot(page, "06_run_complete")

    page.get_by_role("link", name="Open the full leaderboard").click()
    expect(main(page)).to_contain_text("models ranked by Accuracy")
    wait_idle(page)
    assert grid_rows(page) >= 3
    shot(page, "07_leaderboard")
    click_row(page, 0)
    expect(main(page)).to_contain_text("Selected: model #")
    page.get_by_text("Hyperparameters", exact=True).last.click()
    main(page).locator("[data-testid=stJson]").wait_for()
    shot(page, "08_leaderboard_model_selected")
    link = page.get_by_role("link", name=re.compile(r"Open model #\d+"))
    if link.count():  # the model report page exists
        link.click()
        page.wait_for_url(re.compile(r"/model\?"))
        wait_idle(page)
        shot(page, "09_model_page")


def test_cancel_keeps_the_finished_models(page: Page, studio: str, e2e_runs):
    open_page(page, studio)
    page.get_by_role("tab", name="Sample datasets").click()
    page.get_by_role("button", name="Load").first.click()  # penguins
    expect(main(page)).to_contain_text("344 rows")
    wait_idle(page)
    page.get_by_role("link", name="Next: set up the run").click()
    expect(main(page)).to_contain_text("What will run")
    wait_idle(page)
    set_number(page, "Time budget (minutes)", 3)
    start_run(page)
    run_id = page.url.split("run=")[1]
    wait_first_model(page)
    finished = tiny_finished_run(e2e_runs)
    other = page.context.new_page()  # a second tab follows another run: no cross-talk
    open_page(other, f"{studio}/run?run={finished}")
    expect(main(other)).to_contain_text(f"Run {finished} · Completed")
    expect(main(page)).to_contain_text(f"Run {run_id} · Running")
    other.close()
    page.get_by_role("button", name="Cancel the run").click()
    expect(main(page)).to_contain_text("The run was cancelled", timeout=RUN_DONE)
    wait_idle(page)
    assert grid_rows(page) >= 1
    shot(page, "10_run_cancelled")


ALLOWED = ("English",  # the language switch names each language in itself
           "AUC", "F1", "LightGBM", "ID", "CSV", "TSV", "Parquet", "Excel", "MB", "Shift_JIS",
           "cp932", "ROC", "log", "assets/datasets/README.md", "R²")


def test_japanese_interface_has_no_english_leftovers(page: Page, studio: str):
    open_page(page, studio)
    page.get_by_test_id("stSidebar").get_by_role("radio", name="日本語").click()
    wait_idle(page)
    page.get_by_role("tab", name="サンプルデータ").click()
    page.get_by_role("button", name="読み込む").nth(1).click()  # penguins with Japanese names
    expect(main(page)).to_contain_text("344 行 × 8 列")
    wait_idle(page)
    targets = ("species", "vote", "diagnosis", "price", "progression")  # the samples' targets
    assert english_leftovers(visible_text(page), *ALLOWED, *targets) == set()
    shot(page, "ja_01_data")

    page.get_by_role("link", name="次へ：実行の設定").click()
    expect(main(page)).to_contain_text("実行内容")
    wait_idle(page)
    set_number(page, "試行回数の上限", 3)
    set_number(page, "時間の上限（分）", 1)
    for family in ("ヒストグラム勾配ブースティング", "ランダムフォレスト", "エクストラツリー", "k 近傍法"):
        remove_chosen(page, family)
    assert english_leftovers(visible_text(page), *ALLOWED) == set()
    shot(page, "ja_02_setup")

    start_run(page, start_label="開始")
    run_id = page.url.split("run=")[1]
    wait_first_model(page)
    assert english_leftovers(visible_text(page), *ALLOWED, run_id) == set()
    shot(page, "ja_03_run_live")
    expect(main(page)).to_contain_text("実行が完了しました。", timeout=RUN_DONE)
    wait_idle(page)
    assert english_leftovers(visible_text(page), *ALLOWED, run_id) == set()
    shot(page, "ja_04_run_complete")

    page.get_by_role("link", name="リーダーボード全体を開く").click()
    expect(main(page)).to_contain_text("個のモデルを")
    wait_idle(page)
    click_row(page, 0)
    expect(main(page)).to_contain_text("選択中：モデル #")
    assert english_leftovers(visible_text(page), *ALLOWED, run_id) == set()
    shot(page, "ja_05_leaderboard")

    page.get_by_role("link", name="実行履歴").click()
    wait_idle(page)
    expect(main(page)).to_contain_text("件の実行")
    assert english_leftovers(visible_text(page), *ALLOWED, run_id, *_run_ids(page)) == set()
    shot(page, "ja_06_runs")


def _run_ids(page: Page) -> list[str]:
    return re.findall(r"\d{8}-\d{6}-[0-9a-f]{4}", visible_text(page))


def test_a_restarted_server_reattaches_from_the_url(page: Page, e2e_runs):
    """A run outlives the server; a fresh server's first visit may be the run's own URL."""
    run_id = tiny_finished_run(e2e_runs)
    with studio_server(e2e_runs, log=e2e_runs.parent / "server-restarted.log") as url:
        open_page(page, f"{url}/run?run={run_id}")
        expect(main(page)).to_contain_text(f"Run {run_id} · Completed")
        expect(page.get_by_test_id("stSidebar")).to_contain_text("Language")  # app.py ran
        assert f"run={run_id}" in page.url
        shot(page, "11_restarted_server_reattached")
