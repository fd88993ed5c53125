"""The model registry: every family the search may try, in the order defaults are tried."""

from engine.errors import EngineError
from engine.models import forests, hist_gb, knn, lightgbm, linear
from engine.models._spec import CLASSIFICATION, REGRESSION, FitContext, ModelSpec

MODELS: dict[str, ModelSpec] = {
    "lightgbm": lightgbm.SPEC,
    "hist_gradient_boosting": hist_gb.SPEC,
    "random_forest": forests.RANDOM_FOREST,
    "extra_trees": forests.EXTRA_TREES,
    "logistic_regression": linear.LOGISTIC,
    "elastic_net": linear.ELASTIC_NET,
    "knn": knn.SPEC,
}

__all__ = ["CLASSIFICATION", "MODELS", "REGRESSION", "FitContext", "ModelSpec", "models_for",
           "get_model"]


def models_for(task: str) -> list[str]:
    """Keys of the families that can do this task, in registry order."""
    return [key for key, spec in MODELS.items() if task in spec.tasks]


def get_model(key: str) -> ModelSpec:
    """The spec of one family; an unknown key is a user error listing the valid ones."""
    if key not in MODELS:
        raise EngineError(f"Unknown model family '{key}'; choose from: {', '.join(MODELS)}.")
    return MODELS[key]
