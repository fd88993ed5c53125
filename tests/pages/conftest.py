"""AppTest fixtures: the real engine, small real data, a real store in a temporary folder."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from engine import RunSettings, get_run, load_sample, start_run

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
LIVE = ("queued", "running")


def wait_until_done(run_id: str, runs_dir: Path, timeout: float = 120) -> str:
    """The final status of a run, waiting for its process."""
    end = time.time() + timeout
    while time.time() < end:
        status = get_run(run_id, runs_dir).status
        if status not in LIVE:
            return status
        time.sleep(0.5)
    raise AssertionError(f"run {run_id} still {status} after {timeout} s")


@pytest.fixture(scope="session")
def shared_runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with one completed classification run (penguins, a few fast trials)."""
    runs_dir = tmp_path_factory.mktemp("runs")
    settings = RunSettings(target="species", task="classification", metric="AUC_weighted",
                           roles={}, validation="cv:3", time_budget=90, max_trials=6,
                           models=("lightgbm", "random_forest", "logistic_regression"),
                           ensembles=False)
    run_id = start_run(settings, load_sample("penguins"), runs_dir=runs_dir)
    assert wait_until_done(run_id, runs_dir) == "completed"
    return runs_dir


@pytest.fixture
def completed_run(shared_runs: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The id of the completed run, with AUTOML_RUNS_DIR pointing at its store."""
    monkeypatch.setenv("AUTOML_RUNS_DIR", str(shared_runs))
    from engine import list_runs

    return str(list_runs(shared_runs)["run_id"].iloc[-1])


@pytest.fixture
def runs_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty store of this test only."""
    path = tmp_path / "runs"
    monkeypatch.setenv("AUTOML_RUNS_DIR", str(path))
    return path


@pytest.fixture
def app() -> AppTest:
    """The studio, run once (it opens on the Data page)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    return at


def goto(at: AppTest, page: str) -> AppTest:
    """Open one page of the studio (``data``, ``setup``, ``run``, ``leaderboard``, ``runs``)."""
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    """Every text of the page, for simple assertions."""
    parts = [e.value for kind in ("title", "subheader", "markdown", "caption", "info", "warning",
                                  "error", "success") for e in getattr(at, kind)]
    parts += [w.label for kind in ("button", "selectbox", "number_input", "radio", "checkbox",
                                   "multiselect", "toggle") for w in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)
