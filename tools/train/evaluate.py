"""Held-out retrieval check in PyTorch (or ONNX Runtime with --onnx).

text->image Recall@10: for each distinct "<colour> <pattern> <category>" query with >=1 matching product,
1 if any exact match is in the top 10 by cosine; also the strict variant = mean over queries of
(#relevant in top 10) / min(10, #relevant).  image->image P@5: fraction of the 5 nearest other images
with the same category (and, reported too, same colour+pattern+category). Also the share of those queries whose
top hit is an exact match (pattern top-1), and, when the data set has variants.jsonl (`npm run synth --
--hard-variants`), per copy kind the share of copies whose nearest catalog image is their source (copy top-1).
"""
import argparse
import json
from pathlib import Path

import numpy as np
import torch

from common import MAX_LEN, WORK, canonical_query, load_records


def embed_torch(model_dir: Path, pixels: np.ndarray, ids: np.ndarray):
    from transformers import SiglipModel

    model = SiglipModel.from_pretrained(model_dir).eval()
    with torch.no_grad():
        img = torch.cat([model.vision_model(pixel_values=torch.from_numpy(pixels[i : i + 64])).pooler_output for i in range(0, len(pixels), 64)])
        txt = torch.cat([model.text_model(input_ids=torch.from_numpy(ids[i : i + 256])).pooler_output for i in range(0, len(ids), 256)])
    return img.numpy(), txt.numpy()


def embed_onnx(onnx_dir: Path, pixels: np.ndarray, ids: np.ndarray):
    import onnxruntime as ort

    v = ort.InferenceSession(str(onnx_dir / "vision_model.onnx"), providers=["CPUExecutionProvider"])
    t = ort.InferenceSession(str(onnx_dir / "text_model.onnx"), providers=["CPUExecutionProvider"])
    img = np.concatenate([v.run(["pooler_output"], {"pixel_values": pixels[i : i + 64]})[0] for i in range(0, len(pixels), 64)])
    txt = np.concatenate([t.run(["pooler_output"], {"input_ids": ids[i : i + 256]})[0] for i in range(0, len(ids), 256)])
    return img, txt


def l2n(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


COPY_KINDS = ["reencode", "resize", "crop", "watermark", "crop-resized", "crop-offframe", "shift"]


def copy_top1(records, img, copies: dict[str, tuple[np.ndarray, np.ndarray]]) -> dict:
    """copies: kind -> (embeddings, index of the source record); top-1 over the catalog images."""
    img = l2n(img)
    out = {}
    for kind, (emb, src) in copies.items():
        nn = np.argmax(l2n(emb) @ img.T, axis=1)
        out[kind] = float((nn == src).mean())
    return out


def evaluate(records, img, txt, queries) -> dict:
    img, txt = l2n(img), l2n(txt)
    keys = np.array([canonical_query(r) for r in records])
    sims = txt @ img.T
    hit, strict, first = [], [], []
    for qi, q in enumerate(queries):
        rel = keys == q
        top = np.argsort(-sims[qi])[:10]
        nrel = int(rel.sum())
        got = int(rel[top].sum())
        hit.append(got > 0)
        first.append(bool(rel[top[0]]))
        strict.append(got / min(10, nrel))
    cats = np.array([r["category"] for r in records])
    ii = img @ img.T
    np.fill_diagonal(ii, -np.inf)
    top5 = np.argsort(-ii, axis=1)[:, :5]
    p5_cat = float((cats[top5] == cats[:, None]).mean())
    p5_exact = float((keys[top5] == keys[:, None]).mean())
    return {
        "queries": len(queries),
        "text_to_image_recall_at_10": float(np.mean(hit)),
        "text_to_image_strict_recall_at_10": float(np.mean(strict)),
        "text_pattern_top1": float(np.mean(first)),
        "image_to_image_p_at_5_same_category": p5_cat,
        "image_to_image_p_at_5_same_colour_pattern_category": p5_exact,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(WORK / "heldout"))
    ap.add_argument("--model", default=str(WORK / "ckpt"))
    ap.add_argument("--tokenizer", default=str(WORK / "tokenizer.json"))
    ap.add_argument("--onnx", default="", help="evaluate the exported ONNX models in this dir instead")
    ap.add_argument("--out", default="")
    ap.add_argument("--no-copies", action="store_true", help="skip the copy top-1 measurement even if variants exist")
    ap.add_argument("--limit", type=int, default=0, help="only the first N products (the synth catalog of a seed is prefix-stable)")
    args = ap.parse_args()
    torch.set_num_threads(2)
    from tokenizers import Tokenizer
    from prepare_pixels import load

    data = Path(args.data)
    records = load_records(data)
    if args.limit:
        records = records[: args.limit]
    # the model's input size: config.json next to the ONNX folder, or the checkpoint's
    cfg_dir = Path(args.onnx).parent if args.onnx else Path(args.model)
    size = json.loads((cfg_dir / "config.json").read_text())["vision_config"]["image_size"]
    pixels = np.stack([load(str(data / r["image"]), size) for r in records]).astype(np.float32)
    pixels = ((pixels / 255.0 - 0.5) / 0.5).transpose(0, 3, 1, 2).copy()
    queries = sorted({canonical_query(r) for r in records})
    tok = Tokenizer.from_file(args.tokenizer)
    ids = np.array([e.ids for e in tok.encode_batch(queries)], dtype=np.int64)
    assert ids.shape[1] == MAX_LEN
    img, txt = embed_onnx(Path(args.onnx), pixels, ids) if args.onnx else embed_torch(Path(args.model), pixels, ids)
    res = evaluate(records, img, txt, queries)
    if (data / "variants.jsonl").exists() and not args.no_copies:
        index = {r["id"]: i for i, r in enumerate(records)}
        with open(data / "variants.jsonl") as f:
            variants = [v for v in map(json.loads, f) if v["kind"] in COPY_KINDS and v["sourceId"] in index]
        vpix = np.stack([load(str(data / v["image"]), size) for v in variants]).astype(np.float32)
        vpix = ((vpix / 255.0 - 0.5) / 0.5).transpose(0, 3, 1, 2).copy()
        vemb, _ = embed_onnx(Path(args.onnx), vpix, ids[:1]) if args.onnx else embed_torch(Path(args.model), vpix, ids[:1])
        kinds = np.array([v["kind"] for v in variants])
        src = np.array([index[v["sourceId"]] for v in variants])
        res["copy_top1"] = copy_top1(records, img, {k: (vemb[kinds == k], src[kinds == k]) for k in COPY_KINDS if (kinds == k).any()})
    res["heldout"] = {"dir": str(data.name), "products": len(records)}
    print(json.dumps(res, indent=1))
    if args.out:
        Path(args.out).write_text(json.dumps(res, indent=1) + "\n")


if __name__ == "__main__":
    main()
