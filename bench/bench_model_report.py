"""Time the model report end to end, from stored predictions, for 10k and 1M validation rows.

Engine, per case (a binary, a 5-class and a regression model, each with a second model to
compare with), in seconds:

- ``compute``: the first ``model_report`` (load the predictions, every chart's data and every
  metric per fold on all rows, write the cache);
- ``cached``: the next ``model_report`` (read back from the store);
- ``figures``: ``report_figures`` with a compared model; ``json``: those figures serialized
  the way ``st.plotly_chart`` sends them; ``points``: the largest trace drawn;
- ``threshold``: ``threshold_point`` + ``best_threshold`` (binary only);
- ``html``: the self-contained HTML report and its size.

Browser (``--browser``): the Model page in headless Chromium against ``streamlit run app.py``,
navigation start → the script finished and every chart drawn, with the store's cache cold (the
first visit after a server start, the report computed) and warm (a reload).

Run: ``.venv/bin/python bench/bench_model_report.py [--rows 10000,1000000] [--browser]``
from the repository root.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine import (  # noqa: E402
    best_threshold,
    model_metrics_frame,
    model_report,
    report_figures,
    report_html,
    threshold_point,
)
from engine.metrics import compute_metrics  # noqa: E402
from engine.store import Store  # noqa: E402

CASES = {"binary": 2, "multiclass": 5, "regression": 0}
SAMPLE = 20_000  # rows the stored metrics are computed on (a run computes them; not timed)


def _predictions(k: int, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    if k == 0:
        y = rng.gamma(2.0, 3.0, n)
        return y, np.abs(y + rng.normal(0, 1.5 + seed, n))
    y = rng.integers(0, k, n)
    logits = rng.normal(size=(n, k))
    logits[np.arange(n), y] += 1.0 + 0.3 * seed
    proba = np.exp(logits)
    return y, proba / proba.sum(axis=1, keepdims=True)


def build_run(root: Path, kind: str, n: int) -> str:
    """A finished run written straight into the store: two models with n validation rows."""
    store = Store(root)
    k = CASES[kind]
    task = "classification" if k else "regression"
    metric = "AUC_weighted" if k else "r2_score"
    run_id = f"bench-{kind}-{n}"
    store.insert_run(run_id=run_id, created_at=time.time(), status="completed", task=task,
                     target="y", metric=metric, settings={"target": "y", "task": task},
                     best_model_id=0)
    classes = [f"class {c}" for c in range(k)] if k != 2 else ["no", "yes"]
    store.save_json(run_id, "schema", {"target": "y", "task": task, "roles": {},
                                       "classes": classes if k else []})
    folds = np.arange(n) % 5
    store.save_array(run_id, "oof", "folds", folds)
    for model_id in (0, 1):
        y, out = _predictions(k, n, seed=model_id)
        key = "proba" if k else "y_pred"
        metrics = compute_metrics(task, y[:SAMPLE], **{key: out[:SAMPLE]})  # the run's; not timed
        store.save_model_row(run_id, model_id, family="lightgbm", kind="single",
                             status="completed", params={}, score=metrics[metric],
                             metrics=metrics, fold_metrics=[{metric: metrics[metric]}] * 5,
                             fit_time=1.0, predict_time=0.1)
        store.save_array(run_id, "oof", str(model_id), out)
        store.save_array(run_id, "oof", "y", y)
    return run_id


def _timed(step: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = step()
    return result, time.perf_counter() - start


def engine_times(root: Path, run_id: str) -> dict[str, float]:
    times: dict[str, float] = {}
    report, times["compute"] = _timed(lambda: model_report(run_id, 0, runs_dir=root))
    _, times["metrics"] = _timed(lambda: model_metrics_frame(run_id, 0, runs_dir=root))
    _, times["cached"] = _timed(lambda: model_report(run_id, 0, runs_dir=root))
    other = model_report(run_id, 1, runs_dir=root)
    figs, times["figures"] = _timed(lambda: report_figures(report, compare=other,
                                                           names=("model 0", "model 1")))
    _, times["json"] = _timed(lambda: [fig.to_json() for fig in figs.values()])
    times["points"] = max(len(t.x) for fig in figs.values() for t in fig.data
                          if getattr(t, "x", None) is not None)
    if report.is_binary:
        _, times["threshold"] = _timed(lambda: (
            threshold_point(run_id, 0, 0.4, runs_dir=root, cost_fp=1, cost_fn=5),
            best_threshold(run_id, 0, cost_fp=1, cost_fn=5, runs_dir=root)))
    page, times["html"] = _timed(lambda: report_html(run_id, 0, runs_dir=root, compare_id=1))
    times["html_mb"] = len(page.encode()) / 1e6
    return times


def browser_times(root: Path, run_ids: list[str], repeats: int) -> dict[str, dict[str, float]]:
    """Seconds from navigation start to every chart drawn: cold (cache cleared, fresh server)
    and warm (a reload), per run."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.studio import VIEWPORT, launch, studio_server

    drawn = """() => {
        const app = document.querySelector('[data-testid=stApp]');
        const charts = [...document.querySelectorAll(
            '[data-testid=stMain] [data-testid=stPlotlyChart]')];
        return app && app.dataset.testScriptState === 'notRunning' && charts.length > 0
            && charts.every(c => c.querySelector('.main-svg'));
    }"""
    for run_id in run_ids:  # cold: no cached chart data in the store
        shutil.rmtree(root / run_id / "report", ignore_errors=True)
    out: dict[str, dict[str, float]] = {}
    with studio_server(root, log=root.parent / "server.log") as url, \
            sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_context(viewport=VIEWPORT, locale="en-US").new_page()
        page.goto(url)  # the first visit routes through app.py
        page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]")
        for run_id in run_ids:
            timings = []
            for _ in range(1 + repeats):
                page.goto(f"{url}/model?run={run_id}&model=0")
                page.wait_for_timeout(200)
                page.wait_for_function(drawn, timeout=600_000, polling=50)
                timings.append(page.evaluate("() => performance.now()") / 1000)
            out[run_id] = {"cold": timings[0], "warm": float(np.median(timings[1:]))}
        browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="10000,1000000")
    parser.add_argument("--browser", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(r) for r in args.rows.split(",")]
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "runs"
        runs = {(kind, n): build_run(root, kind, n) for n in sizes for kind in CASES}
        print(f"\n{'case':<24}" + "".join(f"{c:>10}" for c in (
            "compute", "cached", "metrics", "figures", "json", "threshold", "html", "html MB",
            "points")))
        for (kind, n), run_id in runs.items():
            t = engine_times(root, run_id)
            cells = [f"{t['compute']:.2f}", f"{t['cached']:.3f}", f"{t['metrics']:.3f}",
                     f"{t['figures']:.2f}",
                     f"{t['json']:.2f}", f"{t['threshold']:.2f}" if "threshold" in t else "—",
                     f"{t['html']:.2f}", f"{t['html_mb']:.1f}", f"{t['points']:,}"]
            print(f"{kind + f' {n:,} rows':<24}" + "".join(f"{c:>10}" for c in cells))
        if args.browser:
            pages = browser_times(root, list(runs.values()), args.repeats)
            print(f"\nModel page in Chromium, seconds to every chart drawn\n{'case':<24}"
                  f"{'cold':>10}{'warm':>10}")
            for (kind, n), run_id in runs.items():
                p = pages[run_id]
                print(f"{kind + f' {n:,} rows':<24}{p['cold']:>10.2f}{p['warm']:>10.2f}")


if __name__ == "__main__":
    main()
