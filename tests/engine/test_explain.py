"""Explanations: exact additivity, sums back to uploaded columns, the right feature on top,
class axes, surrogate fidelity, odd column names, what-if, frames and figures."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

from engine import EngineError, coerce_frame, infer_roles, load_sample
from engine.explain import (ExplainSettings, beeswarm_frame, build_explainer, choose_method,
                            dependence_frame, estimate_seconds, explain, importance_frame,
                            interaction_feature, permutation_importance_frame,
                            raw_contributions, waterfall_frame, whatif)
from engine.explain_figures import (figure_beeswarm, figure_dependence, figure_importance,
                                    figure_waterfall)
from engine.models import MODELS
from engine.trainer import fit_family

FAST = {"lightgbm": {"n_estimators": 60}, "random_forest": {"n_estimators": 30},
        "extra_trees": {"n_estimators": 30}}
SETTINGS = ExplainSettings(mimic_rows=1500, mimic_rounds=200)


def fit(key: str, X: pd.DataFrame, y: np.ndarray, roles: dict[str, str], task: str):
    params = {**MODELS[key].defaults_for(task), **FAST.get(key, {})}
    with threadpool_limits(limits=1):  # OpenMP threads crawl on a busy machine
        return fit_family(MODELS[key], params, X, y, roles=roles, task=task, seed=0,
                          n_jobs=1).pipeline


def raw_output(pipeline, X: pd.DataFrame, task: str) -> np.ndarray:
    """The estimator's own output in the space its exact explainer works in."""
    Xt, est = pipeline[:-1].transform(X), pipeline[-1]
    if task == "regression":
        return est.predict(Xt)
    if type(est).__name__ == "LGBMClassifier":
        return est.predict(Xt, raw_score=True)
    if hasattr(est, "decision_function"):
        return est.decision_function(Xt)
    proba = est.predict_proba(Xt)
    return proba[:, 1] if proba.shape[1] == 2 else proba


# ---------------------------------------------------------------- data


@pytest.fixture(scope="session")
def mixed() -> tuple[pd.DataFrame, dict[str, str], dict[str, np.ndarray]]:
    """Numbers with gaps, a Japanese categorical, a date, free text and an id."""
    rng = np.random.default_rng(0)
    n = 600
    X = pd.DataFrame({
        "x1": rng.normal(size=n), "x2": rng.normal(size=n),
        "色": pd.Series(rng.choice(["赤", "青", "緑", None], size=n), dtype="str"),
        "when": pd.to_datetime("2020-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D"),
        "note": pd.Series(rng.choice(["good stuff", "bad thing", "okay-ish", "great"], n),
                          dtype="str"),
        "id": pd.Series(np.arange(n).astype(str), dtype="str"),
    })
    X.loc[rng.random(n) < 0.1, "x2"] = np.nan
    roles = {"x1": "numeric", "x2": "numeric", "色": "categorical", "when": "datetime",
             "note": "text", "id": "id"}
    signal = 2 * X["x1"] + 1.5 * (X["色"] == "赤") + np.nan_to_num(X["x2"])
    targets = {"regression": (signal + rng.normal(size=n) * 0.3).to_numpy(),
               "binary": (signal + rng.logistic(size=n) > 0.5).astype(int).to_numpy(),
               "multiclass": np.digitize(signal, [-1.0, 1.0]).astype(int)}
    return X, roles, targets


@pytest.fixture(scope="session")
def one_signal() -> tuple[pd.DataFrame, np.ndarray, dict[str, str]]:
    """One informative column among pure noise."""
    rng = np.random.default_rng(1)
    columns = ["signal", *[f"noise{i}" for i in range(5)]]
    X = pd.DataFrame(rng.normal(size=(800, 6)), columns=columns)
    y = np.sin(2 * X["signal"].to_numpy()) * 3 + X["signal"].to_numpy() + rng.normal(size=800) * 0.2
    return X, y, {c: "numeric" for c in X.columns}


