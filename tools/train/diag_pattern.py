"""Diagnostics for issue 9: can a vision tower of the HF SiglipModel family see the product patterns?

Two measurements, both on the training seed's pixel caches (prepare_pixels.py --size S):

- `train`: a vision tower (SiglipVisionModel, any patch/size/width) or a small CNN (sanity check that the pattern is in
  the preprocessed pixels at all) trained from scratch for a wall-clock budget with cross-entropy on the pattern (and
  optionally colour and category) through a linear head on pooler_output; then a linear probe on the frozen pooled
  output. Optional training-only terms mimic the SigLIP recipe's suspects: the same-category image-image term
  (--aux-ii, as in train.py) and the mild blur (--blur).
- `probe`: the linear probe alone on an existing checkpoint (a train.py output or recover_from_onnx.py's).
- `randfeat`: no training at all: a random patch projection (what a ViT's patch embedding is at initialisation,
  --hidden filters of 3 x p x p, stride p) followed by a ReLU and by squaring, mean-pooled over the tokens; the linear
  probe on those features says whether one token of that patch size and input size carries the pattern at all.

The probe: 2,500 images (indices 0..2499 of the cache) to fit a multinomial logistic regression per attribute,
scored on 500 others (17500..17999), as models/README.md describes. Training uses indices 2500..17499.

  python diag_pattern.py train --patch 16 --size 128 --minutes 8 --out work/diag/p16_128.json
  python diag_pattern.py probe --ckpt work/ckpt --size 224
"""
import argparse
import json
import math
import random
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from transformers import SiglipModel, SiglipVisionConfig, SiglipVisionModel

from tokenizers import Tokenizer

from common import CATEGORIES, COLORS, PATTERNS, WORK, load_records
from prepare_pixels import cache_name
from train import augment, new_model

PROBE_FIT = range(0, 2500)
PROBE_TEST = range(17500, 18000)
TRAIN = range(2500, 17500)


def labels(records: list[dict]) -> dict[str, torch.Tensor]:
    return {
        "color": torch.tensor([COLORS.index(r["color"]) for r in records]),
        "pattern": torch.tensor([PATTERNS.index(r["pattern"]) for r in records]),
        "category": torch.tensor([CATEGORIES.index(r["category"]) for r in records]),
    }


def norm(x_uint8) -> torch.Tensor:
    return torch.as_tensor(np.asarray(x_uint8)).permute(0, 3, 1, 2).float().div(255.0).sub(0.5).div(0.5)


def load_pixels(data: Path, size: int) -> np.ndarray:
    """Memory-mapped (several diagnostics share the page cache); index with sorted index lists."""
    return np.load(data / cache_name(size), mmap_mode="r")


class SmallCNN(torch.nn.Module):
    """Sanity baseline (not exportable as SigLIP): 5 stride-2 convs + global average pooling."""

    def __init__(self, width: int = 48, out: int = 128):
        super().__init__()
        layers, c = [], 3
        for w in [width, width, 2 * width, 2 * width, 2 * width]:
            layers += [torch.nn.Conv2d(c, w, 3, stride=2, padding=1), torch.nn.BatchNorm2d(w), torch.nn.GELU()]
            c = w
        self.body = torch.nn.Sequential(*layers)
        self.proj = torch.nn.Linear(c, out)

    def forward(self, pixel_values):
        h = self.body(pixel_values).mean(dim=(2, 3))
        return type("O", (), {"pooler_output": self.proj(h)})()


@torch.no_grad()
def pooled(tower, pixels: torch.Tensor, idx, bs: int = 100) -> torch.Tensor:
    tower.eval()
    idx = list(idx)
    out = torch.cat([tower(pixel_values=norm(pixels[sorted(idx[i : i + bs])])).pooler_output for i in range(0, len(idx), bs)])
    tower.train()
    return out


