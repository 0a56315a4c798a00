#!/usr/bin/env bash
# The race with PyTorch Geometric on the CPU, or with --device cuda on the GPU,
# in one call: builds ours (Release, build/: the programs only), sets up PyG's
# venv (outside the repository), has our programs write their exact splits
# (--save-split), and runs PyG, then ours, on the same split with the same
# settings and thread count:
#   1. LightGCN on MovieLens latest-small (80/10/10, rating >= 3.5, seed 42)
#   2. LightGCN on Gowalla (the paper's split): --gowalla-epochs epochs and
#      one full evaluation of the test users (skipped where the data is absent)
#   3. heterogeneous GraphSAGE on Last.fm (users, artists, friends)
# Prints one markdown table per race (metric | PyG | gnnrec | ratio | target
# | met?) and appends them, with the date, machine, commit and command, to
# bench/race/last_race.md. README.md beside this file explains the fairness
# choices.
#
#   bench/race/race.sh                                   # the full race
#   bench/race/race.sh --epochs-movielens 5 --skip-gowalla --sage-epochs 2   # a quick check
#   bench/race/race.sh --device cuda --bin-dir build-gpu/apps                # on a GPU machine
#                                                  # (tools/gpu_suite.sh race does that)
#
# Flags:
#   --device cpu|cuda      where both sides train and evaluate (default cpu). cuda: GPU 0, ours
#                          built with CUDA (build/ or --bin-dir), PyG's torch with CUDA; GPU
#                          targets (Gowalla: >= 10x per epoch, ours' full evaluation < 0.1 s),
#                          peak GPU memory rows; fails with one message where either side
#                          cannot use a GPU
#   --python PATH          the Python that runs PyG (default: the venv of setup_venv.sh; with
#                          --device cuda, the system python3 when it imports torch and
#                          torch_geometric, as on the GPU machine, which cannot build the venv)
#   --threads N            threads of both sides (OMP_NUM_THREADS, torch.set_num_threads); default nproc
#   --epochs-movielens N   LightGCN epochs on MovieLens (default 100)
#   --eval-every N         MovieLens: evaluate on validation every N epochs (default 10)
#   --gowalla-epochs N     LightGCN epochs on Gowalla (default 1), evaluated after the last
#   --gowalla-eval-every N also every N epochs (default: only after the last)
#   --skip-gowalla, --skip-movielens, --skip-sage
#   --sage-epochs N        GraphSAGE epochs on Last.fm (default 20)
#   --sage-seeds LIST      GraphSAGE: one run per seed and side, the sides taking turns (default
#                          42,43,44); each seed its own split, weights, order and negatives, the
#                          same on both sides. The table pools the runs: epoch times' median, mean
#                          test AUC (one seed's AUC moves by about ±0.002 with the seed)
#   --sage-lr LR           GraphSAGE Adam learning rate, both sides (default 0.01, the issue's;
#                          sage_train's own default is 0.005 since 4b06d07)
#   --omp-wait-policy P    OMP_WAIT_POLICY for both sides (torch's bundled libgomp reads it too):
#                          passive makes idle threads sleep instead of spin, which matters a lot
#                          on a machine that other jobs load; default: OpenMP's own (unset)
#   --bin-dir DIR          use lightgcn_train and sage_train (and, for cuda, gnnrec_info) from
#                          DIR; do not build
#   --work DIR             splits, logs and outputs (default ~/.cache/gnnrec/race-work)
#   --no-adjacency-bench   PyG: use the torch.sparse CSR adjacency without timing the others
#   --no-record            do not append to bench/race/last_race.md
#   --record-to FILE       append the record to FILE instead of bench/race/last_race.md
# Environment: GNNREC_RACE_VENV (the venv), GNNREC_GOWALLA (folder of train.txt, test.txt),
# GNNREC_RACE_COMMIT (the commit for the record where the checkout has no .git).
set -euo pipefail
RACE_DIR="$(cd "$(dirname "$0")" && pwd)"
GNNREC_ROOT="$(cd "$RACE_DIR/../.." && pwd)"
COMMAND="bench/race/race.sh $*"

