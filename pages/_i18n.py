"""Every visible string of the studio, in English and Japanese, from one catalogue.

``t("data.title")`` returns the string of the current language. A key missing from the
catalogue raises ``KeyError`` (the catalogue test fails on it) rather than showing an empty label.
Names of engine things (metrics, roles, tasks, model families, statuses) have helpers so that
their keys are built in one place and the test can check every one of them.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from pages import _state

CATALOGUE = Path(__file__).resolve().parents[1] / "assets" / "i18n" / "strings.json"
# The engine writes English sentences (errors, warnings, run and trial messages, kept in the
# store as written); engine_<lang>.json maps each English template to the language's.
ENGINE_CATALOGUE = CATALOGUE.with_name("engine_{lang}.json")
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


def _pattern(template: str) -> re.Pattern[str]:
    """A regex matching the sentences a template renders, ``{name}`` fields as named groups."""
    parts = re.split(r"\{(\w+)\}", template)
    return re.compile("".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)"
                              for i, p in enumerate(parts)), re.S)


@cache
def engine_catalogue(lang: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    """(pattern of an English template, the template in ``lang``) for every engine sentence."""
    path = Path(str(ENGINE_CATALOGUE).format(lang=lang))
    if not path.exists():
        return ()
    return tuple((_pattern(en), text) for en, text in json.loads(path.read_text(
        encoding="utf-8")).items())


def engine_text(sentence: str, lang: str | None = None) -> str:
    """An engine sentence in ``lang`` (default: the current language); one the catalogue
    lacks stays English."""
    for pattern, text in engine_catalogue(lang or _state.language()):
        if match := pattern.fullmatch(sentence):
            return text.format(**match.groupdict())
    return sentence
