"""Our engine through its CLI (project venv): `python -m engine run ...` then `... predict ...`.

The last stdout line of `engine run --json` is a JSON object with run_id, status, best_model,
primary_metric, best_score. `engine predict` writes `prediction` and `proba_<class>` columns,
which is already the bench's prediction format.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common  # noqa: E402

a = _common.parse_args(__doc__)
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
metric = {"binary": "AUC_weighted", "multiclass": "log_loss",
          "regression": "root_mean_squared_error"}[a.kind]
task = "regression" if a.kind == "regression" else "classification"
runs_dir = os.path.join(a.workdir, "runs")
py = os.environ.get("BENCH_ENGINE_PYTHON", sys.executable)

cmd = [py, "-m", "engine", "run", "--data", a.train, "--target", a.target, "--task", task,
       "--metric", metric, "--time-budget", str(int(round(a.budget))), "--seed", str(a.seed),
       "--n-jobs", str(a.cpus), "--runs-dir", runs_dir, "--json"]
print("+", " ".join(cmd), flush=True)
p = subprocess.run(cmd, cwd=REPO, stdout=subprocess.PIPE, text=True)
sys.stdout.write(p.stdout)
if p.returncode != 0:
    sys.exit(f"engine run exited {p.returncode}")
lines = [ln for ln in p.stdout.strip().splitlines() if ln.strip()]
if not lines:
    sys.exit("engine run printed nothing")
res = json.loads(lines[-1])
print("engine run result:", json.dumps(res), flush=True)
if str(res.get("status", "")).lower() not in ("completed", "complete", "succeeded", "success",
                                               "done", "finished", "ok"):
    print(f"warning: engine run status {res.get('status')!r}", flush=True)

cmd = [py, "-m", "engine", "predict", str(res["run_id"]), "--data", a.test, "--out", a.out,
       "--runs-dir", runs_dir]
print("+", " ".join(cmd), flush=True)
p = subprocess.run(cmd, cwd=REPO)
if p.returncode != 0:
    sys.exit(f"engine predict exited {p.returncode}")
# Side channel for compare.py: the engine's own view of the run.
with open(os.path.join(a.workdir, "engine_result.json"), "w") as f:
    json.dump(res, f)