DEVICE=cpu
PYTHON=""
THREADS="$(nproc)"
ML_EPOCHS=100
ML_EVAL_EVERY=10
GOWALLA_EPOCHS=1
GOWALLA_EVAL_EVERY=""
SAGE_EPOCHS=20
SAGE_SEEDS=42,43,44
SAGE_LR=0.01
OMP_POLICY=""
SKIP_ML=0
SKIP_GOWALLA=0
SKIP_SAGE=0
BIN_DIR=""
WORK="${GNNREC_RACE_WORK:-$HOME/.cache/gnnrec/race-work}"
ADJ_BENCH=1
RECORD=1
RECORD_FILE="$RACE_DIR/last_race.md"
GOWALLA_DIR="${GNNREC_GOWALLA:-$GNNREC_ROOT/../shared/datasets/gowalla}"

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }
need_value() { [ $# -ge 2 ] || { echo "race.sh: $1 needs a value" >&2; exit 2; }; }
die() { echo "race.sh: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
  case "$1" in
    --device) need_value "$@"; DEVICE="$2"; shift 2 ;;
    --python) need_value "$@"; PYTHON="$2"; shift 2 ;;
    --threads) need_value "$@"; THREADS="$2"; shift 2 ;;
    --epochs-movielens) need_value "$@"; ML_EPOCHS="$2"; shift 2 ;;
    --eval-every) need_value "$@"; ML_EVAL_EVERY="$2"; shift 2 ;;
    --gowalla-epochs) need_value "$@"; GOWALLA_EPOCHS="$2"; shift 2 ;;
    --gowalla-eval-every) need_value "$@"; GOWALLA_EVAL_EVERY="$2"; shift 2 ;;
    --sage-epochs) need_value "$@"; SAGE_EPOCHS="$2"; shift 2 ;;
    --sage-seeds) need_value "$@"; SAGE_SEEDS="$2"; shift 2 ;;
    --sage-lr) need_value "$@"; SAGE_LR="$2"; shift 2 ;;
    --omp-wait-policy) need_value "$@"; OMP_POLICY="$2"; shift 2 ;;
    --skip-gowalla) SKIP_GOWALLA=1; shift ;;
    --skip-movielens) SKIP_ML=1; shift ;;
    --skip-sage) SKIP_SAGE=1; shift ;;
    --bin-dir) need_value "$@"; BIN_DIR="$(cd "$2" && pwd)"; shift 2 ;;
    --work) need_value "$@"; WORK="$2"; shift 2 ;;
    --no-adjacency-bench) ADJ_BENCH=0; shift ;;
    --no-record) RECORD=0; shift ;;
    --record-to) need_value "$@"; RECORD_FILE="$2"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "race.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
GOWALLA_EVAL_EVERY="${GOWALLA_EVAL_EVERY:-$GOWALLA_EPOCHS}"
case "$DEVICE" in
  cpu | cuda) ;;
  *) echo "race.sh: --device is cpu or cuda, not '$DEVICE'" >&2; exit 2 ;;
esac
for n in "$THREADS" "$ML_EPOCHS" "$ML_EVAL_EVERY" "$GOWALLA_EPOCHS" "$GOWALLA_EVAL_EVERY" \
  "$SAGE_EPOCHS"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "race.sh: '$n' is not a positive integer" >&2; exit 2; }
done
[[ "$SAGE_SEEDS" =~ ^[0-9]+(,[0-9]+)*$ ]] ||
  { echo "race.sh: --sage-seeds takes seeds separated by commas, not '$SAGE_SEEDS'" >&2; exit 2; }