CASES = {  # model family, task, target, classes
    "lightgbm-regression": ("lightgbm", "regression", "regression", ()),
    "lightgbm-binary": ("lightgbm", "classification", "binary", ("no", "yes")),
    "lightgbm-multiclass": ("lightgbm", "classification", "multiclass", ("lo", "mid", "hi")),
    "forest-regression": ("random_forest", "regression", "regression", ()),
    "forest-binary": ("random_forest", "classification", "binary", ("no", "yes")),
    "extra-trees-multiclass": ("extra_trees", "classification", "multiclass", ("lo", "mid", "hi")),
    "hgb-regression": ("hist_gradient_boosting", "regression", "regression", ()),
    "hgb-binary": ("hist_gradient_boosting", "classification", "binary", ("no", "yes")),
    "logistic-binary": ("logistic_regression", "classification", "binary", ("no", "yes")),
    "logistic-multiclass": ("logistic_regression", "classification", "multiclass",
                            ("lo", "mid", "hi")),
    "elastic-net": ("elastic_net", "regression", "regression", ()),
}


@pytest.fixture(scope="session")
def fitted(mixed):
    X, roles, targets = mixed
    cache = {}

    def get(case: str):
        if case not in cache:
            key, task, target, classes = CASES[case]
            # shap reads histogram boosting exactly only without categorical splits
            use = {**roles, "色": "ignore"} if key == "hist_gradient_boosting" else roles
            cache[case] = fit(key, X, targets[target], use, task), use
        return cache[case]
    return get


# ---------------------------------------------------------------- exactness


@pytest.mark.parametrize("case", list(CASES))
def test_contributions_add_up_to_the_models_raw_output(case, fitted, mixed):
    key, task, _, classes = CASES[case]
    pipeline, roles = fitted(case)
    X = mixed[0].iloc[:40]
    settings = ExplainSettings(budget_seconds=1e9)
    expl = explain(pipeline, X, task=task, roles=roles, background=mixed[0], classes=classes,
                   settings=settings)
    assert expl.method == ("linear" if key in ("logistic_regression", "elastic_net") else "tree")
    np.testing.assert_allclose(expl.base_values + expl.values.sum(axis=1), expl.output, atol=1e-9)
    np.testing.assert_allclose(expl.output, raw_output(pipeline, X, task), atol=1e-6)
    assert expl.values.shape[:2] == (40, len(expl.feature_names)) == expl.data.shape


def test_raw_columns_keep_every_sum(fitted, mixed):
    X, roles, _ = mixed
    for case in ("logistic-binary", "lightgbm-multiclass"):  # one-hot / codes, dates, text
        pipeline, _ = fitted(case)
        _, task, _, classes = CASES[case]
        expl = explain(pipeline, X.iloc[:50], task=task, roles=roles, background=X,
                       classes=classes)
        raw = raw_contributions(expl)
        assert raw.feature_names == ("x1", "x2", "色", "when", "note")
        assert len(expl.feature_names) > 2 * len(raw.feature_names)  # parts of dates and text
        np.testing.assert_allclose(raw.values.sum(axis=1), expl.values.sum(axis=1), atol=1e-10)
        np.testing.assert_allclose(raw.output, expl.output)
        assert np.isnan(raw.data[:, 2]).all() and np.isfinite(raw.data[:, 3]).all()


def test_linear_values_match_shaps_linear_explainer(fitted, mixed):
    import shap

    pipeline, roles = fitted("logistic-multiclass")
    X = mixed[0]
    expl = explain(pipeline, X.iloc[:20], task="classification", roles=roles, background=X,
                   classes=("lo", "mid", "hi"))
    matrix = pipeline[:-1].transform(X)
    reference = shap.LinearExplainer(pipeline[-1], shap.maskers.Independent(matrix, 1000))
    np.testing.assert_allclose(expl.values, reference.shap_values(matrix[:20]), atol=1e-10)


# ---------------------------------------------------------------- the right feature first


