"""The search's successive halving on large holdouts, in a real run with a real Optuna study."""

from __future__ import annotations

import numpy as np
import optuna
import pandas as pd
import pytest

from engine.results import trials_frame
from engine.search import RUNG_MIN_ROWS, rung_sizes
from engine.store import Store
from pages._i18n import engine_text
from tests.conftest import run_to_end


@pytest.mark.parametrize(("n_train", "limit", "expected"), [
    (180_000, None, (20_000, 60_000, 180_000)),
    (180_000, 50_000, (20_000, 50_000)),   # a family capped at 50k rows skips the 60k rung
    (180_000, 20_000, (20_000,)),          # capped at the first rung: one full fit
    (36_000, None, (12_000, 36_000)),      # a ninth would be under RUNG_MIN_ROWS
    (RUNG_MIN_ROWS * 2, None, (RUNG_MIN_ROWS * 2,)),
])
def test_rungs_grow_by_thirds_and_end_on_the_full_training_rows(n_train, limit, expected):
    assert rung_sizes(n_train, limit) == expected


def test_a_large_holdout_fits_each_trial_on_a_third_first_and_never_prunes_a_finished_one(tmp_path):
    rng = np.random.default_rng(3)
    n = 40_000  # over 20,000 rows: an automatic 10 % holdout, 36,000 training rows
    frame = pd.DataFrame(rng.normal(size=(n, 5)), columns=[f"x{i}" for i in range(5)])
    frame["y"] = np.where(frame["x0"] + 0.5 * frame["x1"] ** 2 + rng.normal(size=n) > 0.5, "a", "b")
    run_id = run_to_end(frame, tmp_path, target="y", models=("lightgbm", "knn"), max_trials=10,
                        test_fraction=None)

    study = optuna.load_study(study_name=run_id, storage=Store(tmp_path).optuna_storage())
    steps = {t.number: sorted(t.intermediate_values) for t in study.trials}
    trials = trials_frame(run_id, tmp_path).set_index("model_id")
    # every trial is fitted on 12,000 rows (step 0), then, if it survives, on all 36,000 rows
    # (k-NN on its cap of 20,000); only the first fit can prune it
    assert set(trials["status"]) <= {"completed", "pruned"} and len(trials) == 10
    for i, status in trials["status"].items():
        assert steps[i] == ([0, 1] if status == "completed" else [0])
    assert trials["status"].eq("pruned").any()  # seeded: k-NN falls behind at the first rung
    for i in trials.index[trials["status"] == "pruned"]:
        assert "12,000 of 36,000 training rows" in trials.loc[i, "error"]
        assert engine_text(trials.loc[i, "error"], lang="ja").startswith("学習行 36,000 行のうち")
    leaderboard = study.trials_dataframe()
    assert leaderboard["state"].eq("COMPLETE").sum() == trials["status"].eq("completed").sum()