IFS=, read -r -a SAGE_SEED_LIST <<<"$SAGE_SEEDS"
case "$(cd "$(dirname "$WORK")" 2>/dev/null && pwd)/" in
  "$GNNREC_ROOT"/*) echo "race.sh: --work $WORK is inside the repository; pick another" >&2; exit 2 ;;
esac

# ---- ours ------------------------------------------------------------------------
PROGRAMS=(lightgcn_train sage_train)
# gnnrec_info says whether the binaries have the CUDA backend and see a GPU.
if [ "$DEVICE" = cuda ]; then PROGRAMS+=(gnnrec_info); fi
if [ -z "$BIN_DIR" ]; then
  # tools/common.sh's configure_and_build, but only the programs: the race
  # must not wait for (or fail on) the tests and benchmarks. A fresh build/
  # has the CUDA backend where nvcc is found (GNNREC_CUDA=AUTO).
  echo "== building ${PROGRAMS[*]} (Release, build/; log: $WORK/build.log)"
  mkdir -p "$WORK"
  {
    if [ ! -f "$GNNREC_ROOT/build/CMakeCache.txt" ]; then
      launcher=()
      if command -v ccache >/dev/null; then
        launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_CUDA_COMPILER_LAUNCHER=ccache)
      fi
      generator=()
      if command -v ninja >/dev/null; then generator=(-G Ninja); fi
      cmake -S "$GNNREC_ROOT" -B "$GNNREC_ROOT/build" "${generator[@]}" \
        -DCMAKE_BUILD_TYPE=Release "${launcher[@]}"
    else
      cmake -S "$GNNREC_ROOT" -B "$GNNREC_ROOT/build"
    fi &&
      cmake --build "$GNNREC_ROOT/build" -j "$(nproc)" --target "${PROGRAMS[@]}"
  } >"$WORK/build.log" 2>&1 || {
    tail -30 "$WORK/build.log" >&2
    echo "race.sh: the build failed (log: $WORK/build.log)" >&2
    exit 1
  }
  BIN_DIR="$GNNREC_ROOT/build/apps"
fi
for p in "${PROGRAMS[@]}"; do
  [ -x "$BIN_DIR/$p" ] || { echo "race.sh: no $BIN_DIR/$p" >&2; exit 1; }
done
GPU_NAME=""
if [ "$DEVICE" = cuda ]; then
  info="$("$BIN_DIR/gnnrec_info" 2>&1)" ||
    die "--device cuda: ours cannot use a GPU ($BIN_DIR/gnnrec_info: $(paste -sd ';' <<<"$info" | sed 's/;/; /g'))"
  GPU_NAME="$(sed -n 's/^GPU: \(.*\) ([0-9]* devices*)$/\1/p' <<<"$info")"
fi

# ---- PyG ---------------------------------------------------------------------------
if [ -n "$PYTHON" ]; then
  "$PYTHON" -c "import torch, torch_geometric" 2>/dev/null ||
    die "--python $PYTHON: it cannot import torch and torch_geometric"
elif [ "$DEVICE" = cuda ] && python3 -c "import torch, torch_geometric" 2>/dev/null; then
  PYTHON="$(command -v python3)"  # the GPU machine's own torch and PyG (no network there)
else
  PYTHON="$("$RACE_DIR/setup_venv.sh" | tail -1)/bin/python"
fi
PY=("$PYTHON" -u -W "ignore::UserWarning" -W "ignore::FutureWarning")
if [ "$DEVICE" = cuda ]; then
  why="$("${PY[@]}" -c 'import sys, torch
sys.exit(0 if torch.cuda.is_available() else
         f"torch {torch.__version__} (CUDA {torch.version.cuda}) finds no usable GPU")' 2>&1)" ||
    die "--device cuda: PyG's side cannot use a GPU ($PYTHON: $(tail -1 <<<"$why"))"
fi

mkdir -p "$WORK/splits"
export OMP_NUM_THREADS="$THREADS" MKL_NUM_THREADS="$THREADS" PYTHONDONTWRITEBYTECODE=1
if [ -n "$OMP_POLICY" ]; then export OMP_WAIT_POLICY="$OMP_POLICY"; else unset OMP_WAIT_POLICY; fi

# The hyper-parameters, spelled out on both sides (so that a change of a
# program's defaults cannot make the two sides differ).
LIGHTGCN_FLAGS=(--layers 3 --dim 64 --init-std 0.1 --lr 1e-3 --l2 1e-4 --batch-size 2048 --seed 42)
SAGE_FLAGS=(--layers 2 --hidden 64 --init-std 0.1 --lr "$SAGE_LR" --batch-size 4096)
# PyG's flags for the device. On the GPU, torch's fused Adam: the same update
# in one kernel per step (torch documents fused as its fastest CUDA Adam; ours
# is one kernel per parameter tensor too). On the CPU it was no faster
# (README.md), so the CPU race keeps torch's default.
PYG_FLAGS=(--threads "$THREADS" --device "$DEVICE")
if [ "$DEVICE" = cuda ]; then PYG_FLAGS+=(--fused-adam); fi

# measured TIMEFILE command...: runs it, peak RSS and more into TIMEFILE.
if [ -x /usr/bin/time ]; then
  measured() { local f="$1"; shift; /usr/bin/time -v -o "$f" "$@"; }
else
  measured() { local f="$1"; shift; "${PY[@]}" "$RACE_DIR/peak_rss.py" "$f" "$@"; }
fi
load1() { cut -d' ' -f1 /proc/loadavg; }

GPU_MEMORY_QUERY=(nvidia-smi -i 0 --query-gpu=memory.used --format=csv,noheader,nounits)

# run_side DIR SIDE command...: runs one side, log in DIR/SIDE.log, peak RSS in
# DIR/SIDE.time, the load before and after in DIR/load.txt. On the GPU also
# DIR/SIDE.gpumem: GPU 0's memory.used (MiB) before the run, then every 100 ms
# during it. nvidia-smi measures both sides alike (ours prints no memory
# figure, and torch's allocator sees its own tensors only); it counts the
# whole device, so nothing else may run on the GPU meanwhile.
run_side() {
  local dir="$1" side="$2"
  shift 2
  local before sampler=""
  before="$(load1)"
  echo "-- $side: $*"
  if [ "$DEVICE" = cuda ] && command -v nvidia-smi >/dev/null; then
    "${GPU_MEMORY_QUERY[@]}" >"$dir/$side.gpumem" || true
    # Started as a plain command, so that $! is nvidia-smi itself (killing a
    # backgrounded function would leave its nvidia-smi running).
    "${GPU_MEMORY_QUERY[@]}" -lms 100 >>"$dir/$side.gpumem" 2>/dev/null &
    sampler=$!
  fi
  set +e
  measured "$dir/$side.time" "$@" 2>&1 | tee "$dir/$side.log"
  local status=${PIPESTATUS[0]}
  if [ -n "$sampler" ]; then
    kill "$sampler"
    wait "$sampler" 2>/dev/null
  fi
  set -e
  echo "$side $before $(load1)" >>"$dir/load.txt"
  if [ "$status" -ne 0 ]; then
    echo "race.sh: $side failed (exit $status); log: $dir/$side.log" >&2
    return 1
  fi
}

# check_split CACHED WRITTEN: the split ours trained on is the one PyG trained on.
check_split() {
  local cached="$1" written="$2" f
  for f in "$cached"/*; do
    if ! cmp -s "$f" "$written/$(basename "$f")"; then
      echo "race.sh: WARNING: $(basename "$f") of the split ours wrote differs from the one PyG" \
        "read ($cached); the cache is replaced, run the race again" >&2
      rm -rf "$cached"
      cp -r "$written" "$cached"
      return 1
    fi
  done
}

TABLES=""
NOTES=""
add_table() { TABLES+="$1"$'\n\n'; }
add_note() { NOTES+="- $1"$'\n'; }

IMPORT_RSS_MB="?"
mkdir -p "$WORK/misc"
if measured "$WORK/misc/import.time" "${PY[@]}" -c "import torch, torch_geometric" 2>/dev/null; then
  IMPORT_RSS_MB="$(awk -F': ' '/Maximum resident/ {printf "%.0f", $2 / 1024}' "$WORK/misc/import.time")"
fi
if [ "$DEVICE" = cpu ]; then
  add_note "PyG's baseline: \`import torch, torch_geometric\` alone peaks at $IMPORT_RSS_MB MB RSS (PyPI's torch is the CUDA build; its libraries are loaded even on the CPU)."
else
  add_note "PyG's baseline: \`import torch, torch_geometric\` alone peaks at $IMPORT_RSS_MB MB RSS (host memory)."
  add_note "On the GPU, both sides in FP32 without TF32 (ours: cuBLAS CUBLAS_DEFAULT_MATH; PyG: torch.backends.cuda.matmul.allow_tf32 = False), every timer read after a device synchronize (ours: synchronize(device); PyG: torch.cuda.synchronize()); PyG with torch's fused Adam. Peak GPU memory: nvidia-smi memory.used of GPU 0 above idle, for both alike (CUDA context included), and torch's allocator peaks for PyG."
fi
DEVICE_INFO=""
if [ "$DEVICE" = cuda ]; then DEVICE_INFO="device on $GPU_NAME"$'\n'; fi

# race_lightgcn NAME TITLE EPOCHS EVAL_EVERY TARGETS BENCH_CANDIDATES BENCH_STEPS -- dataset flags...
race_lightgcn() {
  local name="$1" title="$2" epochs="$3" eval_every="$4" targets="$5" cands="$6" steps="$7"
  shift 8
  local dir="$WORK/$name" split="$WORK/splits/$name"
  rm -rf "$dir"
  mkdir -p "$dir"
  echo
  echo "==== $title"
  if [ ! -f "$split/info.txt" ]; then
    echo "-- writing the split (ours, 1 epoch, not timed): $split"
    "$BIN_DIR/lightgcn_train" "$@" "${LIGHTGCN_FLAGS[@]}" --device "$DEVICE" --epochs 1 --no-progress --checkpoint-every 1 \
      --out "$dir/split-run" --save-split "$split.tmp" >"$dir/split.log" 2>&1 || {
      cat "$dir/split.log" >&2
      return 1
    }
    rm -rf "$split" && mv "$split.tmp" "$split"
  fi
  local adjacency=csr
  if [ "$ADJ_BENCH" = 1 ]; then
    echo "-- PyG adjacency layouts, $steps timed training steps each:"
    "${PY[@]}" "$RACE_DIR/pyg_lightgcn.py" --split "$split" "${PYG_FLAGS[@]}" \
      "${LIGHTGCN_FLAGS[@]}" --adjacency-bench "$steps" --adjacency-candidates "$cands" \
      --json-out "$dir/adjacency.json" | grep -E '^(adjacency|fastest)' | tee "$dir/adjacency.txt"
    adjacency="$("${PY[@]}" -c "import json,sys; print(json.load(open(sys.argv[1]))['fastest'])" \
      "$dir/adjacency.json")"
    add_note "$title, PyG adjacency layouts (median training step): $(sed -n 's/^adjacency *//p' "$dir/adjacency.txt" | sed 's/ (forward.*//' | paste -sd ';' | sed 's/;/; /g'); the race uses \`$adjacency\`."
  fi
  run_side "$dir" pyg "${PY[@]}" "$RACE_DIR/pyg_lightgcn.py" --split "$split" "${PYG_FLAGS[@]}" \
    "${LIGHTGCN_FLAGS[@]}" --epochs "$epochs" --eval-every "$eval_every" --adjacency "$adjacency" \
    --json-out "$dir/pyg.json"
  run_side "$dir" ours "$BIN_DIR/lightgcn_train" "$@" "${LIGHTGCN_FLAGS[@]}" --device "$DEVICE" \
    --epochs "$epochs" --topk 20 \
    --eval-every "$eval_every" --no-progress --checkpoint-every "$epochs" --out "$dir/ours" \
    --save-split "$dir/ours-split"
  local mismatch=""
  check_split "$split" "$dir/ours-split" || mismatch=$'\n**The split ours wrote differs from the one PyG read: run the race again.**\n'
  printf 'title %s\nthreads %s\neval_every %s\ntopk 20\n%s' "$title" "$THREADS" "$eval_every" \
    "$DEVICE_INFO" >"$dir/info.txt"
  local table
  table="$("${PY[@]}" "$RACE_DIR/report.py" lightgcn "$name" "$WORK" "$targets")$mismatch"
  echo
  echo "$table"
  add_table "$table"
}

