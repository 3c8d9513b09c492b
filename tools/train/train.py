"""Train a tiny SigLIP (HF SiglipModel) on the synthetic catalog with the sigmoid loss.

The loss is SigLIP's pairwise sigmoid loss; captions that only name part of the attributes
("red mug", "striped t-shirt") are treated as positives for every image in the batch they describe
(multi-positive labels), full captions only for images with the same colour+pattern+category.
Training is time-budgeted: the cosine learning-rate schedule runs over --minutes of wall-clock.
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
from tokenizers import Tokenizer
from transformers import SiglipConfig, SiglipModel

from common import CATEGORIES, COLORS, MAX_LEN, PATTERNS, WORK, load_records, sample_text


def make_config(vocab_size: int, pad_id: int, eos_id: int, args) -> SiglipConfig:
    h = args.hidden
    text = dict(
        vocab_size=vocab_size, hidden_size=h, intermediate_size=args.intermediate, num_hidden_layers=args.text_layers,
        num_attention_heads=args.heads, max_position_embeddings=MAX_LEN, projection_size=h,
        pad_token_id=pad_id, bos_token_id=eos_id, eos_token_id=eos_id, hidden_act="gelu_pytorch_tanh",
        layer_norm_eps=1e-6, attention_dropout=0.0,
    )
    vision = dict(
        hidden_size=h, intermediate_size=args.intermediate, num_hidden_layers=args.layers,
        num_attention_heads=args.heads, num_channels=3, image_size=224, patch_size=args.patch,
        hidden_act="gelu_pytorch_tanh", layer_norm_eps=1e-6, attention_dropout=0.0,
    )
    return SiglipConfig(text_config=text, vision_config=vision)


def augment(x: torch.Tensor, rng: random.Random, crop_p: float = 0.0) -> torch.Tensor:
    """Light geometric augmentation on a normalized batch (B,3,224,224); no colour changes (colour is a label)."""
    b = x.shape[0]
    out = x.clone()
    flip = torch.rand(b) < 0.5
    out[flip] = out[flip].flip(-1)
    for i in range(b):
        if crop_p and rng.random() < crop_p:
            s = rng.uniform(0.8, 1.0)
            w = int(224 * s)
            h = int(224 * min(1.0, s * rng.uniform(0.9, 1.1)))
            x0 = rng.randint(0, 224 - w)
            y0 = rng.randint(0, 224 - h)
            crop = out[i : i + 1, :, y0 : y0 + h, x0 : x0 + w]
            out[i : i + 1] = F.interpolate(crop, size=(224, 224), mode="bilinear", antialias=True, align_corners=False)
    if rng.random() < 0.3:  # slight blur / resampling noise on part of the batch
        k = torch.tensor([1.0, 2.0, 1.0]) / 4
        k2 = (k[:, None] * k[None, :]).expand(3, 1, 3, 3)
        sel = slice(0, b // 4)
        out[sel] = F.conv2d(F.pad(out[sel], (1, 1, 1, 1), mode="replicate"), k2, groups=3)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(WORK / "train"))
    ap.add_argument("--tokenizer", default=str(WORK / "tokenizer.json"))
    ap.add_argument("--out", default=str(WORK / "ckpt"))
    ap.add_argument("--minutes", type=float, default=25.0)
    ap.add_argument("--max-steps", type=int, default=0, help="train exactly this many steps (schedule by steps, ignores --minutes)")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--intermediate", type=int, default=512)
    ap.add_argument("--layers", type=int, default=4, help="vision layers")
    ap.add_argument("--text-layers", type=int, default=2)
    ap.add_argument("--crop-p", type=float, default=0.0, help="probability of a mild random-resized crop per image")
    ap.add_argument("--aux-cls", type=float, default=1.0, help="weight of auxiliary colour/pattern/category heads on the image embedding")
    ap.add_argument("--dup", type=int, default=0, help="rows per batch that are a second (cropped) view of another row")
    ap.add_argument("--aux-dup", type=float, default=2.0, help="weight of the near-duplicate view-consistency term")
    ap.add_argument("--aux-ii", type=float, default=0.2, help="weight of the image-image same-category sigmoid loss")
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--patch", type=int, default=32)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--init", default="", help="start from this checkpoint instead of random init")
    ap.add_argument("--save-every", type=float, default=150.0, help="seconds between checkpoints")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)

    data = Path(args.data)
    records = load_records(data)
    pixels = torch.from_numpy(np.load(data / "pixels224.npy"))  # (N,224,224,3) uint8
    n = len(records)
    assert pixels.shape[0] == n
    col = torch.tensor([COLORS.index(r["color"]) for r in records])
    pat = torch.tensor([PATTERNS.index(r["pattern"]) for r in records])
    cat = torch.tensor([CATEGORIES.index(r["category"]) for r in records])

    tok = Tokenizer.from_file(args.tokenizer)
    config = make_config(tok.get_vocab_size(), tok.token_to_id("<pad>"), tok.token_to_id("</s>"), args)
    if args.init:  # continue from a checkpoint (fine-tuning stage)
        model = SiglipModel.from_pretrained(args.init)
        assert model.config.text_config.vocab_size == tok.get_vocab_size()
    else:
        model = SiglipModel(config)
        with torch.no_grad():
            model.logit_scale.fill_(math.log(10.0))
            model.logit_bias.fill_(-10.0)
    model.train()
    nparams = sum(p.numel() for p in model.parameters())
    print(f"params {nparams / 1e6:.2f}M  train images {n}", flush=True)

    # auxiliary heads (training only, not exported): dense supervision that speeds up learning the attributes
    aux = torch.nn.ModuleDict({"color": torch.nn.Linear(args.hidden, len(COLORS)), "pattern": torch.nn.Linear(args.hidden, len(PATTERNS)),
                               "category": torch.nn.Linear(args.hidden, len(CATEGORIES))})
    if args.init and (Path(args.init) / "aux_heads.pt").exists():
        aux.load_state_dict(torch.load(Path(args.init) / "aux_heads.pt"))
    decay, no_decay = list(aux.parameters()), []
    for name, p in model.named_parameters():
        (no_decay if p.ndim < 2 or "logit" in name or "norm" in name or "embedding" in name else decay).append(p)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.98), eps=1e-6)

    budget = args.minutes * 60
    t0 = time.time()
    perm = torch.randperm(n)
    pos = 0
    step = 0
    ema = None
    log = []
    last_save = time.time()
    while True:
        elapsed = time.time() - t0
        # schedule over wall-clock by default; over steps when --max-steps is given (reproducible step counts)
        frac = step / args.max_steps if args.max_steps else elapsed / budget
        if frac >= 1.0:
            break
        lr = args.lr * min(1.0, (step + 1) / args.warmup) * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * min(1.0, frac))))
        for g in opt.param_groups:
            g["lr"] = lr
        if pos + args.batch > n:
            perm = torch.randperm(n)
            pos = 0
        n_dup = args.dup if args.dup else 0
        uniq = perm[pos : pos + args.batch - n_dup]
        pos += args.batch - n_dup
        idx = torch.cat([uniq, uniq[:n_dup]])  # the last n_dup rows are second views of the first n_dup images

        x = pixels[idx].permute(0, 3, 1, 2).float().div_(255.0).sub_(0.5).div_(0.5)
        x = augment(x, rng, args.crop_p)
        if n_dup:  # second views: always a mild crop/aspect change (like near-duplicate crops), plus flip/blur
            x[-n_dup:] = augment(pixels[uniq[:n_dup]].permute(0, 3, 1, 2).float().div_(255.0).sub_(0.5).div_(0.5), rng, 1.0)
        texts, cons = [], []
        for i in idx.tolist():
            t, c = sample_text(records[i], rng)
            texts.append(t)
            cons.append(c)
        ids = torch.tensor([e.ids for e in tok.encode_batch(texts)], dtype=torch.long)
        # labels[i, j] = 1 if image i satisfies text j's constraints
        lab = torch.ones(len(idx), len(idx), dtype=torch.bool)
        bc, bp, bk = col[idx], pat[idx], cat[idx]
        for j, (c, p, k) in enumerate(cons):
            if c is not None:
                lab[:, j] &= bc == COLORS.index(c)
            if p is not None:
                lab[:, j] &= bp == PATTERNS.index(p)
            if k is not None:
                lab[:, j] &= bk == CATEGORIES.index(k)

        img = model.vision_model(pixel_values=x).pooler_output
        model_img_raw = img
        txt = model.text_model(input_ids=ids).pooler_output
        img = F.normalize(img, dim=-1)
        txt = F.normalize(txt, dim=-1)
        logits = img @ txt.t() * model.logit_scale.exp() + model.logit_bias
        sign = lab.float() * 2 - 1
        loss_siglip = -F.logsigmoid(sign * logits).sum(dim=-1).mean()
        loss = loss_siglip
        if args.aux_cls:
            pooled = model_img_raw
            loss = loss + args.aux_cls * (F.cross_entropy(aux["color"](pooled), bc) + F.cross_entropy(aux["pattern"](pooled), bp)
                                          + F.cross_entropy(aux["category"](pooled), bk)) / 3
        if args.aux_ii:
            # image-image: same category => positive (cos pushed above 0.5), other categories negative
            ii = img @ img.t() * 10.0 - 5.0
            same = (bk[:, None] == bk[None, :]).float() * 2 - 1
            off = ~torch.eye(len(idx), dtype=torch.bool)
            loss = loss + args.aux_ii * (-F.logsigmoid(same * ii)[off].view(len(idx), -1).sum(-1).mean())

        if n_dup:
            # near-duplicate consistency: two views of one image should have cosine well above 0.9
            cos_dup = (img[:n_dup] * img[-n_dup:]).sum(-1)
            loss = loss + args.aux_dup * (-F.logsigmoid(20.0 * (cos_dup - 0.95))).mean()

        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        ema = loss_siglip.item() if ema is None else 0.95 * ema + 0.05 * loss_siglip.item()
        if step % 20 == 0 or step == 1:
            msg = f"step {step} t={elapsed:6.0f}s lr={lr:.2e} loss={loss.item():.4f} siglip={loss_siglip.item():.4f} ema={ema:.4f} scale={model.logit_scale.exp().item():.2f} bias={model.logit_bias.item():.2f}"
            print(msg, flush=True)
            log.append({"step": step, "t": round(elapsed, 1), "loss": round(loss.item(), 5), "ema": round(ema, 5)})
        if time.time() - last_save > args.save_every:
            model.save_pretrained(args.out)
            last_save = time.time()

    model.save_pretrained(args.out)
    torch.save(aux.state_dict(), Path(args.out) / "aux_heads.pt")
    info = {"steps": step, "seconds": round(time.time() - t0, 1), "final_loss_ema": ema, "batch": args.batch,
            "images_seen": step * args.batch, "params": nparams, "args": vars(args), "log": log}
    with open(Path(args.out) / "train_log.json", "w") as f:
        json.dump(info, f, indent=1)
    print(f"done: {step} steps in {info['seconds']}s, final loss ema {ema:.4f}", flush=True)


if __name__ == "__main__":
    main()
