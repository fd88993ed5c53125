"""Featurization: one ColumnTransformer built from the column roles.

It is always fitted on training rows only (inside each fold, then on all training data at refit).
Two styles: ``native`` for tree boosters that take missing values and categorical codes as they
are, ``dense`` for everything else (imputation with missing indicators, scaling, one-hot for
low-cardinality and target encoding for high-cardinality categoricals). Every engineered column
keeps the name of the uploaded column it came from, so explanations can sum back to it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.impute import SimpleImputer
from sklearn.model_selection import KFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler, TargetEncoder

from engine.errors import EngineError

NATIVE = "native"
DENSE = "dense"
ONE_HOT_MAX_LEVELS = 15
NATIVE_MAX_LEVELS = 250
DROPPED_ROLES = {
    "id": "looks like an identifier (almost every value is unique)",
    "group": "keeps its rows together in validation folds (a group column is not a feature)",
    "constant": "has a single value",
    "ignore": "marked as ignored",
}
DATE_PARTS = ("year", "month", "day", "day_of_week", "hour", "day_of_year")
# Steps a run can switch off (every one is on by default), and what each does.
FEATURIZATION_STEPS = {
    "missing_flags": "a 0/1 column flags every imputed number",
    "scaling": "numbers are standardized",
    "one_hot": "categories with few levels are one-hot encoded",
    "target_encoding": "categories with many levels are target-encoded inside each fold",
    "datetime_parts": "dates give year, month, day, weekday, hour and day of year",
    "text_ngrams": "texts give character n-gram TF-IDF terms",
}


class DateParts(BaseEstimator, TransformerMixin):
    """Calendar parts and days since 1970 of one datetime column."""

    def __init__(self, parts: tuple[str, ...] = DATE_PARTS) -> None:
        self.parts = parts

    def fit(self, X: pd.DataFrame, y: object = None) -> "DateParts":
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        return self

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        s = pd.to_datetime(X.iloc[:, 0], errors="coerce")
        parts = [getattr(s.dt, part).astype("float64") for part in self.parts]
        epoch = (s - pd.Timestamp("1970-01-01")).dt.total_seconds() / 86400.0
        return np.column_stack([*parts, epoch.astype("float64")])

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        name = self.feature_names_in_[0]
        return np.asarray([f"{name}: {p}" for p in (*self.parts, "days")], dtype=object)


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
        return np.column_stack([np.where(X[c].isna(), "(missing)", X[c].astype(str)).astype(object)
                                for c in X.columns])

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return self.feature_names_in_


class CategoryCodes(BaseEstimator, TransformerMixin):
    """Integer codes of the most frequent levels of each column; missing, rare and unseen
    values become NaN (boosters treat NaN as missing). Fast on millions of rows."""

    def __init__(self, max_levels: int = NATIVE_MAX_LEVELS) -> None:
        self.max_levels = max_levels

    def fit(self, X: pd.DataFrame, y: object = None) -> "CategoryCodes":
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.levels_ = []
        for c in X.columns:
            counts = X[c].astype(str).where(X[c].notna()).value_counts().sort_index()
            counts = counts.sort_values(ascending=False, kind="stable")
            self.levels_.append(list(counts.index[:self.max_levels]))
        return self

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        out = np.empty((len(X), len(self.levels_)))
        for i, (c, levels) in enumerate(zip(self.feature_names_in_, self.levels_)):
            values = X[c].astype(str).where(X[c].notna())
            codes = pd.Index(levels, dtype=object).get_indexer(values).astype("float64")
            codes[codes < 0] = np.nan
            out[:, i] = codes
        return out

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return self.feature_names_in_


def _numbers(style: str, off: Collection[str]) -> object:
    if style == NATIVE:
        return "passthrough"
    return make_pipeline(SimpleImputer(strategy="median", add_indicator="missing_flags" not in off,
                                       keep_empty_features=True),
                         *([] if "scaling" in off else [StandardScaler()]))


def _categorical(levels: int, off: Collection[str]) -> object:
    """One-hot for few levels, target encoding for many; whichever is left when one is off,
    and ordinal codes when both are."""
    scaled = [] if "scaling" in off else [StandardScaler()]
    one_hot = "one_hot" not in off
    if one_hot and (levels <= ONE_HOT_MAX_LEVELS or "target_encoding" in off):
        return make_pipeline(Categories(), OneHotEncoder(
            handle_unknown="infrequent_if_exist", min_frequency=5,
            max_categories=ONE_HOT_MAX_LEVELS, sparse_output=False))
    if "target_encoding" not in off:
        return make_pipeline(Categories(), TargetEncoder(cv=KFold(5, shuffle=True,
                                                                  random_state=0)), *scaled)
    return make_pipeline(Categories(), OrdinalEncoder(handle_unknown="use_encoded_value",
                                                      unknown_value=-1), *scaled)


def _one_column(role: str, style: str, levels: int, off: Collection[str]) -> object:
    """The transformer of one column that is featurized on its own."""
    if role == "datetime":
        dates = DateParts(() if "datetime_parts" in off else DATE_PARTS)
        return dates if style == NATIVE else make_pipeline(dates, _numbers(DENSE, off))
    if role == "text":
        return TextTerms()
    return _categorical(levels, off)


NUMBER_ROLES = ("numeric", "boolean")
FEATURE_ROLES = (*NUMBER_ROLES, "categorical", "datetime", "text")


@dataclass(frozen=True)
class FeaturePlan:
    """Which uploaded columns become features, and why the others are dropped."""

    used: tuple[str, ...]
    dropped: dict[str, str]


def plan_features(roles: dict[str, str]) -> FeaturePlan:
    """Split columns into those featurized and those dropped (with a reason each)."""
    used = tuple(c for c, r in roles.items() if r in FEATURE_ROLES)
    dropped = {c: DROPPED_ROLES.get(r, f"has role {r}") for c, r in roles.items()
               if r not in FEATURE_ROLES}
    return FeaturePlan(used=used, dropped=dropped)


def build_featurizer(X: pd.DataFrame, roles: dict[str, str], *, style: str,
                     off: Collection[str] = ()) -> ColumnTransformer:
    """An unfitted ColumnTransformer for these training rows.

    Numeric columns form one block (``num``), and so do categorical codes in the native style
    (``cat``); every other column gets a transformer of its own named by its position in
    ``roles``, so any column name works. ``off`` names FEATURIZATION_STEPS switched off (texts
    are then featurized as categories).
    """
    used = plan_features(roles).used
    names = list(roles)
    if "text_ngrams" in off:
        roles = {c: "categorical" if r == "text" else r for c, r in roles.items()}
    numbers = [c for c in used if roles[c] in NUMBER_ROLES]
    steps = [("num", _numbers(style, off), numbers)] if numbers else []
    singles = [c for c in used if roles[c] not in NUMBER_ROLES]
    if style == NATIVE and (codes := [c for c in singles if roles[c] == "categorical"]):
        steps.append(("cat", CategoryCodes(), codes))
        singles = [c for c in singles if roles[c] != "categorical"]
    for column in singles:
        levels = int(X[column].nunique()) if roles[column] == "categorical" else 0
        steps.append((str(names.index(column)), _one_column(roles[column], style, levels, off),
                      [column]))
    if not steps:
        raise EngineError("No column is left to learn from: mark at least one column as a feature.")
    return ColumnTransformer(steps, sparse_threshold=0.0, remainder="drop")


def _block_features(featurizer: ColumnTransformer, name: str,
                    columns: list[str]) -> list[tuple[str, str]]:
    """(readable name, uploaded column) of each output of one fitted block."""
    fitted = featurizer.named_transformers_[name]
    if name == "cat" or (name == "num" and not isinstance(fitted, Pipeline)):
        return [(c, c) for c in columns]
    if name == "num":
        indicator = getattr(fitted[0], "indicator_", None)
        flagged = [columns[i] for i in (indicator.features_ if indicator is not None else [])]
        return [(c, c) for c in columns] + [(f"{c} (missing)", c) for c in flagged]
    return [(str(n), columns[0]) for n in fitted.get_feature_names_out()]


def _features(featurizer: ColumnTransformer) -> list[tuple[str, str]]:
    out = []
    for name, _, columns in featurizer.transformers_:
        if name != "remainder":
            out.extend(_block_features(featurizer, name, list(columns)))
    return out


def feature_names(featurizer: ColumnTransformer) -> list[str]:
    """Readable engineered feature names of a fitted featurizer, in output order."""
    return [name for name, _ in _features(featurizer)]


def feature_origins(featurizer: ColumnTransformer, roles: dict[str, str] | None = None) -> list[str]:
    """The uploaded column each engineered feature comes from, in output order."""
    return [origin for _, origin in _features(featurizer)]


def categorical_indices(featurizer: ColumnTransformer, roles: dict[str, str]) -> list[int]:
    """Output positions holding categorical codes (native style), for LightGBM and HGB."""
    sl = featurizer.output_indices_.get("cat")
    return list(range(sl.start, sl.stop)) if sl is not None and sl.stop > sl.start else []


def fitted_pipeline(featurizer: ColumnTransformer, model: object) -> Pipeline:
    """Join an already fitted featurizer and model into one predict-ready pipeline."""
    return Pipeline([("features", featurizer), ("model", model)])
