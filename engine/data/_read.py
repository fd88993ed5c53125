"""Reading a table: formats, encodings, delimiters and column names."""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from engine.errors import EngineError

LARGE_CSV_BYTES = 50 * 1024 * 1024
SAMPLE_BYTES = 64 * 1024
DELIMITERS = (",", "\t", ";", "|")
_MAGIC = {b"PAR1": "parquet", b"PK\x03\x04": "xlsx", b"\xd0\xcf\x11\xe0": "xls"}


@dataclass(frozen=True, eq=False)
class Table:
    """A table read from a file, with notes for the user (for example renamed columns)."""

    frame: pd.DataFrame
    warnings: tuple[str, ...] = ()


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