race_sage() {
  local name=lastfm-sage title="Heterogeneous GraphSAGE, Last.fm (link prediction user→artist)"
  local dir="$WORK/$name" seed split run mismatch=""
  rm -rf "$dir"
  mkdir -p "$dir"
  echo
  echo "==== $title, seeds $SAGE_SEEDS"
  local adjacency=csr
  for seed in "${SAGE_SEED_LIST[@]}"; do
    split="$WORK/splits/$name-seed$seed" run="$dir/seed$seed"
    mkdir -p "$run"
    if [ ! -f "$split/info.txt" ]; then
      echo "-- writing the split of seed $seed (ours, 1 epoch, not timed): $split"
      "$BIN_DIR/sage_train" --dataset lastfm "${SAGE_FLAGS[@]}" --seed "$seed" --device "$DEVICE" \
        --epochs 1 --no-progress --out "$run/split-run" --save-split "$split.tmp" \
        >"$run/split.log" 2>&1 || {
        cat "$run/split.log" >&2
        return 1
      }
      rm -rf "$split" && mv "$split.tmp" "$split"
    fi
    if [ "$ADJ_BENCH" = 1 ] && [ "$seed" = "${SAGE_SEED_LIST[0]}" ]; then
      echo "-- PyG adjacency layouts, 3 timed training steps each:"
      "${PY[@]}" "$RACE_DIR/pyg_sage.py" --split "$split" "${PYG_FLAGS[@]}" "${SAGE_FLAGS[@]}" \
        --seed "$seed" --adjacency-bench 3 \
        --json-out "$dir/adjacency.json" | grep -E '^(adjacency|fastest)' | tee "$dir/adjacency.txt"
      adjacency="$("${PY[@]}" -c "import json,sys; print(json.load(open(sys.argv[1]))['fastest'])" \
        "$dir/adjacency.json")"
      add_note "$title, PyG adjacency layouts (median training step): $(sed -n 's/^adjacency *//p' "$dir/adjacency.txt" | sed 's/ (forward.*//' | paste -sd ';' | sed 's/;/; /g'); the race uses \`$adjacency\`."
    fi
    echo "-- seed $seed"
    run_side "$run" pyg "${PY[@]}" "$RACE_DIR/pyg_sage.py" --split "$split" "${PYG_FLAGS[@]}" \
      "${SAGE_FLAGS[@]}" --seed "$seed" --epochs "$SAGE_EPOCHS" --adjacency "$adjacency" \
      --json-out "$run/pyg.json"
    run_side "$run" ours "$BIN_DIR/sage_train" --dataset lastfm "${SAGE_FLAGS[@]}" --seed "$seed" \
      --negatives 1 --decoder dot --dropout 0 --device "$DEVICE" --epochs "$SAGE_EPOCHS" \
      --no-progress --checkpoint-every "$SAGE_EPOCHS" --out "$run/ours" --save-split "$run/ours-split"
    check_split "$split" "$run/ours-split" || mismatch+=$'\n**The split ours wrote for seed '"$seed"$' differs from the one PyG read: run the race again.**\n'
  done
  printf 'title %s\nthreads %s\nseeds %s\n%s' "$title" "$THREADS" "${SAGE_SEED_LIST[*]}" \
    "$DEVICE_INFO" >"$dir/info.txt"
  local table
  table="$("${PY[@]}" "$RACE_DIR/report.py" sage "$name" "$WORK" "$SAGE_TARGETS")$mismatch"
  echo
  echo "$table"
  add_table "$table"
}

