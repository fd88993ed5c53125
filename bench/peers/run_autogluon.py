"""AutoGluon-Tabular runner (bench/.venvs/autogluon), presets="medium_quality".

Models are written under --workdir, which compare.py deletes afterwards.
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common  # noqa: E402

a = _common.parse_args(__doc__)
import autogluon.tabular as agt  # noqa: E402
from autogluon.tabular import TabularPredictor  # noqa: E402

X, y, X_test = _common.read(a)
train = X.copy()
train[a.target] = y.values
metric = {"binary": "roc_auc", "multiclass": "log_loss", "regression": "root_mean_squared_error"}[a.kind]
pred = TabularPredictor(label=a.target, problem_type=a.kind, eval_metric=metric,
                        path=os.path.join(a.workdir, "ag_models"), verbosity=1)
pred.fit(train, time_limit=a.budget, presets="medium_quality", num_cpus=a.cpus, num_gpus=0)
if a.kind == "regression":
    _common.write(a, pred.predict(X_test).to_numpy())
else:
    proba = pred.predict_proba(X_test)
    _common.write(a, pred.predict(X_test).to_numpy(), proba.to_numpy(),
                  [str(c) for c in proba.columns])
lb = pred.leaderboard(silent=True)
print(f"autogluon.tabular {agt.__version__} done: best={pred.model_best} models={len(lb)}")
