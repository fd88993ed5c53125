"""Random forest and extra trees: bagged decision trees."""

from collections.abc import Mapping
from typing import Any

from optuna.distributions import CategoricalDistribution as Cat
from optuna.distributions import FloatDistribution as Float
from optuna.distributions import IntDistribution as Int

from engine.models._spec import CLASSIFICATION, REGRESSION, FitContext, ModelSpec

SPACE = {
    "n_estimators": Int(100, 500, step=50),
    "max_features": Float(0.05, 1.0),
    "min_samples_leaf": Int(1, 20, log=True),
}
CLASS_SPACE = {"class_weight": Cat([None, "balanced"])}
DEFAULTS = {"n_estimators": 150, "max_features": 0.5, "min_samples_leaf": 1, "class_weight": None}


def _factory(classifier: str, regressor: str):
    def build(ctx: FitContext, params: Mapping[str, Any]) -> Any:
        from sklearn import ensemble

        cls = getattr(ensemble, classifier if ctx.task == CLASSIFICATION else regressor)
        return cls(random_state=ctx.seed, n_jobs=ctx.n_jobs, **params)
    return build


RANDOM_FOREST = ModelSpec(
    key="random_forest", label="Random forest", tasks=(CLASSIFICATION, REGRESSION), style="dense",
    factory=_factory("RandomForestClassifier", "RandomForestRegressor"),
    space=SPACE, class_space=CLASS_SPACE, defaults=DEFAULTS, max_train_rows=50_000, grows="n_estimators",
    portfolio=({"max_features": 0.2, "min_samples_leaf": 2},),
)
EXTRA_TREES = ModelSpec(
    key="extra_trees", label="Extra trees", tasks=(CLASSIFICATION, REGRESSION), style="dense",
    factory=_factory("ExtraTreesClassifier", "ExtraTreesRegressor"),
    space=SPACE, class_space=CLASS_SPACE, defaults=DEFAULTS, max_train_rows=50_000, grows="n_estimators",
    portfolio=({"max_features": 1.0, "min_samples_leaf": 1},),
)
