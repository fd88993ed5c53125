"""Data in: read an uploaded table, name its columns, infer and apply roles, check the target."""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from engine.errors import EngineError

NUMERIC = "numeric"
CATEGORICAL = "categorical"
BOOLEAN = "boolean"
DATETIME = "datetime"
TEXT = "text"
ID = "id"
CONSTANT = "constant"
IGNORE = "ignore"
ROLES = (NUMERIC, CATEGORICAL, BOOLEAN, DATETIME, TEXT, ID, CONSTANT, IGNORE)
CLASSIFICATION = "classification"
REGRESSION = "regression"

LARGE_CSV_BYTES = 50 * 1024 * 1024
SAMPLE_BYTES = 64 * 1024
SAMPLE_VALUES = 1000
PROFILE_SAMPLE = 100_000
DELIMITERS = (",", "\t", ";", "|")
_MAGIC = {b"PAR1": "parquet", b"PK\x03\x04": "xlsx", b"\xd0\xcf\x11\xe0": "xls"}
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


@dataclass(frozen=True, eq=False)
class Table:
    """A table read from a file, with notes for the user (for example renamed columns)."""

    frame: pd.DataFrame
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class Target:
    """The checked target: task, values on the kept rows and, for classification, the classes."""

    task: str
    y: pd.Series
    kept: pd.Series
    dropped_missing: int
    classes: tuple[str, ...] = ()


# ---------------------------------------------------------------- reading


def load_table(source: str | Path | bytes | BinaryIO, *, name: str | None = None) -> Table:
    """Read a CSV/TSV/TXT, Parquet or Excel table from a path, bytes or a binary file object.

    The format comes from the extension of ``name`` (or of the path); without one, from the
    file's first bytes. Raises EngineError with a sentence for the user when the file is unusable.
    """
    raw, name = _raw_source(source, name)
    head = _head(raw)
    if not head.strip():
        raise EngineError("The file is empty; choose a file that has a header row and data rows.")
    kind = _kind(name, head)
    reader = _READERS.get(kind)
    if reader is None:
        raise EngineError(
            f"Files of type .{kind} are not supported; "
            "upload a CSV, TSV, TXT, Parquet or Excel (.xlsx) file."
        )
    frame, header = reader(raw, head)
    frame, header = _drop_blank_columns(frame, header)
    if frame.shape[1] == 0:
        raise EngineError("The file has no columns; check that it is a table with a header row.")
    if len(frame) == 0:
        raise EngineError("The file has column names but no data rows; add rows below the header.")
    names, notes = _unique_names(header if len(header) == frame.shape[1] else list(frame.columns))
    frame.columns = names
    return Table(frame=frame.reset_index(drop=True), warnings=tuple(notes))


def _raw_source(
    source: str | Path | bytes | BinaryIO, name: str | None
) -> tuple[Path | bytes, str]:
    """A path or the bytes of the source, and the name to take the extension from."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise EngineError(f"The file {path} does not exist; check the path.")
        return path, name or path.name
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), name or ""
    if source.seekable():
        source.seek(0)  # an upload widget's file may have been read already
    return source.read(), name or str(getattr(source, "name", "") or "")


def _stream(raw: Path | bytes) -> BinaryIO:
    return raw.open("rb") if isinstance(raw, Path) else io.BytesIO(raw)


def _head(raw: Path | bytes) -> bytes:
    with _stream(raw) as stream:
        return stream.read(SAMPLE_BYTES)


def _size(raw: Path | bytes) -> int:
    return raw.stat().st_size if isinstance(raw, Path) else len(raw)


def _kind(name: str, head: bytes) -> str:
    """The file kind from the name's extension, or from magic bytes when there is none."""
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix:
        return suffix
    return next((kind for magic, kind in _MAGIC.items() if head.startswith(magic)), "csv")