# The targets (report.py's TARGETS). The CPU's from issue 8; the GPU's from
# issue 5: Gowalla >= 10x faster per epoch than PyG on the same GPU and ours'
# full ranking of the 29,858 test users under 0.1 s; on the GPU, MovieLens and
# SAGE report their speed ratios without a target, and every race keeps its
# accuracy target.
if [ "$DEVICE" = cpu ]; then
  ML_TARGETS="epoch=5,metric=0.01" GOWALLA_TARGETS="epoch=3,eval=3,rss=1" SAGE_TARGETS="epoch=3,auc=0"
else
  ML_TARGETS="metric=0.01" GOWALLA_TARGETS="epoch=10,eval_s=0.1" SAGE_TARGETS="auc=0"
fi

START_LOAD="$(cat /proc/loadavg)"
if [ "$SKIP_ML" = 0 ]; then
  race_lightgcn movielens "LightGCN, MovieLens latest-small" "$ML_EPOCHS" "$ML_EVAL_EVERY" \
    "$ML_TARGETS" "csr,csr_gcn_norm,edge_index,edge_weight" 5 -- --dataset movielens
fi
if [ "$SKIP_GOWALLA" = 0 ]; then
  if [ -f "$GOWALLA_DIR/train.txt" ] && [ -f "$GOWALLA_DIR/test.txt" ]; then
    race_lightgcn gowalla "LightGCN, Gowalla (the paper's split)" "$GOWALLA_EPOCHS" \
      "$GOWALLA_EVAL_EVERY" "$GOWALLA_TARGETS" "csr,csr_gcn_norm" 2 -- --dataset gowalla \
      --train-file "$GOWALLA_DIR/train.txt" --test-file "$GOWALLA_DIR/test.txt"
  else
    echo
    echo "==== Gowalla skipped: no $GOWALLA_DIR/{train,test}.txt (set GNNREC_GOWALLA)"
    add_note "Gowalla skipped: no $GOWALLA_DIR/{train,test}.txt."
  fi
