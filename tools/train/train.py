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
from prepare_pixels import cache_name


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
        num_attention_heads=args.heads, num_channels=3, image_size=args.image_size, patch_size=args.patch,
        hidden_act="gelu_pytorch_tanh", layer_norm_eps=1e-6, attention_dropout=0.0,
    )
    return SiglipConfig(text_config=text, vision_config=vision)


def new_model(tok: Tokenizer, args) -> SiglipModel:
    """A randomly initialised SiglipModel for the tokenizer's vocabulary, with SigLIP's initial logit scale (10) and
    bias (-10). `args` carries the sizes make_config reads."""
    model = SiglipModel(make_config(tok.get_vocab_size(), tok.token_to_id("<pad>"), tok.token_to_id("</s>"), args))
    with torch.no_grad():
        model.logit_scale.fill_(math.log(10.0))
        model.logit_bias.fill_(-10.0)
    return model


def augment(x: torch.Tensor, rng: random.Random, crop_p: float = 0.0, blur_p: float = 0.3) -> torch.Tensor:
    """Light geometric augmentation on a normalized batch (B,3,S,S); no colour changes (colour is a label)."""
    b, size = x.shape[0], x.shape[-1]
    out = x.clone()
    flip = torch.rand(b) < 0.5
    out[flip] = out[flip].flip(-1)
    for i in range(b):
        if crop_p and rng.random() < crop_p:
            s = rng.uniform(0.8, 1.0)
            w = int(size * s)
            h = int(size * min(1.0, s * rng.uniform(0.9, 1.1)))
            x0 = rng.randint(0, size - w)
            y0 = rng.randint(0, size - h)
            crop = out[i : i + 1, :, y0 : y0 + h, x0 : x0 + w]
            out[i : i + 1] = F.interpolate(crop, size=(size, size), mode="bilinear", antialias=True, align_corners=False)
    if rng.random() < blur_p:  # slight blur / resampling noise on part of the batch
        k = torch.tensor([1.0, 2.0, 1.0]) / 4
        k2 = (k[:, None] * k[None, :]).expand(3, 1, 3, 3)
        sel = slice(0, b // 4)
        out[sel] = F.conv2d(F.pad(out[sel], (1, 1, 1, 1), mode="replicate"), k2, groups=3)
    return out


def heavy_view(img: torch.Tensor, rng: random.Random) -> torch.Tensor:
    """One strongly re-framed copy of a normalized (3,S,S) image: what a user's crop or screenshot looks like.

    Random-resized crop (35-85 % of the area, aspect 3:4..4:3), a window that cuts the object (55-80 % wide,
    70-100 % high, stretched back to square like the processor does), or a shift of 15-30 % with the uncovered
    side filled with the background colour (the mean of the image's corner pixels).
    """
    size = img.shape[-1]
    u = rng.random()
    if u < 0.4:
        area = rng.uniform(0.35, 0.85)
        ratio = math.exp(rng.uniform(math.log(3 / 4), math.log(4 / 3)))
        w = min(size, int(round(size * math.sqrt(area * ratio))))
        h = min(size, int(round(size * math.sqrt(area / ratio))))
    elif u < 0.7:
        w = int(size * rng.uniform(0.55, 0.8))
        h = int(size * rng.uniform(0.7, 1.0))
        if rng.random() < 0.5:
            w, h = h, w
    else:
        dx = int(size * rng.uniform(0.15, 0.3)) * rng.choice([-1, 1])
        dy = int(size * rng.uniform(0.15, 0.3)) * rng.choice([-1, 1])
        if rng.random() < 0.5:
            dx, dy = (dx, 0) if rng.random() < 0.5 else (0, dy)
        corners = torch.stack([img[:, :8, :8], img[:, :8, -8:], img[:, -8:, :8], img[:, -8:, -8:]]).mean(dim=(0, 2, 3))
        out = corners[:, None, None].expand_as(img).clone()
        ys, yd = (slice(0, size - dy), slice(dy, size)) if dy >= 0 else (slice(-dy, size), slice(0, size + dy))
        xs, xd = (slice(0, size - dx), slice(dx, size)) if dx >= 0 else (slice(-dx, size), slice(0, size + dx))
        out[:, yd, xd] = img[:, ys, xs]
        return out
    x0 = rng.randint(0, size - w)
    y0 = rng.randint(0, size - h)
    crop = img[None, :, y0 : y0 + h, x0 : x0 + w]
    return F.interpolate(crop, size=(size, size), mode="bilinear", antialias=True, align_corners=False)[0]


def hard_partners(records: list[dict], rng: random.Random) -> tuple[dict, dict]:
    """Indexes for hard negatives: (category, colour) -> {pattern: [i]} and (category, pattern) -> {colour: [i]}."""
    by_cc: dict = {}
    by_cp: dict = {}
    for i, r in enumerate(records):
        by_cc.setdefault((r["category"], r["color"]), {}).setdefault(r["pattern"], []).append(i)
        by_cp.setdefault((r["category"], r["pattern"]), {}).setdefault(r["color"], []).append(i)
    return by_cc, by_cp


def pick_partner(groups: dict, own: str, rng: random.Random) -> int | None:
    others = [k for k in groups if k != own]
    if not others:
        return None
    return rng.choice(groups[rng.choice(others)])


def fit_aux_heads(model, aux, pixels, col, pat, cat, rng_seed: int, n: int = 3072, steps: int = 300) -> None:
    """Starting from weights without the training-only heads (e.g. recovered from ONNX): fit them on frozen features
    first, so their random initial gradients do not disturb the embedding."""
    g = torch.Generator().manual_seed(rng_seed)
    idx = torch.randperm(pixels.shape[0], generator=g)[:n]
    model.eval()
    with torch.no_grad():
        feats = torch.cat([model.vision_model(pixel_values=pixels[idx[i : i + 128]].permute(0, 3, 1, 2).float().div(255).sub(0.5).div(0.5)).pooler_output
                           for i in range(0, n, 128)])
    model.train()
    opt = torch.optim.Adam(aux.parameters(), lr=1e-2)
    for _ in range(steps):
        loss = (F.cross_entropy(aux["color"](feats), col[idx]) + F.cross_entropy(aux["pattern"](feats), pat[idx]) + F.cross_entropy(aux["category"](feats), cat[idx])) / 3
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(f"fitted auxiliary heads on {n} frozen features: loss {loss.item():.4f}", flush=True)


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
    ap.add_argument("--heavy-frac", type=float, default=0.0, help="share of the --dup second views that are heavy re-framings (heavy_view)")
    ap.add_argument("--dup-nce", type=float, default=0.0, help="weight of the copy-finds-its-source InfoNCE term (second views vs all first views)")
    ap.add_argument("--nce-temp", type=float, default=0.05)
    ap.add_argument("--hard-groups", type=int, default=0, help="anchors per batch that bring a same-category/colour other-pattern and a same-category/pattern other-colour partner")
    ap.add_argument("--aux-sep", type=float, default=0.0, help="weight of the term that keeps same-category images differing in colour or pattern below --sep-margin cosine")
    ap.add_argument("--sep-margin", type=float, default=0.8)
    ap.add_argument("--text-rank", type=float, default=0.0, help="weight of the exact-match-first term: full captions of the --hard-groups rows ranked over the batch images")
    ap.add_argument("--rank-temp", type=float, default=0.05)
    ap.add_argument("--view-noise", type=float, default=0.0, help="max std of Gaussian noise (normalized units) added to second views, with a blur half the time")
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--patch", type=int, default=32)
    ap.add_argument("--image-size", type=int, default=224, help="vision input size (new models only; reads work/<data>/pixels<S>.npy)")
    ap.add_argument("--blur-p", type=float, default=0.3, help="probability per step that a quarter of the batch is mildly blurred")
    ap.add_argument("--aux-pattern", type=float, default=1.0, help="relative weight of the pattern head among the auxiliary heads")
    ap.add_argument("--stop-at", type=int, default=0, help="save and exit after this step without finishing the schedule (checks --resume)")
    ap.add_argument("--resume", action="store_true", help="continue an interrupted run from --out (model, optimizer, schedule position)")
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
    tok = Tokenizer.from_file(args.tokenizer)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    state_file = Path(args.out) / "train_state.pt"
    resume = args.resume and state_file.exists()
    if resume or args.init:  # continue a run, or start from a checkpoint (fine-tuning stage)
        model = SiglipModel.from_pretrained(args.out if resume else args.init)
        assert model.config.text_config.vocab_size == tok.get_vocab_size()
    else:
        model = new_model(tok, args)
    size = model.config.vision_config.image_size
    pixels = torch.from_numpy(np.load(data / cache_name(size)))  # (N,S,S,3) uint8
    n = len(records)
    assert pixels.shape[0] == n
    col = torch.tensor([COLORS.index(r["color"]) for r in records])
    pat = torch.tensor([PATTERNS.index(r["pattern"]) for r in records])
    cat = torch.tensor([CATEGORIES.index(r["category"]) for r in records])

    model.train()
    nparams = sum(p.numel() for p in model.parameters())
    print(f"params {nparams / 1e6:.2f}M  train images {n}", flush=True)

    # auxiliary heads (training only, not exported): dense supervision that speeds up learning the attributes
    aux = torch.nn.ModuleDict({"color": torch.nn.Linear(args.hidden, len(COLORS)), "pattern": torch.nn.Linear(args.hidden, len(PATTERNS)),
                               "category": torch.nn.Linear(args.hidden, len(CATEGORIES))})
    if resume:
        pass  # loaded with the optimizer state below
    elif args.init and (Path(args.init) / "aux_heads.pt").exists():
        aux.load_state_dict(torch.load(Path(args.init) / "aux_heads.pt"))
    elif args.init and args.aux_cls:
        fit_aux_heads(model, aux, pixels, col, pat, cat, args.seed)
    by_cc, by_cp = hard_partners(records, rng) if args.hard_groups else ({}, {})
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
    pacc_ema = float("nan")
    log = []
    if resume:
        st = torch.load(state_file, weights_only=False)
        # the weights come from the state file, not from model.safetensors: one file, replaced atomically, so the
        # weights, optimizer moments and schedule position always belong to the same step
        model.load_state_dict(st["model"])
        aux.load_state_dict(st["aux"])
        opt.load_state_dict(st["opt"])
        step, pos, perm, ema, log = st["step"], st["pos"], st["perm"], st["ema"], st["log"]
        pacc_ema = st.get("pacc_ema", pacc_ema)
        changed = {k: (v, vars(args).get(k)) for k, v in st.get("args", {}).items() if k not in ("resume", "stop_at", "save_every") and vars(args).get(k) != v}
        if changed:
            print(f"warning: resumed with other arguments than the run was started with (was, now): {changed}", flush=True)
        rng.setstate(st["rng"])
        torch.set_rng_state(st["torch_rng"])
        t0 = time.time() - st["elapsed"]
        print(f"resumed at step {step} ({st['elapsed']:.0f}s of training)", flush=True)

    def save() -> None:
        # train_state.pt first (atomic rename): a kill during the save_pretrained below leaves a resumable run
        torch.save({"model": model.state_dict(), "aux": aux.state_dict(), "opt": opt.state_dict(), "step": step, "pos": pos,
                    "perm": perm, "ema": ema, "pacc_ema": pacc_ema, "log": log, "rng": rng.getstate(),
                    "torch_rng": torch.get_rng_state(), "elapsed": time.time() - t0, "args": vars(args)}, str(state_file) + ".tmp")
        Path(str(state_file) + ".tmp").replace(state_file)
        model.save_pretrained(args.out)
        torch.save(aux.state_dict(), Path(args.out) / "aux_heads.pt")
        print(f"checkpoint: step {step} -> {args.out}", flush=True)

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
        n_rand = args.batch - n_dup - 3 * args.hard_groups
        uniq = perm[pos : pos + n_rand]
        pos += n_rand
        if args.hard_groups:
            # anchor + same category & colour in another pattern + same category & pattern in another colour, first in
            # the batch so the second views below include them: the negatives that differ in one attribute only
            hard = []
            for a in perm[pos : pos + args.hard_groups].tolist():
                r = records[a]
                p1 = pick_partner(by_cc[(r["category"], r["color"])], r["pattern"], rng)
                p2 = pick_partner(by_cp[(r["category"], r["pattern"])], r["color"], rng)
                hard += [a, p1 if p1 is not None else rng.randrange(n), p2 if p2 is not None else rng.randrange(n)]
            pos += args.hard_groups
            uniq = torch.cat([torch.tensor(hard), uniq])
        n_uniq = len(uniq)
        idx = torch.cat([uniq, uniq[:n_dup]])  # the last n_dup rows are second views of the first n_dup images

        x = pixels[idx].permute(0, 3, 1, 2).float().div_(255.0).sub_(0.5).div_(0.5)
        x = augment(x, rng, args.crop_p, args.blur_p)
        if n_dup:  # second views: a mild crop/aspect change (like near-duplicate crops), or a heavy re-framing
            x[-n_dup:] = augment(pixels[uniq[:n_dup]].permute(0, 3, 1, 2).float().div_(255.0).sub_(0.5).div_(0.5), rng, 1.0, args.blur_p)
            n_heavy = int(round(n_dup * args.heavy_frac))
            for j in range(n_dup - n_heavy, n_dup):
                x[n_uniq + j] = heavy_view(x[n_uniq + j], rng)
            if args.view_noise:
                # copies lose the fine sensor noise (re-encoding, resizing): the source must not be found through it
                v = x[n_uniq:]
                k = torch.tensor([1.0, 2.0, 1.0]) / 4
                blur = torch.rand(n_dup) < 0.5
                v[blur] = F.conv2d(F.pad(v[blur], (1, 1, 1, 1), mode="replicate"), (k[:, None] * k[None, :]).expand(3, 1, 3, 3), groups=3)
                v += torch.randn_like(v) * torch.rand(n_dup, 1, 1, 1) * args.view_noise
                x[n_uniq:] = v
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
        pacc = float("nan")
        if args.aux_cls:
            pooled = model_img_raw
            pacc = (aux["pattern"](pooled).argmax(-1) == bp).float().mean().item()  # logged: does the tower see the pattern?
            loss = loss + args.aux_cls * (F.cross_entropy(aux["color"](pooled), bc) + args.aux_pattern * F.cross_entropy(aux["pattern"](pooled), bp)
                                          + F.cross_entropy(aux["category"](pooled), bk)) / 3
        if args.aux_ii:
            # image-image: same category => positive (cos pushed above 0.5), other categories negative
            ii = img @ img.t() * 10.0 - 5.0
            same = (bk[:, None] == bk[None, :]).float() * 2 - 1
            off = ~torch.eye(len(idx), dtype=torch.bool)
            loss = loss + args.aux_ii * (-F.logsigmoid(same * ii)[off].view(len(idx), -1).sum(-1).mean())

        if n_dup:
            # near-duplicate consistency: two views of one image should have cosine well above 0.9 (light views only;
            # a heavy re-framing is not expected to be a near-identical vector, only to find its source first)
            n_light = n_dup - int(round(n_dup * args.heavy_frac))
            cos_dup = (img[:n_light] * img[n_uniq : n_uniq + n_light]).sum(-1)
            if n_light:
                loss = loss + args.aux_dup * (-F.logsigmoid(20.0 * (cos_dup - 0.95))).mean()
            if args.dup_nce:
                # every second view must be closer to its own source than to any other image in the batch
                nce = img[n_uniq:] @ img[:n_uniq].t() / args.nce_temp
                loss = loss + args.dup_nce * F.cross_entropy(nce, torch.arange(n_dup))
        if args.text_rank and args.hard_groups:
            # full captions ("red striped t-shirt" and paraphrases) of the anchors and their one-attribute-off
            # partners: the exact matches must outrank every other image in the batch, partners included
            rows = list(range(3 * args.hard_groups))
            caps = []
            for i in rows:
                while True:
                    t, c = sample_text(records[int(idx[i])], rng)
                    if None not in c:
                        break
                caps.append(t)
            tid = torch.tensor([e.ids for e in tok.encode_batch(caps)], dtype=torch.long)
            th = F.normalize(model.text_model(input_ids=tid).pooler_output, dim=-1)
            rl = th @ img[:n_uniq].t() / args.rank_temp
            rows_t = torch.tensor(rows)
            exact = (bc[rows_t][:, None] == bc[None, :n_uniq]) & (bp[rows_t][:, None] == bp[None, :n_uniq]) & (bk[rows_t][:, None] == bk[None, :n_uniq])
            loss = loss + args.text_rank * (torch.logsumexp(rl, -1) - torch.logsumexp(rl.masked_fill(~exact, -1e4), -1)).mean()
        if args.aux_sep:
            # same category but another colour or pattern: keep below the margin, so one attribute changes the vector
            u = img[:n_uniq]
            cu, pu, ku = bc[:n_uniq], bp[:n_uniq], bk[:n_uniq]
            differ = (ku[:, None] == ku[None, :]) & ((cu[:, None] != cu[None, :]) | (pu[:, None] != pu[None, :]))
            if differ.any():
                loss = loss + args.aux_sep * (-F.logsigmoid(20.0 * (args.sep_margin - (u @ u.t())[differ]))).mean()

        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        ema = loss_siglip.item() if ema is None else 0.95 * ema + 0.05 * loss_siglip.item()
        pacc_ema = pacc if step == 1 or not math.isfinite(pacc_ema) else 0.95 * pacc_ema + 0.05 * pacc
        if step % 20 == 0 or step == 1:
            msg = f"step {step} t={elapsed:6.0f}s lr={lr:.2e} loss={loss.item():.4f} siglip={loss_siglip.item():.4f} ema={ema:.4f} pattern_acc={pacc_ema:.3f} scale={model.logit_scale.exp().item():.2f} bias={model.logit_bias.item():.2f}"
            print(msg, flush=True)
            log.append({"step": step, "t": round(elapsed, 1), "loss": round(loss.item(), 5), "ema": round(ema, 5), "pattern_acc": round(pacc_ema, 3)})
        if time.time() - last_save > args.save_every:
            save()
            last_save = time.time()
        if args.stop_at and step >= args.stop_at:
            save()
            print(f"stopped at step {step} (--stop-at); continue with --resume", flush=True)
            return

    save()
    info = {"steps": step, "seconds": round(time.time() - t0, 1), "image_size": size, "final_loss_ema": ema, "batch": args.batch,
            "images_seen": step * args.batch, "params": nparams, "args": vars(args), "log": log}
    with open(Path(args.out) / "train_log.json", "w") as f:
        json.dump(info, f, indent=1)
    print(f"done: {step} steps in {info['seconds']}s, final loss ema {ema:.4f}", flush=True)


if __name__ == "__main__":
    main()