def test_the_informative_column_ranks_first_by_every_method(one_signal):
    X, y, roles = one_signal
    pipeline = fit("lightgbm", X, y, roles, "regression")
    for method in ("tree", "mimic"):
        expl = explain(pipeline, X.iloc[:300], task="regression", roles=roles, background=X,
                       method=method, settings=SETTINGS)
        assert importance_frame(expl)["feature"][0] == "signal", method
    perm = permutation_importance_frame(pipeline, X, y, task="regression", roles=roles,
                                        max_rows=400)
    assert perm["feature"][0] == "signal"
    assert perm["importance"][0] > 10 * perm["importance"][1:].abs().max()


# ---------------------------------------------------------------- classes


def test_multiclass_has_a_class_axis_and_one_class_can_be_picked(fitted, mixed):
    pipeline, roles = fitted("lightgbm-multiclass")
    X = mixed[0].iloc[:30]
    expl = explain(pipeline, X, task="classification", roles=roles, background=mixed[0],
                   classes=("lo", "mid", "hi"))
    f = len(expl.feature_names)
    assert expl.values.shape == (30, f, 3) and expl.base_values.shape == (30, 3)
    assert expl.output_space == "raw score" and expl.output_classes == ("lo", "mid", "hi")
    mid = expl.for_class("mid")
    assert mid.values.shape == (30, f) and mid.output_label() == "raw score of class 'mid'"
    np.testing.assert_allclose(mid.output, expl.output[:, 1])
    assert {"class: lo", "class: mid", "class: hi"} <= set(importance_frame(expl).columns)
    with pytest.raises(EngineError, match="not a class"):
        expl.for_class("huge")


def test_a_binary_explanation_turns_to_the_other_class_exactly(fitted, mixed):
    X, _, _ = mixed
    for case, space in (("logistic-binary", "log-odds"), ("forest-binary", "probability")):
        pipeline, roles = fitted(case)
        expl = explain(pipeline, X.iloc[:20], task="classification", roles=roles, background=X,
                       classes=("no", "yes"), settings=ExplainSettings(budget_seconds=1e9))
        assert expl.values.ndim == 2 and expl.output_classes == ("yes",)
        other = expl.for_class("no")
        assert other.output_space == space and other.output_classes == ("no",)
        np.testing.assert_allclose(other.base_values + other.values.sum(axis=1), other.output,
                                   atol=1e-12)
        truth = -expl.output if space == "log-odds" else 1 - expl.output
        np.testing.assert_allclose(other.output, truth, atol=1e-12)


# ---------------------------------------------------------------- model-agnostic methods


def test_a_knn_surrogate_reports_its_fidelity(one_signal):
    X, y, roles = one_signal
    train, held = slice(0, 500), slice(500, None)
    for task, target, classes in (("regression", y, ()),
                                  ("classification", (y > 0).astype(int), ("neg", "pos"))):
        pipeline = fit("knn", X.iloc[train], target[train], roles, task)
        explainer = build_explainer(pipeline, task=task, roles=roles, background=X.iloc[held],
                                    classes=classes, settings=SETTINGS)
        assert explainer.method == "mimic+tree"
        expl = explainer.explain(X.iloc[held].head(50))
        assert expl.fidelity is not None and expl.fidelity > 0.5, (task, expl.fidelity)
        assert importance_frame(expl)["feature"][0] == "signal"


class Averaged:
    """An ensemble as the studio makes them: predict_proba over raw rows, no features step."""

    def __init__(self, members: list) -> None:
        self.members = members

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return np.mean([m.predict_proba(X) for m in self.members], axis=0)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.predict_proba(X).argmax(axis=1)


@pytest.fixture(scope="session")
def weird():
    """Column names that break naive code: Japanese, spaces, separators, digits, brackets."""
    rng = np.random.default_rng(2)
    n = 400
    X = pd.DataFrame({
        "売上 (円)": rng.normal(size=n), "a__b": rng.normal(size=n), "0": rng.normal(size=n),
        "x: y": pd.Series(rng.choice(["p", "q"], n), dtype="str"), "[列]": rng.normal(size=n),
    })
    y = (2 * X["売上 (円)"] + 0.5 * (X["x: y"] == "p") > 0.5).astype(int).to_numpy()
    return X, y, infer_roles(X)


