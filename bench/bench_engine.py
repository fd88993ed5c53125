"""Engine-only benchmarks through the CLI: budget keeping, per-trial overhead, memory, and
test scores against a default LightGBM.

    .venv/bin/python bench/bench_engine.py budget                # B = 30, 120 on 3 datasets
    .venv/bin/python bench/bench_engine.py overhead [--profile]  # 40 trials on 200 rows
    .venv/bin/python bench/bench_engine.py memory                # 60 s on 1,000,000 x 20
    .venv/bin/python bench/bench_engine.py vs-lightgbm           # 60 s runs vs LGBM defaults
    .venv/bin/python bench/bench_engine.py threads               # a trial with/without OMP_NUM_THREADS=1
    .venv/bin/python bench/bench_engine.py all                   # the four, one after another
    .venv/bin/python bench/bench_engine.py gen                   # only write the generated tables

Every engine run is a subprocess (``python -m engine run ... --json``) in its own process group,
timed from just before it is started to its exit, its process tree's RSS polled with psutil.
Its runs dir, stdout and stderr are kept under ``bench/out/bench_engine/``; each sub-command
writes ``bench/out/bench_engine/<command>_<stamp>.csv`` (and ``<command>_latest.csv``) and prints
plain tables. The 1-minute load average at the start and end of each run is recorded: the
machine is shared, and wall-clock figures are only meaningful next to it. So is the engine's
code revision (``engine_rev``: HEAD plus a hash of uncommitted engine changes), since the engine
changes while benchmarks run. After each run the bench waits for the detached
``engine explain-worker`` the run leaves behind, so the next run does not share the CPU with it
(``bg_wait_s``, ``bg_cpu_s``); the measured wall time stops when ``engine run`` exits.

Timeline columns are seconds after the subprocess start: ``t_search_start`` (run.started_at),
``t_last_trial_end`` (max started_at + duration of the single-model trials), ``t_ended``
(run.ended_at), ``t_exit``; ``finish_s`` = ensembles + refit + test score + writing,
``exit_s`` = from ended_at to process exit; ``t_deadline`` = the engine's own deadline
(created_at + budget; created_at comes from psutil's process create time).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import psutil

REPO = Path(__file__).resolve().parent.parent
PY = str(REPO / ".venv" / "bin" / "python")
DATASETS = REPO / "assets" / "datasets"
OUT = REPO / "bench" / "out" / "bench_engine"
GEN = REPO / "bench" / "out"
STAMP = time.strftime("%Y%m%d-%H%M%S")
MB = 1024 * 1024

# bundled datasets for vs-lightgbm: (name, file, target, kind)
BUNDLED = [
    ("breast_cancer", "breast_cancer.csv", "diagnosis", "binary"),
    ("election_1996", "election_1996.csv", "vote", "binary"),
    ("penguins", "penguins.csv", "species", "multiclass"),
    ("diamonds", "diamonds.csv", "price", "regression"),
    ("diabetes", "diabetes.csv", "progression", "regression"),
]
ENGINE_METRIC = {"binary": "AUC_weighted", "multiclass": "log_loss",
                 "regression": "root_mean_squared_error"}
BENCH_METRIC = {"binary": "roc_auc", "multiclass": "log_loss", "regression": "rmse"}
GREATER = {"roc_auc": True, "log_loss": False, "rmse": False}


# ------------------------------------------------------------------------------- utilities
def load1() -> float:
    return round(os.getloadavg()[0], 2)


def fmt(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e6):
            return f"{value:.4g}"
        return f"{value:.4f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def print_table(rows: list[dict[str, Any]], columns: list[str], title: str = "") -> None:
    """A plain fixed-width table of ``columns`` of ``rows``."""
    if title:
        print(f"\n{title}")
    cells = [[fmt(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) if cells else len(c)
              for i, c in enumerate(columns)]
    print("  ".join(c.rjust(w) for c, w in zip(columns, widths)))
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(v.rjust(w) for v, w in zip(row, widths)))
    sys.stdout.flush()


def write_csv(rows: list[dict[str, Any]], command: str) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{command}_{STAMP}.csv"
    frame = pd.DataFrame(rows)
    frame.to_csv(path, index=False)
    frame.to_csv(OUT / f"{command}_latest.csv", index=False)
    print(f"\nwrote {path.relative_to(REPO)}")
    return path


def engine_rev() -> str:
    """The engine's code at this moment: HEAD, plus a hash of uncommitted engine changes (other
    people edit the engine while benchmarks run, so every run records the code it ran)."""
    def git(*a: str) -> str:
        return subprocess.run(["git", *a], cwd=REPO, capture_output=True, text=True).stdout
    head = git("rev-parse", "--short", "HEAD").strip()
    diff = git("diff", "HEAD", "--", "engine") + git("ls-files", "--others", "--exclude-standard",
                                                       "--", "engine")
    if not diff.strip():
        return head
    import hashlib
    return f"{head}+dirty.{hashlib.sha1(diff.encode()).hexdigest()[:8]}"


# ------------------------------------------------------------------------- running the engine
@dataclass
class Proc:
    """One finished subprocess: its wall time, exit code, output, and peak RSS of its tree."""

    cmd: list[str]
    wall: float
    rc: int
    stdout: str
    stderr_path: Path
    t_start: float  # epoch seconds just before the start
    t_end: float  # epoch seconds at exit
    peak_rss_mb: float
    peak_rss_max_proc_mb: float
    killed: bool = False
    time_v: dict[str, str] = field(default_factory=dict)
    load1_start: float = 0.0
    load1_end: float = 0.0
    engine_rev: str = ""
    background: dict[str, Any] = field(default_factory=dict)

    @property
    def result(self) -> dict[str, Any]:
        lines = [ln for ln in self.stdout.strip().splitlines() if ln.strip()]
        try:
            return json.loads(lines[-1]) if lines else {}
        except json.JSONDecodeError:
            return {}


def _tree_rss(proc: psutil.Process) -> tuple[int, int]:
    """(sum of RSS over the process and its descendants, largest single RSS)."""
    total = largest = 0
    try:
        members = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0, 0
    for member in members:
        try:
            rss = member.memory_info().rss
        except psutil.Error:
            continue
        total += rss
        largest = max(largest, rss)
    return total, largest


def run_proc(cmd: list[str], log_name: str, *, timeout: float, kill_rss_mb: float = 12_000,
             poll: float = 0.1, time_v: bool = False, env_extra: dict[str, str] | None = None
             ) -> Proc:
    """Run ``cmd`` in its own session from the repo root; poll the RSS of its process tree.

    The whole process group is killed past ``timeout`` seconds or ``kill_rss_mb`` of RSS (the
    machine is shared). With ``time_v``, /usr/bin/time -v wraps the command and its report is
    parsed (its max RSS is the largest single process's peak, measured by the kernel).
    """
    logs = OUT / "logs" / STAMP
    logs.mkdir(parents=True, exist_ok=True)
    stderr_path = logs / f"{log_name}.stderr.log"
    time_path = logs / f"{log_name}.time-v.txt"
    full = (["/usr/bin/time", "-v", "-o", str(time_path)] + cmd) if time_v else cmd
    rev = engine_rev()
    print("+", " ".join(cmd), f"  [engine {rev}]", flush=True)
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env_extra or {})}
    with open(stderr_path, "wb") as err:
        l_start = load1()
        t_start = time.time()
        c_start = time.perf_counter()
        p = subprocess.Popen(full, cwd=REPO, stdout=subprocess.PIPE, stderr=err,
                             stdin=subprocess.DEVNULL, start_new_session=True, env=env)
        out_chunks: list[bytes] = []
        reader = threading.Thread(target=lambda: out_chunks.append(p.stdout.read()), daemon=True)
        reader.start()
        peak = [0, 0]
        killed = [False]
        stop = threading.Event()

        def poller() -> None:
            try:
                root = psutil.Process(p.pid)
            except psutil.Error:
                return
            while not stop.is_set():
                total, largest = _tree_rss(root)
                peak[0], peak[1] = max(peak[0], total), max(peak[1], largest)
                over_time = time.perf_counter() - c_start > timeout
                if (total / MB > kill_rss_mb or over_time) and not killed[0]:
                    killed[0] = True
                    print(f"! killing {p.pid}: {'timeout' if over_time else 'RSS'}"
                          f" ({total / MB:.0f} MB)", flush=True)
                    try:
                        os.killpg(p.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                stop.wait(poll)

        watcher = threading.Thread(target=poller, daemon=True)
        watcher.start()
        rc = p.wait()
        wall = time.perf_counter() - c_start
        t_end = time.time()
        stop.set()
        watcher.join()
        reader.join()
    stdout = b"".join(out_chunks).decode("utf-8", "replace")
    (logs / f"{log_name}.stdout.log").write_text(stdout, encoding="utf-8")
    parsed = {}
    if time_v and time_path.exists():
        for line in time_path.read_text().splitlines():
            key, sep, value = line.strip().rpartition(": ")
            if sep:
                parsed[key] = value
    return Proc(cmd, wall, rc, stdout, stderr_path, t_start, t_end, peak[0] / MB, peak[1] / MB,
                killed[0], parsed, l_start, load1(), rev)


def wait_background(run_id: str | None, *, timeout: float = 900.0, poll: float = 0.25
                    ) -> dict[str, Any]:
    """Wait for the detached processes a run leaves behind (``engine explain-worker RUN_ID``,
    started by the run's last step and outliving ``engine run``), so that the next measured run
    does not share the CPU with them; returns how long they ran on, their CPU seconds and peak RSS.
    """
    out = {"bg_procs": 0, "bg_wait_s": 0.0, "bg_cpu_s": 0.0, "bg_peak_rss_mb": 0.0}
    if not run_id:
        return out
    start = time.perf_counter()
    seen: dict[int, float] = {}
    peak = 0
    while time.perf_counter() - start < timeout:
        alive = []
        for proc in psutil.process_iter(["pid", "cmdline"]):
            cmd = proc.info.get("cmdline") or []
            if run_id in cmd and any(c.startswith("explain") for c in cmd):
                alive.append(proc)
        if not alive:
            break
        for proc in alive:
            try:
                cpu = proc.cpu_times()
                seen[proc.pid] = cpu.user + cpu.system
                peak = max(peak, proc.memory_info().rss)
            except psutil.Error:
                pass
        time.sleep(poll)
    else:
        print(f"! background processes of {run_id} still running after {timeout:.0f} s", flush=True)
    out.update(bg_procs=len(seen), bg_wait_s=round(time.perf_counter() - start, 2),
               bg_cpu_s=round(sum(seen.values()), 2), bg_peak_rss_mb=round(peak / MB))
    if seen:
        print(f"  (waited {out['bg_wait_s']} s for {len(seen)} background explain process(es) "
              f"of {run_id}: {out['bg_cpu_s']} CPU s, {out['bg_peak_rss_mb']} MB)", flush=True)
    return out


def engine_run(data: Path, target: str, runs_dir: Path, log_name: str, *, budget: float,
               timeout: float | None = None, extra: list[str] | None = None,
               time_v: bool = False, kill_rss_mb: float = 12_000,
               env_extra: dict[str, str] | None = None) -> Proc:
    cmd = [PY, "-m", "engine", "run", "--data", str(data), "--target", target,
           "--time-budget", f"{budget:g}", "--seed", "0", "--runs-dir", str(runs_dir),
           *(extra or []), "--json"]
    proc = run_proc(cmd, log_name, timeout=timeout or (3 * budget + 180), time_v=time_v,
                    kill_rss_mb=kill_rss_mb, env_extra=env_extra)
    proc.background = wait_background(proc.result.get("run_id"))
    return proc


def store_rows(runs_dir: Path, run_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    db = sqlite3.connect(runs_dir / "store.db")
    db.row_factory = sqlite3.Row
    try:
        run = db.execute("SELECT * FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        models = db.execute("SELECT * FROM models WHERE run_id = ? ORDER BY model_id",
                            (run_id,)).fetchall()
    finally:
        db.close()
    return (dict(run) if run else {}), [dict(m) for m in models]


def run_facts(proc: Proc, runs_dir: Path, budget: float) -> dict[str, Any]:
    """What the store says a run did, with a timeline relative to the subprocess start."""
    res = proc.result
    facts: dict[str, Any] = {
        "rc": proc.rc, "status": res.get("status"), "run_id": res.get("run_id"),
        "best_model": res.get("best_model_label"), "metric": res.get("primary_metric"),
        "best_score": res.get("best_score"), "test_score": res.get("test_score"),
        "n_models": res.get("n_models"), "elapsed_s": res.get("elapsed_s"),
        "message": res.get("message"), "killed": proc.killed, "engine_rev": proc.engine_rev,
        **proc.background,
    }
    run_id = res.get("run_id")
    if not run_id:
        return facts
    run, models = store_rows(runs_dir, run_id)
    single = [m for m in models if m["kind"] == "single"]
    by_status: dict[str, int] = {}
    for m in single:
        by_status[m["status"]] = by_status.get(m["status"], 0) + 1
    ends = [m["started_at"] + (m["duration"] or 0.0) for m in single if m["started_at"]]
    t0 = proc.t_start
    created = run.get("created_at") or t0
    deadline = created + budget
    last_end = max(ends) if ends else None
    slowest = max(single, key=lambda m: m["duration"] or 0.0) if single else None
    last = max(single, key=lambda m: m["started_at"] or 0.0) if single else None
    best = next((m for m in models if m["model_id"] == run.get("best_model_id")), None)
    settings = json.loads(run["settings"]) if run.get("settings") else {}
    report = json.loads(run["report"]) if run.get("report") else {}
    facts.update({
        "trials_completed": by_status.get("completed", 0),
        "trials_pruned": by_status.get("pruned", 0),
        "trials_failed": by_status.get("failed", 0),
        "trials_other": sum(v for k, v in by_status.items()
                            if k not in ("completed", "pruned", "failed")),
        "families": ",".join(sorted({m["family"] for m in single if m["status"] == "completed"})),
        "validation": report.get("validation"),
        "n_jobs": settings.get("n_jobs"),
        # timeline, seconds after the subprocess was started
        "t_created": round(created - t0, 2),
        "t_search_start": round((run.get("started_at") or t0) - t0, 2),
        "t_last_trial_end": round(last_end - t0, 2) if last_end else None,
        "t_ended": round((run.get("ended_at") or t0) - t0, 2) if run.get("ended_at") else None,
        "t_exit": round(proc.t_end - t0, 2),
        "t_deadline": round(deadline - t0, 2),
        "finish_s": round(run["ended_at"] - last_end, 2) if last_end and run.get("ended_at")
        else None,
        "exit_s": round(proc.t_end - run["ended_at"], 2) if run.get("ended_at") else None,
        "refit_s": best.get("refit_time") if best else None,
        "slowest_trial": (f"{slowest['model_id']}:{slowest['family']}:{slowest['status']}"
                          f":{slowest['duration']:.1f}s") if slowest and slowest["duration"]
        else None,
        "last_trial": (f"{last['model_id']}:{last['family']}:{last['status']}"
                       f":{(last['duration'] or 0):.1f}s") if last else None,
        "last_trial_error": (last or {}).get("error"),
    })
    return facts


# ---------------------------------------------------------------------------- generated data
def generate_table(n_rows: int, *, seed: int = 0, missing: float = 0.03) -> pd.DataFrame:
    """``n_rows`` x 20 features (14 numeric, 6 categorical) and a binary target ``label``.

    The target's log-odds depend non-linearly on 6 numeric columns, on 3 categoricals (one of
    them with 200 levels) and on one interaction; the other columns are noise. ``missing`` of the
    values of 4 columns (2 numeric, 2 categorical) are blank.
    """
    rng = np.random.default_rng(seed)
    n = n_rows
    cols: dict[str, Any] = {}
    for i in range(14):
        kind = i % 4
        if kind == 0:
            v = rng.normal(0, 1, n)
        elif kind == 1:
            v = rng.lognormal(0, 0.7, n)
        elif kind == 2:
            v = rng.uniform(-2, 2, n)
        else:
            v = rng.poisson(3, n).astype(float)
        cols[f"num_{i:02d}"] = v
    levels = {"cat_a": 3, "cat_b": 8, "cat_c": 30, "cat_d": 200, "cat_e": 5, "cat_f": 1000}
    codes = {}
    for name, k in levels.items():
        p = rng.dirichlet(np.full(k, 2.0))
        codes[name] = rng.choice(k, size=n, p=p)
        cols[name] = np.asarray([f"{name[-1]}{j:04d}" for j in range(k)], dtype=object)[codes[name]]
    x = cols
    effect_a = rng.normal(0, 0.8, 3)
    effect_b = rng.normal(0, 0.6, 8)
    effect_d = rng.normal(0, 0.5, 200)
    logit = (1.0 * x["num_00"] - 0.6 * np.log(x["num_01"]) ** 2 + 1.2 * np.sin(1.5 * x["num_02"])
             + 0.25 * (x["num_03"] - 3) + 0.7 * x["num_04"] * (x["num_06"] > 0)
             + 0.5 * np.tanh(x["num_08"] * x["num_10"])
             + effect_a[codes["cat_a"]] + effect_b[codes["cat_b"]] + effect_d[codes["cat_d"]])
    logit = logit - np.median(logit)
    y = rng.random(n) < 1 / (1 + np.exp(-logit))
    frame = pd.DataFrame({k: (np.round(v, 4) if v.dtype.kind == "f" else v)
                          for k, v in cols.items()})
    for name in ("num_05", "num_09", "cat_b", "cat_e"):
        mask = rng.random(n) < missing
        frame[name] = frame[name].where(~mask)
    frame["label"] = np.where(y, "yes", "no")
    return frame


def generated(n_rows: int) -> Path:
    """The generated table of ``n_rows`` rows as CSV (written once; seeded, so reproducible)."""
    tag = f"{n_rows // 1000}k" if n_rows < 1_000_000 else f"{n_rows // 1_000_000}m"
    path = GEN / f"bench_gen_{tag}x20.csv"
    if not path.exists():
        t = time.perf_counter()
        frame = generate_table(n_rows)
        tmp = path.with_suffix(".tmp")
        frame.to_csv(tmp, index=False)
        tmp.replace(path)
        print(f"wrote {path.relative_to(REPO)} ({len(frame):,} x {frame.shape[1] - 1}, "
              f"{path.stat().st_size / MB:.0f} MB, {time.perf_counter() - t:.1f} s)", flush=True)
    return path


# ---------------------------------------------------------------------------------- budget
def cmd_budget(args: argparse.Namespace) -> list[dict[str, Any]]:
    datasets = [("breast_cancer", DATASETS / "breast_cancer.csv", "diagnosis", 569),
                ("diamonds", DATASETS / "diamonds.csv", "price", 10_000),
                ("gen_200k", generated(200_000), "label", 200_000)]
    if args.datasets:
        datasets = [d for d in datasets if d[0] in args.datasets.split(",")]
    rows = []
    for budget in args.budgets:
        for name, path, target, n_rows in datasets:
            runs_dir = OUT / "runs" / "budget"
            extra = ["--n-jobs", str(args.n_jobs)] if args.n_jobs else []
            proc = engine_run(path, target, runs_dir, f"budget_{name}_{budget:g}", budget=budget,
                              extra=extra)
            facts = run_facts(proc, runs_dir, budget)
            allowed = max(5.0, 0.05 * budget)
            overrun = proc.wall - budget
            row = {"dataset": name, "rows": n_rows, "budget": budget, "wall": round(proc.wall, 2),
                   "overrun": round(overrun, 2), "allowed": allowed,
                   "pass": bool(overrun <= allowed and proc.rc == 0),
                   "trials": facts.get("trials_completed"), "pruned": facts.get("trials_pruned"),
                   "failed": facts.get("trials_failed"), "peak_rss_mb": round(proc.peak_rss_mb),
                   "load1_start": proc.load1_start, "load1_end": proc.load1_end, **facts}
            rows.append(row)
            print_table([row], ["dataset", "budget", "wall", "overrun", "pass", "trials",
                                "pruned", "t_search_start", "t_last_trial_end", "t_ended",
                                "t_exit", "load1_start"])
    print_table(rows, ["dataset", "rows", "budget", "wall", "overrun", "allowed", "pass", "trials",
                       "pruned", "failed", "n_models", "best_model", "status", "peak_rss_mb",
                       "load1_start", "load1_end", "engine_rev"], "budget: wall time vs --time-budget")
    print_table(rows, ["dataset", "budget", "validation", "t_search_start", "t_last_trial_end",
                       "t_deadline", "finish_s", "refit_s", "t_ended", "exit_s", "t_exit",
                       "slowest_trial", "last_trial", "bg_wait_s", "bg_cpu_s"],
                "budget: timeline (s after subprocess start; bg = detached explain worker"
                " after exit, waited for before the next run)")
    write_csv(rows, "budget")
    return rows


# -------------------------------------------------------------------------------- overhead
def cmd_overhead(args: argparse.Namespace) -> list[dict[str, Any]]:
    OUT.mkdir(parents=True, exist_ok=True)
    tiny = OUT / "breast_cancer_200.csv"
    pd.read_csv(DATASETS / "breast_cancer.csv").sample(200, random_state=0).to_csv(tiny, index=False)
    runs_dir = OUT / "runs" / "overhead"
    extra = ["--models", args.model, "--max-trials", str(args.trials)]
    if args.no_ensembles:
        extra.append("--no-ensembles")
    proc = engine_run(tiny, "diagnosis", runs_dir, f"overhead_{args.model}",
                      budget=args.time_budget, extra=extra)
    facts = run_facts(proc, runs_dir, args.time_budget)
    _, models = store_rows(runs_dir, facts["run_id"])
    # every trial (pruned ones too) for the gaps between trials; only completed trials have
    # fit_time and predict_time (a pruned trial's row keeps its duration only)
    trials = sorted((m for m in models if m["kind"] == "single" and m["duration"] is not None),
                    key=lambda m: m["model_id"])
    per_trial = []
    prev_end = None
    for m in trials:
        done = m["status"] == "completed"
        over = m["duration"] - (m["fit_time"] or 0.0) - (m["predict_time"] or 0.0) if done else None
        gap = None if prev_end is None else m["started_at"] - prev_end
        prev_end = m["started_at"] + m["duration"]
        per_trial.append({"model_id": m["model_id"], "status": m["status"],
                          "duration": m["duration"], "fit_time": m["fit_time"],
                          "predict_time": m["predict_time"], "in_trial_overhead": over,
                          "gap_before": gap})
    completed = [t for t in per_trial if t["status"] == "completed"]
    n = len(completed)
    n_all = len(per_trial)
    over = [t["in_trial_overhead"] for t in completed]
    gaps = [t["gap_before"] for t in per_trial if t["gap_before"] is not None]
    durations = [t["duration"] for t in completed]
    fits = [t["fit_time"] for t in completed]
    preds = [t["predict_time"] for t in completed]
    search_span = (facts["t_last_trial_end"] - facts["t_search_start"]) if n_all else float("nan")
    summary = {
        "model": args.model, "trials_completed": n, "trials_all": n_all,
        "trials_pruned": facts.get("trials_pruned"), "validation": facts.get("validation"),
        "wall": round(proc.wall, 3), "wall_per_trial": proc.wall / n_all if n_all else None,
        "wall_per_completed_trial": proc.wall / n if n else None,
        "search_span": search_span,
        "search_span_per_trial": search_span / n_all if n_all else None,
        "duration_median": statistics.median(durations), "duration_mean": statistics.mean(durations),
        "fit_median": statistics.median(fits), "predict_median": statistics.median(preds),
        "overhead_median": statistics.median(over), "overhead_mean": statistics.mean(over),
        "overhead_share": sum(over) / sum(durations),
        "gap_median": statistics.median(gaps) if gaps else None,
        "gap_mean": statistics.mean(gaps) if gaps else None,
        "gap_first10_mean": statistics.mean(gaps[:10]) if gaps else None,
        "gap_last10_mean": statistics.mean(gaps[-10:]) if gaps else None,
        "startup_s": facts["t_search_start"], "finish_s": facts["finish_s"],
        "exit_s": facts["exit_s"], "n_models": facts.get("n_models"),
        "load1_start": proc.load1_start, "load1_end": proc.load1_end, "run_id": facts["run_id"],
        "engine_rev": proc.engine_rev,
    }
    print_table(per_trial, ["model_id", "status", "duration", "fit_time", "predict_time",
                            "in_trial_overhead", "gap_before"], "overhead: per trial (s)")
    keys = list(summary)
    print_table([{"figure": k, "value": summary[k]} for k in keys], ["figure", "value"],
                "overhead: summary (s); in-trial overhead = duration - fit_time - predict_time;"
                " gap = between one trial's end and the next one's start")
    pd.DataFrame(per_trial).to_csv(OUT / f"overhead_trials_{STAMP}.csv", index=False)
    write_csv([summary], "overhead")
    if args.profile:
        prof_rows = profile_overhead(tiny, args)
        pd.DataFrame(prof_rows).to_csv(OUT / f"overhead_profile_{STAMP}.csv", index=False)
    return [summary]


def profile_overhead(tiny: Path, args: argparse.Namespace) -> list[dict[str, Any]]:
    """The same run in this process under cProfile: where a trial's time goes besides fitting.

    Prints cumulative seconds per trial of the engine's per-trial steps (the functions below),
    measured on this run (so with cProfile's own overhead on top).
    """
    import cProfile
    import pstats

    sys.path.insert(0, str(REPO))
    from engine.data import load_table
    from engine.run import create_run, execute_run
    from engine.settings import RunSettings

    runs_dir = OUT / "runs" / "overhead_profile"
    frame = load_table(tiny).frame
    settings = RunSettings(target="diagnosis", task="classification", time_budget=args.time_budget,
                           max_trials=args.trials, models=(args.model,), seed=0,
                           ensembles=not args.no_ensembles)
    run_id = create_run(settings, frame, runs_dir=runs_dir)
    prof = cProfile.Profile()
    prof.enable()
    execute_run(run_id, runs_dir)
    prof.disable()
    wait_background(run_id)
    _, models = store_rows(runs_dir, run_id)
    n = sum(1 for m in models if m["kind"] == "single")
    stats = pstats.Stats(prof)
    wanted = {  # (file suffix, function) -> label
        ("engine/search.py", "_objective"): "trial: whole objective",
        ("engine/trainer.py", "fit_family"): "fit_family (featurize + fit)",
        ("engine/trainer.py", "predict_output"): "predict_output",
        ("engine/search.py", "_fold_metrics"): "fold metrics (compute_metrics)",
        ("engine/search.py", "_primary"): "fold score (primary metric)",
        ("engine/search.py", "_metrics"): "every metric on pooled OOF",
        ("engine/metrics.py", "compute_metrics"): "compute_metrics (all calls)",
        ("optuna/trial/_trial.py", "report"): "optuna trial.report",
        ("optuna/trial/_trial.py", "should_prune"): "optuna trial.should_prune",
        ("engine/search.py", "_check_time"): "check time / cancel",
        ("engine/store.py", "save_model_row"): "store.save_model_row",
        ("engine/store.py", "update_model_row"): "store.update_model_row",
        ("engine/store.py", "update_run"): "store.update_run",
        ("engine/store.py", "save_array"): "store.save_array",
        ("engine/search.py", "_after_trial"): "after-trial callback",
        ("engine/search.py", "_record"): "record outcome",
        ("optuna/trial/_trial.py", "suggest_categorical"): "optuna suggest_categorical",
        ("optuna/trial/_trial.py", "suggest_float"): "optuna suggest_float",
        ("optuna/study/_tell.py", "_tell_with_warning"): "optuna tell (finish trial)",
        ("optuna/study/study.py", "ask"): "optuna ask (new trial + sampler)",
        ("engine/finish.py", "finish_run"): "finish_run (ensembles, refit, test)",
    }
    rows = []
    for (file, line, func), (cc, nc, tt, ct, callers) in stats.stats.items():  # type: ignore[attr-defined]
        for (suffix, name), label in wanted.items():
            if func == name and file.endswith(suffix):
                rows.append({"step": label, "calls": nc, "cum_s": ct, "per_trial_s": ct / n})
    rows.sort(key=lambda r: -r["cum_s"])
    print_table(rows, ["step", "calls", "cum_s", "per_trial_s"],
                f"overhead --profile: in-process cProfile of {n} trials (run {run_id})")
    return rows


# ---------------------------------------------------------------------------------- memory
def cmd_memory(args: argparse.Namespace) -> list[dict[str, Any]]:
    path = generated(args.rows)
    runs_dir = OUT / "runs" / "memory"
    extra = ["--n-jobs", str(args.n_jobs)] if args.n_jobs else []
    proc = engine_run(path, "label", runs_dir, "memory", budget=args.time_budget, extra=extra,
                      time_v=True, kill_rss_mb=args.kill_rss_mb, timeout=args.time_budget * 6)
    facts = run_facts(proc, runs_dir, args.time_budget)
    tv_kb = proc.time_v.get("Maximum resident set size (kbytes)")
    row = {"rows": args.rows, "file_mb": round(path.stat().st_size / MB), "budget": args.time_budget,
           "wall": round(proc.wall, 2), "overrun": round(proc.wall - args.time_budget, 2),
           "peak_rss_tree_mb": round(proc.peak_rss_mb),
           "peak_rss_largest_mb": round(proc.peak_rss_max_proc_mb),
           "time_v_maxrss_mb": round(int(tv_kb) / 1024) if tv_kb else None,
           "within_8gb": bool(max(proc.peak_rss_mb, int(tv_kb or 0) / 1024) <= 8192),
           "finished": proc.rc == 0 and facts.get("status") == "completed",
           "trials": facts.get("trials_completed"), "pruned": facts.get("trials_pruned"),
           "load1_start": proc.load1_start, "load1_end": proc.load1_end, **facts}
    print_table([row], ["rows", "file_mb", "budget", "wall", "overrun", "peak_rss_tree_mb",
                        "peak_rss_largest_mb", "time_v_maxrss_mb", "within_8gb", "finished",
                        "trials", "pruned", "best_model", "load1_start", "load1_end", "engine_rev"],
                "memory: 1,000,000 x 20 generated table")
    print_table([row], ["validation", "t_search_start", "t_last_trial_end", "t_deadline",
                        "finish_s", "refit_s", "t_ended", "exit_s", "t_exit", "slowest_trial",
                        "last_trial", "bg_wait_s", "bg_cpu_s", "bg_peak_rss_mb"],
                "memory: timeline (s after subprocess start)")
    write_csv([row], "memory")
    return [row]


# ----------------------------------------------------------------------------- vs-lightgbm
def split_bundled(name: str, file: str, target: str, kind: str) -> tuple[Path, Path, Path]:
    """A seeded 75/25 split (stratified for classification) as train/test/test_X CSVs."""
    from sklearn.model_selection import train_test_split

    folder = OUT / "data" / name
    folder.mkdir(parents=True, exist_ok=True)
    frame = pd.read_csv(DATASETS / file)
    frame = frame[frame[target].notna()].reset_index(drop=True)
    strat = frame[target].astype(str) if kind != "regression" else None
    train, test = train_test_split(frame, test_size=0.25, random_state=0, stratify=strat)
    paths = folder / "train.csv", folder / "test.csv", folder / "test_X.csv"
    train.to_csv(paths[0], index=False)
    test.to_csv(paths[1], index=False)
    test.drop(columns=[target]).to_csv(paths[2], index=False)
    return paths


def bench_score(kind: str, y_true: pd.Series, pred: pd.DataFrame, classes: list[str]) -> float:
    """ROC AUC (binary, positive = the second class in sorted order), log loss (multiclass,
    probabilities clipped at 1e-15 and renormalized), RMSE (regression)."""
    from sklearn.metrics import log_loss, roc_auc_score, root_mean_squared_error

    if kind == "regression":
        return float(root_mean_squared_error(y_true.astype(float), pred["prediction"].astype(float)))
    proba = np.column_stack([pred[f"proba_{c}"].to_numpy(dtype=float) for c in classes])
    if kind == "binary":
        return float(roc_auc_score((y_true.astype(str) == classes[1]).astype(int), proba[:, 1]))
    proba = np.clip(proba, 1e-15, 1.0)
    proba = proba / proba.sum(axis=1, keepdims=True)
    return float(log_loss(y_true.astype(str), proba, labels=classes))


def lightgbm_default(train: pd.DataFrame, test_X: pd.DataFrame, target: str,
                     kind: str) -> tuple[pd.DataFrame, list[str], float]:
    import lightgbm as lgb

    X, y = train.drop(columns=[target]), train[target]
    T = test_X[X.columns].copy()
    X = X.copy()
    for c in X.columns:
        if not pd.api.types.is_numeric_dtype(X[c]) or pd.api.types.is_bool_dtype(X[c]):
            cats = pd.Index(sorted(X[c].dropna().astype(str).unique()))
            X[c] = pd.Categorical(X[c].where(X[c].isna(), X[c].astype(str)), categories=cats)
            T[c] = pd.Categorical(T[c].where(T[c].isna(), T[c].astype(str)), categories=cats)
    t = time.perf_counter()
    if kind == "regression":
        model = lgb.LGBMRegressor(n_jobs=1, verbose=-1)
        model.fit(X, y.astype(float))
        out = pd.DataFrame({"prediction": model.predict(T)})
        classes: list[str] = []
    else:
        model = lgb.LGBMClassifier(n_jobs=1, verbose=-1)
        model.fit(X, y.astype(str))
        classes = [str(c) for c in model.classes_]
        proba = model.predict_proba(T)
        out = pd.DataFrame({"prediction": model.predict(T)})
        for i, c in enumerate(classes):
            out[f"proba_{c}"] = proba[:, i]
    return out, classes, time.perf_counter() - t


def cmd_vs_lightgbm(args: argparse.Namespace) -> list[dict[str, Any]]:
    chosen = [d for d in BUNDLED if not args.datasets or d[0] in args.datasets.split(",")]
    rows = []
    for name, file, target, kind in chosen:
        train_p, test_p, test_x_p = split_bundled(name, file, target, kind)
        dtype = {target: str} if kind != "regression" else None
        train = pd.read_csv(train_p, dtype=dtype)
        test = pd.read_csv(test_p, dtype=dtype)
        test_X = pd.read_csv(test_x_p)
        classes = sorted(train[target].astype(str).unique()) if kind != "regression" else []
        runs_dir = OUT / "runs" / "vs_lightgbm"
        task = "regression" if kind == "regression" else "classification"
        extra = ["--task", task, "--metric", ENGINE_METRIC[kind], "--test-data", str(test_p)]
        if args.n_jobs:
            extra += ["--n-jobs", str(args.n_jobs)]
        proc = engine_run(train_p, target, runs_dir, f"vs_lgbm_{name}", budget=args.time_budget,
                          extra=extra)
        facts = run_facts(proc, runs_dir, args.time_budget)
        engine_score = predict_wall = None
        if facts.get("run_id"):
            pred_path = OUT / "data" / name / "engine_pred.csv"
            pred = run_proc([PY, "-m", "engine", "predict", facts["run_id"], "--data",
                             str(test_x_p), "--out", str(pred_path), "--runs-dir", str(runs_dir)],
                            f"vs_lgbm_{name}_predict", timeout=600)
            predict_wall = pred.wall
            if pred.rc == 0:
                engine_score = bench_score(kind, test[target], pd.read_csv(pred_path), classes)
        lgb_out, lgb_classes, lgb_fit = lightgbm_default(train, test_X, target, kind)
        assert lgb_classes == classes, (lgb_classes, classes)
        lgb_score = bench_score(kind, test[target], lgb_out, classes)
        metric = BENCH_METRIC[kind]
        if engine_score is None:
            verdict = "engine failed"
        else:
            diff = engine_score - lgb_score
            rel = abs(diff) / max(abs(lgb_score), 1e-12)
            better = diff > 0 if GREATER[metric] else diff < 0
            verdict = "tie" if rel <= 0.005 else ("engine" if better else "lightgbm")
        row = {"dataset": name, "kind": kind, "n_train": len(train), "n_test": len(test),
               "metric": metric, "engine": engine_score, "lightgbm": lgb_score,
               "engine_minus_lgbm": None if engine_score is None else engine_score - lgb_score,
               "better": verdict, "engine_own_test": facts.get("test_score"),
               "engine_valid": facts.get("best_score"), "engine_metric": facts.get("metric"),
               "best_model": facts.get("best_model"), "trials": facts.get("trials_completed"),
               "wall": round(proc.wall, 2), "predict_wall": predict_wall,
               "lgbm_fit_s": round(lgb_fit, 3), "load1_start": proc.load1_start,
               "load1_end": proc.load1_end, **{k: v for k, v in facts.items()
                                               if k not in ("best_score", "test_score", "metric")}}
        rows.append(row)
        print_table([row], ["dataset", "metric", "engine", "lightgbm", "better",
                            "engine_own_test", "best_model", "trials", "wall"])
    print_table(rows, ["dataset", "kind", "n_train", "n_test", "metric", "engine", "lightgbm",
                       "engine_minus_lgbm", "better", "engine_own_test", "engine_valid",
                       "best_model", "trials", "wall", "predict_wall", "lgbm_fit_s",
                       "load1_start", "engine_rev"],
                f"vs-lightgbm: test scores, engine {args.time_budget:g} s run vs LightGBM defaults"
                " (roc_auc: higher is better; log_loss, rmse: lower)")
    write_csv(rows, "vs_lightgbm")
    return rows


# --------------------------------------------------------------------------------- threads
def cmd_threads(args: argparse.Namespace) -> list[dict[str, Any]]:
    """One family's default trial with the engine's own thread setting, then with
    OMP_NUM_THREADS=1: scikit-learn's HistGradientBoosting takes no n_jobs and uses one OpenMP
    thread per core, whatever ``--n-jobs`` says; on a busy machine that can cost a lot."""
    rows = []
    for name, file, target, kind in [d for d in BUNDLED if d[0] in args.datasets.split(",")]:
        train_p = split_bundled(name, file, target, kind)[0]
        for env in ({}, {"OMP_NUM_THREADS": "1"}):
            label = ",".join(f"{k}={v}" for k, v in env.items()) or "engine default"
            runs_dir = OUT / "runs" / "threads"
            proc = engine_run(train_p, target, runs_dir, f"threads_{name}_{len(env)}",
                              budget=600, extra=["--models", args.model, "--max-trials", "1",
                                                 "--no-ensembles", "--validation", "cv:5"],
                              env_extra=env)
            facts = run_facts(proc, runs_dir, 600)
            _, models = store_rows(runs_dir, facts["run_id"])
            trial = next(m for m in models if m["model_id"] == 0)
            rows.append({"dataset": name, "model": args.model, "env": label,
                         "trial_fit_s": trial["fit_time"], "trial_duration_s": trial["duration"],
                         "wall": round(proc.wall, 2), "load1_start": proc.load1_start,
                         "load1_end": proc.load1_end, "engine_rev": proc.engine_rev})
    print_table(rows, ["dataset", "model", "env", "trial_fit_s", "trial_duration_s", "wall",
                       "load1_start", "load1_end", "engine_rev"],
                "threads: one default trial (5 folds), engine's threads vs OMP_NUM_THREADS=1")
    write_csv(rows, "threads")
    return rows


# ------------------------------------------------------------------------------------- main
def cmd_gen(args: argparse.Namespace) -> list[dict[str, Any]]:
    for n in (200_000, 1_000_000):
        p = generated(n)
        print(f"{p.relative_to(REPO)}: {p.stat().st_size / MB:.0f} MB")
    return []


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    b = sub.add_parser("budget", help="wall time vs --time-budget")
    b.add_argument("--budgets", type=float, nargs="+", default=[30.0, 120.0])
    b.add_argument("--datasets", help="subset of breast_cancer,diamonds,gen_200k")
    o = sub.add_parser("overhead", help="engine overhead per trial on a tiny table")
    o.add_argument("--model", default="logistic_regression")
    o.add_argument("--trials", type=int, default=40)
    o.add_argument("--time-budget", type=float, default=600.0)
    o.add_argument("--no-ensembles", action="store_true")
    o.add_argument("--profile", action="store_true",
                   help="also repeat the run in-process under cProfile and print where time goes")
    m = sub.add_parser("memory", help="peak RSS and wall of a run on a 1M-row table")
    m.add_argument("--rows", type=int, default=1_000_000)
    m.add_argument("--time-budget", type=float, default=60.0)
    m.add_argument("--kill-rss-mb", type=float, default=12_000.0)
    v = sub.add_parser("vs-lightgbm", help="test scores vs a default LightGBM")
    v.add_argument("--time-budget", type=float, default=60.0)
    v.add_argument("--datasets", help=f"subset of {','.join(d[0] for d in BUNDLED)}")
    a = sub.add_parser("all", help="budget, overhead, memory, vs-lightgbm, one after another")
    t = sub.add_parser("threads", help="a default trial with and without OMP_NUM_THREADS=1")
    t.add_argument("--model", default="hist_gradient_boosting")
    t.add_argument("--datasets", default="penguins,diamonds")
    sub.add_parser("gen", help="write the generated tables only")
    for p in (b, m, v, a):
        p.add_argument("--n-jobs", type=int, help="pass --n-jobs to the engine (default: its own)")
    args = ap.parse_args(argv)
    print(f"bench_engine {args.command} {STAMP}  cpus={os.cpu_count()}  load1={load1()}",
          flush=True)
    if args.command == "all":
        defaults = {"budgets": [30.0, 120.0], "datasets": None, "model": "logistic_regression",
                    "trials": 40, "time_budget": 600.0, "no_ensembles": False, "rows": 1_000_000,
                    "profile": False,
                    "kill_rss_mb": 12_000.0}
        cmd_budget(argparse.Namespace(**defaults, n_jobs=args.n_jobs))
        cmd_overhead(argparse.Namespace(**defaults))
        cmd_memory(argparse.Namespace(**{**defaults, "time_budget": 60.0}, n_jobs=args.n_jobs))
        cmd_vs_lightgbm(argparse.Namespace(**{**defaults, "time_budget": 60.0},
                                           n_jobs=args.n_jobs))
        return 0
    {"budget": cmd_budget, "overhead": cmd_overhead, "memory": cmd_memory,
     "vs-lightgbm": cmd_vs_lightgbm, "threads": cmd_threads, "gen": cmd_gen}[args.command](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
