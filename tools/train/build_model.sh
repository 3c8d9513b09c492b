#!/usr/bin/env bash
# Rebuild models/siglip-tiny from scratch: synthetic data -> tokenizer -> training -> ONNX export -> parity fixtures -> eval.
#
#   bash tools/train/build_model.sh
#
# Env knobs: PYTHON (default /work/venv-ml/.venv/bin/python or python3), TRAIN_SEED (1), TRAIN_N (20000),
# HELDOUT_SEED (9999), HELDOUT_N (600), STAGE1_MINUTES (17), STAGE2_MINUTES (16), STAGE3_MINUTES (14),
# STAGE4_MINUTES (10), STAGE5_MINUTES (12), STAGE1_ARGS .. STAGE6_ARGS (extra train.py args).
# Experimental (issue 9, not used for the shipped model; see models/README.md): STAGE6_MINUTES=N adds a stage-6
# fine-tune for crops and patterns; STAGE5_FROM_GIT=<commit> skips stages 1-5 and starts from the model committed
# there (c1aac16 is the shipped stage-5 model), recovered from its ONNX export by recover_from_onnx.py.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
if [[ -z "${PYTHON:-}" ]]; then
  if [[ -x /work/venv-ml/.venv/bin/python ]]; then PYTHON=/work/venv-ml/.venv/bin/python; else PYTHON=python3; fi
fi
TRAIN_SEED=${TRAIN_SEED:-1}
TRAIN_N=${TRAIN_N:-20000}
HELDOUT_SEED=${HELDOUT_SEED:-9999}
HELDOUT_N=${HELDOUT_N:-600}
WORK=tools/train/work
mkdir -p "$WORK"

if [[ "$TRAIN_SEED" == "$HELDOUT_SEED" ]]; then echo "held-out seed must differ from the training seed" >&2; exit 1; fi

echo "== synthetic data (train seed $TRAIN_SEED x $TRAIN_N, held-out seed $HELDOUT_SEED x $HELDOUT_N)"
rm -rf "$WORK/train" "$WORK/heldout"
npm run --silent synth -- --seed "$TRAIN_SEED" --n "$TRAIN_N" --out "$WORK/train"
# --hard-variants: the held-out set also gets near-duplicates, harder crops and product variants (copy top-1)
npm run --silent synth -- --seed "$HELDOUT_SEED" --n "$HELDOUT_N" --out "$WORK/heldout" --hard-variants

cd tools/train
echo "== pixel cache"
"$PYTHON" prepare_pixels.py --data work/train
if [[ -n "${STAGE5_FROM_GIT:-}" ]]; then
  echo "== stage-5 model from git $STAGE5_FROM_GIT"
  rm -rf work/model_stage5 work/ckpt && mkdir -p work/model_stage5/onnx work/model_stage5/parity
  for f in config.json tokenizer.json onnx/vision_model.onnx onnx/text_model.onnx parity/reference.json $(git ls-tree --name-only "$STAGE5_FROM_GIT" ../../models/siglip-tiny/parity/ | sed 's#.*/models/siglip-tiny/##'); do
    git show "$STAGE5_FROM_GIT:models/siglip-tiny/$f" > "work/model_stage5/$f"
  done
  cp work/model_stage5/tokenizer.json work/tokenizer.json
  "$PYTHON" recover_from_onnx.py --model work/model_stage5 --out work/ckpt
else
echo "== tokenizer"
"$PYTHON" train_tokenizer.py --data work/train --out work/tokenizer.json
# Five stages (schedules are wall-clock budgets by default; set STAGE1_ARGS/STAGE2_ARGS="--max-steps N" for fixed step counts):
#  1) SigLIP sigmoid loss + light auxiliary losses (attribute heads, image-image same-category, weight 0.2)
#  2) continue from stage 1 with the image-image same-category term at weight 1.0, so category dominates
#     image-image similarity (the image->image P@5 same-category target) while text alignment keeps training.
echo "== training stage 1 (${STAGE1_MINUTES:-17} min)"
rm -rf work/ckpt work/ckpt_stage1 work/ckpt_stage2 work/ckpt_stage3 work/ckpt_stage4
"$PYTHON" train.py --data work/train --tokenizer work/tokenizer.json --out work/ckpt_stage1 --minutes "${STAGE1_MINUTES:-17}" \
  --aux-ii 0.2 ${STAGE1_ARGS:-} 2>&1 | tee work/train_stage1.log
echo "== training stage 2 (${STAGE2_MINUTES:-16} min)"
"$PYTHON" train.py --data work/train --tokenizer work/tokenizer.json --init work/ckpt_stage1 --out work/ckpt --minutes "${STAGE2_MINUTES:-16}" \
  --lr 5e-4 --warmup 30 --aux-ii 1.0 --seed 1 ${STAGE2_ARGS:-} 2>&1 | tee work/train_stage2.log
