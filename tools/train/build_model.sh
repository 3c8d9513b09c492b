#!/usr/bin/env bash
# Rebuild models/siglip-tiny from scratch: synthetic data -> tokenizer -> training -> ONNX export -> parity fixtures -> eval.
#
#   bash tools/train/build_model.sh
#
# Env knobs: PYTHON (default /work/venv-ml/.venv/bin/python or python3), TRAIN_SEED (1), TRAIN_N (20000),
# HELDOUT_SEED (9999), HELDOUT_N (600), TRAIN_MINUTES (30), TRAIN_ARGS (extra args for train.py).
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
TRAIN_MINUTES=${TRAIN_MINUTES:-30}
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
echo "== training (${TRAIN_MINUTES} min)"
rm -rf work/ckpt
"$PYTHON" train.py --data work/train --tokenizer work/tokenizer.json --out work/ckpt --minutes "$TRAIN_MINUTES" ${TRAIN_ARGS:-} 2>&1 | tee work/train.log
echo "== export + parity fixtures"
"$PYTHON" export.py --ckpt work/ckpt --tokenizer work/tokenizer.json --heldout work/heldout --out "$ROOT/models/siglip-tiny"
echo "== held-out evaluation (ONNX)"
"$PYTHON" evaluate.py --data work/heldout --tokenizer work/tokenizer.json --onnx "$ROOT/models/siglip-tiny/onnx" \
  --out "$ROOT/models/siglip-tiny/eval.json"
"$PYTHON" - <<'PY'
import json
log = json.load(open("work/ckpt/train_log.json"))
json.dump({k: log[k] for k in ("steps", "seconds", "final_loss_ema", "batch", "images_seen", "params", "args")},
          open("../../models/siglip-tiny/train_info.json", "w"), indent=1)
PY
du -sh "$ROOT/models"
