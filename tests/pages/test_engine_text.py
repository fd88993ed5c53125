"""Engine sentences in Japanese: errors, warnings and run messages the engine really produces
are found in the catalogue and come out in Japanese with their values kept."""

import json
import re

import numpy as np
import pandas as pd
import pytest

from engine import EngineError, coerce_frame, load_table, prepare_target
from engine.finish import STOP_MESSAGES
from engine.guardrails import guardrails
from engine.data import group_column
from engine.validate import make_validation, validation_sentence
from pages import _i18n

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
CATALOGUE = json.loads(_i18n.ENGINE_CATALOGUE.with_name("engine_ja.json").read_text("utf-8"))


def ja(sentence: str) -> str:
    return _i18n.engine_text(sentence, lang="ja")


def test_every_template_keeps_its_fields_in_japanese():
    for english, japanese in CATALOGUE.items():
        fields = set(re.findall(r"\{(\w+)\}", english))
        assert set(re.findall(r"\{(\w+)\}", japanese)) == fields, english
        assert JAPANESE.search(japanese), english


@pytest.mark.parametrize(("make", "kept"), [
    (lambda: load_table(b"", name="a.csv"), None),
    (lambda: load_table(b"a,b\n", name="a.csv"), None),
    (lambda: load_table(b"%PDF-1.4", name="a.pdf"), ".pdf"),
    (lambda: load_table(b"not parquet", name="a.parquet"), None),
    (lambda: load_table(b"junk", name="a.xlsx"), None),
    (lambda: prepare_target(pd.DataFrame({"x": [1, 2]}), "価格", None), "価格"),
    (lambda: prepare_target(pd.DataFrame({"y": [None, None]}), "y", None), "y"),
    (lambda: prepare_target(pd.DataFrame({"y": ["a"] * 5}), "y", "classification"), "'a'"),
    (lambda: prepare_target(pd.DataFrame({"y": list("abcab")}), "y", "regression"), "y"),
    (lambda: coerce_frame(pd.DataFrame({"x": [1]}), {"x": "numeric", "重さ": "numeric"}), "重さ"),
    (lambda: make_validation("cv:5", np.array([0, 1, 0]), task="classification", seed=0), "5"),
    (lambda: make_validation("cv:5", np.arange(20) % 2, task="classification", seed=0,
                             groups=np.repeat(["a", "b"], 10), group="店舗"), "店舗"),
    (lambda: group_column({"a": "group", "b": "group"}), "「b」"),
])
def test_engine_errors_come_out_in_japanese(make, kept):
    with pytest.raises(EngineError) as caught:
        make()
    english = str(caught.value)
    japanese = ja(english)
    assert japanese != english and JAPANESE.search(japanese), english
    if kept:
        assert kept in japanese


def test_reader_warnings_guardrails_and_run_messages_come_out_in_japanese():
    table = load_table("a,a,b\n1,2,3\n".encode(), name="dup.csv")
    n = 150
    frame = pd.DataFrame({"leak": np.r_[np.ones(4), np.zeros(n - 4)], "店": [f"s{i}" for i in range(n)],
                          "gap": np.where(np.arange(n) % 3, np.nan, 1.0), "one": 1,
                          "y": ["rare"] * 4 + ["common"] * (n - 4)})
    roles = {"leak": "numeric", "店": "categorical", "gap": "numeric", "one": "constant"}
    fired = guardrails(frame, "y", roles, "classification") + guardrails(
        frame.iloc[::3], "y", roles, "classification")
    assert {g["check"] for g in fired} == {"too_little_data", "class_imbalance", "missing_values",
                                           "high_cardinality", "dropped_columns", "leakage"}
    for sentence in [*table.warnings, *(g["message"] for g in fired), *STOP_MESSAGES.values()]:
        assert JAPANESE.search(ja(sentence)), sentence


@pytest.mark.parametrize("spec", ["auto", "cv:3", "holdout:0.2"])
@pytest.mark.parametrize("group", [None, "患者"])
def test_validation_sentences_come_out_in_japanese(spec, group):
    for rows in (500, 50_000):
        sentence = validation_sentence(spec, rows, group=group)
        assert JAPANESE.search(ja(sentence)) and (group is None or group in ja(sentence)), sentence


def test_english_stays_english_and_unknown_sentences_pass_through():
    assert _i18n.engine_text("The file has no rows to score.", lang="en") == \
        "The file has no rows to score."
    assert ja("Something the catalogue has never seen.") == "Something the catalogue has never seen."
