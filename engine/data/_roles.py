"""Column roles: the role names, inferring a role per column, and coercing to the role's dtype."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from engine.errors import EngineError

NUMERIC = "numeric"
CATEGORICAL = "categorical"
BOOLEAN = "boolean"
DATETIME = "datetime"
TEXT = "text"
ID = "id"
GROUP = "group"  # never inferred: the user marks the column whose rows must stay together
CONSTANT = "constant"
IGNORE = "ignore"
ROLES = (NUMERIC, CATEGORICAL, BOOLEAN, DATETIME, TEXT, ID, GROUP, CONSTANT, IGNORE)
OPTIONAL_AT_PREDICT = (ID, GROUP)  # never features: new data may lack them

SAMPLE_VALUES = 1000
_TRUE = frozenset({"true", "yes", "y", "t", "1", "1.0", "はい", "有", "あり"})
_FALSE = frozenset({"false", "no", "n", "f", "0", "0.0", "いいえ", "無", "なし"})
_ID_NAME = re.compile(r"(?i:(^|[^a-z])(id|no|code|key|uuid)$)|[a-z]Id$|ID$|番号|コード|識別|ＩＤ")
_TIME_NAME = re.compile(r"(?i)year|date|time|month|day|年|月|日|時")
_DATE_SHAPE = re.compile(  # 2024-01-05, 2024年1月5日, 5.1.24, 01/05/2024, Jan 5, 2024, 5 Jan 2024
    r"\d{4}[-/.年]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}"
    r"|[A-Za-z]{3,}\.? \d{1,2},? \d{4}|\d{1,2} [A-Za-z]{3,}\.? \d{4}"
)
_JA_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?")
_NOT_A_NUMBER = re.compile(r"^[$¥€£￥]|[,\s]")


# ---------------------------------------------------------------- roles


def infer_roles(frame: pd.DataFrame) -> dict[str, str]:
    """Suggest a role (one of ROLES) for every column, from its dtype, values and name."""
    return {str(name): _role(frame[name], str(name)) for name in frame.columns}


def _role(series: pd.Series, name: str) -> str:
    values = series.dropna()
    distinct = values.nunique()
    if distinct <= 1:
        return CONSTANT
    if distinct == 2 and _is_boolean(values):
        return BOOLEAN
    if pd.api.types.is_datetime64_any_dtype(values):
        return DATETIME
    if isinstance(values.dtype, pd.CategoricalDtype):
        return CATEGORICAL
    if pd.api.types.is_numeric_dtype(values):
        return ID if _looks_like_id_numbers(values, name) else NUMERIC
    return _string_role(values, name, distinct)


def _is_boolean(values: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(values):
        return True
    tokens = {str(v).strip().lower() for v in values.unique()}
    return len(tokens & _TRUE) == 1 and len(tokens & _FALSE) == 1


def _looks_like_id_numbers(values: pd.Series, name: str) -> bool:
    """Whole numbers, unique on ≥95% of rows, and counting up (or down) or named like an identifier.

    Columns named like a time (year, date, 年 …) count up too but are never identifiers.
    """
    if (
        len(values) < 20
        or pd.api.types.is_bool_dtype(values)
        or values.nunique() < 0.95 * len(values)
    ):
        return False
    if _TIME_NAME.search(name) and not _ID_NAME.search(name):
        return False
    if not (values == np.round(values)).all():
        return False
    return (
        values.is_monotonic_increasing
        or values.is_monotonic_decreasing
        or bool(_ID_NAME.search(name))
    )


def _string_role(values: pd.Series, name: str, distinct: int) -> str:
    """The role of text values, judged on a sample (the number of distinct values is exact)."""
    sample = values.sample(min(len(values), SAMPLE_VALUES), random_state=0).astype(str).str.strip()
    sample_numbers = _to_numbers(sample)
    if sample_numbers.notna().mean() >= 0.95 and not sample.str.match(r"0\d").any():
        maybe_id = distinct >= 0.95 * len(values) and (sample_numbers.dropna() % 1 == 0).all()
        return (
            ID
            if maybe_id and _looks_like_id_numbers(_to_numbers(values).dropna(), name)
            else NUMERIC
        )
    if (
        sample.str.contains(_DATE_SHAPE).mean() >= 0.9
        and _to_datetimes(sample).notna().mean() >= 0.9
    ):
        return DATETIME
    unique_ratio = distinct / len(values)
    long = sample.str.len().mean() > 30 or sample.str.split().str.len().mean() > 4
    if long and unique_ratio >= 0.5:
        return TEXT
    if not long and unique_ratio >= 0.95 and len(values) >= 20:
        return ID
    return CATEGORICAL


# ---------------------------------------------------------------- coercion


def _to_numbers(series: pd.Series) -> pd.Series:
    """Numbers as float64; "1,234", "¥500" and full-width digits parse, the rest is NaN."""
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        return series.astype("float64")
    text = series.astype("str").str.normalize("NFKC").str.replace(_NOT_A_NUMBER, "", regex=True)
    return pd.to_numeric(text, errors="coerce").astype("float64")


def _to_datetimes(series: pd.Series) -> pd.Series:
    """Timestamps as naive datetime64 (UTC where offsets were given); the unparsable are NaT."""
    if pd.api.types.is_datetime64_any_dtype(series):
        stamps = (
            series
            if getattr(series.dt, "tz", None) is None
            else series.dt.tz_convert("UTC").dt.tz_localize(None)
        )
        return stamps.astype("datetime64[us]")
    text = _as_labels(series).str.replace(_JA_DATE, r"\1-\2-\3", regex=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        stamps = pd.to_datetime(text, errors="coerce", utc=True)  # one format, inferred: fast
        retry = stamps.isna() & text.notna()
        if retry.any():  # values in other formats: parse just those one by one
            stamps = stamps.where(
                ~retry, pd.to_datetime(text.where(retry), errors="coerce", utc=True, format="mixed")
            )
    return stamps.dt.tz_localize(None).astype("datetime64[us]")


def _to_flags(series: pd.Series) -> pd.Series:
    """1.0 for true/yes/1, 0.0 for false/no/0 (non-zero numbers are true); anything else NaN."""
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        numbers = series.astype("float64")
        return numbers.where(numbers.isna(), (numbers != 0).astype("float64"))
    tokens = _as_labels(series).str.lower()
    return pd.Series(
        np.select([tokens.isin(_TRUE), tokens.isin(_FALSE)], [1.0, 0.0], np.nan), index=series.index
    )


def _as_labels(series: pd.Series) -> pd.Series:
    """Values as stripped ``str`` (missing as NaN); whole floats print without ``.0``."""
    if pd.api.types.is_float_dtype(series):
        whole = series.notna() & (series == np.round(series)) & (series.abs() < 2**53)
        text = series.astype("str").where(~whole, series.where(whole).astype("Int64").astype("str"))
        return text.where(series.notna()).astype("str")
    if pd.api.types.is_datetime64_any_dtype(series):
        return series.dt.strftime("%Y-%m-%d %H:%M:%S").str.removesuffix(" 00:00:00")
    text = series.astype("str").str.strip()
    return text.where(series.notna() & (text != ""))


_COERCE: dict[str, Callable[[pd.Series], pd.Series]] = {
    NUMERIC: _to_numbers,
    BOOLEAN: _to_flags,
    DATETIME: _to_datetimes,
    CATEGORICAL: _as_labels,
    TEXT: _as_labels,
    ID: _as_labels,
    GROUP: _as_labels,
}


def group_column(roles: Mapping[str, str]) -> str | None:
    """The column whose rows stay together in validation and test splits, if one is marked."""
    groups = [c for c, role in roles.items() if role == GROUP]
    if len(groups) > 1:
        raise EngineError(f"Only one column can be the group column, and both '{groups[0]}' and "
                          f"'{groups[1]}' are; keep one.")
    return groups[0] if groups else None


def coerce_frame(frame: pd.DataFrame, roles: Mapping[str, str]) -> pd.DataFrame:
    """The columns named in ``roles`` with dtypes fit for their roles, in the order of ``roles``.

    numeric and boolean → float64, datetime → datetime64[us], categorical/text/id/group → ``str``
    with NaN for missing. Columns with role constant or ignore are left out, and so are id and
    group columns absent from ``frame`` (they are never features). The same roles give the same result on new
    data at predict time; a missing feature column raises EngineError naming it.
    """
    unknown = sorted(set(roles.values()) - set(ROLES))
    if unknown:
        raise EngineError(f"Unknown column role '{unknown[0]}'; use one of {', '.join(ROLES)}.")
    present = set(frame.columns)
    used = [c for c, role in roles.items()
            if role in _COERCE and (role not in OPTIONAL_AT_PREDICT or c in present)]
    missing = [column for column in used if column not in present]
    if missing:
        raise EngineError(
            f"The column '{missing[0]}' is missing from the data; "
            "add it with the same name as in training."
        )
    return pd.DataFrame(
        {column: _COERCE[roles[column]](frame[column]) for column in used}, index=frame.index
    )
