"""Data in: read an uploaded table, name its columns, infer and apply roles, check the target."""

from engine.data._profile import PROFILE_SAMPLE, profile_frame
from engine.data._read import DELIMITERS, LARGE_CSV_BYTES, SAMPLE_BYTES, Table, load_table
from engine.data._roles import (
    BOOLEAN,
    CATEGORICAL,
    CONSTANT,
    DATETIME,
    GROUP,
    ID,
    IGNORE,
    NUMERIC,
    ROLES,
    SAMPLE_VALUES,
    TEXT,
    coerce_frame,
    group_column,
    infer_roles,
)
from engine.data._target import (
    CLASSIFICATION,
    REGRESSION,
    Target,
    check_rows,
    prepare_target,
    suggest_task,
)

__all__ = [
    "BOOLEAN",
    "CATEGORICAL",
    "CLASSIFICATION",
    "CONSTANT",
    "DATETIME",
    "DELIMITERS",
    "GROUP",
    "ID",
    "IGNORE",
    "LARGE_CSV_BYTES",
    "NUMERIC",
    "PROFILE_SAMPLE",
    "REGRESSION",
    "ROLES",
    "SAMPLE_BYTES",
    "SAMPLE_VALUES",
    "TEXT",
    "Table",
    "Target",
    "check_rows",
    "coerce_frame",
    "group_column",
    "infer_roles",
    "load_table",
    "prepare_target",
    "profile_frame",
    "suggest_task",
]
