"""Trains Pakar Demo, the tiny GLM-4.5-style MoE with an MTP block that ships in public/models/, on CPU.

    /usr/bin/python3 scripts/train-demo/train.py --out .cache/train-demo --minutes 50

Debian's python3-torch (`apt-get install -y python3-torch`) belongs to /usr/bin/python3; a
pyenv `python3` on PATH will not see it. Every run resumes from OUT/checkpoint.pt when it
exists (model, optimiser, step, data RNG), logs JSON lines to OUT/train.log, evaluates the
held-out prompts (data.heldout) every --eval-every steps, and writes the export that
export.ts turns into a GGUF: OUT/export/{tensors.bin, tensors.json, tokenizer.json}.
"""

import argparse
import json
import math
import os
import random
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
import bpe  # noqa: E402
import data  # noqa: E402
from model import Config, Glm4Moe  # noqa: E402

N_MERGES = 253  # 256 bytes + 253 merges + 3 control tokens = 512 tokens
# DeepSeek-V3: the MTP loss weighs 0.3 (first 10T tokens); the selection bias moves 0.001 a step.
MTP_WEIGHT = 0.3
BIAS_RATE = 1e-3


def load_or_train_tokenizer(out: str) -> bpe.Tokenizer:
    path = os.path.join(out, "merges.json")
    if os.path.exists(path):
        with open(path) as f:
            return bpe.Tokenizer([tuple(m) for m in json.load(f)])
    rng = random.Random(7)
    texts = [data.render_chat(*data.sample(rng)[:2]) for _ in range(20000)]
    merges = bpe.train(texts, N_MERGES)
    with open(path, "w") as f:
        json.dump(merges, f)
    return bpe.Tokenizer(merges)


