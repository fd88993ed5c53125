"""The command line: every run the studio makes can be made, read and used from here."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import psutil

from engine.data import load_table
from engine.errors import EngineError
from engine.explain_store import cmd_explain, cmd_explain_worker
from engine.export import model_bundle
from engine.featurize import FEATURIZATION_STEPS
from engine.fitted import predict_frame
from engine.report_html import report_html
from engine.results import get_run, leaderboard_frame, list_runs
from engine.run import cancel_run, create_run, execute_run
from engine.scoring import score_table
from engine.settings import RunSettings
from engine.store import default_runs_dir


def _models(value: str) -> tuple[str, ...]:
    """A comma-separated list of keys."""
    return tuple(k.strip() for k in value.split(",") if k.strip())


def parser() -> argparse.ArgumentParser:
    """The CLI's argument parser."""
    p = argparse.ArgumentParser(prog="python -m engine", description="AutoML studio engine")
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run AutoML on a table and wait for it to end")
    run.add_argument("--data", required=True, type=Path)
    run.add_argument("--target", required=True)
    run.add_argument("--task", choices=["classification", "regression"])
    run.add_argument("--metric")
    run.add_argument("--time-budget", type=float, default=300.0)
    run.add_argument("--max-trials", type=int)
    run.add_argument("--patience", type=int)
    run.add_argument("--validation", default="auto")
    run.add_argument("--validation-data", type=Path)
    test = run.add_mutually_exclusive_group()
    test.add_argument("--test-data", type=Path)
    test.add_argument("--test-fraction", type=float)
    run.add_argument("--models", type=_models)
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--n-jobs", type=int)
    run.add_argument("--no-ensembles", action="store_true")
    run.add_argument("--featurization-off", type=_models, default=(), metavar="STEP,STEP",
                     help="featurization steps to switch off: " + ", ".join(FEATURIZATION_STEPS))
    run.add_argument("--explain", action="store_true",
                     help="explain the best model afterwards in a background process")
    run.add_argument("--json", action="store_true")
    board = sub.add_parser("leaderboard", help="print a run's leaderboard")
    board.add_argument("run_id")
    board.add_argument("--format", choices=["table", "csv", "json"], default="table")
    pred = sub.add_parser("predict", help="score a table with a run's model")
    pred.add_argument("run_id")
    pred.add_argument("--data", required=True, type=Path)
    pred.add_argument("--out", required=True, type=Path)
    pred.add_argument("--model", type=int)
    scoring = sub.add_parser("score", help="score a table like the Predict page: its columns, "
                             "then predictions and probabilities (and contributions with "
                             "--explain); prints metrics when the table has the target")
    scoring.add_argument("run_id")
    scoring.add_argument("--data", required=True, type=Path)
    scoring.add_argument("--out", required=True, type=Path)
    scoring.add_argument("--model", type=int, help="model id (default: the run's best model)")
    scoring.add_argument("--explain", action="store_true",
                         help="add one contribution per column for every row")
    export = sub.add_parser("export", help="write a model as a zip: the fitted model, its schema, "
                            "its training rows and a plain-Python training script")
    export.add_argument("run_id")
    export.add_argument("--model", type=int, help="model id (default: the run's best model)")
    export.add_argument("--out", required=True, type=Path)
    sub.add_parser("runs", help="list runs")
    cancel = sub.add_parser("cancel", help="cancel a running run")
    cancel.add_argument("run_id")
    report = sub.add_parser("report", help="write a model's report as one self-contained HTML "
                            "file (metrics and interactive charts)")
    report.add_argument("run_id")
    report.add_argument("--model", type=int, help="model id (default: the run's best model)")
    report.add_argument("--compare", type=int, help="a second model whose curves are overlaid")
    report.add_argument("--out", required=True, type=Path)
    worker = sub.add_parser("worker", help=argparse.SUPPRESS)
    worker.add_argument("run_id")
    explain = sub.add_parser("explain", help="write per-row explanations of a table: output, "
                             "base value and one contribution per column")
    explain.add_argument("run_id")
    explain.add_argument("--data", required=True, type=Path)
    explain.add_argument("--out", required=True, type=Path)
    explain.add_argument("--model", type=int, help="model id (default: the run's best model)")
    explain.add_argument("--engineered", action="store_true",
                         help="one contribution per engineered feature, not per column")
    explain_worker = sub.add_parser("explain-worker", help=argparse.SUPPRESS)
    explain_worker.add_argument("run_id")
    explain_worker.add_argument("model_id", type=int)
    explain_worker.add_argument("--nice", type=int, default=0)
    for command in sub.choices.values():
        command.add_argument("--runs-dir", type=Path, default=default_runs_dir())
    return p


