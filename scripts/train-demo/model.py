"""Qwen3-MoE in PyTorch, the same math as our CPU reference (workers/engine/model/archs/qwen3moe.ts,
workers/engine/cpu/blocks.ts) and llama.cpp's qwen3moe, so the exported GGUF behaves as trained:
RMSNorm (eps inside the sqrt, weight after), per-head QK RMSNorm, NEOX RoPE, causal softmax
attention with GQA, softmax router, top-k weights renormalised to sum 1, SiLU-gated experts.

Parameter names are the GGUF tensor names; shapes are PyTorch's [rows, cols] = GGUF dims reversed.
"""

import math
from dataclasses import dataclass, asdict

import torch
import torch.nn.functional as F


@dataclass
class Config:
    n_vocab: int = 512
    n_embd: int = 128
    n_layer: int = 4
    n_head: int = 4
    n_head_kv: int = 2
    head_dim: int = 32
    n_expert: int = 8
    n_expert_used: int = 2
    n_ff: int = 128
    n_ctx: int = 256
    rope_base: float = 10000.0
    rms_eps: float = 1e-6

    def dict(self) -> dict:
        return asdict(self)


def rms_norm(x: torch.Tensor, w: torch.Tensor, eps: float) -> torch.Tensor:
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rope_neox(x: torch.Tensor, base: float) -> torch.Tensor:
    """x: [B, H, T, D]; rotates pairs (k, k + D/2) by pos · base^(−2k/D)."""
    _, _, t, d = x.shape
    half = d // 2
    inv = base ** (-torch.arange(half, dtype=torch.float64) * 2 / d)
    ang = torch.arange(t, dtype=torch.float64)[:, None] * inv[None, :]
    cos, sin = ang.cos().to(x.dtype), ang.sin().to(x.dtype)
    x0, x1 = x[..., :half], x[..., half:]
    return torch.cat([x0 * cos - x1 * sin, x0 * sin + x1 * cos], dim=-1)