def test_an_ensemble_is_explained_by_mimic_and_kernel(weird):
    X, y, roles = weird
    members = [fit(k, X, y, roles, "classification") for k in ("logistic_regression", "knn")]
    model = Averaged(members)
    assert choose_method(model, task="classification", roles=roles, classes=("n", "y")) == "mimic"
    mimic = explain(model, X.iloc[:30], task="classification", roles=roles, background=X,
                    classes=("n", "y"), settings=SETTINGS)
    assert set(mimic.origins) == set(X.columns) and mimic.fidelity > 0.5
    kernel = explain(model, X.iloc[:3], task="classification", roles=roles, background=X,
                     classes=("n", "y"), method="kernel")
    assert kernel.feature_names == tuple(X.columns) and kernel.output_space == "probability"
    np.testing.assert_allclose(kernel.output, model.predict_proba(X.iloc[:3])[:, 1], atol=1e-5)
    assert importance_frame(kernel)["feature"][0] == "売上 (円)"


def test_japanese_and_odd_column_names_survive(weird):
    X, y, roles = weird
    pipeline = fit("lightgbm", X, y, roles, "classification")
    raw = raw_contributions(explain(pipeline, X.iloc[:20], task="classification", roles=roles,
                                    background=X, classes=(0, 1)))
    assert raw.feature_names == tuple(X.columns)
    assert importance_frame(raw)["feature"][0] == "売上 (円)"
    assert "売上 (円)" in set(waterfall_frame(raw, 0)["feature"])


def test_a_real_japanese_table(penguins_ja_fitted):
    pipeline, X, roles, classes = penguins_ja_fitted
    raw = raw_contributions(explain(pipeline, X.iloc[:40], task="classification", roles=roles,
                                    background=X, classes=classes))
    assert raw.values.shape == (40, len(roles), 3)
    assert set(raw.feature_names) == set(roles) and "くちばしの長さ_mm" in raw.feature_names


@pytest.fixture(scope="session")
def penguins_ja_fitted():
    frame = load_sample("penguins_ja").dropna(subset=["種"])
    roles = {c: r for c, r in infer_roles(frame).items() if c != "種"}
    X = coerce_frame(frame, roles)
    classes = tuple(sorted(frame["種"].unique()))
    y = np.searchsorted(np.asarray(classes, dtype=object), frame["種"].to_numpy(dtype=object))
    return fit("lightgbm", X, y, roles, "classification"), X, roles, classes


# ---------------------------------------------------------------- local and what-if


def test_whatif_is_fast_and_follows_the_edit(fitted, mixed):
    X, roles, _ = mixed
    for case in ("lightgbm-binary", "logistic-binary"):
        pipeline, _ = fitted(case)
        explainer = build_explainer(pipeline, task="classification", roles=roles, background=X,
                                    classes=("no", "yes"))
        row = X.iloc[[3]].copy()
        start = time.perf_counter()
        before, expl = whatif(explainer, row)
        assert time.perf_counter() - start < 1.0
        np.testing.assert_allclose(before, pipeline.predict_proba(row)[0])
        row["x1"] = row["x1"] + 3
        after, _ = whatif(explainer, row.astype({"x1": object}))
        assert after[1] > before[1]
        assert expl.values.shape == (1, len(expl.feature_names))
    with pytest.raises(EngineError, match="exactly one row"):
        whatif(explainer, X.iloc[:2])


# ---------------------------------------------------------------- frames and figures


def test_frames_for_the_charts(fitted, mixed):
    X, roles, _ = mixed
    pipeline, _ = fitted("lightgbm-regression")
    raw = raw_contributions(explain(pipeline, X.iloc[:200], task="regression", roles=roles,
                                    background=X))
    steps = waterfall_frame(raw, 5, max_features=2)
    assert list(steps["kind"]) == ["base", "feature", "feature", "others", "output"]
    body = steps[steps["kind"].isin(["feature", "others"])]
    assert np.isclose(steps["contribution"].iloc[0] + body["contribution"].sum(),
                      steps["contribution"].iloc[-1])
    swarm = beeswarm_frame(raw, max_features=3)
    assert len(swarm) == 600 and swarm["feature"].iloc[0] == importance_frame(raw)["feature"][0]
    assert swarm.loc[swarm["feature"] == "色", "colour"].isna().all()
    dep = dependence_frame(raw, "色")
    assert set(dep["value"]) <= {"赤", "青", "緑", "(missing)"}


