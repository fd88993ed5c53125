"""One contract over every entry of the model registry."""

from __future__ import annotations

import numpy as np
import optuna
import pytest

from engine import coerce_frame, infer_roles, load_sample
from engine.models import MODELS, models_for
from engine.search import default_trial
from engine.trainer import fit_family, predict_output

DATA = {"classification": ("penguins_ja", "種"), "regression": ("diabetes", "progression")}


@pytest.fixture(scope="module")
def problems():
    out = {}
    for task, (key, target) in DATA.items():
        frame = load_sample(key).dropna(subset=[target])
        roles = infer_roles(frame.drop(columns=[target]))
        X = coerce_frame(frame, roles)[list(roles)]
        y = (np.unique(frame[target].astype(str), return_inverse=True)[1] if task ==
             "classification" else frame[target].to_numpy(float))
        out[task] = (X, y, roles)
    return out


CASES = [(key, task) for key, spec in MODELS.items() for task in spec.tasks]


@pytest.mark.parametrize("key, task", CASES)
def test_family_fits_predicts_and_beats_a_constant(problems, key, task):
    spec = MODELS[key]
    X, y, roles = problems[task]
    train, test = np.arange(len(y)) % 4 != 0, np.arange(len(y)) % 4 == 0
    fitted = fit_family(spec, spec.defaults_for(task), X[train], y[train], roles=roles, task=task,
                        seed=0, n_jobs=1)
    out = predict_output(fitted.pipeline, X[test], task=task, n_classes=3)
    if task == "classification":
        assert out.shape == (test.sum(), 3)
        np.testing.assert_allclose(out.sum(axis=1), 1.0)
        assert (out.argmax(axis=1) == y[test]).mean() > 0.8
    else:
        assert np.mean((out - y[test]) ** 2) < 0.8 * np.var(y[test])


@pytest.mark.parametrize("key, task", CASES)
def test_defaults_lie_inside_the_search_space(key, task):
    spec = MODELS[key]
    space = spec.space_for(task)
    assert set(spec.defaults_for(task)) == set(space)
    for name, value in spec.defaults_for(task).items():
        dist = space[name]
        assert dist._contains(dist.to_internal_repr(value)), (name, value)
    assert default_trial(spec, task)["model"] == key


def test_every_task_has_several_families():
    assert len(models_for("classification")) >= 5 and len(models_for("regression")) >= 5
    assert all(isinstance(d, optuna.distributions.BaseDistribution)
               for spec in MODELS.values() for d in spec.space_for(spec.tasks[0]).values())


@pytest.mark.parametrize("key, task", CASES)
def test_portfolio_configurations_lie_inside_the_search_space(key, task):
    spec = MODELS[key]
    space = spec.space_for(task)
    for extra in spec.portfolio:
        for name, value in spec.config_for(task, extra).items():
            assert space[name]._contains(space[name].to_internal_repr(value)), (name, value)


@pytest.mark.parametrize("key", [k for k, spec in MODELS.items() if spec.grows])
def test_growing_families_stop_at_a_deadline_with_a_usable_model(problems, key):
    import time
    spec = MODELS[key]
    X, y, roles = problems["regression"]
    fitted = fit_family(spec, spec.defaults_for("regression"), X, y, roles=roles,
                        task="regression", seed=0, n_jobs=1, deadline=time.time() - 1)
    model = fitted.pipeline[-1]
    grown = len(model.estimators_) if hasattr(model, "estimators_") else model.n_iter_
    assert 0 < grown <= spec.grow_step
    assert predict_output(fitted.pipeline, X, task="regression", n_classes=0).shape == (len(y),)
