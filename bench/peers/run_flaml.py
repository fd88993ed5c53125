"""FLAML AutoML runner (bench/.venvs/flaml)."""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common  # noqa: E402

a = _common.parse_args(__doc__)
import flaml  # noqa: E402
from flaml import AutoML  # noqa: E402

X, y, X_test = _common.read(a)
X, X_test = _common.as_category(X, X_test)
metric = {"binary": "roc_auc", "multiclass": "log_loss", "regression": "rmse"}[a.kind]
task = "regression" if a.kind == "regression" else "classification"
automl = AutoML()
automl.fit(X, y, task=task, time_budget=a.budget, metric=metric, n_jobs=a.cpus, seed=a.seed,
           log_file_name=os.path.join(a.workdir, "flaml.log"), verbose=1)
if task == "regression":
    _common.write(a, automl.predict(X_test))
else:
    _common.write(a, automl.predict(X_test), automl.predict_proba(X_test),
                  [str(c) for c in automl.classes_])
print(f"flaml {flaml.__version__} done: best={automl.best_estimator} "
      f"val_loss={automl.best_loss:.6g}")
