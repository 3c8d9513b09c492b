#!/usr/bin/env bash
# Issue 9 retrain: a patch-16 vision tower (196 tokens) that first learns the attributes alone (stage 0), then the
# SigLIP stages with the stage-6 objectives; resumable. ~65 min on a quiet 2-core machine. Its defaults are the run of
# 2026-11-29 (/work/train-runs/p16pre), trained and exported but not yet shipped (models/README.md).
#
#   RUN_DIR=/work/train-runs/p16pre bash tools/train/train_patch16.sh      # start, or continue after an interruption
#
# Everything goes to RUN_DIR (keep it outside git): stage0..stage4/ (HF checkpoints + train_state.pt), eval.json and
# probe.json per finished stage, run.log. Start and resume are the same command: a finished stage (train_log.json) is
# skipped, an interrupted one continues from its last checkpoint (train.py --resume: weights, optimizer, schedule,
# data order and RNGs, bit-identical to an uninterrupted run). Schedules are step counts, not wall-clock budgets, so a
# busy machine makes the run slower but not different. Nothing here touches models/siglip-tiny (see models/README.md,
# "Patch-16 retrain", for export and shipping).
#
# Env: RUN_DIR, DATA (synthetic train seed 1 x 20000 + held-out seed 9999 x 600 with --hard-variants and their pixel
# cache; made here if missing, which needs node_modules), PYTHON, THREADS (2), SAVE_EVERY (seconds, 600),
# STAGE1_STEPS..STAGE4_STEPS, STAGE1_ARGS..STAGE4_ARGS (extra train.py args; a later flag overrides an earlier one),
# AUX_PATTERN (3.0), STAGE0_STEPS (2000; 0: none, stage 1 then starts from random weights, and STAGE1_ARGS="--lr 1e-3
# --warmup 100" with 600/600/1200/400 steps is the earlier from-scratch attempt), EVAL_STAGES (the stages evaluated
# when they finish, "2 4"; each evaluation takes a few minutes). Run it under `nice -n 19` on a shared box.
set -euo pipefail
RUN_DIR=$(realpath -m "${RUN_DIR:-/work/train-runs/p16pre}")
cd "$(dirname "$0")"
ROOT=$(cd ../.. && pwd)
# a run of several hours executes its own copy of tools/train (RUN_DIR/code, taken at the first start, with the commit
# it came from): a resume uses the code the run started with, and a checkout or a removed worktree cannot change it
if [[ "$(pwd)" != "$RUN_DIR/code/tools/train" ]]; then
  if [[ ! -d "$RUN_DIR/code/tools/train" ]]; then
    mkdir -p "$RUN_DIR/code/tools/train"
    cp ./*.py ./*.sh requirements.txt "$RUN_DIR/code/tools/train/"
    (git -C "$ROOT" rev-parse HEAD; git -C "$ROOT" status --short -- tools/train) > "$RUN_DIR/code/COMMIT" 2>/dev/null || true
  fi
  export ORIGIN_ROOT=$ROOT RUN_DIR
  exec bash "$RUN_DIR/code/tools/train/train_patch16.sh" "$@"
fi
ROOT=${ORIGIN_ROOT:-$ROOT}  # the repository (npm run synth), not the code copy
if [[ -z "${PYTHON:-}" ]]; then
  if [[ -x /work/venv-ml/.venv/bin/python ]]; then PYTHON=/work/venv-ml/.venv/bin/python; else PYTHON=python3; fi
fi
DATA=${DATA:-$(dirname "$RUN_DIR")/data}
THREADS=${THREADS:-2}
SAVE_EVERY=${SAVE_EVERY:-600}
export OMP_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS
mkdir -p "$RUN_DIR"

# one run per RUN_DIR: a second start while the first is alive would interleave two writers on one checkpoint
exec 9>"$RUN_DIR/.lock"
flock -n 9 || { echo "another run holds $RUN_DIR/.lock" >&2; exit 1; }

if [[ ! -f "$DATA/train/pixels224.npy" || ! -f "$DATA/heldout/variants.jsonl" || ! -f "$DATA/tokenizer.json" ]]; then
  echo "== synthetic data -> $DATA"
  (cd "$ROOT" && npm run --silent synth -- --seed 1 --n 20000 --out "$DATA/train" \
    && npm run --silent synth -- --seed 9999 --n 600 --out "$DATA/heldout" --hard-variants)
  "$PYTHON" prepare_pixels.py --data "$DATA/train"
  "$PYTHON" train_tokenizer.py --data "$DATA/train" --out "$DATA/tokenizer.json"
fi

COMMON=(--data "$DATA/train" --tokenizer "$DATA/tokenizer.json" --threads "$THREADS" --save-every "$SAVE_EVERY" --resume --aux-cls 2.0 --aux-pattern "${AUX_PATTERN:-3.0}")
# the stage-6 objectives (models/README.md): batches around 16 anchors with a same-category/colour other-pattern and a
# same-category/pattern other-colour partner, their full captions ranking the exact matches first, heavy re-framings
# that must find their source (InfoNCE), noisy copies, same-category other-colour/pattern images kept apart
HARD=(--hard-groups 16 --text-rank 1.0)
COPIES=(--dup 24 --heavy-frac 0.5 --aux-dup 2.0 --dup-nce 1.0 --nce-temp 0.07 --view-noise 0.06 --crop-p 0.3 --aux-sep 0.5)

stage() {  # stage <n> <init dir or ""> <train.py args...>
  local n=$1 init=$2
  shift 2
  local out="$RUN_DIR/stage$n"
  if [[ ! -f "$out/train_log.json" ]]; then
    echo "== stage $n ($(date -u +%FT%TZ))"
    "$PYTHON" train.py "${COMMON[@]}" --out "$out" ${init:+--init "$init"} "$@"
  fi
  [[ " ${EVAL_STAGES:-2 4} " == *" $n "* ]] || return 0
  if [[ ! -f "$out/eval.json" ]]; then  # held-out seed 9999, brute force in PyTorch: R@10, P@5, pattern top-1, copy top-1
    "$PYTHON" evaluate.py --data "$DATA/heldout" --tokenizer "$DATA/tokenizer.json" --model "$out" --out "$out/eval.json.tmp"
    mv "$out/eval.json.tmp" "$out/eval.json"
  fi
  if [[ ! -f "$out/probe.json" ]]; then  # linear probe of the pooled vision output: does the tower see the pattern?
    "$PYTHON" diag_pattern.py probe --data "$DATA/train" --ckpt "$out" --threads "$THREADS" --out "$out/probe.json"
  fi
}

# 0) (STAGE0_STEPS > 0): the vision tower alone first learns colour, pattern and category by cross-entropy
#    (diag_pattern.py train, batch 64, train.py's augmentation), saved as the vision half of a SiglipModel that stage 1
#    starts from. Why: in the SigLIP stages the pattern head's batch accuracy stayed at 0.40-0.45 for 1,200 steps (its
#    term is one of several added to the SigLIP loss, and gradient clipping scales them together), while the same
#    tower trained on the attributes alone learns them (probe 0.944). Not resumable: an interrupted stage 0 starts over (~25 min for 2,000 steps, quiet).
STAGE1_INIT=""
if (( ${STAGE0_STEPS:-2000} > 0 )); then
  if [[ ! -f "$RUN_DIR/stage0/config.json" ]]; then
    echo "== stage 0 ($(date -u +%FT%TZ))"
    "$PYTHON" diag_pattern.py train --data "$DATA/train" --tokenizer "$DATA/tokenizer.json" --patch 16 --size 224 --task all \
      --max-steps "${STAGE0_STEPS:-2000}" --batch 64 --lr 1e-3 --crop-p 0.3 --threads "$THREADS" --save "$RUN_DIR/stage0" --out "$RUN_DIR/stage0.json"
  fi
  STAGE1_INIT="$RUN_DIR/stage0"
fi

# 1) SigLIP loss + attribute heads (x2, pattern x AUX_PATTERN within them) + light same-category image-image term, from
#    stage 0's tower (or from scratch)
stage 1 "$STAGE1_INIT" --patch 16 --max-steps "${STAGE1_STEPS:-300}" --lr 5e-4 --warmup 30 --aux-ii 0.2 --seed 0 ${STAGE1_ARGS:-}
# 2) category dominates image-image similarity; hard groups and exact-match ranking from here on
stage 2 "$RUN_DIR/stage1" --max-steps "${STAGE2_STEPS:-300}" --lr 5e-4 --warmup 30 --aux-ii 1.0 "${HARD[@]}" --seed 1 ${STAGE2_ARGS:-}
# 3) the stage-6 objectives in full (copies, heavy re-framings, separation), batch 112 as in build_model.sh's stage 6
stage 3 "$RUN_DIR/stage2" --max-steps "${STAGE3_STEPS:-600}" --batch 112 --lr 4e-4 --warmup 30 --aux-ii 2.0 "${HARD[@]}" "${COPIES[@]}" --seed 2 ${STAGE3_ARGS:-}
# 4) polish at a low learning rate with the stronger same-category term of the shipped stage 5
stage 4 "$RUN_DIR/stage3" --max-steps "${STAGE4_STEPS:-200}" --batch 112 --lr 1e-4 --warmup 10 --aux-ii 3.0 "${HARD[@]}" "${COPIES[@]}" --seed 4 ${STAGE4_ARGS:-}
echo "== done ($(date -u +%FT%TZ)): $RUN_DIR/stage4 (see models/README.md, 'Patch-16 with a stage 0', to export and ship)"