fi
if [ "$SKIP_SAGE" = 0 ]; then race_sage; fi
END_LOAD="$(cat /proc/loadavg)"

# ---- the record ------------------------------------------------------------------------
if [ -n "${GNNREC_RACE_COMMIT:-}" ]; then
  commit="$GNNREC_RACE_COMMIT"
else
  commit="$(git -C "$GNNREC_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  # (this record file itself does not count)
if [ -n "$(git -C "$GNNREC_ROOT" status --porcelain --untracked-files=no -- . \
  ':!bench/race/last_race.md' 2>/dev/null)" ]; then
    commit="$commit (with uncommitted changes)"
  fi
fi
cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
build_type="$(grep -s '^CMAKE_BUILD_TYPE:' "$BIN_DIR/../CMakeCache.txt" | cut -d= -f2)"
heading="Race"
gpu=""
if [ "$DEVICE" = cuda ]; then
  heading="GPU race"
  gpu="; GPU: $(nvidia-smi -i 0 --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null ||
    echo "$GPU_NAME") (name, driver, memory)"
  cuda_note="with the CUDA backend, run with --device cuda"
else
  cuda_note="CPU-only"
  libs="$(ldd "$BIN_DIR/lightgcn_train" 2>/dev/null || true)"
  if grep -q 'libcudart\|libcublas' <<<"$libs"; then
    cuda_note="with the CUDA backend, run with --device cpu: its CUDA libraries are loaded and count in its RSS"
  fi
