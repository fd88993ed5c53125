"""Browser-measured timings of the studio, in headless Chromium against `streamlit run app.py`.

1. Start → first leaderboard row: from the click on Start (Setup page, penguins sample, default
   settings) to the first row of the live leaderboard on the Run page, timed in the page with
   ``performance.now()`` (a capture-phase click listener and a MutationObserver). Split into the
   engine's part (run created → first model stored) and the studio's part (the rest).
2. Render time of the Run and Leaderboard pages of a finished run with 200 trials: a cold load
   (navigation start → the script finished and every chart drawn) and a page switch from the
   sidebar (click → the same), median of several.

Run: ``.venv/bin/python bench/bench_studio.py [--repeats 3] [--trials 200]`` from the repository
root. It builds the 200-trial run first (about a minute) in a temporary store.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine import (  # noqa: E402
    RunSettings,
    cancel_run,
    create_run,
    execute_run,
    get_run,
    list_runs,
    load_sample,
    trials_frame,
)
from engine.store import Store  # noqa: E402
from tests.e2e.studio import (  # noqa: E402
    VIEWPORT,
    launch,
    main,
    open_page,
    studio_server,
    wait_idle,
)

WATCH = """() => {
    window.__t = {};
    document.addEventListener('click', () => { window.__t.click ??= performance.now(); }, true);
    new MutationObserver(() => {
        const grid = document.querySelector('[data-testid=stMain] [data-testid=stDataFrame]');
        if (window.__t.click && grid && location.pathname.endsWith('/run'))
            window.__t.row ??= performance.now();
    }).observe(document.body, {subtree: true, childList: true});
}"""
DRAWN = """() => {
    const app = document.querySelector('[data-testid=stApp]');
    const charts = [...document.querySelectorAll('[data-testid=stPlotlyChart]')];
    const grids = document.querySelectorAll('[data-testid=stMain] [data-testid=stDataFrame]');
    return app && app.dataset.testScriptState === 'notRunning' && grids.length > 0
        && charts.every(c => c.querySelector('.main-svg'));
}"""


def start_to_first_row(page: Page, url: str, runs_dir: Path) -> dict[str, float]:
    """One Start click on the penguins sample; seconds to the first leaderboard row."""
    open_page(page, url)
    page.get_by_role("tab", name="Sample datasets").click()
    page.get_by_role("button", name="Load").first.click()
    main(page).get_by_text("344 rows").first.wait_for()
    wait_idle(page)
    page.get_by_role("link", name="Next: set up the run").click()
    main(page).get_by_text("What will run").wait_for()
    wait_idle(page)
    page.evaluate(WATCH)
    page.get_by_role("button", name="Start").click()
    page.wait_for_function("() => window.__t.row", timeout=120_000)
    marks = page.evaluate("() => window.__t")
    run_id = page.url.split("run=")[1]
    row = Store(runs_dir).run_row(run_id)
    first = min(m["started_at"] + m["duration"] for m in Store(runs_dir).model_rows(run_id)
                if m["status"] == "completed")
    cancel_run(run_id, runs_dir)
    while get_run(run_id, runs_dir).status in ("queued", "running"):  # no overlap with the next
        time.sleep(0.5)
    total = (marks["row"] - marks["click"]) / 1000
    engine = first - row["created_at"]
    return {"total": total, "engine": engine, "studio": total - engine}


def build_run(runs_dir: Path, trials: int) -> str:
    """A finished run with this many trials (fast families on a small table)."""
    settings = RunSettings(target="progression", task="regression", validation="cv:3",
                           time_budget=900, max_trials=trials, seed=0, n_jobs=1,
                           models=("elastic_net", "knn"))
    run_id = create_run(settings, load_sample("diabetes"), runs_dir=runs_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # elastic net's convergence notes on some trials
        execute_run(run_id, runs_dir)
    return run_id


def render(page: Page, url: str, path: str, run_id: str, repeats: int) -> dict[str, float]:
    """Cold load and sidebar page switch of one page, seconds (median of repeats)."""
    cold, switch = [], []
    for _ in range(repeats):
        page.goto(f"{url}/{path}?run={run_id}")
        page.wait_for_function(DRAWN, timeout=120_000, polling=50)
        cold.append(page.evaluate("() => performance.now()") / 1000)
        other = "Leaderboard" if path == "run" else "Run"
        page.get_by_test_id("stSidebarNav").get_by_role("link", name=other, exact=True).click()
        page.wait_for_function(DRAWN, timeout=120_000, polling=50)
        wait_idle(page)
        start = page.evaluate("() => performance.now()")
        page.get_by_test_id("stSidebarNav").get_by_role(
            "link", name="Run" if path == "run" else "Leaderboard", exact=True).click()
        page.wait_for_timeout(50)
        page.wait_for_function(DRAWN, timeout=120_000, polling=50)
        switch.append((page.evaluate("() => performance.now()") - start) / 1000)
    return {"cold_load": statistics.median(cold), "page_switch": statistics.median(switch)}


def main_cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--trials", type=int, default=200)
    args = parser.parse_args()
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        runs_dir = Path(tmp) / "runs"
        started = time.time()
        big = build_run(runs_dir, args.trials)
        n_trials = len(trials_frame(big, runs_dir))
        print(f"built run {big}: {n_trials} trials, status {get_run(big, runs_dir).status}, "
              f"{time.time() - started:.0f} s")
        with studio_server(runs_dir, log=Path(tmp) / "server.log") as url, \
                sync_playwright() as playwright:
            browser = launch(playwright)
            page = browser.new_context(viewport=VIEWPORT, locale="en-US").new_page()
            starts = [start_to_first_row(page, url, runs_dir) for _ in range(args.repeats)]
            pages = {path: render(page, url, path, big, args.repeats)
                     for path in ("run", "leaderboard")}
            browser.close()
        for run in list_runs(runs_dir).itertuples():
            if run.status in ("queued", "running"):
                cancel_run(run.run_id, runs_dir)

    print("\nStart → first leaderboard row (penguins, default settings), seconds")
    for key in ("total", "engine", "studio"):
        values = [s[key] for s in starts]
        print(f"  {key:<8} median {statistics.median(values):6.2f}   "
              f"min {min(values):6.2f}   max {max(values):6.2f}")
    print(f"\nPage render for a run with {n_trials} trials, seconds (median of {args.repeats})")
    for path, figures in pages.items():
        print(f"  {path:<12} cold load {figures['cold_load']:6.2f}   "
              f"page switch {figures['page_switch']:6.2f}")
    print(f"\n1-minute load average: {load_start:.1f} at start, {os.getloadavg()[0]:.1f} at end "
          f"({os.cpu_count()} cores)")


if __name__ == "__main__":
    main_cli()
