"""GLM-4.5-style MoE (glm4moe) with one multi-token-prediction block, in PyTorch: the math of our
CPU reference (workers/engine/model/archs/glm4moe.ts, reference/cpu/) and of llama.cpp's glm4-moe
graph and graph_mtp, so the exported GGUF behaves as trained.

Trunk: RMSNorm (eps inside the sqrt, weight after), q/k/v biases, per-head QK RMSNorm, NEOX RoPE,
causal softmax attention with GQA, sigmoid router whose exp_probs_b bias steers the choice only,
the chosen scores renormalised to sum 1, SiLU-gated experts plus one shared expert.

MTP block (blk.<n_layer>, DeepSeek-V3's module, llama.cpp's NextN layout): at position i it joins
the trunk's normalised final state h_i (after output_norm, as llama.cpp feeds it) and the
embedding of token i+1, each RMS-normalised (hnorm, enorm), through eh_proj, runs one more
decoder block, normalises with shared_head_norm and predicts token i+2 with the trunk's output
head. Embeddings and head are shared with the trunk.

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


class Glm4Moe(torch.nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.c = c
        p = {}
        std = 0.02
        p["token_embd.weight"] = torch.randn(c.n_vocab, c.n_embd) * 0.5
        for il in range(c.n_layer + 1):  # the last block is the MTP block
            b = f"blk.{il}."
            qd, kvd = c.n_head * c.head_dim, c.n_head_kv * c.head_dim
            p[b + "attn_norm.weight"] = torch.ones(c.n_embd)
            p[b + "attn_q.weight"] = torch.randn(qd, c.n_embd) / math.sqrt(c.n_embd)
            p[b + "attn_k.weight"] = torch.randn(kvd, c.n_embd) / math.sqrt(c.n_embd)
            p[b + "attn_v.weight"] = torch.randn(kvd, c.n_embd) / math.sqrt(c.n_embd)
            p[b + "attn_q.bias"] = torch.zeros(qd)
            p[b + "attn_k.bias"] = torch.zeros(kvd)
            p[b + "attn_v.bias"] = torch.zeros(kvd)
            p[b + "attn_q_norm.weight"] = torch.ones(c.head_dim)
            p[b + "attn_k_norm.weight"] = torch.ones(c.head_dim)
            p[b + "attn_output.weight"] = torch.randn(c.n_embd, qd) * std / math.sqrt(2 * c.n_layer)
            p[b + "post_attention_norm.weight"] = torch.ones(c.n_embd)
            p[b + "ffn_gate_inp.weight"] = torch.randn(c.n_expert, c.n_embd) * std
            p[b + "ffn_gate_exps.weight"] = torch.randn(c.n_expert, c.n_ff, c.n_embd) / math.sqrt(c.n_embd)
            p[b + "ffn_up_exps.weight"] = torch.randn(c.n_expert, c.n_ff, c.n_embd) / math.sqrt(c.n_embd)
            p[b + "ffn_down_exps.weight"] = torch.randn(c.n_expert, c.n_embd, c.n_ff) * std / math.sqrt(2 * c.n_layer)
            p[b + "ffn_gate_shexp.weight"] = torch.randn(c.n_ff, c.n_embd) / math.sqrt(c.n_embd)
            p[b + "ffn_up_shexp.weight"] = torch.randn(c.n_ff, c.n_embd) / math.sqrt(c.n_embd)
            p[b + "ffn_down_shexp.weight"] = torch.randn(c.n_embd, c.n_ff) * std / math.sqrt(2 * c.n_layer)
        m = f"blk.{c.n_layer}.nextn."
        p[m + "enorm.weight"] = torch.ones(c.n_embd)
        p[m + "hnorm.weight"] = torch.ones(c.n_embd)
        p[m + "eh_proj.weight"] = torch.randn(c.n_embd, 2 * c.n_embd) / math.sqrt(2 * c.n_embd)
        p[m + "shared_head_norm.weight"] = torch.ones(c.n_embd)
        p["output_norm.weight"] = torch.ones(c.n_embd)
        p["output.weight"] = torch.randn(c.n_vocab, c.n_embd) * std
        self.p = torch.nn.ParameterDict({k.replace(".", "/"): torch.nn.Parameter(v) for k, v in p.items()})
        # DeepSeek-V3's auxiliary-loss-free balancing: a per-expert bias that steers the choice
        # only, nudged after every step against the load (update_selection_bias), not learnt.
        for il in range(c.n_layer + 1):
            self.register_buffer(f"exp_probs_b_{il}", torch.zeros(c.n_expert))
        self.last_load: dict[int, torch.Tensor] = {}

    def w(self, name: str) -> torch.Tensor:
        return self.p[name.replace(".", "/")]

    def named_gguf_tensors(self) -> dict[str, torch.Tensor]:
        out = {k.replace("/", "."): v.detach() for k, v in self.p.items()}
        for il in range(self.c.n_layer + 1):
            out[f"blk.{il}.exp_probs_b.bias"] = getattr(self, f"exp_probs_b_{il}").detach()
        return out

    def attention(self, x: torch.Tensor, il: int) -> torch.Tensor:
        c, b = self.c, f"blk.{il}."
        B, T, _ = x.shape
        q = (x @ self.w(b + "attn_q.weight").T + self.w(b + "attn_q.bias")).view(B, T, c.n_head, c.head_dim)
        k = (x @ self.w(b + "attn_k.weight").T + self.w(b + "attn_k.bias")).view(B, T, c.n_head_kv, c.head_dim)
        v = (x @ self.w(b + "attn_v.weight").T + self.w(b + "attn_v.bias")).view(B, T, c.n_head_kv, c.head_dim)
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
        """The routed experts plus the shared expert, and a small balance loss."""
        c, b = self.c, f"blk.{il}."
        shape = x.shape
        x = x.reshape(-1, c.n_embd)
        scores = torch.sigmoid(x @ self.w(b + "ffn_gate_inp.weight").T)  # [N, E]
        bias = getattr(self, f"exp_probs_b_{il}")
        top_e = (scores.detach() + bias).topk(c.n_expert_used, dim=-1).indices  # ties: lower id first
        top_w = scores.gather(1, top_e)
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
        sg, su, sd = (self.w(b + n) for n in ("ffn_gate_shexp.weight", "ffn_up_shexp.weight", "ffn_down_shexp.weight"))
        y = y + (F.silu(x @ sg.T) * (x @ su.T)) @ sd.T
        load = torch.zeros(c.n_expert).index_add_(0, top_e.reshape(-1), torch.ones(top_e.numel())) / top_e.numel()
        self.last_load[il] = load
        # DeepSeek-V3's complementary balance loss, on the normalised scores.
        aux = c.n_expert * (load * (scores / scores.sum(-1, keepdim=True)).mean(0)).sum()
        return y.view(shape), aux

    @torch.no_grad()
    def update_selection_bias(self, rate: float) -> None:
        for il, load in self.last_load.items():
            bias = getattr(self, f"exp_probs_b_{il}")
            bias += rate * torch.sign(load.mean() - load)

    def block(self, x: torch.Tensor, il: int) -> tuple[torch.Tensor, torch.Tensor]:
        c, b = self.c, f"blk.{il}."
        x = x + self.attention(rms_norm(x, self.w(b + "attn_norm.weight"), c.rms_eps), il)
        f, aux = self.moe(rms_norm(x, self.w(b + "post_attention_norm.weight"), c.rms_eps), il)
        return x + f, aux

    def mtp(self, h: torch.Tensor, next_tokens: torch.Tensor) -> torch.Tensor:
        """h [B, T, D] (normalised trunk state at i), next_tokens [B, T] (token i+1) → logits for i+2."""
        c, m = self.c, f"blk.{self.c.n_layer}.nextn."
        e = rms_norm(self.w("token_embd.weight")[next_tokens], self.w(m + "enorm.weight"), c.rms_eps)
        hn = rms_norm(h, self.w(m + "hnorm.weight"), c.rms_eps)
        x = torch.cat([e, hn], dim=-1) @ self.w(m + "eh_proj.weight").T
        x, aux = self.block(x, c.n_layer)
        self.mtp_aux = aux
        x = rms_norm(x, self.w(m + "shared_head_norm.weight"), c.rms_eps)
        return x @ self.w("output.weight").T

    def forward(self, tokens: torch.Tensor, with_mtp: bool = False):
        """tokens [B, T] from position 0 → logits [B, T, V], MTP logits [B, T−1, V] (with_mtp), mean balance loss."""
        c = self.c
        x = self.w("token_embd.weight")[tokens]
        aux = x.new_zeros(())
        for il in range(c.n_layer):
            x, a = self.block(x, il)
            aux = aux + a
        h = rms_norm(x, self.w("output_norm.weight"), c.rms_eps)
        logits = h @ self.w("output.weight").T
        if not with_mtp:
            return logits, None, aux / c.n_layer
        mtp_logits = self.mtp(h[:, :-1], tokens[:, 1:])
        return logits, mtp_logits, (aux + self.mtp_aux) / (c.n_layer + 1)
