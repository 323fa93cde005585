"""A small byte-level BPE (GPT-2 style) learned on the generated chat data.

Pre-tokenization is llama.cpp's `qwen2` regex restricted to ASCII (the data is ASCII): digits
split one by one, which suits arithmetic. Tokens 0..255 are the bytes (GPT-2's byte-to-unicode
spelling, id = byte value), then one token per merge in rank order, then the ChatML control
tokens. `encode` applies merges lowest rank first, as llama.cpp and our tokenizer do.
"""

import re
from collections import Counter

SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
_SPECIAL_RE = re.compile("(" + "|".join(re.escape(s) for s in SPECIALS) + ")")
# qwen2: (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
_PRE_RE = re.compile(
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\nA-Za-z0-9]?[A-Za-z]+|[0-9]| ?[^\sA-Za-z0-9]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)


def bytes_to_unicode() -> dict[int, str]:
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


BYTE2U = bytes_to_unicode()


def pretokenize(text: str) -> list[str]:
    """Chunks of plain text (no special tokens), each spelled in byte-level unicode."""
    if not text.isascii():
        raise ValueError(f"demo data must be ASCII: {text!r}")
    return ["".join(BYTE2U[b] for b in m.group(0).encode()) for m in _PRE_RE.finditer(text)]


def train(texts: list[str], n_merges: int) -> list[tuple[str, str]]:
    words = Counter()
    for t in texts:
        for part in _SPECIAL_RE.split(t):
            if part and part not in SPECIALS:
                words.update(pretokenize(part))
    seqs = {w: list(w) for w in words}
    merges: list[tuple[str, str]] = []
    for _ in range(n_merges):
        pairs = Counter()
        for w, n in words.items():
            s = seqs[w]
            for a, b in zip(s, s[1:]):
                pairs[(a, b)] += n
        if not pairs:
            break
        # Most frequent; ties by the pair itself, so the result is deterministic.
        best = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))[0]
        merges.append(best)
        joined = best[0] + best[1]
        for w, s in seqs.items():
            i, out = 0, []
            while i < len(s):
                if i + 1 < len(s) and s[i] == best[0] and s[i + 1] == best[1]:
                    out.append(joined)
                    i += 2
                else:
                    out.append(s[i])
                    i += 1
            seqs[w] = out
    return merges


class Tokenizer:
    def __init__(self, merges: list[tuple[str, str]]):
        self.merges = merges
        self.tokens = [BYTE2U[b] for b in range(256)] + [a + b for a, b in merges] + SPECIALS
        self.ids = {t: i for i, t in enumerate(self.tokens)}
        if len(self.ids) != len(self.tokens):
            raise ValueError("duplicate token in the learned vocabulary")
        self.rank = {m: i for i, m in enumerate(merges)}
        self.cache: dict[str, list[int]] = {}

    def special(self, name: str) -> int:
        return self.ids[name]

    def _bpe(self, chunk: str) -> list[int]:
        hit = self.cache.get(chunk)
        if hit is not None:
            return hit
        s = list(chunk)
        while len(s) > 1:
            ranked = [(self.rank.get((a, b), 1 << 30), i) for i, (a, b) in enumerate(zip(s, s[1:]))]
            r, i = min(ranked)
            if r == 1 << 30:
                break
            s[i : i + 2] = [s[i] + s[i + 1]]
        ids = [self.ids[t] for t in s]
        self.cache[chunk] = ids
        return ids

    def encode(self, text: str) -> list[int]:
        """Special tokens are parsed (as llama.cpp with parse_special)."""
        out: list[int] = []
        for part in _SPECIAL_RE.split(text):
            if not part:
                continue
            if part in SPECIALS:
                out.append(self.ids[part])
            else:
                for c in pretokenize(part):
                    out.extend(self._bpe(c))
        return out

    def decode(self, ids: list[int]) -> str:
        u2b = {u: b for b, u in BYTE2U.items()}
        out = bytearray()
        for i in ids:
            t = self.tokens[i]
            if t in SPECIALS:
                out.extend(t.encode())
            else:
                out.extend(u2b[c] for c in t)
        return out.decode(errors="replace")
