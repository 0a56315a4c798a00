#!/usr/bin/env bash
# Runs that survive being killed: lightgcn_train and sage_train are killed
# with SIGKILL at random moments -- at least KILLS times each, some of them
# while a checkpoint is being written -- and restarted with --resume until
# they finish. Each restart must either continue from the last complete
# checkpoint or say that none exists; a damaged checkpoint must never load.
# The finished run's metrics.csv must equal an uninterrupted run's (all but
# the timing columns: the CPU backend is deterministic). Then Ctrl-C
# (SIGINT) must stop a run after the current step with a checkpoint and a
# non-zero exit, and --resume must finish it identically.
#   kill_resume_check.sh LIGHTGCN_TRAIN SAGE_TRAIN [KILLS]
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/check_common.sh"
LIGHTGCN="$1"
SAGE="$2"
KILLS="${3:-20}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
export OMP_NUM_THREADS=1

# Small inputs, and a wide embedding so that checkpoint writes take a while.
awk 'BEGIN { srand(7); print "user,item"; for (u = 0; u < 80; u++) for (k = 0; k < 12; k++) print "u" u ",i" int(rand() * rand() * 60) }' >edges.csv
awk 'BEGIN { srand(3); printf "userID\tartistID\tweight\n"
             for (u = 2; u < 62; u++) for (k = 0; k < 12; k++) { a = 1 + int(rand() * rand() * 50); if (!seen[u "," a]++) printf "%d\t%d\t1\n", u, a } }' >user_artists.dat
lightgcn_args=(--dataset edgelist --edges edges.csv --delimiter , --header --no-cache --device cpu
               --no-progress --dim 256 --batch-size 64 --eval-every 3 --epochs 40)
sage_args=(--dataset lastfm --user-artists user_artists.dat --user-friends "" --artists ""
           --device cpu --no-progress --hidden 128 --batch-size 64 --epochs 40)


# survive NAME BINARY ARGS...: kill and resume until done; compare with a straight run.
survive() {
  local name="$1" bin="$2"
  shift 2
  local args=("$@") kills=0 during_write=0 restarts=0 out="$name-killed"
  local start end
  start=$(date +%s.%N)
  "$bin" "${args[@]}" --out "$name-straight" >"$name-straight.log" 2>&1 ||
    { fail "$name: uninterrupted run failed: $(tail -3 "$name-straight.log")"; return; }
  end=$(date +%s.%N)
  # Kill after the start-up and up to about three epochs, so every restart makes progress.
  local epoch_seconds
  epoch_seconds=$(awk -v s="$start" -v e="$end" -v n="${args[-1]}" 'BEGIN { printf "%.4f", (e - s) / n }')
  echo "$name: uninterrupted run $(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }') s"
  STRAIGHT_SECONDS=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }')
  while :; do
    restarts=$((restarts + 1))
    [ $restarts -le $((KILLS * 4)) ] || { fail "$name: did not finish after $restarts starts"; return; }
    local resume=(--resume)
    [ -f "$out/last.ckpt" ] || resume=()
    "$bin" "${args[@]}" --out "$out" "${resume[@]}" >"$name-run.log" 2>&1 &
    local pid=$!
    if [ $kills -lt "$KILLS" ]; then
      if [ $((kills % 3)) -eq 0 ]; then
        # Wait for a checkpoint write to be under way, then kill.
        for _ in $(seq 1 4000); do
          compgen -G "$out/*.tmp.*" >/dev/null && break
          kill -0 $pid 2>/dev/null || break
          sleep 0.001
        done
      else
        sleep "$(awk -v s=$RANDOM -v t="$epoch_seconds" 'BEGIN { srand(s); printf "%.4f", 0.03 + rand() * 3 * t }')"
      fi
      if kill -KILL $pid 2>/dev/null; then
        wait $pid 2>/dev/null
        kills=$((kills + 1))
        compgen -G "$out/*.tmp.*" >/dev/null && during_write=$((during_write + 1))
        continue
      fi
    fi
    wait $pid
    local rc=$?
    if [ $rc -ne 0 ]; then
      # The only acceptable failure: --resume found nothing to resume.
      if grep -q "no checkpoint" "$name-run.log"; then continue; fi
      fail "$name: a restart failed (exit $rc): $(tail -3 "$name-run.log")"
      return
    fi
    break
  done
  if ! cmp -s <(without_timings "$name-straight/metrics.csv") <(without_timings "$out/metrics.csv"); then
    fail "$name: after $kills kills the metrics differ from the uninterrupted run"
    diff <(without_timings "$name-straight/metrics.csv") <(without_timings "$out/metrics.csv") | head
  fi
  [ $during_write -ge 1 ] || fail "$name: no kill landed during a checkpoint write"
  echo "ok: $name survived $kills SIGKILLs ($during_write during checkpoint writes) and $restarts starts; metrics equal an uninterrupted run"
}

survive lightgcn "$LIGHTGCN" "${lightgcn_args[@]}"
lightgcn_seconds=$STRAIGHT_SECONDS
survive sage "$SAGE" "${sage_args[@]}"
sage_seconds=$STRAIGHT_SECONDS

# ---- Ctrl-C: finish the step, checkpoint, exit non-zero; --resume finishes it -----------
interrupt() {  # NAME SECONDS BINARY ARGS...
  local name="$1" seconds="$2" bin="$3"
  shift 3
  local out="$name-interrupted"
  "$bin" "$@" --out "$out" >"$name-int.log" 2>&1 &
  local pid=$!
  sleep "$(awk -v t="$seconds" 'BEGIN { printf "%.3f", t / 2 }')"
  kill -INT $pid
  wait $pid
  local rc=$?
  [ $rc -ne 0 ] || { fail "$name: exit 0 after SIGINT (finished before it arrived?)"; return; }
  grep -qE "interrupted (in|after) epoch" "$name-int.log" || { fail "$name: no interruption message: $(tail -2 "$name-int.log")"; return; }
  "$bin" "$@" --out "$out" --resume >>"$name-int.log" 2>&1 || { fail "$name: resume after SIGINT failed"; return; }
  cmp -s <(without_timings "$name-straight/metrics.csv") <(without_timings "$out/metrics.csv") ||
    { fail "$name: metrics after SIGINT + resume differ from the uninterrupted run"; return; }
  echo "ok: $name: $(grep -m1 -E "interrupted (in|after) epoch" "$name-int.log" | sed 's/; saved.*//'), resumed to the same result"
}
interrupt lightgcn "$lightgcn_seconds" "$LIGHTGCN" "${lightgcn_args[@]}"
interrupt sage "$sage_seconds" "$SAGE" "${sage_args[@]}"

if [ $failures -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all kill-and-resume checks passed"