def _read_delimited(raw: Path | bytes, head: bytes) -> tuple[pd.DataFrame, list[object]]:
    """Read delimited text: sniff binary garbage, encoding and delimiter, then parse."""
    if _looks_binary(head):
        raise EngineError(
            "The file does not look like a text table; upload a CSV, TSV, Parquet or Excel file."
        )
    complete = _size(raw) <= len(head)
    large = _size(raw) > LARGE_CSV_BYTES
    for encoding in _candidate_encodings(head, complete):
        text = _decode(head, encoding)
        sep = _sniff_delimiter(text)
        decimal = (
            "," if sep == ";" and re.search(r"\d,\d", text) else "."
        )  # 1,5;2,25 in European files
        try:
            frame = _parse_csv(raw, sep=sep, decimal=decimal, encoding=encoding, large=large)
        except UnicodeDecodeError:
            continue
        return frame, _first_record(text, sep)
    raise EngineError(
        "The file's text encoding could not be read; save it as UTF-8 CSV and upload it again."
    )


def _parse_csv(
    raw: Path | bytes, *, sep: str, decimal: str, encoding: str, large: bool
) -> pd.DataFrame:
    options = {"sep": sep, "encoding": encoding, "decimal": decimal}
    fast = _parse_csv_with_pyarrow(raw, options) if large else None
    if fast is not None:
        return fast
    try:
        with _stream(raw) as stream:
            return pd.read_csv(stream, index_col=False, low_memory=False, **options)
    except pd.errors.EmptyDataError as error:
        raise EngineError(
            "The file is empty; choose a file that has a header row and data rows."
        ) from error
    except pd.errors.ParserError as error:
        detail = (
            str(error).strip().splitlines()[-1].removeprefix("Error tokenizing data. C error: ")
        )
        raise EngineError(
            f"The file could not be split into columns ({detail}); check its delimiter and quotes."
        ) from error


def _parse_csv_with_pyarrow(raw: Path | bytes, options: dict[str, str]) -> pd.DataFrame | None:
    """The fast parse of a large file, or None where pyarrow's stricter parser refuses it."""
    try:
        with _stream(raw) as stream:
            frame = pd.read_csv(stream, engine="pyarrow", **options)
    except (
        ValueError
    ):  # ArrowInvalid: ragged rows, bad bytes; the C parser then decides and explains
        return None
    return _dates_as_datetimes(frame)


def _dates_as_datetimes(frame: pd.DataFrame) -> pd.DataFrame:
    """pyarrow reads ISO dates as ``datetime.date`` objects; make them datetime64."""
    for i in range(frame.shape[1]):
        column = frame.iloc[:, i]
        first = column.dropna().head(1).tolist() if column.dtype == object else []
        if first and isinstance(first[0], datetime.date):
            frame.isetitem(i, pd.to_datetime(column, errors="coerce"))
    return frame


