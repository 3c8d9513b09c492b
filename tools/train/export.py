"""Export the trained tiny SigLIP to the standard ONNX layout + parity fixtures.

models/siglip-tiny/
  onnx/vision_model.onnx   pixel_values f32 [B,3,S,S] -> last_hidden_state, pooler_output (S = vision_config.image_size)
  onnx/text_model.onnx     input_ids i64 [B,64]          -> last_hidden_state, pooler_output
  tokenizer.json, tokenizer_config.json, special_tokens_map.json
  preprocessor_config.json (SiglipImageProcessor, bicubic, size S)
  config.json (SiglipConfig + learned logit_scale / logit_bias)
  parity/*.jpg|png + parity/reference.json
"""
import argparse
import io
import json
import math
import shutil
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch
from PIL import Image, ImageOps
from transformers import PreTrainedTokenizerFast, SiglipModel
from transformers.models.siglip.image_processing_pil_siglip import SiglipImageProcessorPil

from common import MAX_LEN, MODEL_DIR, RESAMPLE, WORK, load_records

OPSET = 17


class VisionWrapper(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, pixel_values):
        o = self.m(pixel_values=pixel_values)
        return o.last_hidden_state, o.pooler_output


class TextWrapper(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids):
        o = self.m(input_ids=input_ids)
        return o.last_hidden_state, o.pooler_output


