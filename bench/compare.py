"""Side-by-side benchmark: our engine against FLAML, AutoGluon-Tabular and default LightGBM.

    .venv/bin/python bench/compare.py --budget 60
    .venv/bin/python bench/compare.py --budget 10 --datasets fair_affairs,digits \
        --systems flaml,autogluon,lightgbm
    .venv/bin/python bench/compare.py --report bench/out/results_latest.csv   # reprint a table

Every system runs one after another (never two at once), each in its own subprocess (its own
process group, pinned to --cpus cores, thread pools capped at --cpus), with the same wall-clock
budget, on the same seeded 75/25 split written by bench/datasets.py. A system gets the training
CSV and the test features, and writes one prediction CSV (``prediction`` + ``proba_<class>``).
Scores are computed here, in one place, with scikit-learn, on the held-out test part:
ROC AUC (binary, higher is better), log loss (multiclass, lower), RMSE (regression, lower).
Wall time is measured from subprocess start to end (fit + predict; for the engine `run` +
`predict`). A system still running at budget + --grace seconds is killed and recorded as
``timeout``; a crash or an unusable output is recorded as ``failed``; the benchmark goes on.

Win/tie/loss of ``engine`` against each peer, per dataset: a tie when the two scores are within
--tie (default 0.5%) of each other relative to the peer's score, |e - p| <= tie * |p|;
otherwise the better score by the metric's direction wins. A system that failed loses to one
that did not; both failed: the dataset is left out of that pair.

Results: bench/out/results_<stamp>.csv (one row per dataset x system, written as it goes) and a
copy bench/out/results_latest.csv; the printed table also goes to bench/out/table_<stamp>.md.
Logs of each subprocess: bench/out/logs/<stamp>/<dataset>__<system>.log.
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import log_loss, roc_auc_score, root_mean_squared_error

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"
sys.path.insert(0, str(BENCH))
from datasets import DATA_DIR, DATASETS  # noqa: E402

VENVS = BENCH / ".venvs"
PROJECT_PY = REPO / ".venv" / "bin" / "python"
SYSTEMS = {  # name -> (python, runner)
    "engine": (PROJECT_PY, BENCH / "peers" / "run_engine.py"),
    "flaml": (VENVS / "flaml" / "bin" / "python", BENCH / "peers" / "run_flaml.py"),
    "autogluon": (VENVS / "autogluon" / "bin" / "python", BENCH / "peers" / "run_autogluon.py"),
    "lightgbm": (PROJECT_PY, BENCH / "peers" / "run_lightgbm.py"),
}
HIGHER_IS_BETTER = {"roc_auc": True, "log_loss": False, "rmse": False}
FIELDS = ["dataset", "kind", "metric", "system", "status", "score", "wall_s", "budget_s",
          "train_rows", "test_rows", "load1_start", "error", "engine_best_model", "engine_val_score", "log"]


# ------------------------------------------------------------------------------------------------
# Scoring: the one place where every system's predictions are judged.
# ------------------------------------------------------------------------------------------------

def _label_key(v) -> str:
    """'1', '1.0' and 1 name the same class; anything else compares as text."""
    s = str(v).strip()
    try:
        f = float(s)
        if math.isfinite(f) and f == int(f):
            return str(int(f))
    except ValueError:
        pass
    return s


def proba_matrix(pred: pd.DataFrame, classes: list[str]) -> np.ndarray:
    cols = {_label_key(c[len("proba_"):]): c for c in pred.columns if c.startswith("proba_")}
    missing = [c for c in classes if _label_key(c) not in cols]
    if missing:
        raise ValueError(f"no probability column for classes {missing}; got {sorted(cols)}")
    P = pred[[cols[_label_key(c)] for c in classes]].to_numpy(dtype=float)
    if not np.all(np.isfinite(P)):
        raise ValueError("non-finite probabilities")
    return P


def score(kind: str, y_true: pd.Series, pred: pd.DataFrame, classes: list[str] | None,
          pos_label: str | None) -> float:
    if len(pred) != len(y_true):
        raise ValueError(f"{len(pred)} predictions for {len(y_true)} test rows")
    if kind == "regression":
        p = pd.to_numeric(pred["prediction"], errors="raise").to_numpy(dtype=float)
        if not np.all(np.isfinite(p)):
            raise ValueError("non-finite predictions")
        return float(root_mean_squared_error(y_true.to_numpy(dtype=float), p))
    y = [_label_key(v) for v in y_true]
    if kind == "binary":
        P = proba_matrix(pred, [pos_label])
        return float(roc_auc_score([int(v == _label_key(pos_label)) for v in y], P[:, 0]))
    P = proba_matrix(pred, classes)
    P = np.clip(P, 1e-15, None)
    P = P / P.sum(axis=1, keepdims=True)
    return float(log_loss(y, P, labels=[_label_key(c) for c in classes]))


# ------------------------------------------------------------------------------------------------
# Running one system on one dataset.
# ------------------------------------------------------------------------------------------------

def ensure_data(names: list[str]) -> None:
    missing = [n for n in names if not (DATA_DIR / n / "meta.json").exists()]
    if not missing:
        return
    py = VENVS / "data" / "bin" / "python"
    if not py.exists():
        sys.exit(f"splits missing for {missing} and {py} does not exist: run bash bench/setup_peers.sh")
    print(f"writing splits for {missing}", flush=True)
    subprocess.run([str(py), str(BENCH / "datasets.py"), "--datasets", ",".join(missing)],
                   check=True)


def _kill_group(pgid: int) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        if sig == signal.SIGTERM:
            time.sleep(3)


def run_one(system: str, name: str, meta: dict, a: argparse.Namespace, log_dir: Path) -> dict:
    spec = DATASETS[name]
    d = DATA_DIR / name
    py, runner = SYSTEMS[system]
    row = {"dataset": name, "kind": spec.kind, "metric": spec.metric, "system": system,
           "budget_s": a.budget, "train_rows": meta["train_rows"], "test_rows": meta["test_rows"],
           "score": "", "wall_s": "", "error": "", "engine_best_model": "",
           "engine_val_score": ""}
    log = log_dir / f"{name}__{system}.log"
    row["log"] = str(log.relative_to(REPO)) if log.is_relative_to(REPO) else str(log)
    if not Path(py).exists():
        row.update(status="failed", error=f"missing interpreter {py} (run bench/setup_peers.sh)")
        return row
    workdir = Path(tempfile.mkdtemp(prefix=f"bench_{system}_{name}_"))
    pred_path = workdir / "pred.csv"
    cmd = [str(py), str(runner), "--train", str(d / "train.csv"), "--test", str(d / "test_X.csv"),
           "--target", spec.target, "--kind", spec.kind, "--budget", str(a.budget),
           "--seed", str(a.seed), "--cpus", str(a.cpus), "--out", str(pred_path),
           "--workdir", str(workdir)]
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                "NUMEXPR_MAX_THREADS", "VECLIB_MAXIMUM_THREADS"):
        env[var] = str(a.cpus)
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("VIRTUAL_ENV", None)
    cpus = sorted(os.sched_getaffinity(0))[: a.cpus]
    limit = a.budget + a.grace
    status, err = "ok", ""
    # 1-minute load average when the run starts: other work on the machine (load well above
    # --cpus) makes wall-clock budgets, and so the scores, less comparable.
    row["load1_start"] = round(os.getloadavg()[0], 2)
    with open(log, "w") as lf:
        lf.write("$ " + " ".join(cmd) + "\n")
        lf.flush()
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=lf, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True,
                                preexec_fn=lambda: os.sched_setaffinity(0, cpus))
        try:
            rc = proc.wait(timeout=limit)
            wall = time.monotonic() - t0
        except subprocess.TimeoutExpired:
            wall = time.monotonic() - t0  # the moment it is killed
            _kill_group(proc.pid)
            proc.wait()
            rc = None
        _kill_group(proc.pid)  # leftovers of a finished run (worker processes)
    row["wall_s"] = round(wall, 2)
    if rc is None:
        status, err = "timeout", f"killed after {limit:.0f} s"
    elif rc != 0:
        status, err = "failed", f"exit code {rc}: {_tail(log)}"
    else:
        try:
            y_true = pd.read_csv(d / "test.csv", usecols=[spec.target],
                                 dtype={spec.target: str} if spec.kind != "regression" else None
                                 )[spec.target]
            pred = pd.read_csv(pred_path)
            row["score"] = round(score(spec.kind, y_true, pred, meta.get("classes"),
                                       spec.pos_label), 6)
        except Exception as e:  # noqa: BLE001 - any unusable output is a failed run
            status, err = "failed", f"bad output: {type(e).__name__}: {e}"
    eng = workdir / "engine_result.json"
    if eng.exists():
        try:
            res = json.loads(eng.read_text())
            row["engine_best_model"] = res.get("best_model", "")
            row["engine_val_score"] = res.get("best_score", "")
        except Exception:  # noqa: BLE001
            pass
    if a.keep_workdirs:
        print(f"    workdir kept: {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    row.update(status=status, error=err[:500])
    return row


def _tail(path: Path, n: int = 2) -> str:
    """The last lines of a log, last first (where the error usually is)."""
    try:
        lines = [ln.strip()[:240] for ln in path.read_text(errors="replace").splitlines()
                 if ln.strip()]
        return " <- ".join(reversed(lines[-n:]))
    except OSError:
        return ""


# ------------------------------------------------------------------------------------------------
# Table and summary.
# ------------------------------------------------------------------------------------------------

def compare_pair(e: dict | None, p: dict | None, metric: str, tie: float) -> str | None:
    e_ok = e is not None and e["status"] == "ok"
    p_ok = p is not None and p["status"] == "ok"
    if not e_ok and not p_ok:
        return None
    if e_ok and not p_ok:
        return "win"
    if p_ok and not e_ok:
        return "loss"
    es, ps = float(e["score"]), float(p["score"])
    if abs(es - ps) <= tie * max(abs(ps), 1e-12):
        return "tie"
    better = es > ps if HIGHER_IS_BETTER[metric] else es < ps
    return "win" if better else "loss"


def render(rows: list[dict], systems: list[str], tie: float) -> str:
    by = {(r["dataset"], r["system"]): r for r in rows}
    datasets = list(dict.fromkeys(r["dataset"] for r in rows))
    systems = [s for s in systems if any(r["system"] == s for r in rows)]

    def cell(r):
        if r is None:
            return "-"
        if r["status"] != "ok":
            return r["status"].upper()
        return f"{float(r['score']):.4f}"

    def wall(r):
        return "-" if r is None or r["wall_s"] in ("", None) else f"{float(r['wall_s']):.0f}"

    head = (["dataset", "task", "metric"] + [f"{s}" for s in systems]
            + [f"wall:{s}" for s in systems])
    body = []
    for n in datasets:
        r0 = next(r for r in rows if r["dataset"] == n)
        best = None
        oks = [by[(n, s)] for s in systems if by.get((n, s)) and by[(n, s)]["status"] == "ok"]
        if oks:
            key = (lambda r: -float(r["score"])) if HIGHER_IS_BETTER[r0["metric"]] else (
                lambda r: float(r["score"]))
            best = min(oks, key=key)["system"]
        body.append([n, r0["kind"], r0["metric"]]
                    + [cell(by.get((n, s))) + ("*" if s == best else "") for s in systems]
                    + [wall(by.get((n, s))) for s in systems])
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body)]
    fmt = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    lines = [fmt(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|"] + [fmt(b) for b in body]
    lines.append("(* = best on the dataset; roc_auc higher is better, log_loss and rmse lower; "
                 "wall = seconds, subprocess start to end)")
    if "engine" in systems:
        parts = []
        for peer in systems:
            if peer == "engine":
                continue
            c = {"win": 0, "tie": 0, "loss": 0}
            for n in datasets:
                m = next(r["metric"] for r in rows if r["dataset"] == n)
                res = compare_pair(by.get((n, "engine")), by.get((n, peer)), m, tie)
                if res:
                    c[res] += 1
            parts.append(f"vs {peer}: {c['win']}W/{c['tie']}T/{c['loss']}L")
        lines.append(f"engine (tie = within {tie:.1%} relative): " + "; ".join(parts))
    ok = {s: sum(1 for r in rows if r["system"] == s and r["status"] == "ok") for s in systems}
    lines.append("completed runs: " + ", ".join(f"{s} {ok[s]}/{len(datasets)}" for s in systems))
    return "\n".join(lines)


def read_rows(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--budget", type=float, default=60, help="seconds per system and dataset")
    ap.add_argument("--datasets", default="", help="comma-separated (default: all)")
    ap.add_argument("--systems", default="engine,flaml,autogluon,lightgbm")
    ap.add_argument("--cpus", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--grace", type=float, default=60, help="kill at budget + grace seconds")
    ap.add_argument("--tie", type=float, default=0.005, help="relative tie band (0.005 = 0.5%%)")
    ap.add_argument("--resume", type=Path, help="results CSV: reuse its finished rows")
    ap.add_argument("--report", type=Path, help="only print the table of a results CSV")
    ap.add_argument("--keep-workdirs", action="store_true")
    a = ap.parse_args(argv)

    systems = [s for s in a.systems.split(",") if s]
    bad = [s for s in systems if s not in SYSTEMS]
    if bad:
        ap.error(f"unknown systems {bad}; known: {list(SYSTEMS)}")
    if a.report:
        rows = read_rows(a.report)
        print(render(rows, systems if a.systems != ap.get_default("systems") else
                     list(dict.fromkeys(r["system"] for r in rows)), a.tie))
        return 0

    names = [n for n in a.datasets.split(",") if n] or list(DATASETS)
    unknown = [n for n in names if n not in DATASETS]
    if unknown:
        ap.error(f"unknown datasets {unknown}; known: {list(DATASETS)}")
    ensure_data(names)
    metas = {n: json.loads((DATA_DIR / n / "meta.json").read_text()) for n in names}

    stamp = time.strftime("%Y%m%d-%H%M%S")
    log_dir = OUT / "logs" / stamp
    log_dir.mkdir(parents=True, exist_ok=True)
    res_path = OUT / f"results_{stamp}.csv"
    done: dict[tuple[str, str], dict] = {}
    if a.resume:
        for r in read_rows(a.resume):
            if r["status"] == "ok" and float(r.get("budget_s") or -1) == a.budget:
                done[(r["dataset"], r["system"])] = r

    rows: list[dict] = []
    with open(res_path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS)
        w.writeheader()
        total, k = len(names) * len(systems), 0
        print(f"benchmark {stamp}: {len(names)} datasets x {systems}, budget {a.budget:g} s, "
              f"{a.cpus} cpus, kill at +{a.grace:g} s -> {res_path.relative_to(REPO)}", flush=True)
        for n in names:
            for s in systems:
                k += 1
                if (n, s) in done:
                    row = {fld: done[(n, s)].get(fld, "") for fld in FIELDS}
                    tag = "reused"
                else:
                    row = run_one(s, n, metas[n], a, log_dir)
                    tag = row["status"]
                rows.append(row)
                w.writerow(row)
                f.flush()
                sc = f"{row['metric']}={float(row['score']):.4f}" if row["status"] == "ok" else row["error"][:200]
                print(f"[{k}/{total}] {n} x {s}: {tag} {sc} wall={row['wall_s']}s", flush=True)
    shutil.copyfile(res_path, OUT / "results_latest.csv")
    table = render(rows, systems, a.tie)
    (OUT / f"table_{stamp}.md").write_text(
        f"budget {a.budget:g} s, {a.cpus} cpus, seed {a.seed}\n\n{table}\n")
    print()
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