fi
RECORD_TEXT="## $heading of $(date -u '+%Y-%m-%d %H:%M UTC')

- command: \`$COMMAND\`
- machine: $(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc) cores ($cpu), $(free -g | awk '/^Mem:/ {print $2}') GiB$gpu; threads per side: $THREADS; OMP_WAIT_POLICY: ${OMP_POLICY:-unset}; load average at the start: $START_LOAD, at the end: $END_LOAD
- commit: $commit; gnnrec binaries: ${BIN_DIR#"$GNNREC_ROOT/"} (${build_type:-?} build, $cuda_note)
- settings, both sides: LightGCN ${LIGHTGCN_FLAGS[*]}; GraphSAGE ${SAGE_FLAGS[*]} --seed each of $SAGE_SEEDS, 1 negative per positive, dot decoder
- PyG side: $PYTHON: $("${PY[@]}" "$RACE_DIR/pyg_versions.py" | tr '\n' ';' | sed 's/;$//; s/;/; /g')
${NOTES}
${TABLES}"
echo
echo "$RECORD_TEXT"
if [ "$RECORD" = 1 ]; then
  if [ ! -f "$RECORD_FILE" ]; then
    printf '# Races with PyTorch Geometric (bench/race/race.sh)\n\nEach run of race.sh appends its tables here (newest last).\n\n' \
      >"$RECORD_FILE"
  fi
  printf '%s\n' "$RECORD_TEXT" >>"$RECORD_FILE"
  echo "appended to ${RECORD_FILE#"$GNNREC_ROOT/"}"
fi
