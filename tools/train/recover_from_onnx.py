"""Rebuild a trainable HF SiglipModel checkpoint from an exported model folder (ONNX initializers + config.json).

Fine-tuning the shipped model is much cheaper than retraining it from scratch, and the ONNX files hold every weight:
named initializers map 1:1 onto the state dict; the Linear weights were exported as anonymous `onnx::MatMul_*`
initializers (transposed), which are matched to their layer through the bias `Add` that consumes the MatMul output.
The result is verified against the folder's parity reference embeddings (computed in PyTorch at export time).

  python recover_from_onnx.py --model ../../models/siglip-tiny --out work/ckpt_recovered
"""
import argparse
import json
import math
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from PIL import Image, ImageOps
from transformers import SiglipConfig, SiglipModel
from transformers.models.siglip.image_processing_pil_siglip import SiglipImageProcessorPil

from common import RESAMPLE


def tower_state(path: Path, prefix: str) -> dict[str, torch.Tensor]:
    m = onnx.load(str(path))
    inits = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
    consumers: dict[str, list] = {}
    for node in m.graph.node:
        for inp in node.input:
            consumers.setdefault(inp, []).append(node)
    state: dict[str, torch.Tensor] = {}
    for name, arr in inits.items():
        if name.startswith("m."):
            state[prefix + name[2:]] = torch.from_numpy(arr.copy())
    for name, arr in inits.items():
        if name.startswith("m."):
            continue
        mm = [n for n in consumers.get(name, []) if n.op_type == "MatMul"]
        assert len(mm) == 1, name
        adds = [n for n in consumers.get(mm[0].output[0], []) if n.op_type == "Add"]
        bias = [i for a in adds for i in a.input if i.startswith("m.") and i.endswith(".bias")]
        assert len(bias) == 1, (name, bias)
        key = prefix + bias[0][2:-len(".bias")] + ".weight"
        assert key not in state, key
        state[key] = torch.from_numpy(arr.T.copy())
    return state


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True, help="exported model folder (config.json, onnx/, parity/)")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    src = Path(args.model)
    cfg = json.loads((src / "config.json").read_text())
    config = SiglipConfig(text_config=cfg["text_config"], vision_config=cfg["vision_config"])
    model = SiglipModel(config).eval()
    state = {**tower_state(src / "onnx" / "vision_model.onnx", "vision_model."), **tower_state(src / "onnx" / "text_model.onnx", "text_model.")}
    state["logit_scale"] = torch.tensor([cfg["logit_scale"]])
    state["logit_bias"] = torch.tensor([cfg["logit_bias"]])
    want = model.state_dict()
    missing = sorted(set(want) - set(state))
    extra = sorted(set(state) - set(want))
    assert not missing and not extra, (missing, extra)
    for k, v in state.items():
        assert tuple(v.shape) == tuple(want[k].shape), (k, v.shape, want[k].shape)
        state[k] = v.reshape(want[k].shape).to(want[k].dtype)
    model.load_state_dict(state)

    # verify: the recovered weights reproduce the PyTorch reference embeddings stored at export time
    ref = json.loads((src / "parity" / "reference.json").read_text())
    size = config.vision_config.image_size
    proc = SiglipImageProcessorPil(resample=RESAMPLE, size={"height": size, "width": size})
    worst = 1.0
    with torch.no_grad():
        for e in ref["images"]:
            with Image.open(src / "parity" / e["file"]) as im:
                pv = proc(images=ImageOps.exif_transpose(im), return_tensors="pt")["pixel_values"]
            v = torch.nn.functional.normalize(model.vision_model(pixel_values=pv).pooler_output, dim=-1)[0]
            worst = min(worst, float(v @ torch.tensor(e["embedding"])))
        for e in ref["texts"]:
            t = torch.nn.functional.normalize(model.text_model(input_ids=torch.tensor([e["input_ids"]])).pooler_output, dim=-1)[0]
            worst = min(worst, float(t @ torch.tensor(e["embedding"])))
    print(f"recovered {len(state)} tensors; min cosine to the parity reference {worst:.7f}; "
          f"logit scale {math.exp(cfg['logit_scale']):.2f} bias {cfg['logit_bias']:.2f}")
    assert worst > 0.99999, worst
    model.save_pretrained(args.out)


if __name__ == "__main__":
    main()
