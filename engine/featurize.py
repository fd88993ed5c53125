"""Featurization: one ColumnTransformer built from the column roles.

It is always fitted on training rows only (inside each fold, then on all training data at refit).
Two styles: ``native`` for tree boosters that take missing values and categorical codes as they
are, ``dense`` for everything else (imputation with missing indicators, scaling, one-hot for
low-cardinality and target encoding for high-cardinality categoricals). Every engineered column
keeps the name of the uploaded column it came from, so explanations can sum back to it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler, TargetEncoder

NATIVE = "native"
DENSE = "dense"
ONE_HOT_MAX_LEVELS = 15
NATIVE_MAX_LEVELS = 250
DROPPED_ROLES = {
    "id": "looks like an identifier (almost every value is unique)",
    "constant": "has a single value",
    "ignore": "marked as ignored",
}
DATE_PARTS = ("year", "month", "day", "dayofweek", "hour", "dayofyear")


class DateParts(BaseEstimator, TransformerMixin):
    """Calendar parts and days since 1970 of one datetime column."""

    def fit(self, X: pd.DataFrame, y: object = None) -> "DateParts":
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        return self

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        s = pd.to_datetime(X.iloc[:, 0], errors="coerce")
        parts = [getattr(s.dt, part).astype("float64") for part in DATE_PARTS]
        epoch = (s - pd.Timestamp("1970-01-01")).dt.total_seconds() / 86400.0
        return np.column_stack([*parts, epoch.astype("float64")])

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        name = self.feature_names_in_[0]
        return np.asarray([f"{name}: {p}" for p in (*DATE_PARTS, "days")], dtype=object)


class TextTerms(BaseEstimator, TransformerMixin):
    """TF-IDF over character n-grams (works for languages written without spaces)."""

    def __init__(self, max_features: int = 200) -> None:
        self.max_features = max_features

    def fit(self, X: pd.DataFrame, y: object = None) -> "TextTerms":
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.tfidf_ = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3), min_df=2,
                                      max_features=self.max_features, sublinear_tf=True)
        self.tfidf_.fit(self._texts(X))
        return self

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        return self.tfidf_.transform(self._texts(X)).toarray()

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        name = self.feature_names_in_[0]
        return np.asarray([f"{name}: '{t}'" for t in self.tfidf_.get_feature_names_out()],
                          dtype=object)

    @staticmethod
    def _texts(X: pd.DataFrame) -> list[str]:
        return X.iloc[:, 0].fillna("").astype(str).tolist()


class Categories(BaseEstimator, TransformerMixin):
    """Categorical values as strings, missing as one level of its own."""

    def fit(self, X: pd.DataFrame, y: object = None) -> "Categories":
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        return self

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        col = X.iloc[:, 0]
        return np.where(col.isna(), "(missing)", col.astype(str)).astype(object).reshape(-1, 1)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return self.feature_names_in_


def _numeric(style: str) -> object:
    if style == NATIVE:
        return "passthrough"
    return make_pipeline(SimpleImputer(strategy="median", add_indicator=True,
                                       keep_empty_features=True), StandardScaler())


def _categorical(style: str, levels: int) -> object:
    if style == NATIVE:
        return make_pipeline(Categories(), OrdinalEncoder(
            handle_unknown="use_encoded_value", unknown_value=np.nan,
            max_categories=NATIVE_MAX_LEVELS))
    if levels <= ONE_HOT_MAX_LEVELS:
        return make_pipeline(Categories(), OneHotEncoder(
            handle_unknown="infrequent_if_exist", min_frequency=5, sparse_output=False))
    return make_pipeline(Categories(), TargetEncoder(cv=5), StandardScaler())


def _datetime(style: str) -> object:
    return DateParts() if style == NATIVE else make_pipeline(DateParts(), _numeric(DENSE))


def _text(style: str) -> object:
    return TextTerms()


BUILDERS = {
    "numeric": lambda style, levels: _numeric(style),
    "boolean": lambda style, levels: _numeric(style),
    "categorical": _categorical,
    "datetime": lambda style, levels: _datetime(style),
    "text": lambda style, levels: _text(style),
}


@dataclass(frozen=True)
class FeaturePlan:
    """Which uploaded columns become features, and why the others are dropped."""

    used: tuple[str, ...]
    dropped: dict[str, str]


def plan_features(roles: dict[str, str]) -> FeaturePlan:
    """Split columns into those featurized and those dropped (with a reason each)."""
    used = tuple(c for c, r in roles.items() if r in BUILDERS)
    dropped = {c: DROPPED_ROLES.get(r, f"has role {r}") for c, r in roles.items() if r not in BUILDERS}
    return FeaturePlan(used=used, dropped=dropped)


def build_featurizer(X: pd.DataFrame, roles: dict[str, str], *, style: str) -> ColumnTransformer:
    """An unfitted ColumnTransformer for these training rows (one transformer per column).

    Transformer names are the column's position in ``roles`` so that any column name works.
    """
    names = list(roles)
    steps = []
    for column in plan_features(roles).used:
        levels = int(X[column].nunique()) if roles[column] == "categorical" else 0
        steps.append((str(names.index(column)), BUILDERS[roles[column]](style, levels), [column]))
    if not steps:
        from engine.errors import EngineError
        raise EngineError("No column is left to learn from: mark at least one column as a feature.")
    return ColumnTransformer(steps, sparse_threshold=0.0, remainder="drop")


def feature_names(featurizer: ColumnTransformer) -> list[str]:
    """Readable engineered feature names of a fitted featurizer, in output order."""
    return [n.split("__", 1)[1] for n in featurizer.get_feature_names_out()]


def feature_origins(featurizer: ColumnTransformer, roles: dict[str, str]) -> list[str]:
    """The uploaded column each engineered feature comes from, in output order."""
    columns = list(roles)
    return [columns[int(n.split("__", 1)[0])] for n in featurizer.get_feature_names_out()]


def categorical_indices(featurizer: ColumnTransformer, roles: dict[str, str]) -> list[int]:
    """Output positions holding categorical codes (native style), for LightGBM and HGB."""
    columns = list(roles)
    out = []
    for name, sl in featurizer.output_indices_.items():
        if name != "remainder" and roles[columns[int(name)]] == "categorical":
            out.extend(range(sl.start, sl.stop))
    return out


def fitted_pipeline(featurizer: ColumnTransformer, model: object) -> Pipeline:
    """Join an already fitted featurizer and model into one predict-ready pipeline."""
    return Pipeline([("features", featurizer), ("model", model)])
