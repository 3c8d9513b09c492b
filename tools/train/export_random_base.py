"""Export a RANDOMLY INITIALISED SigLIP with the real base architecture, for speed measurements only.

    /work/venv-ml/.venv/bin/python tools/train/export_random_base.py [--out models/.random-siglip-base]

The weights are random (torch.manual_seed(0) + the model's own initialisation): its embeddings mean nothing and it
must never be used to judge retrieval quality. It exists so that the server, the benchmarks and the dimension guard
can be exercised with a model of real size (what a deployment of google/siglip-base-patch16-224 costs in CPU and
memory) on a machine that cannot download the real checkpoint.

Architecture: transformers' SiglipVisionConfig / SiglipTextConfig defaults, which are the published
siglip-base-patch16-224 configuration: 768-d, 12 layers and 12 heads per tower, MLP 3072, patch 16 at 224 px
(196 patches), text vocabulary 32,000 with 64 positions, gelu_pytorch_tanh, attention-pooling vision head.
Only the special-token ids (pad 0, bos/eos 1) are taken from the tokenizer reused below.

Tokenizer: models/siglip-tiny's tokenizer.json (435-token Unigram, lowercase, `</s>` appended, padded to 64) is
copied as is. Its ids are all < 435 and therefore valid rows of the 32,000-row embedding table; the text tower's
cost does not depend on which rows are read, so it is as fast as the real tokenizer would be.

Output: the standard layout of models/README.md (onnx/vision_model.onnx, onnx/text_model.onnx, config.json,
preprocessor_config.json, tokenizer*.json), fp32, opset 17, dynamic batch, in an ignored folder.
"""
import argparse
import json
import shutil
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch
from transformers import SiglipConfig, SiglipModel

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "models" / "siglip-tiny"
MAX_LEN = 64
OPSET = 17
NAME = "random-siglip-base"
WARNING = "RANDOM WEIGHTS: speed measurements only. Embeddings are meaningless; never use for retrieval quality."


class Tower(torch.nn.Module):
    def __init__(self, m, arg):
        super().__init__()
        self.m, self.arg = m, arg

    def forward(self, x):
        o = self.m(**{self.arg: x})
        return o.last_hidden_state, o.pooler_output


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(ROOT / "models" / ".random-siglip-base"))
    args = ap.parse_args()
    out = Path(args.out)
    torch.manual_seed(0)
    torch.set_num_threads(2)

    text = {"pad_token_id": 0, "bos_token_id": 1, "eos_token_id": 1, "max_position_embeddings": MAX_LEN}
    config = SiglipConfig(text_config=text, vision_config={})
    # Eager attention traces to plain MatMul/Softmax, as the published ONNX exports of SigLIP were traced.
    model = SiglipModel._from_config(config, attn_implementation="eager").eval()
    v, t = model.config.vision_config, model.config.text_config
    assert (v.hidden_size, v.num_hidden_layers, v.patch_size, v.image_size) == (768, 12, 16, 224), v
    assert (t.hidden_size, t.num_hidden_layers, t.vocab_size, t.max_position_embeddings) == (768, 12, 32000, MAX_LEN), t
    params = {name: sum(p.numel() for p in m.parameters()) for name, m in (("vision", model.vision_model), ("text", model.text_model))}
    print(f"random SigLIP base: {params}")

    if out.exists():
        shutil.rmtree(out)
    (out / "onnx").mkdir(parents=True)
    outs = ["last_hidden_state", "pooler_output"]
    dyn = {"last_hidden_state": {0: "batch"}, "pooler_output": {0: "batch"}}
    px = torch.randn(2, 3, 224, 224)
    ids = torch.randint(3, 435, (2, MAX_LEN))
    with torch.no_grad():
        torch.onnx.export(Tower(model.vision_model, "pixel_values"), (px,), str(out / "onnx/vision_model.onnx"), input_names=["pixel_values"],
                          output_names=outs, dynamic_axes={"pixel_values": {0: "batch"}, **dyn}, opset_version=OPSET, dynamo=False)
        torch.onnx.export(Tower(model.text_model, "input_ids"), (ids,), str(out / "onnx/text_model.onnx"), input_names=["input_ids"],
                          output_names=outs, dynamic_axes={"input_ids": {0: "batch"}, **dyn}, opset_version=OPSET, dynamo=False)

    # ONNX Runtime reproduces PyTorch on another batch size.
    px = torch.rand(3, 3, 224, 224) * 2 - 1
    ids = torch.randint(3, 435, (3, MAX_LEN))
    with torch.no_grad():
        tv = model.vision_model(pixel_values=px).pooler_output.numpy()
        tt = model.text_model(input_ids=ids).pooler_output.numpy()
    sv = ort.InferenceSession(str(out / "onnx/vision_model.onnx"), providers=["CPUExecutionProvider"])
    st = ort.InferenceSession(str(out / "onnx/text_model.onnx"), providers=["CPUExecutionProvider"])
    dv = float(np.abs(sv.run(["pooler_output"], {"pixel_values": px.numpy()})[0] - tv).max())
    dt = float(np.abs(st.run(["pooler_output"], {"input_ids": ids.numpy()})[0] - tt).max())
    print(f"onnx vs torch max abs diff: vision {dv:.2e}, text {dt:.2e}")
    assert max(dv, dt) < 1e-3, (dv, dt)

    cfg = model.config.to_dict()
    cfg.update({"_name_or_path": NAME, "model_type": "siglip", "architectures": ["SiglipModel"], "embedding_dim": v.hidden_size,
                "WARNING": WARNING, "random_init_seed": 0, "parameters": params})
    (out / "config.json").write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
    for f in ("preprocessor_config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        shutil.copy(TINY / f, out / f)
    (out / "README.txt").write_text(f"{WARNING}\nBuilt by tools/train/export_random_base.py (see its docstring).\n")
    total = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    print(f"{WARNING}\nwrote {out} ({total / 1e6:.0f} MB)")


if __name__ == "__main__":
    main()
