"""Taking a model away: a zip with the fitted model, its schema, the rows it was trained on and
a generated plain-Python training script that reproduces it without the studio."""

from __future__ import annotations

import ast
import inspect
import io
import json
import re
import sys
import zipfile
from importlib.metadata import version
from pathlib import Path
from string import Template
from typing import Any

import joblib
import pandas as pd

from engine import featurize
from engine.data import _roles
from engine.errors import EngineError
from engine.fitted import load_model, load_problem, model_row, refit_rows
from engine.models import MODELS
from engine.store import Store

TEMPLATE = Path(__file__).with_name("templates") / "train_model.py.tmpl"
SCRIPT_IMPORTS = "import sys\nfrom pathlib import Path\nimport joblib\n"
LIBRARIES = ("pandas", "numpy", "scikit-learn", "lightgbm", "joblib")
_COERCION_NAMES = ("NUMERIC", "CATEGORICAL", "BOOLEAN", "DATETIME", "TEXT", "ID", "CONSTANT",
                   "GROUP", "IGNORE", "ROLES", "OPTIONAL_AT_PREDICT", "_TRUE", "_FALSE")
_COERCION_FUNCTIONS = ("_to_numbers", "_to_datetimes", "_to_flags", "_as_labels", "coerce_frame")
_README = """# Model {model_id} of run {run_id}: {label}

- `model.joblib`: the fitted scikit-learn pipeline (featurization, then the model). Load it with
  `joblib.load` where the studio's `engine` package is importable and with the library versions
  in `schema.json`; `pipeline.predict_proba(rows)` takes rows coerced as the studio does.
- `schema.json`: target, task, classes in model order, column roles, metric and score,
  hyperparameters, the saved decision threshold and library versions.
- `training_rows.csv.gz`: the {n_rows:,} rows this model was fitted on, as the studio read them.
{script_line}"""


def _source_without_header(module: Any) -> str:
    """A module's code without its docstring, ``__future__`` import and engine imports."""
    tree = ast.parse(inspect.getsource(module))
    body = tree.body[1:] if isinstance(tree.body[0], ast.Expr) else tree.body
    lines = inspect.getsource(module).splitlines()
    code = "\n".join(lines[body[0].lineno - 1:])
    return re.sub(r"^from (__future__|engine\.)\S* import .*\n", "", code, flags=re.M)


def _coercion_source() -> str:
    """The studio's column coercion as standalone code."""
    parts = ["import re\nimport warnings\nfrom collections.abc import Callable, Mapping\n"
             "import numpy as np\nimport pandas as pd\n\n\nclass EngineError(ValueError):\n"
             "    \"\"\"A problem with the table, worded for its user.\"\"\"\n"]
    parts += [f"{name} = {getattr(_roles, name)!r}" for name in _COERCION_NAMES]
    parts += [f"_JA_DATE = re.compile({_roles._JA_DATE.pattern!r})",
              f"_NOT_A_NUMBER = re.compile({_roles._NOT_A_NUMBER.pattern!r})\n\n"]
    parts += [inspect.getsource(getattr(_roles, name)) + "\n" for name in _COERCION_FUNCTIONS[:-1]]
    table = "".join(f"    {role!r}: {fn.__name__},\n" for role, fn in _roles._COERCE.items())
    parts += [f"_COERCE: dict[str, Callable[[pd.Series], pd.Series]] = {{\n{table}}}\n\n",
              inspect.getsource(_roles.coerce_frame)]
    return "\n".join(parts)


_IMPORT = re.compile(r"^(?:import|from) (\w+).*\n", re.M)


def _hoisted(*sections: str) -> tuple[str, list[str]]:
    """Every top-level import of the sections, once, and the sections without them."""
    found = {m.group(0): m.group(1) not in sys.stdlib_module_names
             for section in sections for m in _IMPORT.finditer(section)}
    groups = ["".join(sorted((line for line, third in found.items() if third == party),
                             key=lambda line: (line.startswith("from"), line)))
              for party in (False, True)]
    return "\n".join(groups), [_IMPORT.sub("", section).strip("\n") for section in sections]


def _literal(value: dict[str, Any], indent: str = "") -> str:
    """A dict as a Python literal, one entry a line, or an error when a value is not plain."""
    text = "{\n" + "".join(f"{indent}    {k!r}: {v!r},\n" for k, v in value.items()) + indent + "}"
    try:
        ast.literal_eval(text)
    except (ValueError, SyntaxError) as error:
        raise EngineError("This model's settings cannot be written as a script; download the "
                          "model file instead.") from error
    return text


