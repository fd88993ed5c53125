"""Shared fixtures: bundled real data and small real runs in temporary stores."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from engine import RunSettings, create_run, execute_run, load_sample


@pytest.fixture(scope="session")
def cancer() -> pd.DataFrame:
    return load_sample("breast_cancer")


@pytest.fixture(scope="session")
def penguins_ja() -> pd.DataFrame:
    return load_sample("penguins_ja")


@pytest.fixture(scope="session")
def diabetes() -> pd.DataFrame:
    return load_sample("diabetes")


def run_to_end(frame: pd.DataFrame, runs_dir, **settings) -> str:
    """Create and execute a run in this process (the CLI's way), returning its id."""
    # a generous time budget: the trial budget ends these runs, so they are reproducible
    defaults = {"task": None, "time_budget": 900, "max_trials": 6, "seed": 0, "n_jobs": 1,
                "ensembles": False}
    test_data = settings.pop("test_data", None)
    run_id = create_run(RunSettings(**{**defaults, **settings}), frame, runs_dir=runs_dir,
                        test_data=test_data)
    execute_run(run_id, runs_dir)
    return run_id


@pytest.fixture(scope="session")
def binary_run(tmp_path_factory, cancer) -> tuple[str, object]:
    runs = tmp_path_factory.mktemp("binary_runs")
    return run_to_end(cancer, runs, target="diagnosis", test_fraction=0.2), runs


def noise_frame(n: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.normal(size=(n, 8)), columns=[f"x{i}" for i in range(8)])
    frame["colour"] = rng.choice(["red", "green", "blue", "grey"], size=n)
    frame["label"] = rng.choice(["yes", "no"], size=n)
    return frame
