#!/usr/bin/env python3
"""Golden outputs of an independent implementation (llama-cpp-python, from PyPI),
run once by a developer and committed under tests/golden/models/.

For each model: 5 fixed prompts, greedy 64-token continuations, and at every
position (prompt and generated) the reference's top-K logits; plus the perplexity
of tests/data/declaration.txt in windows of --ctx tokens, scored the way
`hardwire perplexity` scores (second half of each window, BOS first).

Usage: python3 tools/gen_model_golden.py NAME MODEL.gguf  (needs `pip install llama-cpp-python numpy`)
"""
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
from llama_cpp import Llama

PROMPTS = [
    "The capital of France is",
    "def fibonacci(n):\n",
    "Once upon a time, in a small village by the sea,",
    "Water boils at a temperature of",
    "1, 2, 3, 4, 5,",
]
N_GEN = 64
TOP_K = 8
PPL_CTX = 256
ROOT = Path(__file__).resolve().parent.parent


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def top(logits):
    idx = np.argsort(-logits, kind="stable")[:TOP_K]
    return [[int(i), float(logits[i])] for i in idx]


def greedy(llm, prompt_tokens):
    llm.reset()
    llm.eval(prompt_tokens)
    tops = [top(np.array(llm.scores[i])) for i in range(len(prompt_tokens))]
    out = []
    for _ in range(N_GEN):
        logits = np.array(llm.scores[llm.n_tokens - 1])
        tok = int(np.argmax(logits))
        out.append(tok)
        llm.eval([tok])
        tops.append(top(np.array(llm.scores[llm.n_tokens - 1])))
    return out, tops


def perplexity(llm, text):
    add_bos = llm._model.add_bos_token() if hasattr(llm._model, "add_bos_token") else True
    ids = llm.tokenize(text.encode(), add_bos=add_bos, special=False)
    bos = llm.token_bos()
    nll, count = 0.0, 0
    for w in range(len(ids) // PPL_CTX):
        window = list(ids[w * PPL_CTX:(w + 1) * PPL_CTX])
        if add_bos:
            window[0] = bos
        llm.reset()
        llm.eval(window)
        for pos in range(PPL_CTX // 2, PPL_CTX - 1):
            l = np.array(llm.scores[pos], dtype=np.float64)
            m = l.max()
            nll -= l[window[pos + 1]] - m - np.log(np.exp(l - m).sum())
            count += 1
    return float(np.exp(nll / count)), count, len(ids)


def main():
    name, path = sys.argv[1], sys.argv[2]
    llm = Llama(model_path=path, n_ctx=512, n_batch=512, logits_all=True, n_threads=2,
                flash_attn=False, verbose=False, seed=0)
    cases = []
    for p in PROMPTS:
        toks = llm.tokenize(p.encode(), add_bos=True, special=False)
        gen, tops = greedy(llm, toks)
        cases.append({"prompt": p, "prompt_tokens": toks, "generated": gen, "top": tops,
                      "text": llm.detokenize(gen).decode("utf-8", errors="replace")})
        print(f"{name}: {p!r} -> {cases[-1]['text']!r}", file=sys.stderr)
    text = (ROOT / "tests/data/declaration.txt").read_text()
    ppl, count, n_ids = perplexity(llm, text)
    print(f"{name}: perplexity {ppl:.4f} over {count} tokens", file=sys.stderr)
    out = {"model": name, "sha256": sha256(path), "reference": "llama-cpp-python " +
           __import__("llama_cpp").__version__, "n_gen": N_GEN, "top_k": TOP_K, "cases": cases,
           "perplexity": {"file": "tests/data/declaration.txt", "ctx": PPL_CTX, "value": ppl,
                          "scored_tokens": count, "text_tokens": n_ids}}
    dst = ROOT / "tests/golden/models" / f"{name}.json"
    dst.write_text(json.dumps(out, separators=(",", ":")) + "\n")
    print(f"wrote {dst}", file=sys.stderr)


if __name__ == "__main__":
    main()
