#!/usr/bin/env bash
# Rebuild models/siglip-tiny from scratch: synthetic data -> tokenizer -> training -> ONNX export -> parity fixtures -> eval.
#
#   bash tools/train/build_model.sh
#
# Env knobs: PYTHON (default /work/venv-ml/.venv/bin/python or python3), TRAIN_SEED (1), TRAIN_N (20000),
# HELDOUT_SEED (9999), HELDOUT_N (600), STAGE1_MINUTES (17), STAGE2_MINUTES (16), STAGE3_MINUTES (14),
# STAGE4_MINUTES (10), STAGE5_MINUTES (12), STAGE1_ARGS .. STAGE5_ARGS (extra train.py args).
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
npm run --silent synth -- --seed "$HELDOUT_SEED" --n "$HELDOUT_N" --out "$WORK/heldout"

cd tools/train
echo "== tokenizer"
"$PYTHON" train_tokenizer.py --data work/train --out work/tokenizer.json
echo "== pixel cache"
"$PYTHON" prepare_pixels.py --data work/train
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
echo "== export + parity fixtures"
"$PYTHON" export.py --ckpt work/ckpt --tokenizer work/tokenizer.json --heldout work/heldout --out "$ROOT/models/siglip-tiny"
echo "== held-out evaluation (ONNX)"
"$PYTHON" evaluate.py --data work/heldout --tokenizer work/tokenizer.json --onnx "$ROOT/models/siglip-tiny/onnx" \
  --out "$ROOT/models/siglip-tiny/eval.json"
"$PYTHON" evaluate.py --data work/heldout --tokenizer work/tokenizer.json --onnx "$ROOT/models/siglip-tiny/onnx" \
  --limit 240 --out "$ROOT/models/siglip-tiny/eval_240.json"
"$PYTHON" - <<'PY'
import json
keys = ("steps", "seconds", "final_loss_ema", "batch", "images_seen", "params", "args")
stages = {s: json.load(open(f"work/{d}/train_log.json")) for s, d in (("stage1", "ckpt_stage1"), ("stage2", "ckpt_stage2"), ("stage3", "ckpt_stage3"), ("stage4", "ckpt_stage4"), ("stage5", "ckpt"))}
json.dump({s: {k: v[k] for k in keys} for s, v in stages.items()}, open("../../models/siglip-tiny/train_info.json", "w"), indent=1)
PY
du -sh "$ROOT/models"
