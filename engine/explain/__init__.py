"""Why a model predicts what it does: global and local explanations of any fitted model.

Exact SHAP values where the model allows (LightGBM's own tree SHAP, shap's tree explainer for
forests and histogram boosting, shap's linear explainer), a mimic surrogate with measured
fidelity for everything else (k-NN, ensembles), SHAP's kernel explainer as the slow
model-exact option, and permutation importance of the uploaded columns.

Typical use::

    explainer = build_explainer(pipeline, task=..., roles=..., background=train_rows,
                                classes=labels)
    expl = explainer.explain(sample)              # engineered features
    raw = raw_contributions(expl)                 # summed back to uploaded columns
    importance_frame(raw); beeswarm_frame(raw.for_class("yes"))
    prediction, local = whatif(explainer, edited_row)
"""

from engine.explain._cost import estimate_seconds, seconds_per_prediction
from engine.explain._explainer import (METHODS, Explainer, build_explainer, choose_method,
                                       explain, whatif)
from engine.explain._explanation import (LOG_ODDS, LOG_PREDICTION, PREDICTION, PROBABILITY,
                                         RAW_SCORE, Explanation, importance_frame,
                                         raw_contributions)
from engine.explain._frames import (beeswarm_frame, dependence_frame, interaction_feature,
                                    waterfall_frame)
from engine.explain._permutation import permutation_importance_frame
from engine.explain._settings import ExplainSettings

__all__ = [
    "LOG_ODDS", "LOG_PREDICTION", "METHODS", "PREDICTION", "PROBABILITY", "RAW_SCORE",
    "ExplainSettings", "Explainer", "Explanation", "beeswarm_frame", "build_explainer",
    "choose_method", "dependence_frame", "estimate_seconds", "explain", "importance_frame",
    "interaction_feature", "permutation_importance_frame", "raw_contributions",
    "seconds_per_prediction", "waterfall_frame", "whatif",
]
