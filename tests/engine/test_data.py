"""Data in: reading tables in every format and encoding, column names, roles, coercion, target."""

from __future__ import annotations

import io
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from engine.data import (
    BOOLEAN,
    CATEGORICAL,
    CONSTANT,
    DATETIME,
    ID,
    IGNORE,
    NUMERIC,
    ROLES,
    TEXT,
    check_rows,
    coerce_frame,
    infer_roles,
    load_table,
    prepare_target,
    profile_frame,
    suggest_task,
)
from engine.data import _read
from engine.errors import EngineError
from engine.samples import SAMPLE_DIR, SAMPLES, load_sample

JA = pd.DataFrame(
    {
        "名前": ["佐藤", "鈴木", "高橋"],
        "年齢": [31, 45, 27],
        "都道府県": ["東京都", "大阪府", "北海道"],
    }
)


def write(tmp_path: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


# ---------------------------------------------------------------- encodings and delimiters


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932", "shift_jis", "utf-16"])
def test_reads_japanese_in_every_encoding(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path, "people.csv", JA.to_csv(index=False), encoding)
    table = load_table(path)
    pd.testing.assert_frame_equal(table.frame, JA, check_dtype=False)
    assert table.warnings == ()


def test_cp932_after_a_long_ascii_head(tmp_path: Path) -> None:
    head = "".join(f"row{i},{i}\n" for i in range(12_000))  # > the 64 KiB sniffing sample
    path = write(tmp_path, "late.csv", "name,value\n" + head + "東京,1\n", "cp932")
    frame = load_table(path).frame
    assert frame["name"].iloc[-1] == "東京" and len(frame) == 12_001


@pytest.mark.parametrize(
    ("name", "sep"), [("a.tsv", "\t"), ("a.csv", ";"), ("a.txt", "|"), ("a.csv", "\t")]
)
def test_sniffs_the_delimiter(tmp_path: Path, name: str, sep: str) -> None:
    text = (
        sep.join(["id", "price", "label"])
        + "\n"
        + "\n".join(
            sep.join([str(i), f"{i}.5", f"x,{i}" if sep != "," else "x"]) for i in range(30)
        )
    )
    frame = load_table(write(tmp_path, name, text)).frame
    assert list(frame.columns) == ["id", "price", "label"]
    assert frame["price"].iloc[1] == 1.5


def test_semicolon_files_may_use_decimal_commas() -> None:
    frame = load_table(b"a;b;c\n1,5;2;x\n2,25;3.5;y\n", name="eu.csv").frame
    assert frame["a"].tolist() == [1.5, 2.25]
    assert coerce_frame(frame, infer_roles(frame))["b"].tolist() == [2.0, 3.5]


def test_quoted_fields_and_bytes_with_a_name() -> None:
    text = 'a,b\n"x, y",1\n"multi\nline",2\n'
    table = load_table(text.encode(), name="upload.csv")
    assert table.frame["a"].tolist() == ["x, y", "multi\nline"]


def test_file_object_without_name_is_read_as_csv() -> None:
    assert load_table(io.BytesIO(b"a;b\n1;2\n")).frame.shape == (1, 2)


def test_large_csv_goes_through_pyarrow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_read, "LARGE_CSV_BYTES", 0)
    path = write(tmp_path, "big.csv", JA.to_csv(index=False), "cp932")
    pd.testing.assert_frame_equal(load_table(path).frame, JA, check_dtype=False)


# ---------------------------------------------------------------- parquet and excel