def training_script(run_id: str, model_id: int | None = None, *, runs_dir: Path | str) -> str:
    """A plain-Python script that retrains one single model (not an ensemble) and scores rows."""
    store = Store(runs_dir)
    model_id, pipeline = load_model(store, run_id, model_id)
    row = model_row(store, run_id, model_id)
    if row["kind"] != "single":
        raise EngineError("A training script is written for single models; an ensemble's "
                          "members each have one (open a member from the leaderboard).")
    spec = MODELS[row["family"]]
    schema = store.load_json(run_id, "schema")
    problem = load_problem(store, run_id)
    estimator = pipeline.named_steps["model"]
    params = estimator.get_params(deep=False)
    imports, (_, coercion, featurization) = _hoisted(SCRIPT_IMPORTS, _coercion_source(),
                                                     _source_without_header(featurize))
    values = {
        "label": spec.label, "model_id": model_id, "run_id": run_id, "metric": store.run_row(
            run_id)["metric"], "score": f"{row['score']:.4f}", "target": schema["target"],
        "task": schema["task"], "needs": " and lightgbm" if spec.early_stopping else "",
        "versions": ", ".join(f"{lib} {version(lib)}" for lib in LIBRARIES),
        "target_repr": repr(schema["target"]), "task_repr": repr(schema["task"]),
        "classes": repr(list(schema["classes"])), "roles": _literal(schema["roles"]),
        "seed": problem.seed, "featurization_off": repr(problem.featurization_off), "max_train_rows": repr(spec.max_train_rows),
        "native": repr(spec.early_stopping), "threshold": repr(row.get("threshold")),
        "imports": imports, "coercion": coercion, "featurize": featurization,
        "model_module": type(estimator).__module__.split("._")[0],
        "model_class": type(estimator).__name__, "params": _literal(params, "    "),
        "style_repr": repr(spec.style),
    }
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(values)


def training_rows_csv(run_id: str, *, runs_dir: Path | str) -> tuple[bytes, int]:
    """The rows a run's final models were fitted on, as gzipped CSV (target included), and
    their number."""
    store = Store(runs_dir)
    problem = load_problem(store, run_id)
    schema = store.load_json(run_id, "schema")
    frames = [store.load_frame(run_id, "train"), store.load_frame(run_id, "valid")]
    table = pd.concat([f for f in frames if f is not None], ignore_index=True)
    rows = table.iloc[refit_rows(problem)][[*problem.X.columns, schema["target"]]]
    buffer = io.BytesIO()
    rows.to_csv(buffer, index=False, compression={"method": "gzip", "mtime": 0})
    return buffer.getvalue(), len(rows)


def model_bundle(run_id: str, model_id: int | None = None, *, runs_dir: Path | str) -> bytes:
    """A zip: model.joblib, schema.json, training_rows.csv.gz, README.md and, for single
    models, train_model.py."""
    store = Store(runs_dir)
    model_id, model = load_model(store, run_id, model_id)
    row = model_row(store, run_id, model_id)
    schema = store.load_json(run_id, "schema")
    label = MODELS[row["family"]].label if row["kind"] == "single" else f"{row['kind']} ensemble"
    meta = {**schema, "run_id": run_id, "model_id": model_id, "model": label,
            "metric": store.run_row(run_id)["metric"], "score": row["score"],
            "params": row["params"], "threshold": row.get("threshold"),
            "versions": {lib: version(lib) for lib in LIBRARIES}}
    rows, n_rows = training_rows_csv(run_id, runs_dir=runs_dir)
    script = training_script(run_id, model_id, runs_dir=runs_dir) if row["kind"] == "single" else None
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        model_bytes = io.BytesIO()
        joblib.dump(model, model_bytes)
        bundle.writestr("model.joblib", model_bytes.getvalue())
        bundle.writestr("schema.json", json.dumps(meta, ensure_ascii=False, indent=2, default=str))
        bundle.writestr("training_rows.csv.gz", rows)
        if script is not None:
            bundle.writestr("train_model.py", script)
        script_line = ("- `train_model.py`: retrains this model with pandas, numpy, scikit-learn "
                       "and lightgbm only: `python train_model.py train training_rows.csv.gz`, "
                       "then `python train_model.py predict TABLE OUT.csv`.\n" if script else
                       "- An ensemble has no training script; each member's bundle has one.\n")
        bundle.writestr("README.md", _README.format(
            model_id=model_id, run_id=run_id, label=label, n_rows=n_rows,
            script_line=script_line))
    return buffer.getvalue()

