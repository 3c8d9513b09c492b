"""Decode + resize a synth data set once into a uint8 cache (N,S,S,3) for fast training (S = --size, default 224).

The resize is the same PIL bicubic resize SiglipImageProcessor(Pil) applies; rescale/normalize are
applied on the fly in train.py ((x/255 - 0.5)/0.5), so the cached tensor reproduces the processor exactly.
"""
import argparse
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np
from PIL import Image

from common import IMAGE_SIZE, RESAMPLE, load_records


def load(path: str, size: int = IMAGE_SIZE) -> np.ndarray:
    with Image.open(path) as im:
        im = im.convert("RGB")
        return np.asarray(im.resize((size, size), resample=RESAMPLE), dtype=np.uint8)


def cache_name(size: int) -> str:
    return f"pixels{size}.npy"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--size", type=int, default=IMAGE_SIZE, help="square input size (the model's preprocessor size)")
    args = ap.parse_args()
    data = Path(args.data)
    records = load_records(data)
    t0 = time.time()
    paths = [str(data / r["image"]) for r in records]
    with Pool(args.workers) as pool:
        arrs = pool.starmap(load, [(p, args.size) for p in paths], chunksize=64)
    pix = np.stack(arrs)
    np.save(data / cache_name(args.size), pix)
    print(f"cached {pix.shape} in {time.time() - t0:.1f}s")


if __name__ == "__main__":
    main()