def test_parquet(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    JA.to_parquet(path)
    pd.testing.assert_frame_equal(load_table(path).frame, JA, check_dtype=False)
    assert load_table(path.read_bytes()).frame.shape == JA.shape  # found by its magic bytes


def test_xlsx_with_types_and_blank_trailing_column(tmp_path: Path) -> None:
    frame = JA.assign(日付=pd.to_datetime(["2024-01-05", "2024-02-01", "2024-03-01"]), 空=np.nan)
    path = tmp_path / "t.xlsx"
    frame.rename(columns={"空": ""}).to_excel(path, index=False)
    table = load_table(path)
    assert list(table.frame.columns) == ["名前", "年齢", "都道府県", "日付"]
    assert table.frame["年齢"].tolist() == [31, 45, 27]
    assert infer_roles(table.frame)["日付"] == DATETIME


# ---------------------------------------------------------------- column names


def test_weird_column_names(tmp_path: Path) -> None:
    header = ["顧客 番号", " spaced name ", '[a]{b}":,', "2020", "1.5", "", "x", "x", "x (2)", "x"]
    line = ",".join('"' + h.replace('"', '""') + '"' for h in header)
    table = load_table(
        write(tmp_path, "w.csv", line + "\n" + ",".join(str(i) for i in range(10)) + "\n")
    )
    assert list(table.frame.columns) == [
        "顧客 番号",
        "spaced name",
        '[a]{b}":,',
        "2020",
        "1.5",
        "column_6",
        "x",
        "x (3)",
        "x (2)",
        "x (4)",
    ]
    assert all(isinstance(c, str) for c in table.frame.columns)
    assert len(table.warnings) == 1 and "'x' appears 3 times" in table.warnings[0]


def test_parquet_non_string_and_duplicate_names(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "d.parquet"
    pq.write_table(
        pa.table([[1], [2], [3]], names=["0", "a", "a"]), path
    )  # pandas cannot write these
    table = load_table(path)
    assert list(table.frame.columns) == ["0", "a", "a (2)"] and table.warnings


# ---------------------------------------------------------------- bad input


def _random_high_bytes() -> bytes:
    rng = random.Random(0)
    return bytes(rng.randrange(0x80, 0x100) for _ in range(3000))


BAD_INPUTS = [
    ("empty.csv", b"", "empty"),
    ("blank.csv", b"\n\n  \n", "empty"),
    ("header.csv", b"a,b,c\n", "no data rows"),
    ("header.xlsx", None, "no data rows"),
    ("garbage.csv", bytes(range(256)) * 8, "does not look like a text table"),
    ("latin.csv", _random_high_bytes(), "encoding"),
    ("data.json", b'{"a": 1}', "not supported"),
    ("bad.parquet", b"PAR1 but not really", "Parquet"),
    ("bad.xlsx", b"not a zip file at all", "Excel"),
    ("ragged.csv", b"a,b\n1,2\n1,2,3,4\n", "split into columns"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_raises_a_user_error(
    tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    path = tmp_path / name
    if content is None:
        pd.DataFrame(columns=["a", "b"]).to_excel(path, index=False)
    else:
        path.write_bytes(content)
    with pytest.raises(EngineError, match=message):
        load_table(path)
    with pytest.raises(EngineError, match=message):
        load_table(path.read_bytes(), name=name)


def test_missing_path() -> None:
    with pytest.raises(EngineError, match="does not exist"):
        load_table("/no/such/file.csv")


# ---------------------------------------------------------------- roles


@pytest.fixture(scope="module")
def every_role() -> pd.DataFrame:
    n = 100
    rng = np.random.default_rng(0)
    words = ["the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "again"]
    return pd.DataFrame(
        {
            "amount": rng.normal(size=n),
            "price_text": [f"{1000 + 7 * i:,}" for i in rng.permutation(n)],
            "colour": [["red", "green", "blue"][i % 3] for i in range(n)],
            "zip": [f"0{i % 7}123" for i in range(n)],
            "member": ["yes" if i % 3 else "no" for i in range(n)],
            "flag01": [i % 2 for i in range(n)],
            "truth": [bool(i % 2) for i in range(n)],
            "joined": [
                str(pd.Timestamp("2024-01-01") + pd.Timedelta(days=i))[:10] for i in range(n)
            ],
            "和暦なし日付": [f"2024年{i % 12 + 1}月{i % 28 + 1}日" for i in range(n)],
            "review": [" ".join(rng.choice(words, 8)) + f" {i}" for i in range(n)],
            "row": list(range(n)),
            "customer_id": rng.permutation(n) + 5000,
            "sku": [f"SKU-{i:05d}" for i in rng.permutation(n)],
            "same": ["only"] * n,
            "empty": [np.nan] * n,
        }
    )


def test_one_column_of_each_role(every_role: pd.DataFrame) -> None:
    assert infer_roles(every_role) == {
        "amount": NUMERIC,
        "price_text": NUMERIC,
        "colour": CATEGORICAL,
        "zip": CATEGORICAL,
        "member": BOOLEAN,
        "flag01": BOOLEAN,
        "truth": BOOLEAN,
        "joined": DATETIME,
        "和暦なし日付": DATETIME,
        "review": TEXT,
        "row": ID,
        "customer_id": ID,
        "sku": ID,
        "same": CONSTANT,
        "empty": CONSTANT,
    }
    assert set(infer_roles(every_role).values()) <= set(ROLES) and IGNORE in ROLES


def test_counting_up_is_an_id_unless_named_like_a_time() -> None:
    frame = pd.DataFrame({"year": range(1990, 2020), "観測年": range(1990, 2020), "n": range(30)})
    assert infer_roles(frame) == {"year": NUMERIC, "観測年": NUMERIC, "n": ID}


def test_mostly_numeric_strings_stay_categorical() -> None:
    values = [str(i) for i in range(90)] + ["n/a"] * 10
    assert infer_roles(pd.DataFrame({"v": values}))["v"] == CATEGORICAL


# ---------------------------------------------------------------- coercion


def test_coerce_frame_dtypes(every_role: pd.DataFrame) -> None:
    roles = infer_roles(every_role) | {"colour": IGNORE}
    out = coerce_frame(every_role, roles)
    assert "colour" not in out and "same" not in out
    assert out["price_text"].dtype == "float64" and out["price_text"].iloc[0] == float(
        every_role["price_text"].iloc[0].replace(",", "")
    )
    assert out["member"].tolist()[:3] == [0.0, 1.0, 1.0] and out["truth"].dtype == "float64"
    assert out["joined"].dtype == "datetime64[us]" and out["和暦なし日付"].iloc[0] == pd.Timestamp(
        "2024-01-01"
    )
    assert out["sku"].dtype == "str" and out["zip"].iloc[0] == "00123"


def test_coerce_is_the_same_at_predict_time() -> None:
    roles = {"n": NUMERIC, "c": CATEGORICAL, "d": DATETIME, "b": BOOLEAN, "key": ID}
    train = pd.DataFrame(
        {
            "n": ["1,5", "2"],
            "c": [1.0, np.nan],
            "d": ["2024-01-02", "bad"],
            "b": ["Yes", "no"],
            "key": ["a", "b"],
        }
    )
    new = pd.DataFrame({"c": [1], "n": [3], "d": ["2024-01-02"], "b": [True]})
    coerced_train, coerced_new = coerce_frame(train, roles), coerce_frame(new, roles)
    assert coerced_train["c"].tolist()[0] == coerced_new["c"].tolist()[0] == "1"
    assert np.isnan(coerced_train["c"].iloc[1]) and pd.isna(coerced_train["d"].iloc[1])
    assert list(coerced_new.columns) == ["n", "c", "d", "b"] and coerced_new["b"].iloc[0] == 1.0
    pd.testing.assert_frame_equal(coerce_frame(train, roles), coerced_train)


def test_coerce_names_a_missing_column() -> None:
    with pytest.raises(EngineError, match="'年齢' is missing"):
        coerce_frame(pd.DataFrame({"a": [1]}), {"a": NUMERIC, "年齢": NUMERIC})


# ---------------------------------------------------------------- profile


def test_profile_frame(every_role: pd.DataFrame) -> None:
    roles = infer_roles(every_role)
    profile = profile_frame(every_role, roles).set_index("column")
    assert list(profile.index) == list(every_role.columns)
    assert profile.loc["empty", "missing_pct"] == 100.0 and profile.loc["sku", "unique"] == 100
    histogram = profile.loc["amount", "histogram"]
    assert 1 <= len(histogram) <= 20 and sum(histogram) == 100
    assert len(profile.loc["amount", "histogram_edges"]) == len(histogram) + 1
    assert profile.loc["colour", "top_values"] == {"red": 34, "green": 33, "blue": 33}
    assert profile.loc["joined", "histogram_edges"][0].startswith("2024-01-01")


# ---------------------------------------------------------------- target


def test_prepare_target_classification_drops_missing() -> None:
    frame = pd.DataFrame({"y": [10, 2, np.nan, 2, 10, 2], "x": range(6)})
    target = prepare_target(frame, "y", None)
    assert (target.task, target.classes, target.dropped_missing) == (
        "classification",
        ("2", "10"),
        1,
    )
    assert target.y.tolist() == ["10", "2", "2", "10", "2"] and target.kept.sum() == 5


def test_prepare_target_regression() -> None:
    frame = pd.DataFrame({"y": ["1,000", "2.5", None, "4"]})
    target = prepare_target(frame, "y", "regression")
    assert (
        target.y.tolist() == [1000.0, 2.5, 4.0]
        and target.classes == ()
        and target.dropped_missing == 1
    )


@pytest.mark.parametrize(
    ("series", "task"),
    [
        (pd.Series(["a", "b"] * 10), "classification"),
        (pd.Series([True, False] * 10), "classification"),
        (pd.Series([0, 1, 2] * 10), "classification"),
        (pd.Series(np.linspace(0, 1, 30)), "regression"),
        (pd.Series(range(30)), "regression"),
    ],
)
def test_suggest_task(series: pd.Series, task: str) -> None:
    assert suggest_task(series) == task


TARGET_ERRORS = [
    ("nope", None, "no column 'nope'.*'x'"),
    ("blank", None, "empty on every row"),
    ("one", None, "single class"),
    ("word", "regression", "not numeric"),
]


@pytest.mark.parametrize(("column", "task", "message"), TARGET_ERRORS)
def test_prepare_target_errors(column: str, task: str | None, message: str) -> None:
    frame = pd.DataFrame(
        {"x": [1, 2, 3], "blank": [np.nan] * 3, "one": ["a", "a", None], "word": ["a", "b", "c"]}
    )
    with pytest.raises(EngineError, match=message):
        prepare_target(frame, column, task)


def test_check_rows() -> None:
    check_rows(10, 5, class_counts={"a": 5, "b": 5})
    with pytest.raises(EngineError, match="3 rows, fewer than the 5 folds"):
        check_rows(3, 5)
    with pytest.raises(EngineError, match="class 'b' has only 2 rows"):
        check_rows(100, 5, class_counts={"a": 98, "b": 2})


# ---------------------------------------------------------------- bundled samples


@pytest.mark.parametrize("key", list(SAMPLES))
def test_every_sample_loads_with_its_target(key: str) -> None:
    sample = SAMPLES[key]
    assert sample.key == key and (SAMPLE_DIR / sample.file).stat().st_size < 2_000_000
    frame = load_sample(key)
    assert prepare_target(frame, sample.target, None).task == sample.task


def test_unknown_sample() -> None:
    with pytest.raises(EngineError, match="penguins"):
        load_sample("nope")