#  3) robustness: 32 of every 128 rows are a second, cropped/aspect-jittered view of another row, with a
#     view-consistency term (near-duplicate cosine > 0.95) and a stronger same-category image-image term.
echo "== training stage 3 (${STAGE3_MINUTES:-14} min)"
mv work/ckpt work/ckpt_stage2
"$PYTHON" train.py --data work/train --tokenizer work/tokenizer.json --init work/ckpt_stage2 --out work/ckpt --minutes "${STAGE3_MINUTES:-14}" \
  --lr 3e-4 --warmup 20 --aux-ii 2.0 --dup 32 --aux-dup 2.0 --crop-p 0.3 --seed 2 ${STAGE3_ARGS:-} 2>&1 | tee work/train_stage3.log
#  4) same objective as stage 3, lower learning rate.
echo "== training stage 4 (${STAGE4_MINUTES:-10} min)"
mv work/ckpt work/ckpt_stage3
"$PYTHON" train.py --data work/train --tokenizer work/tokenizer.json --init work/ckpt_stage3 --out work/ckpt --minutes "${STAGE4_MINUTES:-10}" \
  --lr 2e-4 --warmup 20 --aux-ii 2.0 --dup 32 --aux-dup 2.0 --crop-p 0.3 --seed 3 ${STAGE4_ARGS:-} 2>&1 | tee work/train_stage4.log
#  5) short polish: lower learning rate again and a stronger same-category image-image term (weight 3.0)
#     for image->image P@5 same-category headroom, near-duplicate term unchanged.
echo "== training stage 5 (${STAGE5_MINUTES:-12} min)"
mv work/ckpt work/ckpt_stage4
"$PYTHON" train.py --data work/train --tokenizer work/tokenizer.json --init work/ckpt_stage4 --out work/ckpt --minutes "${STAGE5_MINUTES:-12}" \
  --lr 1e-4 --warmup 10 --aux-ii 3.0 --dup 32 --aux-dup 2.0 --crop-p 0.3 --seed 4 ${STAGE5_ARGS:-} 2>&1 | tee work/train_stage5.log
fi
#  6) experimental, only with STAGE6_MINUTES: crops and patterns (issue 9). Batches built around 16 anchors that
#     each bring a same-category/colour other-pattern and a same-category/pattern other-colour partner; their full
#     captions must rank the exact matches first (--text-rank); half of the 24 second views are heavy re-framings
#     with an InfoNCE term (each copy finds its own source in the batch). Did not reach the targets (README).
if [[ -n "${STAGE6_MINUTES:-}" ]]; then
  echo "== training stage 6 (${STAGE6_MINUTES} min, experimental)"
  rm -rf work/ckpt_stage5 && mv work/ckpt work/ckpt_stage5
  "$PYTHON" train.py --data work/train --tokenizer work/tokenizer.json --init work/ckpt_stage5 --out work/ckpt --minutes "$STAGE6_MINUTES" \
    --batch 112 --lr 5e-4 --warmup 30 --aux-ii 3.0 --dup 24 --heavy-frac 0.5 --aux-dup 2.0 --dup-nce 1.0 --nce-temp 0.07 \
    --view-noise 0.06 --hard-groups 16 --text-rank 1.0 --crop-p 0.3 --seed 12 ${STAGE6_ARGS:-} 2>&1 | tee work/train_stage6.log
fi
echo "== export + parity fixtures"
# export.py recreates the folder: keep the previous training record for stages not run here
rm -f work/train_info_prev.json && { cp "$ROOT/models/siglip-tiny/train_info.json" work/train_info_prev.json 2>/dev/null || true; }
"$PYTHON" export.py --ckpt work/ckpt --tokenizer work/tokenizer.json --heldout work/heldout --out "$ROOT/models/siglip-tiny"
echo "== held-out evaluation (ONNX)"
"$PYTHON" evaluate.py --data work/heldout --tokenizer work/tokenizer.json --onnx "$ROOT/models/siglip-tiny/onnx" \
  --out "$ROOT/models/siglip-tiny/eval.json"
"$PYTHON" evaluate.py --data work/heldout --tokenizer work/tokenizer.json --onnx "$ROOT/models/siglip-tiny/onnx" \
  --limit 240 --out "$ROOT/models/siglip-tiny/eval_240.json"
"$PYTHON" - <<'PY'
import json
import os
from pathlib import Path
keys = ("steps", "seconds", "final_loss_ema", "batch", "images_seen", "params", "args")
out = Path("../../models/siglip-tiny/train_info.json")
# stages not run here (STAGE5_FROM_GIT) keep the record of the run that produced them
prev = Path("work/train_info_prev.json")
info = json.loads(prev.read_text()) if prev.exists() else {}
final = "stage6" if os.environ.get("STAGE6_MINUTES") else "stage5"
dirs = {"stage1": "ckpt_stage1", "stage2": "ckpt_stage2", "stage3": "ckpt_stage3", "stage4": "ckpt_stage4", "stage5": "ckpt_stage5", final: "ckpt"}
for s, d in dirs.items():
    if Path(f"work/{d}/train_log.json").exists():
        v = json.load(open(f"work/{d}/train_log.json"))
        info[s] = {k: v[k] for k in keys}
out.write_text(json.dumps(info, indent=1) + "\n")
PY
echo "== relation thresholds (calibration seed 4242, held-out seed 9999)"
cd "$ROOT" && npm run --silent calibrate -- --model-dir models/siglip-tiny
du -sh "$ROOT/models"
