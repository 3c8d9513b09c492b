"""Shared helpers for the tiny SigLIP: paths, vocabulary, text construction, image preprocessing."""
from __future__ import annotations

import json
import os
import random
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
TRAIN_DIR = ROOT / "tools" / "train"
WORK = Path(os.environ.get("TRAIN_WORK", TRAIN_DIR / "work"))
MODEL_DIR = Path(os.environ.get("MODEL_OUT", ROOT / "models" / "siglip-tiny"))
MAX_LEN = 64
IMAGE_SIZE = 224
RESAMPLE = 3  # PIL bicubic, same as the SigLIP default

COLORS = ["red", "blue", "green", "yellow", "black", "white", "orange", "purple", "pink", "brown", "grey"]
PATTERNS = ["solid", "striped", "dotted", "checked", "zigzag"]
CATEGORY_LABEL = {
    "t-shirt": "T-Shirt", "sneaker": "Sneaker", "mug": "Mug", "handbag": "Handbag", "lamp": "Lamp",
    "chair": "Chair", "hat": "Hat", "watch": "Watch", "backpack": "Backpack", "bottle": "Bottle",
    "sunglasses": "Sunglasses", "dress": "Dress", "umbrella": "Umbrella", "sofa": "Sofa",
}
CATEGORIES = list(CATEGORY_LABEL)
PATTERN_SYNONYMS = {
    "solid": ["solid", "plain", "solid colour", "single-colour"],
    "striped": ["striped", "stripes", "stripy", "with stripes"],
    "dotted": ["dotted", "polka dot", "polka-dot", "spotted"],
    "checked": ["checked", "checkered", "gingham", "check"],
    "zigzag": ["zigzag", "chevron", "zig-zag", "wavy"],
}
COLOR_SYNONYMS = {"grey": ["grey", "gray"]}
CATEGORY_SYNONYMS = {
    "t-shirt": ["t-shirt", "tee", "tshirt", "shirt"], "sneaker": ["sneaker", "sneakers", "trainer", "shoe"],
    "mug": ["mug", "cup", "coffee mug"], "handbag": ["handbag", "bag", "purse", "tote"],
    "lamp": ["lamp", "table lamp", "desk lamp"], "chair": ["chair", "dining chair", "seat"],
    "hat": ["hat", "fedora", "cap"], "watch": ["watch", "wristwatch"], "backpack": ["backpack", "rucksack"],
    "bottle": ["bottle", "water bottle", "flask"], "sunglasses": ["sunglasses", "shades"],
    "dress": ["dress", "sundress"], "umbrella": ["umbrella", "parasol"], "sofa": ["sofa", "couch"],
}


def load_records(data_dir: Path) -> list[dict]:
    with open(data_dir / "products.jsonl") as f:
        return [json.loads(line) for line in f if line.strip()]


def canonical_query(r: dict) -> str:
    return f"{r['color']} {r['pattern']} {r['category']}"


def sample_text(r: dict, rng: random.Random) -> tuple[str, tuple]:
    """A training caption for record r and the attribute constraint it expresses: (color|None, pattern|None, category|None)."""
    c, p, k = r["color"], r["pattern"], r["category"]
    full = (c, p, k)
    u = rng.random()
    if u < 0.30:
        return canonical_query(r), full
    if u < 0.42:
        return r["title"], full
    if u < 0.52:
        return r["description"], full
    if u < 0.70:
        cs = rng.choice(COLOR_SYNONYMS.get(c, [c]))
        ps = rng.choice(PATTERN_SYNONYMS[p])
        ks = rng.choice(CATEGORY_SYNONYMS[k])
        t = rng.choice([
            f"{cs} {ps} {ks}", f"{ps} {cs} {ks}", f"a {cs} {ks} with a {p} pattern", f"{ks}, {cs}, {ps}",
            f"{r['brand']} {cs} {ps} {ks}", f"photo of a {cs} {ps} {ks}", f"{cs} {ks} {ps}",
        ])
        if rng.random() < 0.3:
            t = t.title() if rng.random() < 0.5 else t.upper()
        return t, full
    # partial descriptions (multi-positive in the loss)
    ks = rng.choice(CATEGORY_SYNONYMS[k])
    v = rng.random()
    if v < 0.25:
        return f"{c} {ks}", (c, None, k)
    if v < 0.50:
        return f"{p} {ks}", (None, p, k)
    if v < 0.80:
        return ks, (None, None, k)
    return f"{c} {p}", (c, p, None)


def corpus_for_tokenizer(records: list[dict], seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for r in records:
        texts.append(r["title"])
        texts.append(r["description"])
        texts.append(canonical_query(r))
        for _ in range(2):
            texts.append(sample_text(r, rng)[0])
    for c in COLORS:
        for p in PATTERNS:
            for k in CATEGORIES:
                texts.append(f"{c} {p} {k}")
    for syn in [*PATTERN_SYNONYMS.values(), *CATEGORY_SYNONYMS.values(), *COLOR_SYNONYMS.values()]:
        texts.extend(syn)
    return texts