def linear_probe(feats_fit, y_fit, feats_test, y_test, n_cls: int, steps: int = 300) -> float:
    mu, sd = feats_fit.mean(0), feats_fit.std(0) + 1e-6
    a, b = (feats_fit - mu) / sd, (feats_test - mu) / sd
    head = torch.nn.Linear(a.shape[1], n_cls)
    opt = torch.optim.LBFGS(head.parameters(), lr=0.5, max_iter=steps, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = F.cross_entropy(head(a), y_fit) + 1e-3 * head.weight.pow(2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    with torch.no_grad():
        return float((head(b).argmax(-1) == y_test).float().mean())


def probe_all(tower, pixels, lab) -> dict[str, float]:
    fit, test = pooled(tower, pixels, PROBE_FIT), pooled(tower, pixels, PROBE_TEST)
    fi, te = torch.tensor(list(PROBE_FIT)), torch.tensor(list(PROBE_TEST))
    n_cls = {"color": len(COLORS), "pattern": len(PATTERNS), "category": len(CATEGORIES)}
    return {k: round(linear_probe(fit, lab[k][fi], test, lab[k][te], n_cls[k]), 3) for k in ("color", "pattern", "category")}


def blur(x: torch.Tensor) -> torch.Tensor:
    k = torch.tensor([1.0, 2.0, 1.0]) / 4
    return F.conv2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), (k[:, None] * k[None, :]).expand(3, 1, 3, 3), groups=3)


