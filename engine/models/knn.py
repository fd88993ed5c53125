"""k-nearest neighbours on scaled features (skipped on large tables: prediction is costly)."""

from collections.abc import Mapping
from typing import Any

from optuna.distributions import CategoricalDistribution as Cat
from optuna.distributions import IntDistribution as Int

from engine.models._spec import CLASSIFICATION, REGRESSION, FitContext, ModelSpec


def build(ctx: FitContext, params: Mapping[str, Any]) -> Any:
    from sklearn import neighbors

    cls = (neighbors.KNeighborsClassifier if ctx.task == CLASSIFICATION
           else neighbors.KNeighborsRegressor)
    return cls(n_jobs=ctx.n_jobs, **params)


SPEC = ModelSpec(
    key="knn", label="k-nearest neighbours", tasks=(CLASSIFICATION, REGRESSION), style="dense",
    factory=build,
    space={"n_neighbors": Int(1, 50, log=True), "weights": Cat(["uniform", "distance"])},
    defaults={"n_neighbors": 10, "weights": "distance"},
    max_train_rows=20_000,
)