def test_the_interaction_partner_is_found():
    rng = np.random.default_rng(3)
    X = pd.DataFrame(rng.normal(size=(1500, 4)), columns=["a", "b", "c", "d"])
    y = (X["a"] * X["b"] + 0.3 * X["c"]).to_numpy()
    roles = {c: "numeric" for c in X.columns}
    pipeline = fit("lightgbm", X, y, roles, "regression")
    expl = explain(pipeline, X.iloc[:500], task="regression", roles=roles, background=X)
    assert interaction_feature(expl, "a") == "b"
    frame = dependence_frame(expl, "a", colour_by="b")
    np.testing.assert_allclose(frame["colour"], X["b"].iloc[:500])


def test_figures_draw_with_translated_labels(fitted, mixed):
    X, roles, targets = mixed
    pipeline, _ = fitted("lightgbm-multiclass")
    expl = explain(pipeline, X.iloc[:100], task="classification", roles=roles, background=X,
                   classes=("lo", "mid", "hi"))
    raw = raw_contributions(expl)
    perm = permutation_importance_frame(pipeline, X, targets["multiclass"], task="classification",
                                        roles=roles, n_classes=3, n_repeats=2, max_rows=200)
    ja = {"importance": "平均|寄与|", "contribution": "寄与", "base": "基準値", "output": "出力"}
    bars = figure_importance(importance_frame(raw), perm, labels=ja)
    assert bars.layout.xaxis.title.text == "平均|寄与|" and len(bars.data) == 4
    one = raw.for_class("hi")
    assert figure_beeswarm(beeswarm_frame(one), labels=ja).layout.xaxis.title.text == "寄与"
    partner = interaction_feature(one, "x1")
    dep = figure_dependence(dependence_frame(one, "x1", colour_by=partner), feature="x1",
                            colour_by=partner, labels=ja)
    assert dep.layout.xaxis.title.text == "x1"
    fall = figure_waterfall(waterfall_frame(one, 0), labels=ja)
    assert list(fall.data[0].y)[0] == "基準値" and list(fall.data[0].y)[-1] == "出力"
    with pytest.raises(EngineError, match="one class at a time"):
        beeswarm_frame(raw)


# ---------------------------------------------------------------- choice, cost, errors


def test_methods_are_chosen_and_costed(fitted, mixed):
    X, roles, targets = mixed
    binary = {"task": "classification", "roles": roles, "classes": ("no", "yes")}
    assert choose_method(fitted("lightgbm-binary")[0], **binary) == "tree"
    assert choose_method(fitted("logistic-binary")[0], **binary) == "linear"
    forest = fitted("forest-binary")[0]
    assert choose_method(forest, **binary, settings=ExplainSettings(budget_seconds=1e9)) == "tree"
    assert choose_method(forest, **binary, settings=ExplainSettings(budget_seconds=1e-3)) == "mimic"
    categorical = fit("hist_gradient_boosting", X, targets["binary"], roles, "classification")
    assert choose_method(categorical, **binary) == "mimic"  # shap cannot read categorical splits
    small, big = (estimate_seconds("kernel", n, 10) for n in (10, 100))
    assert 0 < small < big
    for method in ("tree", "linear", "mimic", "permutation"):
        assert 0 < estimate_seconds(method, 1000, 20, model=fitted("lightgbm-binary")[0]) < 60


@pytest.mark.parametrize("method, message", [("magic", "Unknown explanation method"),
                                             ("linear", "does not fit")])
def test_unusable_methods_are_user_errors(method, message, fitted, mixed):
    X, roles, _ = mixed
    with pytest.raises(EngineError, match=message):
        build_explainer(fitted("lightgbm-binary")[0], task="classification", roles=roles,
                        background=X, classes=("no", "yes"), method=method)