def cmd_train(args) -> dict:
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    data = Path(args.data)
    lab = labels(load_records(data))
    pixels = load_pixels(data, args.size)
    if args.arch == "cnn":
        tower = SmallCNN(out=args.hidden)
    else:
        cfg = SiglipVisionConfig(hidden_size=args.hidden, intermediate_size=4 * args.hidden, num_hidden_layers=args.layers,
                                 num_attention_heads=args.heads, image_size=args.size, patch_size=args.patch,
                                 hidden_act="gelu_pytorch_tanh", layer_norm_eps=1e-6)
        tower = SiglipVisionModel(cfg)
    tasks = ["pattern"] if args.task == "pattern" else ["color", "pattern", "category"]
    n_cls = {"color": len(COLORS), "pattern": len(PATTERNS), "category": len(CATEGORIES)}
    heads = torch.nn.ModuleDict({t: torch.nn.Linear(args.hidden, n_cls[t]) for t in tasks})
    params = list(tower.parameters()) + list(heads.parameters())
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.05, betas=(0.9, 0.98))
    train_idx = torch.tensor(list(TRAIN))
    budget, t0, step = args.minutes * 60, time.time(), 0
    acc = {t: float("nan") for t in tasks}
    while (step < args.max_steps) if args.max_steps else (time.time() - t0 < budget):
        frac = step / args.max_steps if args.max_steps else (time.time() - t0) / budget
        for g in opt.param_groups:
            g["lr"] = args.lr * min(1.0, (step + 1) / 30) * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * frac)))
        idx = train_idx[torch.randint(len(train_idx), (args.batch,))].sort().values
        x = norm(pixels[idx.numpy()])
        if args.crop_p:  # train.py's augmentation (flip, mild random-resized crops, blur) as the SigLIP stages see it
            x = augment(x, rng, args.crop_p)
        else:
            flip = torch.rand(len(idx)) < 0.5
            x[flip] = x[flip].flip(-1)
        if args.blur and rng.random() < 0.3:  # train.py's augment(): blur a quarter of the batch 30 % of the time
            x[: len(idx) // 4] = blur(x[: len(idx) // 4])
        out = tower(pixel_values=x).pooler_output
        logits = {t: heads[t](out) for t in tasks}
        loss = sum(F.cross_entropy(logits[t], lab[t][idx]) for t in tasks) / len(tasks)
        for t in tasks:  # batch accuracy, smoothed: what the log says the tower sees
            a = float((logits[t].argmax(-1) == lab[t][idx]).float().mean())
            acc[t] = a if math.isnan(acc[t]) else 0.9 * acc[t] + 0.1 * a
        if args.aux_ii:
            e = F.normalize(out, dim=-1)
            ii = e @ e.t() * 10.0 - 5.0
            bk = lab["category"][idx]
            same = (bk[:, None] == bk[None, :]).float() * 2 - 1
            off = ~torch.eye(len(idx), dtype=torch.bool)
            loss = loss + args.aux_ii * (-F.logsigmoid(same * ii)[off].view(len(idx), -1).sum(-1).mean())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        step += 1
        if step % 25 == 0:
            accs = " ".join(f"{t}_acc={a:.3f}" for t, a in acc.items())
            print(f"step {step} t={time.time() - t0:.0f}s loss={loss.item():.4f} {accs}", flush=True)
    secs = time.time() - t0
    # accuracy of the trained head on the probe test images, then the linear probe of the frozen tower
    te = torch.tensor(list(PROBE_TEST))
    feats = pooled(tower, pixels, PROBE_TEST)
    head_acc = {t: round(float((heads[t](feats).argmax(-1) == lab[t][te]).float().mean()), 3) for t in tasks}
    if args.save:
        save_siglip(tower, heads, args)
    res = {"arch": args.arch, "patch": args.patch, "size": args.size, "hidden": args.hidden, "layers": args.layers,
           "tokens": (args.size // args.patch) ** 2 if args.arch != "cnn" else None, "task": args.task, "aux_ii": args.aux_ii,
           "blur": args.blur, "minutes": args.minutes, "steps": step, "batch": args.batch, "seconds": round(secs),
           "params": sum(p.numel() for p in tower.parameters()), "head_acc": head_acc, "probe": probe_all(tower, pixels, lab)}
    return res


def save_siglip(tower, heads, args) -> None:
    """The trained tower as the vision half of a SiglipModel checkpoint train.py can start from (`--init`): the text
    tower and the logit scale/bias freshly initialised as train.py would, the attribute heads as its aux_heads.pt."""
    sizes = argparse.Namespace(hidden=args.hidden, intermediate=4 * args.hidden, layers=args.layers, text_layers=2,
                               heads=args.heads, patch=args.patch, image_size=args.size)
    model = new_model(Tokenizer.from_file(args.tokenizer), sizes)
    model.vision_model.load_state_dict(tower.state_dict())
    Path(args.save).mkdir(parents=True, exist_ok=True)
    model.save_pretrained(args.save)
    torch.save(heads.state_dict(), Path(args.save) / "aux_heads.pt")
    print(f"saved the tower as a SiglipModel -> {args.save}", flush=True)


@torch.no_grad()
def cmd_randfeat(args) -> dict:
    torch.manual_seed(args.seed)
    data = Path(args.data)
    lab = labels(load_records(data))
    pixels = load_pixels(data, args.size)
    conv = torch.nn.Conv2d(3, args.hidden, args.patch, stride=args.patch)

    class Feat(torch.nn.Module):
        def forward(self, pixel_values):
            z = conv(pixel_values).flatten(2)  # (B, hidden, tokens)
            f = torch.cat([F.relu(z).mean(-1), z.pow(2).mean(-1)], dim=1)
            return type("O", (), {"pooler_output": f})()

    t0 = time.time()
    res = {"arch": "random-patch-features", "patch": args.patch, "size": args.size, "tokens": (args.size // args.patch) ** 2,
           "filters": args.hidden, "probe": probe_all(Feat(), pixels, lab)}
    res["seconds"] = round(time.time() - t0)
    return res


def cmd_probe(args) -> dict:
    data = Path(args.data)
    lab = labels(load_records(data))
    pixels = load_pixels(data, args.size)
    model = SiglipModel.from_pretrained(args.ckpt)
    return {"ckpt": args.ckpt, "size": args.size, "probe": probe_all(model.vision_model, pixels, lab)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["train", "probe", "randfeat"])
    ap.add_argument("--data", default=str(WORK / "train"))
    ap.add_argument("--ckpt", default="")
    ap.add_argument("--arch", choices=["vit", "cnn"], default="vit")
    ap.add_argument("--patch", type=int, default=32)
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--task", choices=["pattern", "all"], default="pattern")
    ap.add_argument("--aux-ii", type=float, default=0.0)
    ap.add_argument("--blur", action="store_true")
    ap.add_argument("--minutes", type=float, default=8.0)
    ap.add_argument("--max-steps", type=int, default=0, help="train exactly this many steps (schedule by steps, ignores --minutes)")
    ap.add_argument("--crop-p", type=float, default=0.0, help="train.py's augmentation with this crop probability (0: flips only)")
    ap.add_argument("--save", default="", help="train: save the tower as a SiglipModel checkpoint (vision half) for train.py --init")
    ap.add_argument("--tokenizer", default=str(WORK / "tokenizer.json"), help="with --save: the text tower's vocabulary")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", default="")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    res = {"train": cmd_train, "probe": cmd_probe, "randfeat": cmd_randfeat}[args.cmd](args)
    print(json.dumps(res), flush=True)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(res, indent=1) + "\n")


if __name__ == "__main__":
    main()