class Qwen3Moe(torch.nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.c = c
        p = {}
        std = 0.02
        p["token_embd.weight"] = torch.randn(c.n_vocab, c.n_embd) * 0.5
        for il in range(c.n_layer):
            b = f"blk.{il}."
            qd, kvd = c.n_head * c.head_dim, c.n_head_kv * c.head_dim
            p[b + "attn_norm.weight"] = torch.ones(c.n_embd)
            p[b + "attn_q.weight"] = torch.randn(qd, c.n_embd) / math.sqrt(c.n_embd)
            p[b + "attn_k.weight"] = torch.randn(kvd, c.n_embd) / math.sqrt(c.n_embd)
            p[b + "attn_v.weight"] = torch.randn(kvd, c.n_embd) / math.sqrt(c.n_embd)
            p[b + "attn_q_norm.weight"] = torch.ones(c.head_dim)
            p[b + "attn_k_norm.weight"] = torch.ones(c.head_dim)
            p[b + "attn_output.weight"] = torch.randn(c.n_embd, qd) * std / math.sqrt(2 * c.n_layer)
            p[b + "ffn_norm.weight"] = torch.ones(c.n_embd)
            p[b + "ffn_gate_inp.weight"] = torch.randn(c.n_expert, c.n_embd) * std
            p[b + "ffn_gate_exps.weight"] = torch.randn(c.n_expert, c.n_ff, c.n_embd) / math.sqrt(c.n_embd)
            p[b + "ffn_up_exps.weight"] = torch.randn(c.n_expert, c.n_ff, c.n_embd) / math.sqrt(c.n_embd)
            p[b + "ffn_down_exps.weight"] = torch.randn(c.n_expert, c.n_embd, c.n_ff) * std / math.sqrt(2 * c.n_layer)
        p["output_norm.weight"] = torch.ones(c.n_embd)
        p["output.weight"] = torch.randn(c.n_vocab, c.n_embd) * std
        self.p = torch.nn.ParameterDict({k.replace(".", "/"): torch.nn.Parameter(v) for k, v in p.items()})

    def w(self, name: str) -> torch.Tensor:
        return self.p[name.replace(".", "/")]

    def named_gguf_tensors(self) -> dict[str, torch.Tensor]:
        return {k.replace("/", "."): v.detach() for k, v in self.p.items()}

    def attention(self, x: torch.Tensor, il: int) -> torch.Tensor:
        c, b = self.c, f"blk.{il}."
        B, T, _ = x.shape
        q = (x @ self.w(b + "attn_q.weight").T).view(B, T, c.n_head, c.head_dim)
        k = (x @ self.w(b + "attn_k.weight").T).view(B, T, c.n_head_kv, c.head_dim)
        v = (x @ self.w(b + "attn_v.weight").T).view(B, T, c.n_head_kv, c.head_dim)
        q = rms_norm(q, self.w(b + "attn_q_norm.weight"), c.rms_eps).transpose(1, 2)
        k = rms_norm(k, self.w(b + "attn_k_norm.weight"), c.rms_eps).transpose(1, 2)
        q, k = rope_neox(q, c.rope_base), rope_neox(k, c.rope_base)
        g = c.n_head // c.n_head_kv
        k = k.repeat_interleave(g, dim=1)  # head h reads kv head h // g, as the reference
        v = v.transpose(1, 2).repeat_interleave(g, dim=1)
        # Debian's torch 1.13 has no scaled_dot_product_attention: softmax(q·kᵀ/√d + causal mask)·v.
        s = (q @ k.transpose(-1, -2)) / math.sqrt(c.head_dim)
        s = s.masked_fill(torch.ones(T, T, dtype=torch.bool).triu(1), float("-inf"))
        o = torch.softmax(s, dim=-1) @ v
        return o.transpose(1, 2).reshape(B, T, -1) @ self.w(b + "attn_output.weight").T

    def moe(self, x: torch.Tensor, il: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Returns the expert mix and the load-balancing loss (Switch Transformer's)."""
        c, b = self.c, f"blk.{il}."
        shape = x.shape
        x = x.reshape(-1, c.n_embd)
        probs = torch.softmax(x @ self.w(b + "ffn_gate_inp.weight").T, dim=-1)  # [N, E]
        top_w, top_e = probs.topk(c.n_expert_used, dim=-1)  # ties: lower id first, as the reference
        top_w = top_w / top_w.sum(-1, keepdim=True).clamp_min(6.103515625e-5)
        gate, up, down = (self.w(b + n) for n in ("ffn_gate_exps.weight", "ffn_up_exps.weight", "ffn_down_exps.weight"))
        y = torch.zeros_like(x)
        for e in range(c.n_expert):
            rows, slot = (top_e == e).nonzero(as_tuple=True)
            if rows.numel() == 0:
                continue
            h = x[rows]
            f = (F.silu(h @ gate[e].T) * (h @ up[e].T)) @ down[e].T
            y.index_add_(0, rows, f * top_w[rows, slot, None])
        frac = torch.zeros(c.n_expert).index_add_(0, top_e.reshape(-1), torch.ones(top_e.numel())) / top_e.numel()
        aux = c.n_expert * (frac * probs.mean(0)).sum()
        return y.view(shape), aux

    def forward(self, tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """tokens [B, T] from position 0 → logits [B, T, V], mean load-balancing loss."""
        c = self.c
        x = self.w("token_embd.weight")[tokens]
        aux = x.new_zeros(())
        for il in range(c.n_layer):
            b = f"blk.{il}."
            x = x + self.attention(rms_norm(x, self.w(b + "attn_norm.weight"), c.rms_eps), il)
            f, a = self.moe(rms_norm(x, self.w(b + "ffn_norm.weight"), c.rms_eps), il)
            x = x + f
            aux = aux + a
        x = rms_norm(x, self.w("output_norm.weight"), c.rms_eps)
        return x @ self.w("output.weight").T, aux / c.n_layer
