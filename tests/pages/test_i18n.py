"""The string catalogue: every key the pages use exists in English and Japanese, and the
Japanese interface shows no English leftovers."""

import ast
import json
import re
import string
from pathlib import Path

import pytest

from engine import FEATURIZATION_STEPS, METRICS, MODELS, REPORT_TEXTS, ROLES
from engine.results import COMPARED
from engine.settings import TASKS
from pages import _i18n, _state
from tests.pages.conftest import goto, texts

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
CATALOGUE = json.loads(_i18n.CATALOGUE.read_text(encoding="utf-8"))
STATUSES = ("queued", "running", "completed", "cancelled", "failed", "interrupted", "pruned")
# Keys built at run time: the pattern as written in the pages -> every value it takes.
DYNAMIC = {
    "metric.{}.name": list(METRICS), "metric.{}.help": list(METRICS), "role.{}": ROLES,
    "task.{}": TASKS, "status.{}": STATUSES, "family.{}": list(MODELS),
    "kind.{}": ("single", "voting", "stacking"),
    "history.{}": ("trial", "trials", "pruned", "best", "model"),
    "setup.validation_{}": ("auto", "cv", "holdout", "file"),
    "setup.test_{}": ("none", "fraction", "file"),
    "dtype.{}": ("integer", "decimal", "boolean", "datetime", "text"),
    "report.{}": [f"{kind}.{field}" for kind, fields in REPORT_TEXTS.items() for field in fields],
    "runs.field.{}": COMPARED,
    "featurize.{}": list(FEATURIZATION_STEPS),
}


def _calls() -> tuple[set[str], set[str]]:
    """Literal keys and f-string patterns of every ``t(...)`` call in the pages and app.py."""
    literal, patterns = set(), set()
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "PAGES":
                literal |= {page[1] for page in ast.literal_eval(node.value)}
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "t"):
                continue
            arg = node.args[0]
            if isinstance(arg, ast.Constant):
                literal.add(arg.value)
            elif isinstance(arg, ast.JoinedStr):
                patterns.add("".join(v.value if isinstance(v, ast.Constant) else "{}"
                                     for v in arg.values))
            elif isinstance(arg, ast.IfExp):
                literal |= {arg.body.value, arg.orelse.value}
            else:  # t(name): only app.py's page titles, read from PAGES above
                assert path.name == "app.py", f"{path.name}: t() of a variable"
    return literal, patterns


LITERAL, PATTERNS = _calls()
USED = LITERAL | {p.format(v) for p in PATTERNS for v in DYNAMIC.get(p, ())}


def test_every_pattern_is_known():
    assert PATTERNS <= set(DYNAMIC), f"add these to DYNAMIC: {PATTERNS - set(DYNAMIC)}"


@pytest.mark.parametrize("key", sorted(USED))
def test_every_used_key_has_english_and_japanese(key):
    assert key in CATALOGUE, f"missing from {_i18n.CATALOGUE.name}: {key}"
    entry = CATALOGUE[key]
    assert entry.get("en", "").strip() and entry.get("ja", "").strip(), key
    fields = [{f for _, f, _, _ in string.Formatter().parse(entry[lang]) if f}
              for lang in ("en", "ja")]
    assert fields[1] <= fields[0] | {"rows"}, f"{key}: Japanese uses other fields"


def test_no_unused_keys():
    assert set(CATALOGUE) - USED == set()


def test_a_missing_key_fails_loudly():
    with pytest.raises(KeyError):
        _i18n.t("no.such.key")


# ---- the Japanese interface ---------------------------------------------------------------
# Names that stay as they are in Japanese text: products, abbreviations, file formats.
KEPT = {"AUC", "F1", "LightGBM", "ID", "CSV", "TSV", "Parquet", "Excel", "MB", "Shift_JIS",
        "cp932", "log", "ROC", "assets/datasets/README.md", "R²", "k"}


def english_leftovers(text: str, allowed: set[str]) -> set[str]:
    for word in sorted(allowed | KEPT, key=len, reverse=True):
        text = text.replace(word, " ")
    text = re.sub(r"\S+\.(csv|py|md)\b", " ", text)
    return set(re.findall(r"[A-Za-z]{2,}", text))


def test_japanese_data_and_setup_pages(app, runs_dir):
    app.session_state[_state.LANG] = "ja"
    app.button(key=f"{_state.SAMPLE_BUTTON}penguins_ja").click().run()
    assert app.title[0].value == "データ"
    assert english_leftovers(texts(app), allowed=_sample_targets()) == set()
    goto(app, "setup")
    assert app.title[0].value == "設定"
    assert english_leftovers(texts(app), allowed=set()) == set()


@pytest.mark.parametrize("page", ["run", "leaderboard", "runs"])
def test_japanese_run_pages(app, completed_run, page):
    app.session_state[_state.LANG] = "ja"
    app.query_params[_state.RUN_QUERY] = completed_run
    goto(app, page)
    allowed = {completed_run, "species"}
    assert english_leftovers(texts(app), allowed) == set()
    table = app.dataframe[0].value
    cells = " ".join(v for v in table.to_numpy().ravel() if isinstance(v, str))
    assert english_leftovers(cells, allowed) == set()


def _sample_targets() -> set[str]:
    from engine import SAMPLES

    return {s.target for s in SAMPLES.values()}


def test_a_japanese_browser_starts_in_japanese(runs_dir):
    from streamlit.testing.v1 import AppTest

    from tests.pages.conftest import APP

    at = AppTest.from_file(APP, default_timeout=60)
    at.context = {"locale": "ja-JP"}
    at.run()
    assert at.title[0].value == "データ"
    at.segmented_control(key=_state.LANG).set_value("en").run()
    assert at.title[0].value == "Data"
