"""The bundled sample datasets: what each is, what to predict, and how to load it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from engine.data import load_table
from engine.errors import EngineError

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "assets" / "datasets"


@dataclass(frozen=True)
class Sample:
    """One bundled dataset: its file in SAMPLE_DIR, the column to predict and the task."""

    key: str
    file: str
    target: str
    task: str
    title_en: str
    title_ja: str


SAMPLES: dict[str, Sample] = {
    "penguins": Sample(
        "penguins",
        "penguins.csv",
        "species",
        "classification",
        "Palmer penguins: species (3 classes, missing values)",
        "パーマーペンギン：種の分類（3クラス・欠損あり）",
    ),
    "penguins_ja": Sample(
        "penguins_ja",
        "penguins_ja.csv",
        "種",
        "classification",
        "Palmer penguins with Japanese column names: species",
        "パーマーペンギン（日本語の列名）：種の分類",
    ),
    "election_1996": Sample(
        "election_1996",
        "election_1996.csv",
        "vote",
        "classification",
        "US election 1996 survey: Clinton or Dole (binary)",
        "1996年米国大統領選の調査：クリントンかドールか（2値分類）",
    ),
    "breast_cancer": Sample(
        "breast_cancer",
        "breast_cancer.csv",
        "diagnosis",
        "classification",
        "Breast cancer Wisconsin: malignant or benign (binary)",
        "乳がん（ウィスコンシン）：悪性か良性か（2値分類）",
    ),
    "diamonds": Sample(
        "diamonds",
        "diamonds.csv",
        "price",
        "regression",
        "Diamonds: price from carat, cut, colour and clarity",
        "ダイヤモンド：カラット・カット・色・透明度から価格を予測（回帰）",
    ),
    "diabetes": Sample(
        "diabetes",
        "diabetes.csv",
        "progression",
        "regression",
        "Diabetes: disease progression after one year",
        "糖尿病：1年後の病状の進行度（回帰）",
    ),
}


def load_sample(key: str) -> pd.DataFrame:
    """Read the bundled dataset ``key`` (one of SAMPLES) as a DataFrame."""
    sample = SAMPLES.get(key)
    if sample is None:
        raise EngineError(
            f"There is no sample dataset '{key}'; choose one of {', '.join(SAMPLES)}."
        )
    return load_table(SAMPLE_DIR / sample.file).frame
