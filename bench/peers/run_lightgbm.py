"""Default-parameter LightGBM baseline (project venv). Categoricals as pandas category."""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common  # noqa: E402

a = _common.parse_args(__doc__)
import lightgbm as lgb  # noqa: E402

X, y, X_test = _common.read(a)
X, X_test = _common.as_category(X, X_test)
if a.kind == "regression":
    m = lgb.LGBMRegressor(n_jobs=a.cpus, verbose=-1, random_state=a.seed)
    m.fit(X, y)
    _common.write(a, m.predict(X_test))
else:
    m = lgb.LGBMClassifier(n_jobs=a.cpus, verbose=-1, random_state=a.seed)
    m.fit(X, y)
    _common.write(a, m.predict(X_test), m.predict_proba(X_test), list(m.classes_))
print(f"lightgbm {lgb.__version__} done")