def export_onnx(model: SiglipModel, onnx_dir: Path) -> dict:
    onnx_dir.mkdir(parents=True, exist_ok=True)
    outs = ["last_hidden_state", "pooler_output"]
    dyn = {"last_hidden_state": {0: "batch"}, "pooler_output": {0: "batch"}}
    size = model.config.vision_config.image_size
    px = torch.randn(2, 3, size, size)
    ids = torch.randint(3, model.config.text_config.vocab_size, (2, MAX_LEN))
    torch.onnx.export(VisionWrapper(model.vision_model), (px,), str(onnx_dir / "vision_model.onnx"), input_names=["pixel_values"],
                      output_names=outs, dynamic_axes={"pixel_values": {0: "batch"}, **dyn}, opset_version=OPSET, dynamo=False)
    torch.onnx.export(TextWrapper(model.text_model), (ids,), str(onnx_dir / "text_model.onnx"), input_names=["input_ids"],
                      output_names=outs, dynamic_axes={"input_ids": {0: "batch"}, **dyn}, opset_version=OPSET, dynamo=False)
    # give the outputs clean static shapes (only the batch is dynamic)
    import onnx

    seq = {"vision_model.onnx": (model.config.vision_config.image_size // model.config.vision_config.patch_size) ** 2,
           "text_model.onnx": MAX_LEN}
    for fname, n_tok in seq.items():
        m = onnx.load(str(onnx_dir / fname))
        for o in m.graph.output:
            dims = o.type.tensor_type.shape.dim
            want = ["batch", n_tok, model.config.vision_config.hidden_size] if o.name == "last_hidden_state" else ["batch", model.config.vision_config.hidden_size]
            for d, w in zip(dims, want):
                if isinstance(w, str):
                    d.dim_param = w
                else:
                    d.dim_value = w
        onnx.checker.check_model(m)
        onnx.save(m, str(onnx_dir / fname))
    # verify against PyTorch on a different batch size
    v = ort.InferenceSession(str(onnx_dir / "vision_model.onnx"), providers=["CPUExecutionProvider"])
    t = ort.InferenceSession(str(onnx_dir / "text_model.onnx"), providers=["CPUExecutionProvider"])
    px = torch.rand(3, 3, size, size) * 2 - 1
    ids = torch.randint(3, model.config.text_config.vocab_size, (5, MAX_LEN))
    ids[:, 10:] = 0
    ids[:, 9] = 1
    with torch.no_grad():
        tv = model.vision_model(pixel_values=px)
        tt = model.text_model(input_ids=ids)
    ov = v.run(outs, {"pixel_values": px.numpy()})
    ot = t.run(outs, {"input_ids": ids.numpy()})
    diffs = {
        "vision_last_hidden_state": float(np.abs(ov[0] - tv.last_hidden_state.numpy()).max()),
        "vision_pooler_output": float(np.abs(ov[1] - tv.pooler_output.numpy()).max()),
        "text_last_hidden_state": float(np.abs(ot[0] - tt.last_hidden_state.numpy()).max()),
        "text_pooler_output": float(np.abs(ot[1] - tt.pooler_output.numpy()).max()),
    }
    print("onnx vs torch max abs diff:", diffs)
    assert max(diffs.values()) < 1e-3, diffs
    return diffs


def make_odd_images(src: Path, out_dir: Path) -> list[str]:
    """A few awkward inputs: non-square, RGBA PNG, grayscale, EXIF orientation 6, tiny palette PNG."""
    base = Image.open(src).convert("RGB")
    files = []
    base.resize((300, 200), Image.BICUBIC).save(out_dir / "odd-nonsquare-300x200.jpg", quality=90)
    files.append("odd-nonsquare-300x200.jpg")
    rgba = base.resize((200, 320), Image.BICUBIC).convert("RGBA")
    a = np.array(rgba)
    # transparent border + soft alpha gradient
    alpha = np.full(a.shape[:2], 255, np.uint8)
    alpha[:, :40] = np.linspace(0, 255, 40, dtype=np.uint8)[None, :]
    alpha[:30, :] = 0
    a[..., 3] = np.minimum(alpha, a[..., 3])
    Image.fromarray(a, "RGBA").save(out_dir / "odd-alpha-200x320.png")
    files.append("odd-alpha-200x320.png")
    base.convert("L").save(out_dir / "odd-grayscale.jpg", quality=90)
    files.append("odd-grayscale.jpg")
    # Stored rotated; EXIF orientation 6 says "rotate 90 CW to display" -> exif_transpose restores the upright image.
    wide = base.resize((320, 240), Image.BICUBIC)
    stored = wide.transpose(Image.Transpose.ROTATE_90)  # counter-clockwise 90
    exif = Image.Exif()
    exif[0x0112] = 6
    stored.save(out_dir / "odd-exif-orientation-6.jpg", quality=90, exif=exif.tobytes())
    files.append("odd-exif-orientation-6.jpg")
    base.resize((64, 64), Image.BICUBIC).convert("P", palette=Image.Palette.ADAPTIVE, colors=32).save(out_dir / "odd-palette-64.png")
    files.append("odd-palette-64.png")
    return files


PARITY_TEXTS = [
    "Red Striped T-Shirt",
    "red striped t-shirt",
    "BLUE DOTTED MUG",
    "green checked lamp",
    "Black Zigzag Hat",
    "white solid chair",
    "yellow polka-dot umbrella!",
    "Pink, checked & striped: a SOFA?",
    "grey (gray) sunglasses",
    "brown leather handbag by Northwind",
    "purple zig-zag dress",
    "orange water bottle",
    "sneaker",
    "  extra   spaces\tand tabs  ",
    "Café crème mug — 50% off ☕",
    "A modern green dotted backpack made from recycled polyester, perfect for everyday use.",
    " ".join(["this very long product description keeps going with red striped cotton t-shirt words"] * 8),
    "",
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", default=str(WORK / "ckpt"))
    ap.add_argument("--tokenizer", default=str(WORK / "tokenizer.json"))
    ap.add_argument("--heldout", default=str(WORK / "heldout"))
    ap.add_argument("--out", default=str(MODEL_DIR))
    ap.add_argument("--n-images", type=int, default=16)
    args = ap.parse_args()
    torch.set_num_threads(2)
    out = Path(args.out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)

    model = SiglipModel.from_pretrained(args.ckpt, attn_implementation="eager").eval()
    diffs = export_onnx(model, out / "onnx")

    # config.json: the SiglipConfig plus the learned calibration
    cfg = model.config.to_dict()
    cfg["model_type"] = "siglip"
    cfg["architectures"] = ["SiglipModel"]
    cfg["logit_scale"] = float(model.logit_scale.item())  # raw parameter (log of the scale), as in the HF state dict
    cfg["logit_scale_exp"] = float(math.exp(model.logit_scale.item()))
    cfg["logit_bias"] = float(model.logit_bias.item())
    cfg["embedding_dim"] = model.config.vision_config.hidden_size
    for k in ("_attn_implementation_autoset", "_name_or_path"):
        cfg.pop(k, None)
    (out / "config.json").write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")

    shutil.copy(args.tokenizer, out / "tokenizer.json")
    (out / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": MAX_LEN, "padding_side": "right",
        "truncation_side": "right", "do_lower_case": True, "pad_token": "<pad>", "eos_token": "</s>", "unk_token": "<unk>",
    }, indent=2) + "\n")
    (out / "special_tokens_map.json").write_text(json.dumps({"pad_token": "<pad>", "eos_token": "</s>", "unk_token": "<unk>"}, indent=2) + "\n")

    size = model.config.vision_config.image_size
    proc = SiglipImageProcessorPil(resample=RESAMPLE, size={"height": size, "width": size})
    pp = proc.to_dict()
    pp = {k: (v.value if hasattr(v, "value") else v) for k, v in pp.items()}
    pp["image_processor_type"] = "SiglipImageProcessor"
    pp["image_mean"], pp["image_std"] = list(pp["image_mean"]), list(pp["image_std"])
    (out / "preprocessor_config.json").write_text(json.dumps(pp, indent=2, sort_keys=True) + "\n")

    # ---- parity fixtures
    pdir = out / "parity"
    pdir.mkdir()
    heldout = Path(args.heldout)
    recs = load_records(heldout)
    files = []
    for r in recs[: args.n_images]:
        name = f"{r['id']}.jpg"
        shutil.copy(heldout / r["image"], pdir / name)
        files.append(name)
    files += make_odd_images(heldout / recs[args.n_images]["image"], pdir)

    images = []
    for name in files:
        with Image.open(pdir / name) as im:
            im = ImageOps.exif_transpose(im)
            pv = proc(images=im, return_tensors="pt")["pixel_values"]
        with torch.no_grad():
            emb = torch.nn.functional.normalize(model.vision_model(pixel_values=pv).pooler_output, dim=-1)[0]
        flat = pv.flatten()
        images.append({
            "file": name,
            "pixel_values_shape": list(pv.shape),
            "pixel_values_mean": float(pv.mean()),
            "pixel_values_std": float(pv.std()),
            "pixel_values_first": [float(x) for x in flat[:8]],
            "embedding": [float(x) for x in emb],
        })

    hf_tok = PreTrainedTokenizerFast(tokenizer_file=str(out / "tokenizer.json"), pad_token="<pad>", eos_token="</s>", unk_token="<unk>")
    texts = []
    for text in PARITY_TEXTS:
        enc = hf_tok(text, padding="max_length", max_length=MAX_LEN, truncation=True)
        ids = enc["input_ids"]
        assert len(ids) == MAX_LEN and 1 in ids, (text, ids)
        nonpad = [i for i in ids if i != 0]
        assert nonpad[-1] == 1, ("EOS must be the last non-pad token", text, ids)
        with torch.no_grad():
            emb = torch.nn.functional.normalize(model.text_model(input_ids=torch.tensor([ids])).pooler_output, dim=-1)[0]
        texts.append({"text": text, "input_ids": ids, "num_tokens": len(nonpad), "embedding": [float(x) for x in emb]})

    ref = {
        "model": out.name,
        "embedding_dim": int(model.config.vision_config.hidden_size),
        "notes": "pixel_values from SiglipImageProcessor (PIL backend, bicubic, do_convert_rgb composites alpha onto white) "
                 "after PIL ImageOps.exif_transpose; input_ids from PreTrainedTokenizerFast(tokenizer.json) with "
                 "padding='max_length', max_length=64, truncation=True; embeddings are L2-normalized pooler_output (PyTorch).",
        "onnx_vs_torch_max_abs_diff": diffs,
        "images": images,
        "texts": texts,
    }
    (pdir / "reference.json").write_text(json.dumps(ref) + "\n")

    # the ONNX models reproduce the reference embeddings
    v = ort.InferenceSession(str(out / "onnx" / "vision_model.onnx"), providers=["CPUExecutionProvider"])
    cos = []
    for e in images:
        with Image.open(pdir / e["file"]) as im:
            pv = proc(images=ImageOps.exif_transpose(im), return_tensors="np")["pixel_values"].astype(np.float32)
        o = v.run(["pooler_output"], {"pixel_values": pv})[0][0]
        cos.append(float(o @ np.array(e["embedding"]) / np.linalg.norm(o)))
    print(f"parity: {len(images)} images (min ONNX cosine {min(cos):.6f}), {len(texts)} texts -> {pdir}")
    total = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    print(f"model dir size {total / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
