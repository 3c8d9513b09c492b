"""The textbook Python embedding loop, as the peer `npm run bench` measures ingest against.

For every JPEG in --images: PIL decode, convert to RGB, resize to the model's size with its resample filter,
rescale and normalise with numpy, run the same ONNX vision tower one image at a time through onnxruntime
(default session options, as a tutorial would create it), L2-normalise and add to a faiss inner-product index.
Prints one JSON line: images, seconds, images_per_s (model loading and one warm-up image excluded).

  tools/bench-peer/.venv/bin/python tools/bench-peer/peer.py --model models/siglip-tiny --images DIR
"""
import argparse
import json
import time
from pathlib import Path

import faiss
import numpy as np
import onnxruntime as ort
from PIL import Image


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--images", required=True)
    args = ap.parse_args()

    model = Path(args.model)
    pre = json.loads((model / "preprocessor_config.json").read_text())
    size = (pre["size"]["width"], pre["size"]["height"])
    resample = Image.Resampling(pre.get("resample", 3))
    scale = np.float32(pre.get("rescale_factor", 1 / 255))
    mean = np.array(pre["image_mean"], np.float32)
    std = np.array(pre["image_std"], np.float32)

    session = ort.InferenceSession(str(model / "onnx" / "vision_model.onnx"), providers=["CPUExecutionProvider"])
    output = next(o.name for o in session.get_outputs() if o.name in ("pooler_output", "image_embeds"))
    dims = session.get_outputs()[[o.name for o in session.get_outputs()].index(output)].shape[-1]
    index = faiss.IndexFlatIP(int(dims))

    def embed(path: Path) -> np.ndarray:
        with Image.open(path) as im:
            rgb = im.convert("RGB").resize(size, resample)
        x = (np.asarray(rgb, np.float32) * scale - mean) / std
        x = np.ascontiguousarray(x.transpose(2, 0, 1)[None])
        v = session.run([output], {"pixel_values": x})[0]
        faiss.normalize_L2(v)
        return v

    files = sorted(Path(args.images).glob("*.jpg"))
    embed(files[0])  # warm-up: first-run allocations
    t0 = time.perf_counter()
    for f in files:
        index.add(embed(f))
    seconds = time.perf_counter() - t0
    print(json.dumps({"images": len(files), "seconds": seconds, "images_per_s": len(files) / seconds, "indexed": index.ntotal}))


if __name__ == "__main__":
    main()
