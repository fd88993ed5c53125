"""The model report as one self-contained HTML file: metrics and interactive charts, with
plotly's JavaScript inline (the file opens without a network)."""

from __future__ import annotations

import html
import json
import math
import time
from pathlib import Path
from typing import Any

import pandas as pd

from engine.report import (
    REPORT_TEXTS,
    model_metrics_frame,
    model_report,
    report_figures,
    report_splits,
    saved_threshold,
)
from engine.results import leaderboard_frame
from engine.store import Store

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI","Hiragino Sans","Noto Sans JP",sans-serif;
margin:2rem auto;max-width:1400px;padding:0 1rem;color:#1f2328}
h1{margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}
table{border-collapse:collapse;font-size:.92rem}td,th{padding:.3rem .8rem;text-align:right;
border-bottom:1px solid #eaeef2}th:first-child,td:first-child{text-align:left}
tr.primary td{font-weight:600}dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}
dt{color:#59636e}.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));
gap:1rem}.chart{border:1px solid #eaeef2;border-radius:6px;padding:.3rem}
pre{background:#f6f8fa;padding:.8rem;overflow:auto}
"""


def _number(value: float) -> str:
    return "—" if value is None or not math.isfinite(value) else f"{value:.4f}"


def _metrics_table(frame: pd.DataFrame, text: dict[str, str], names: dict[str, str]) -> str:
    columns = [("validation", text["validation"]), ("folds", text["folds"]), ("test", text["test"])]
    shown = [(c, h) for c, h in columns if frame["fold_mean" if c == "folds" else c].notna().any()]
    rows = []
    for r in frame.itertuples():
        cells = {"validation": _number(r.validation), "test": _number(r.test),
                 "folds": f"{_number(r.fold_mean)} ± {_number(r.fold_std)}"
                 if math.isfinite(r.fold_mean) else "—"}
        name = html.escape(names.get(r.metric, r.metric)) + (" ★" if r.primary else "")
        rows.append(f"<tr{' class=primary' if r.primary else ''}><td>{name}</td>"
                    + "".join(f"<td>{cells[c]}</td>" for c, _ in shown) + "</tr>")
    header = "".join(f"<th>{html.escape(h)}</th>" for h in [text["metric"], *(h for _, h in shown)])
    return f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _charts(figs: dict[str, Any]) -> str:
    config = {"displaylogo": False, "responsive": True}
    divs = [fig.to_html(full_html=False, include_plotlyjs=False, config=config)
            for fig in figs.values()]
    return "<div class=grid>" + "".join(f"<div class=chart>{d}</div>" for d in divs) + "</div>"


def report_html(run_id: str, model_id: int | None = None, *, runs_dir: Path | str,
                compare_id: int | None = None,
                labels: dict[str, dict[str, str]] | None = None) -> str:
    """The whole report of one model (its run's best by default) as an HTML document.

    Args:
        compare_id: a second model of the run whose curves are drawn on top.
        labels: overrides of ``REPORT_TEXTS`` per key (translations), plus ``metric``
            (metric id -> display name), ``task`` (task -> display name) and ``model`` (model
            id as text -> display name).
    """
    from plotly.offline import get_plotlyjs

    labels = labels or {}
    text = {**REPORT_TEXTS["html"], **labels.get("html", {})}
    metrics = model_metrics_frame(run_id, model_id, runs_dir=runs_dir)  # checks the model
    board = leaderboard_frame(run_id, runs_dir).set_index("model_id")
    store = Store(runs_dir)
    run = store.run_row(run_id)
    model_id = int(model_id if model_id is not None else run["best_model_id"])
    classes = store.load_json(run_id, "schema")["classes"]

    def name(mid: int) -> str:
        return labels.get("model", {}).get(str(mid), f"{board.loc[mid, 'model']} #{mid}")

    if compare_id is not None:
        report_splits(run_id, compare_id, runs_dir=runs_dir)  # checks the compared model
    names = (name(model_id), name(compare_id)) if compare_id is not None else None
    threshold = saved_threshold(run_id, model_id, runs_dir=runs_dir)
    sections = []
    for split in report_splits(run_id, model_id, runs_dir=runs_dir):
        report = model_report(run_id, model_id, runs_dir=runs_dir, split=split)
        compare = None
        if compare_id is not None and split in report_splits(run_id, compare_id,
                                                             runs_dir=runs_dir):
            compare = model_report(run_id, compare_id, runs_dir=runs_dir, split=split)
        figs = report_figures(report, compare=compare, labels=labels, names=names,
                              threshold=threshold if split == "validation" else None)
        if split == "test":
            figs.pop("threshold", None)
        sections.append(f"<h2>{html.escape(text[f'charts_{split}'])}</h2>"
                        f"<p>{html.escape(text['rows'])}: {report.n_rows:,}</p>{_charts(figs)}")
    facts = [(text["run"], run_id), (text["target"], run["target"]),
             (text["task"], labels.get("task", {}).get(run["task"], run["task"])),
             (text["primary"], labels.get("metric", {}).get(run["metric"], run["metric"])),
             (text["generated"], time.strftime("%Y-%m-%d %H:%M"))]
    if names is not None:
        facts.append((text["compare"], names[1]))
    if len(classes) == 2:
        facts.append((text["threshold"], text["threshold_default"] if threshold is None
                      else f"{threshold:.4f}"))
    params = json.loads(board.loc[model_id, "params"] or "{}")
    body = "".join([
        f"<h1>{html.escape(text['title'])}: {html.escape(name(model_id))}</h1>",
        "<dl>" + "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(str(v))}</dd>"
                         for k, v in facts) + "</dl>",
        f"<h2>{html.escape(text['metrics'])}</h2>",
        _metrics_table(metrics, text, labels.get("metric", {})),
        *sections,
        f"<h2>{html.escape(text['params'])}</h2><pre>"
        f"{html.escape(json.dumps(params, indent=1, ensure_ascii=False))}</pre>",
    ])
    return (f"<!DOCTYPE html><html lang={html.escape(text['lang'])}><head><meta charset=utf-8>"
            f"<meta name=viewport content='width=device-width,initial-scale=1'>"
            f"<title>{html.escape(text['title'])} · {html.escape(name(model_id))}</title>"
            f"<style>{_STYLE}</style><script>{get_plotlyjs()}</script></head>"
            f"<body>{body}</body></html>")