def _looks_binary(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    controls = sum(head.count(bytes([b])) for b in (*range(0, 9), *range(14, 32)))
    return b"\x00" in head or controls > max(4, len(head) // 100)


def _candidate_encodings(head: bytes, complete: bool) -> Iterator[str]:
    """Encodings worth trying, cheapest first: UTF-16 by BOM, UTF-8 (BOM or not), cp932, a guess."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        yield "utf-16"
        return
    for encoding in ("utf-8-sig", "cp932"):
        if _decodes(head, encoding, complete):
            yield encoding
    from charset_normalizer import from_bytes

    best = from_bytes(head).best()
    if best is not None and best.encoding not in ("utf_8", "cp932"):
        yield best.encoding


def _decodes(data: bytes, encoding: str, complete: bool) -> bool:
    try:
        codecs.getincrementaldecoder(encoding)().decode(data, final=complete)
    except UnicodeDecodeError:
        return False
    return True


def _decode(head: bytes, encoding: str) -> str:
    return codecs.getincrementaldecoder(encoding)(errors="replace").decode(head)


def _sniff_delimiter(text: str) -> str:
    """The delimiter among , TAB ; | that splits the first lines most consistently."""
    lines = text.splitlines()[:50]
    if len(lines) > 1 and not text.endswith(("\n", "\r")):
        lines = lines[:-1]  # the last line of a sample may be cut short
    sample = "\n".join(lines)

    def score(sep: str) -> tuple[float, int]:
        counts = Counter(len(row) for row in csv.reader(io.StringIO(sample), delimiter=sep) if row)
        width, rows = counts.most_common(1)[0] if counts else (1, 0)
        return (rows / max(sum(counts.values()), 1), width) if width > 1 else (0.0, 1)

    best = max(DELIMITERS, key=score)
    return best if score(best)[1] > 1 else ","


def _first_record(text: str, sep: str) -> list[object]:
    return next(csv.reader(io.StringIO(text), delimiter=sep), [])


def _read_parquet(raw: Path | bytes, head: bytes) -> tuple[pd.DataFrame, list[object]]:
    """Read a Parquet file; repeated column names (pyarrow allows them) are kept apart."""
    import pyarrow.parquet as pq

    try:
        with _stream(raw) as stream:
            table = pq.ParquetFile(stream).read()
    except (
        ValueError,
        OSError,
        TypeError,
    ) as error:  # pyarrow's ArrowInvalid/ArrowIOError derive from these
        raise EngineError(
            "The file could not be read as Parquet; check that it is a valid .parquet file."
        ) from error
    header: list[object] = list(table.column_names)
    if len(set(header)) == len(header):
        return table.to_pandas(), header
    positions = [str(i) for i in range(len(header))]
    return table.rename_columns(positions).to_pandas(ignore_metadata=True), header


def _read_excel(raw: Path | bytes, head: bytes) -> tuple[pd.DataFrame, list[object]]:
    """Read the first sheet; the first row is the header, the rest get their types inferred."""
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with _stream(raw) as stream:
            sheet = pd.read_excel(stream, sheet_name=0, header=None)
    except ImportError as error:
        raise EngineError(
            "Old .xls files cannot be read here; save the sheet as .xlsx or CSV and upload that."
        ) from error
    except (
        ValueError,
        OSError,
        KeyError,
        TypeError,
        zipfile.BadZipFile,
        InvalidFileException,
    ) as error:
        raise EngineError(
            "The file could not be read as an Excel workbook; save it again as .xlsx or CSV."
        ) from error
    sheet = sheet.dropna(how="all")
    if sheet.empty:
        raise EngineError("The file is empty; choose a file that has a header row and data rows.")
    header = list(sheet.iloc[0])
    body = sheet.iloc[1:].reset_index(drop=True).infer_objects()
    body.columns = range(body.shape[1])
    return body, header


_READERS: dict[str, Callable[[Path | bytes, bytes], tuple[pd.DataFrame, list[object]]]] = {
    "csv": _read_delimited,
    "tsv": _read_delimited,
    "txt": _read_delimited,
    "parquet": _read_parquet,
    "xlsx": _read_excel,
    "xlsm": _read_excel,
    "xls": _read_excel,
}


def _is_blank_name(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or not str(value).strip()


def _drop_blank_columns(
    frame: pd.DataFrame, header: list[object]
) -> tuple[pd.DataFrame, list[object]]:
    """Drop columns with neither a name nor a value (trailing delimiters, empty sheet columns)."""
    if len(header) != frame.shape[1]:
        return frame, header
    keep = [
        not (_is_blank_name(name) and frame.iloc[:, i].isna().all())
        for i, name in enumerate(header)
    ]
    return frame.loc[:, keep], [name for name, k in zip(header, keep, strict=True) if k]


def _unique_names(raw: list[object]) -> tuple[list[str], list[str]]:
    """Column names as unique, stripped strings; blanks become ``column_N``, repeats ``name (2)``.

    Returns:
        The names and one warning per repeated name.
    """
    names = [f"column_{i + 1}" if _is_blank_name(v) else str(v).strip() for i, v in enumerate(raw)]
    used, renamed, result = set(names), {}, []
    seen: Counter[str] = Counter()
    for name in names:
        seen[name] += 1
        if seen[name] == 1:
            result.append(name)
            continue
        copy, k = name, seen[name]
        while copy in used:
            copy, k = f"{name} ({k})", k + 1
        used.add(copy)
        renamed.setdefault(name, []).append(copy)
        result.append(copy)
    notes = [
        f"The column name '{name}' appears {len(copies) + 1} times; "
        f"the repeats were renamed {', '.join(repr(c) for c in copies)}."
        for name, copies in renamed.items()
    ]
    return result, notes


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
}


def coerce_frame(frame: pd.DataFrame, roles: Mapping[str, str]) -> pd.DataFrame:
    """The columns named in ``roles`` with dtypes fit for their roles, in the order of ``roles``.

    numeric and boolean → float64, datetime → datetime64[us], categorical/text/id → ``str`` with
    NaN for missing. Columns with role constant or ignore are left out, and so are id columns
    absent from ``frame`` (they are never features). The same roles give the same result on new
    data at predict time; a missing feature column raises EngineError naming it.
    """
    unknown = sorted(set(roles.values()) - set(ROLES))
    if unknown:
        raise EngineError(f"Unknown column role '{unknown[0]}'; use one of {', '.join(ROLES)}.")
    present = set(frame.columns)
    used = [c for c, role in roles.items() if role in _COERCE and (role != ID or c in present)]
    missing = [column for column in used if column not in present]
    if missing:
        raise EngineError(
            f"The column '{missing[0]}' is missing from the data; "
            "add it with the same name as in training."
        )
    return pd.DataFrame(
        {column: _COERCE[roles[column]](frame[column]) for column in used}, index=frame.index
    )


# ---------------------------------------------------------------- profile


def profile_frame(frame: pd.DataFrame, roles: Mapping[str, str]) -> pd.DataFrame:
    """One row per column: column, role, dtype, missing_pct, unique, example, histogram,
    histogram_edges (numeric, boolean, datetime) and top_values (the other roles, top 5 counts)."""
    sample = frame.sample(PROFILE_SAMPLE, random_state=0) if len(frame) > PROFILE_SAMPLE else frame
    return pd.DataFrame(
        [
            _profile_column(frame[c], sample[c], roles.get(str(c), CATEGORICAL))
            for c in frame.columns
        ],
        columns=[
            "column",
            "role",
            "dtype",
            "missing_pct",
            "unique",
            "example",
            "histogram",
            "histogram_edges",
            "top_values",
        ],
    )


def _profile_column(series: pd.Series, sample: pd.Series, role: str) -> dict[str, object]:
    present = series.dropna()
    row: dict[str, object] = {
        "column": str(series.name),
        "role": role,
        "dtype": str(series.dtype),
        "missing_pct": round(100 * (1 - len(present) / max(len(series), 1)), 2),
        "unique": int(present.nunique()),
        "example": str(present.iloc[0])[:60] if len(present) else "",
        "histogram": [],
        "histogram_edges": [],
        "top_values": {},
    }
    if role in (NUMERIC, BOOLEAN, DATETIME):
        row["histogram"], row["histogram_edges"] = _histogram(_COERCE[role](sample).dropna(), role)
    else:
        top = _as_labels(present).value_counts().head(5)
        row["top_values"] = {str(k): int(v) for k, v in top.items()}
    return row


def _histogram(values: pd.Series, role: str) -> tuple[list[int], list[object]]:
    numbers = (
        values.astype("int64").to_numpy(dtype="float64") if role == DATETIME else values.to_numpy()
    )
    numbers = numbers[np.isfinite(numbers)]
    if not len(numbers):
        return [], []
    counts, edges = np.histogram(
        numbers, bins=int(min(20, max(1, len(np.unique(numbers[:10_000])))))
    )
    labels = (
        [str(pd.Timestamp(int(e), unit="us")) for e in edges]
        if role == DATETIME
        else [float(f"{e:.6g}") for e in edges]
    )
    return [int(c) for c in counts], labels


# ---------------------------------------------------------------- target


def suggest_task(series: pd.Series) -> str:
    """classification for labels, else regression.

    Labels are text, booleans, two whole numbers, or at most 20 whole numbers seen at least 5
    times each on average.
    """
    values = series.dropna()
    numbers = _to_numbers(values)
    if pd.api.types.is_bool_dtype(values) or numbers.notna().mean() < 0.95:
        return CLASSIFICATION
    numbers = numbers.dropna()
    distinct = numbers.nunique()
    whole = bool((numbers == np.round(numbers)).all())
    labels = distinct == 2 or (distinct <= 20 and len(numbers) >= 5 * distinct)
    return CLASSIFICATION if whole and labels else REGRESSION


def prepare_target(frame: pd.DataFrame, target: str, task: str | None) -> Target:
    """Check the target column and return its task, its values on the rows kept, and its classes.

    Rows whose target is missing are dropped (``kept`` marks the rest). ``task`` None means
    the suggestion of ``suggest_task``.
    """
    if target not in frame.columns:
        names = ", ".join(f"'{c}'" for c in list(frame.columns)[:5])
        raise EngineError(
            f"There is no column '{target}' to predict; "
            f"pick one of the table's columns such as {names}."
        )
    series = frame[target]
    present = series.notna()
    if not present.any():
        raise EngineError(
            f"The target column '{target}' is empty on every row; choose a column that has values."
        )
    task = task or suggest_task(series[present])
    builder = _TARGET_BUILDERS.get(task)
    if builder is None:
        raise EngineError(f"Unknown task '{task}'; use {CLASSIFICATION} or {REGRESSION}.")
    return builder(series, target)


def _classification_target(series: pd.Series, target: str) -> Target:
    labels = _as_labels(series)
    kept = labels.notna()
    values = series[kept].drop_duplicates()
    order = values.sort_values(key=lambda v: _to_numbers(v) if _all_numbers(v) else _as_labels(v))
    classes = tuple(dict.fromkeys(_as_labels(order)))
    if len(classes) < 2:
        raise EngineError(
            f"The target column '{target}' has a single class ('{classes[0]}'); "
            "classification needs at least two."
        )
    return Target(CLASSIFICATION, labels[kept], kept, int((~kept).sum()), classes)


def _regression_target(series: pd.Series, target: str) -> Target:
    numbers = _to_numbers(series)
    present = series.notna()
    if pd.api.types.is_datetime64_any_dtype(series) or numbers[present].notna().mean() < 0.95:
        raise EngineError(
            f"The target column '{target}' is not numeric, so it cannot be a regression target; "
            "choose classification or another column."
        )
    kept = numbers.notna()
    return Target(REGRESSION, numbers[kept], kept, int((~kept).sum()))


def _all_numbers(values: pd.Series) -> bool:
    return bool(_to_numbers(values).notna().all())


_TARGET_BUILDERS: dict[str, Callable[[pd.Series, str], Target]] = {
    CLASSIFICATION: _classification_target,
    REGRESSION: _regression_target,
}


def check_rows(n_rows: int, n_folds: int, *, class_counts: Mapping[str, int] | None = None) -> None:
    """Raise EngineError when there are fewer rows than folds, or a class has fewer rows."""
    if n_rows < n_folds:
        raise EngineError(
            f"The data has {n_rows} rows, fewer than the {n_folds} folds; "
            "add rows or choose fewer folds."
        )
    for label, count in sorted((class_counts or {}).items(), key=lambda item: item[1]):
        if count < n_folds:
            raise EngineError(
                f"The class '{label}' has only {count} rows, fewer than the {n_folds} folds; "
                "choose fewer folds or holdout validation, or add rows of that class."
            )