def _read(path: Path | None) -> pd.DataFrame | None:
    return None if path is None else load_table(path).frame


def _number(value: Any) -> Any:
    return None if isinstance(value, float) and math.isnan(value) else value


def cmd_run(args: argparse.Namespace) -> int:
    started = psutil.Process().create_time()
    table = load_table(args.data)
    settings = RunSettings(
        target=args.target, task=args.task, metric=args.metric, validation=args.validation,
        time_budget=args.time_budget, max_trials=args.max_trials, patience=args.patience,
        models=args.models, seed=args.seed, test_fraction=args.test_fraction,
        ensembles=not args.no_ensembles, n_jobs=args.n_jobs,
        featurization_off=args.featurization_off)
    run_id = create_run(settings, table.frame, runs_dir=args.runs_dir,
                        validation_data=_read(args.validation_data),
                        test_data=_read(args.test_data), created_at=started,
                        warnings=table.warnings)
    print(f"run {run_id} started", file=sys.stderr)
    try:
        execute_run(run_id, args.runs_dir, explain_best=args.explain)
    except KeyboardInterrupt:
        cancel_run(run_id, args.runs_dir)
    info = get_run(run_id, args.runs_dir)
    board = leaderboard_frame(run_id, args.runs_dir)
    if args.json:
        best = board[board["is_best"]]
        print(json.dumps({
            "run_id": run_id, "status": info.status, "message": info.message,
            "best_model": None if best.empty else int(best["model_id"].iloc[0]),
            "best_model_label": None if best.empty else best["model"].iloc[0],
            "primary_metric": info.settings.metric, "best_score": _number(info.best_score),
            "test_score": None if best.empty else _number(best["test_score"].iloc[0]),
            "n_models": len(board), "elapsed_s": round(info.elapsed_s, 2)}, ensure_ascii=False))
    else:
        print(_table(board))
        print(f"{info.status}: {info.message} best {info.settings.metric} = {info.best_score}")
    return 0 if info.status in ("completed", "cancelled") else 1


def _table(board: pd.DataFrame) -> str:
    columns = ["model_id", "model", "score", "score_std", "test_score", "fit_time_s", "is_best"]
    return board[columns].to_string(index=False) if not board.empty else "(no finished model)"


def cmd_leaderboard(args: argparse.Namespace) -> int:
    board = leaderboard_frame(args.run_id, args.runs_dir)
    get_run(args.run_id, args.runs_dir)
    output = {"table": lambda: _table(board), "csv": lambda: board.to_csv(index=False),
              "json": lambda: board.to_json(orient="records", force_ascii=False)}
    print(output[args.format]())
    return 0


def cmd_predict(args: argparse.Namespace) -> int:
    frame = load_table(args.data).frame
    predict_frame(args.run_id, frame, runs_dir=args.runs_dir, model_id=args.model).to_csv(
        args.out, index=False)
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    scored = score_table(args.run_id, load_table(args.data).frame, runs_dir=args.runs_dir,
                         model_id=args.model, explain=args.explain)
    scored.frame.to_csv(args.out, index=False)
    print(f"{len(scored.frame):,} rows scored in {scored.seconds:.2f} s, written to {args.out}",
          file=sys.stderr)
    for name, value in scored.metrics.items():
        print(f"{name}\t{value:.6g}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    args.out.write_bytes(model_bundle(args.run_id, args.model, runs_dir=args.runs_dir))
    print(f"model written to {args.out}", file=sys.stderr)
    return 0


def cmd_runs(args: argparse.Namespace) -> int:
    runs = list_runs(args.runs_dir)
    print(runs.to_string(index=False) if not runs.empty else "(no runs)")
    return 0


def cmd_cancel(args: argparse.Namespace) -> int:
    cancel_run(args.run_id, args.runs_dir)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    page = report_html(args.run_id, args.model, runs_dir=args.runs_dir, compare_id=args.compare)
    args.out.write_text(page, encoding="utf-8")
    print(f"report written to {args.out}", file=sys.stderr)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    execute_run(args.run_id, args.runs_dir)
    return 0


COMMANDS = {"run": cmd_run, "leaderboard": cmd_leaderboard, "predict": cmd_predict,
            "runs": cmd_runs, "cancel": cmd_cancel, "worker": cmd_worker,
            "report": cmd_report, "score": cmd_score, "export": cmd_export,
            "explain": cmd_explain, "explain-worker": cmd_explain_worker}


def main(argv: list[str] | None = None) -> int:
    """Run one command; a user error prints one sentence and exits with 2."""
    args = parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except EngineError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
