"""Every visible string of the studio, in English and Japanese, from one catalogue.

``t("data.title")`` returns the string of the current language. A key missing from the
catalogue raises ``KeyError`` (the catalogue test fails on it) rather than showing an empty label.
Names of engine things (metrics, roles, tasks, model families, statuses) have helpers so that
their keys are built in one place and the test can check every one of them.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from pages import _state

CATALOGUE = Path(__file__).resolve().parents[1] / "assets" / "i18n" / "strings.json"
LANGUAGES = {"en": "English", "ja": "日本語"}


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """The whole catalogue: key -> {language -> string}."""
    return json.loads(CATALOGUE.read_text(encoding="utf-8"))


def t(key: str, **values: object) -> str:
    """The string ``key`` in the current language, with ``{name}`` fields filled in."""
    text = catalogue()[key][_state.language()]
    return text.format(**values) if values else text


def metric_name(metric_id: str) -> str:
    return t(f"metric.{metric_id}.name")


def metric_help(metric_id: str) -> str:
    return t(f"metric.{metric_id}.help")


def role_name(role: str) -> str:
    return t(f"role.{role}")


def task_name(task: str) -> str:
    return t(f"task.{task}")


def status_name(status: str) -> str:
    return t(f"status.{status}")


def family_name(family: str) -> str:
    return t(f"family.{family}")


def kind_name(kind: str) -> str:
    return t(f"kind.{kind}")
