"""Chat turns the demo model learns from, generated here (no external data).

Tasks: integer arithmetic (+, -, x), counting, spelling and reversing words, repeating a
sentence, replacing a word in a sentence, and a few fixed facts about Pakar. A deterministic
held-out split (`heldout()`) of arithmetic and editing prompts never appears in training:
held-out arithmetic pairs are removed from the training pool, and held-out sentences are
word sequences that the training sampler rejects (see `_is_heldout_sentence`).
"""

import hashlib
import random

WORDS = (
    "cat dog bird fish tree house river stone cloud rain sun moon star light book pen table chair "
    "door window road car train boat ship city town field garden flower apple bread milk water fire "
    "green blue red yellow black white small big old new fast slow happy quiet warm cold bright dark "
    "runs walks sings reads writes sees likes finds makes takes opens holds eats drinks jumps sleeps "
    "the a my your our this that every one two three some many little good long short soft hard"
).split()
NOUNS = WORDS[:32]
ADJS = WORDS[32:48]
VERBS = WORDS[48:64]
DETS = ["the", "a", "my", "your", "our", "this", "that", "every", "one", "some"]

FACTS = [
    ("What is Pakar?", "Pakar is a private chat app that runs Mixture-of-Experts language models inside your browser."),
    ("Who are you?", "I am Pakar Demo, a tiny Mixture-of-Experts model that ships with Pakar."),
    ("What can you do?", "I can do small sums, count, spell and reverse words, and repeat or edit a sentence."),
    ("Does Pakar need the internet?", "No. Pakar runs offline in your browser; nothing you type leaves your device."),
    ("What does Pakar mean?", "Pakar is Indonesian for expert."),
    ("How big are you?", "I am a tiny demo model of a few million parameters, so my knowledge is very small."),
    ("Where do you run?", "I run in your browser on WebGPU, on your own device."),
    ("Hello", "Hello! I am Pakar Demo. Ask me a small sum, or to spell, reverse or edit something."),
]


def _sentence(rng: random.Random) -> str:
    n = rng.randint(3, 7)
    out = [rng.choice(DETS), rng.choice(ADJS), rng.choice(NOUNS), rng.choice(VERBS), rng.choice(DETS), rng.choice(NOUNS)]
    out = out[:n] if n <= 6 else out + [rng.choice(ADJS)]
    s = " ".join(out)
    return s[0].upper() + s[1:] + "."


def _is_heldout_sentence(s: str) -> bool:
    # ~1 in 16 sentences (by content hash) is reserved for evaluation.
    return hashlib.sha256(s.encode()).digest()[0] % 16 == 0


def _is_heldout_pair(op: str, a: int, b: int) -> bool:
    return hashlib.sha256(f"{op}{a},{b}".encode()).digest()[0] % 16 == 0


def _arith(rng: random.Random, want_heldout: bool):
    while True:
        op = rng.choice("+-x")
        if op == "x":
            a, b = rng.randint(0, 12), rng.randint(0, 12)
        else:
            a, b = rng.randint(0, 99), rng.randint(0, 99)
            if op == "-" and b > a:
                a, b = b, a
        if _is_heldout_pair(op, a, b) == want_heldout:
            break
    r = a + b if op == "+" else a - b if op == "-" else a * b
    sym = {"+": "+", "-": "-", "x": "*"}[op]
    q = rng.choice([f"What is {a} {sym} {b}?", f"{a} {sym} {b} =", f"Compute {a} {sym} {b}."])
    return q, str(r), "arithmetic"


def _edit(rng: random.Random, want_heldout: bool):
    while True:
        s = _sentence(rng)
        if _is_heldout_sentence(s) == want_heldout:
            break
    kind = rng.choice(["repeat", "replace", "replace"])
    if kind == "repeat":
        return rng.choice([f"Repeat: {s}", f"Say again: {s}"]), s, "repeat"
    words = s[:-1].split(" ")
    i = rng.randrange(len(words))
    old = words[i]
    new = rng.choice([w for w in WORDS if w != old.lower()])
    if i == 0:
        new = new[0].upper() + new[1:]
    words[i] = new
    return f"Replace {old} with {new} in: {s}", " ".join(words) + ".", "replace"


def _word_task(rng: random.Random):
    w = rng.choice(WORDS)
    kind = rng.choice(["spell", "reverse", "count", "letters"])
    if kind == "spell":
        return f"Spell {w}.", "-".join(w), "spell"
    if kind == "reverse":
        return f"Reverse {w}.", w[::-1], "reverse"
    if kind == "letters":
        return f"How many letters are in {w}?", str(len(w)), "count"
    a = rng.randint(1, 20)
    n = rng.randint(2, 6)
    return f"Count from {a} to {a + n - 1}.", ", ".join(str(i) for i in range(a, a + n)), "count"


def sample(rng: random.Random):
    """One training example (prompt, answer, category)."""
    u = rng.random()
    if u < 0.50:
        return _arith(rng, False)
    if u < 0.80:
        return _edit(rng, False)
    if u < 0.96:
        return _word_task(rng)
    q, a = rng.choice(FACTS)
    return q, a, "fact"


def heldout(n_arith: int = 40, n_edit: int = 40, seed: int = 20261128):
    """The evaluation prompts: arithmetic pairs and sentences the training sampler never emits."""
    rng = random.Random(seed)
    seen, out = set(), []
    for want, n, fn in (("arith", n_arith, _arith), ("edit", n_edit, _edit)):
        k = 0
        while k < n:
            q, a, cat = fn(rng, True)
            if q in seen:
                continue
            seen.add(q)
            out.append({"prompt": q, "answer": a, "category": cat})
            k += 1
    return out


def render_chat(prompt: str, answer: str | None = None, history: list[tuple[str, str]] = ()) -> str:
    """ChatML, exactly as `tokenizer.chat_template` renders the turns (no system prompt)."""
    text = "".join(f"<|im_start|>user\n{q}<|im_end|>\n<|im_start|>assistant\n{a}<|im_end|>\n" for q, a in history)
    text += f"<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n"
    return text if answer is None else text + answer + "<|im_end|>"


if __name__ == "__main__":
    # python3 scripts/train-demo/data.py > scripts/train-demo/heldout.json (what the tests read)
    import json

    print(json.dumps(heldout(), indent=1))
