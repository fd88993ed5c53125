"""Featurization: built from roles, fitted on training rows only, traceable to uploaded columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from engine.featurize import DENSE, NATIVE, build_featurizer, categorical_indices, \
    feature_names, feature_origins, plan_features

ROLES = {"数値": "numeric", "flag": "boolean", "色": "categorical", "city": "categorical",
         "when": "datetime", "note": "text", "row id": "id", "same": "constant"}


@pytest.fixture()
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 300
    return pd.DataFrame({
        "数値": np.where(rng.random(n) < 0.1, np.nan, rng.normal(size=n)),
        "flag": rng.integers(0, 2, n).astype(float),
        "色": rng.choice(["赤", "青", None], n),
        "city": [f"city{i % 40}" for i in range(n)],
        "when": pd.date_range("2020-01-01", periods=n, freq="D"),
        "note": rng.choice(["good service", "bad food", "とても良い"], n),
        "row id": np.arange(n).astype(str),
        "same": "x",
    })


@pytest.mark.parametrize("style", [NATIVE, DENSE])
def test_every_feature_maps_back_to_an_uploaded_column(frame, style):
    y = (frame["数値"].fillna(0) > 0).astype(int).to_numpy()
    featurizer = build_featurizer(frame, ROLES, style=style)
    Xt = featurizer.fit_transform(frame, y)
    origins = feature_origins(featurizer)
    assert Xt.shape[1] == len(origins) == len(feature_names(featurizer))
    assert set(origins) == {"数値", "flag", "色", "city", "when", "note"}
    assert plan_features(ROLES).dropped == {"row id": "looks like an identifier (almost every value "
                                            "is unique)", "same": "has a single value"}


def test_dense_style_imputes_flags_missing_and_scales(frame):
    featurizer = build_featurizer(frame, ROLES, style=DENSE)
    Xt = featurizer.fit_transform(frame, np.zeros(len(frame), dtype=int) + (frame.index % 2))
    names = feature_names(featurizer)
    assert "数値 (missing)" in names
    assert not np.isnan(Xt).any()
    np.testing.assert_allclose(Xt[:, names.index("数値")].mean(), 0, atol=1e-9)


def test_native_style_keeps_missing_and_marks_categorical_codes(frame):
    featurizer = build_featurizer(frame, ROLES, style=NATIVE)
    Xt = featurizer.fit_transform(frame)
    cats = categorical_indices(featurizer, ROLES)
    assert [feature_origins(featurizer)[i] for i in cats] == ["色", "city"]
    assert np.isnan(Xt[:, feature_names(featurizer).index("数値")]).sum() == frame["数値"].isna().sum()


@pytest.mark.parametrize("style", [NATIVE, DENSE])
def test_unseen_categories_and_missing_values_at_predict_time_never_crash(frame, style):
    y = (frame.index % 2).to_numpy()
    featurizer = build_featurizer(frame, ROLES, style=style).fit(frame, y)
    new = frame.head(3).copy()
    new["色"] = ["紫", None, "unknown"]
    new["city"] = ["atlantis", None, "city1"]
    new["when"] = pd.NaT
    assert featurizer.transform(new).shape[0] == 3


def test_statistics_come_from_training_rows_only(frame):
    train, val = frame.iloc[:200], frame.iloc[200:].copy()
    val["数値"] = 1000.0
    featurizer = build_featurizer(train, ROLES, style=DENSE).fit(train, np.arange(200) % 2)
    scaler = featurizer.named_transformers_["num"][-1]
    np.testing.assert_allclose(scaler.mean_[0], train["数値"].fillna(train["数値"].median()).mean())


def _features_by_origin(frame: pd.DataFrame, style: str, off: tuple[str, ...]) -> dict:
    y = (frame["数値"].fillna(0) > 0).astype(int).to_numpy()
    featurizer = build_featurizer(frame, ROLES, style=style, off=off)
    Xt = featurizer.fit_transform(frame, y)
    by_origin: dict[str, list[str]] = {}
    for name, origin in zip(feature_names(featurizer), feature_origins(featurizer)):
        by_origin.setdefault(origin, []).append(name)
    return {"X": Xt, "names": feature_names(featurizer), **by_origin}


def test_each_featurization_step_can_be_switched_off(frame):
    full = _features_by_origin(frame, DENSE, ())
    assert "数値 (missing)" in full["数値"] and len(full["色"]) == 3 and len(full["city"]) == 1
    assert len(full["when"]) == 7 and len(full["note"]) > 5
    assert "数値 (missing)" not in _features_by_origin(frame, DENSE, ("missing_flags",))["数値"]
    unscaled = _features_by_origin(frame, DENSE, ("scaling",))
    column = unscaled["names"].index("数値")
    assert np.isclose(np.nanmax(unscaled["X"][:, column]), frame["数値"].max())  # raw units
    # one-hot off: few levels are target-encoded; target encoding off: many levels one-hot
    assert len(_features_by_origin(frame, DENSE, ("one_hot",))["色"]) == 1
    assert len(_features_by_origin(frame, DENSE, ("target_encoding",))["city"]) > 1
    both = _features_by_origin(frame, DENSE, ("one_hot", "target_encoding"))
    assert len(both["色"]) == len(both["city"]) == 1  # ordinal codes
    assert _features_by_origin(frame, DENSE, ("datetime_parts",))["when"] == ["when: days"]
    as_category = _features_by_origin(frame, DENSE, ("text_ngrams",))["note"]
    assert len(as_category) == 3 and not any("'" in n for n in as_category)


def test_native_style_keeps_its_categorical_codes_whatever_is_off(frame):
    native = _features_by_origin(frame, NATIVE, ("one_hot", "target_encoding", "scaling",
                                                 "text_ngrams"))
    assert native["色"] == ["色"] and native["city"] == ["city"]
    assert native["note"] == ["note"]  # texts join the categorical codes when n-grams are off
    assert _features_by_origin(frame, NATIVE, ())["note"] != ["note"]
