"""Linear models: logistic regression (classification) and elastic net (regression)."""

from collections.abc import Mapping
from typing import Any

from optuna.distributions import CategoricalDistribution as Cat
from optuna.distributions import FloatDistribution as Float

from engine.models._spec import CLASSIFICATION, REGRESSION, FitContext, ModelSpec


def build_logistic(ctx: FitContext, params: Mapping[str, Any]) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=1000, random_state=ctx.seed, **params)


def build_elastic_net(ctx: FitContext, params: Mapping[str, Any]) -> Any:
    from sklearn.linear_model import ElasticNet

    return ElasticNet(max_iter=5000, random_state=ctx.seed, **params)


LOGISTIC = ModelSpec(
    key="logistic_regression", label="Logistic regression", tasks=(CLASSIFICATION,),
    style="dense", factory=build_logistic,
    space={"C": Float(1e-3, 100.0, log=True), "class_weight": Cat([None, "balanced"])},
    defaults={"C": 1.0, "class_weight": None}, max_train_rows=200_000,
    portfolio=({"C": 0.1}, {"C": 10.0}),
)
ELASTIC_NET = ModelSpec(
    key="elastic_net", label="Elastic net", tasks=(REGRESSION,), style="dense",
    factory=build_elastic_net,
    space={"alpha": Float(1e-4, 10.0, log=True), "l1_ratio": Float(0.0, 1.0)},
    defaults={"alpha": 1e-3, "l1_ratio": 0.5}, max_train_rows=200_000,
    portfolio=({"alpha": 0.1, "l1_ratio": 0.5},),
)