def batch(tok: bpe.Tokenizer, rng: random.Random, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Padded tokens [n, T] and targets (−100 except on the answer and its <|im_end|>)."""
    pad = tok.special("<|endoftext|>")
    seqs, starts = [], []
    # A quarter of the batches follow up an earlier turn, so that answers hold in a running
    # conversation; whole batches, so that short examples are not padded to long ones.
    follow_up = rng.random() < 0.25
    for _ in range(n):
        q, a, _ = data.sample(rng)
        history = [data.sample(rng)[:2]] if follow_up else []
        prompt = tok.encode(data.render_chat(q, history=history))
        seqs.append(prompt + tok.encode(a + "<|im_end|>"))
        starts.append(len(prompt))
    t = max(map(len, seqs))
    x = torch.full((n, t), pad, dtype=torch.long)
    y = torch.full((n, t), -100, dtype=torch.long)
    for i, (s, p) in enumerate(zip(seqs, starts)):
        x[i, : len(s)] = torch.tensor(s)
        y[i, p - 1 : len(s) - 1] = torch.tensor(s[p:])
    return x, y


@torch.no_grad()
def greedy(model: Glm4Moe, tok: bpe.Tokenizer, prompt: str, max_new: int = 48) -> str:
    ids = tok.encode(data.render_chat(prompt))
    end = tok.special("<|im_end|>")
    out: list[int] = []
    for _ in range(max_new):
        logits, _, _ = model(torch.tensor([ids + out]))
        nxt = int(logits[0, -1].argmax())
        if nxt == end:
            break
        out.append(nxt)
    return tok.decode(out)


def evaluate(model: Glm4Moe, tok: bpe.Tokenizer) -> dict:
    model.eval()
    per: dict[str, list[int]] = {}
    for ex in data.heldout():
        ok = greedy(model, tok, ex["prompt"]) == ex["answer"]
        per.setdefault(ex["category"], []).append(int(ok))
    # How often the MTP block's top token is the answer's token after next, given the true
    # prefix: about the acceptance a one-token MTP draft gets on these answers.
    hits = total = 0
    with torch.no_grad():
        for ex in data.heldout():
            prompt = tok.encode(data.render_chat(ex["prompt"]))
            ids = prompt + tok.encode(ex["answer"] + "<|im_end|>")
            _, mtp, _ = model(torch.tensor([ids]), with_mtp=True)
            guess = mtp[0].argmax(-1)  # position i guesses ids[i + 2]
            for i in range(len(prompt) - 1, len(ids) - 2):
                hits += int(guess[i]) == ids[i + 2]
                total += 1
    model.train()
    allv = [v for vs in per.values() for v in vs]
    return {"accuracy": sum(allv) / len(allv), **{k: round(sum(v) / len(v), 3) for k, v in per.items()}, "mtp_top1": round(hits / total, 3)}


def export(model: Glm4Moe, tok: bpe.Tokenizer, out: str) -> None:
    """tensors.bin: f32 little-endian, tensors in tensors.json order; dims are GGUF's (reversed)."""
    d = os.path.join(out, "export")
    os.makedirs(d, exist_ok=True)
    entries, offset = [], 0
    with open(os.path.join(d, "tensors.bin"), "wb") as f:
        for name, t in model.named_gguf_tensors().items():
            b = t.to(torch.float32).contiguous().numpy().tobytes()
            entries.append({"name": name, "dims": list(reversed(t.shape)), "offset": offset})
            f.write(b)
            offset += len(b)
    with open(os.path.join(d, "tensors.json"), "w") as f:
        json.dump({"config": model.c.dict(), "tensors": entries}, f, indent=1)
    # PyTorch's logits (and the MTP block's, which at i read h_i and token i+1) at every position
    # of a few prompts: check.ts compares our CPU reference.
    model.eval()
    with torch.no_grad():
        probes = []
        for e in data.heldout()[::20]:
            ids = tok.encode(data.render_chat(e["prompt"], e["answer"]))
            logits, mtp, _ = model(torch.tensor([ids]), with_mtp=True)
            probes.append({"ids": ids, "logits": logits[0].tolist(), "mtpLogits": mtp[0].tolist()})
    model.train()
    with open(os.path.join(d, "probes.json"), "w") as f:
        json.dump(probes, f)
    with open(os.path.join(d, "tokenizer.json"), "w") as f:
        # checks: texts with the ids they trained as; export.ts requires our tokenizer to agree.
        rng = random.Random(99)
        texts = [data.render_chat(*data.sample(rng)[:2]) for _ in range(300)] + [data.render_chat(e["prompt"]) for e in data.heldout()]
        checks = [{"text": t, "ids": tok.encode(t)} for t in texts]
        json.dump({"tokens": tok.tokens, "merges": [f"{a} {b}" for a, b in tok.merges], "specials": bpe.SPECIALS, "checks": checks}, f)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=".cache/train-demo")
    ap.add_argument("--minutes", type=float, default=50, help="stop after this much wall time (this run)")
    ap.add_argument("--steps", type=int, default=6000, help="length of the LR schedule")
    ap.add_argument("--batch", type=int, default=48)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--eval-every", type=int, default=250)
    ap.add_argument("--threads", type=int, default=1, help="1: OpenMP spin-waits make 2 threads 10x slower on a loaded 2-core machine")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    tok = load_or_train_tokenizer(a.out)
    cfg = Config(n_vocab=len(tok.tokens))
    model = Glm4Moe(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, betas=(0.9, 0.98), weight_decay=0.01)
    step, rng = 0, random.Random(a.seed)
    ckpt = os.path.join(a.out, "checkpoint.pt")
    if os.path.exists(ckpt):
        s = torch.load(ckpt, weights_only=False)
        model.load_state_dict(s["model"])
        opt.load_state_dict(s["opt"])
        step = s["step"]
        rng.setstate(s["rng"])
    log = open(os.path.join(a.out, "train.log"), "a")
    n_params = sum(p.numel() for p in model.parameters())
    print(json.dumps({"params": n_params, "step": step, "config": cfg.dict()}), file=log, flush=True)

    def save() -> None:
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "step": step, "rng": rng.getstate()}, ckpt + ".tmp")
        os.replace(ckpt + ".tmp", ckpt)

    t0 = time.time()
    while step < a.steps and time.time() - t0 < a.minutes * 60:
        lr = a.lr * min(1, (step + 1) / 100) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / a.steps)))
        for g in opt.param_groups:
            g["lr"] = lr
        x, y = batch(tok, rng, a.batch)
        logits, mtp_logits, aux = model(x, with_mtp=True)
        loss = F.cross_entropy(logits.reshape(-1, cfg.n_vocab), y.reshape(-1), ignore_index=-100)
        # The MTP block at i predicts token i+2: the trunk's target at i+1.
        mtp_loss = F.cross_entropy(mtp_logits.reshape(-1, cfg.n_vocab), y[:, 1:].reshape(-1), ignore_index=-100)
        opt.zero_grad(set_to_none=True)
        (loss + MTP_WEIGHT * mtp_loss + 0.01 * aux).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        model.update_selection_bias(BIAS_RATE)
        step += 1
        if step % 25 == 0:
            print(json.dumps({"step": step, "loss": round(loss.item(), 4), "mtp": round(mtp_loss.item(), 4), "aux": round(aux.item(), 3), "lr": lr, "min": round((time.time() - t0) / 60, 2)}), file=log, flush=True)
        if step % a.eval_every == 0:
            print(json.dumps({"step": step, "eval": evaluate(model, tok)}), file=log, flush=True)
            save()
    print(json.dumps({"step": step, "eval": evaluate(model, tok), "done": True, "min": round((time.time() - t0) / 60, 2)}), file=log, flush=True)
    save()
    # The final weights, whatever the held-out scores along the way: choosing the best evaluated
    # checkpoint would pick on the very prompts the accuracy is then reported on.
    export(model, tok, a.out)


if __name__ == "__main__":
    main()
