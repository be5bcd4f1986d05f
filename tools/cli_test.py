#!/usr/bin/env python3
"""End-to-end checks of the hardwire binary (run by ctest):
- `hardwire tokenize` reproduces every vocab golden line (vocab-only GGUF files);
- corrupt files get a one-line error and exit status 1 from `info` and `run`;
- `make-model` writes a model that `info` describes and `run` generates from;
- `bench` on a tiny model writes JSON with its keys and positive values, and an SVG (no timing checks).
Usage: cli_test.py BUILD_DIR VOCAB_DIR"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HW = Path(sys.argv[1]) / "hardwire"
VOCAB = Path(sys.argv[2])
failures = []


def run(args, stdin=b""):
    return subprocess.run([str(HW)] + args, input=stdin, capture_output=True, timeout=300)


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


for gguf in sorted(VOCAB.glob("*.gguf")):
    inputs = (gguf.parent / (gguf.name + ".inp")).read_text(encoding="utf-8").split("\n__ggml_vocab_test__\n")
    outputs = (gguf.parent / (gguf.name + ".out")).read_text(encoding="utf-8").split("\n")
    for text, want in zip(inputs, outputs):
        r = run(["tokenize", "-m", str(gguf), "--no-bos"], text.encode("utf-8"))
        got = r.stdout.decode().strip()
        check(r.returncode == 0 and got == want.strip(), f"tokenize {gguf.name} {text!r}: got {got!r}, want {want!r}")

with tempfile.TemporaryDirectory() as tmp:
    model = Path(tmp) / "tiny.gguf"
    r = run(["make-model", "--shape", "tiny-qwen2", "--type", "Q8_0", "--vocab",
             str(VOCAB / "ggml-vocab-llama-spm.gguf"), "-o", str(model)])
    check(r.returncode == 0 and model.exists(), f"make-model: {r.stderr.decode()}")
    r = run(["info", str(model)])
    check(r.returncode == 0 and b"architecture = qwen2" in r.stdout, "info on the random model")
    r = run(["run", "-m", str(model), "-p", "hello", "-n", "8", "--temp", "0"])
    check(r.returncode == 0 and r.stdout.startswith(b"hello"), f"run on the random model: {r.stderr.decode()}")

    tiny = Path(tmp) / "tiny-llama.gguf"
    run(["make-model", "--shape", "tiny-llama", "--type", "Q8_0", "--vocab",
         str(VOCAB / "ggml-vocab-llama-spm.gguf"), "-o", str(tiny)])
    out_json, out_svg = Path(tmp) / "bench.json", Path(tmp) / "bench.svg"
    r = run(["bench", "-m", str(tiny), "-t", "2", "--probe-mib", "64", "--json", str(out_json), "--svg", str(out_svg)])
    check(r.returncode == 0 and b"tg128" in r.stdout, f"bench: {r.stderr.decode()[-500:]}")
    if r.returncode == 0:
        j = json.loads(out_json.read_text())
        for key in ("pp512_tok_s", "tg128_tok_s", "tg128_bw_frac", "pp512_peak_frac"):
            check(isinstance(j.get(key), (int, float)) and j[key] > 0, f"bench json {key}: {j.get(key)!r}")
        seqs = [b.get("seqs") for b in j.get("batched", [])]
        check(seqs == [1, 4, 16, 32], f"bench json batched seqs: {seqs}")
        check(all(b.get("tok_s", 0) > 0 for b in j.get("batched", [])), "bench json batched tok_s")
        svg = out_svg.read_text()
        check(svg.startswith("<svg") and "polyline" in svg, "bench svg")

    data = model.read_bytes()
    corrupt = {"truncated": data[: len(data) // 2], "bad magic": b"GGUX" + data[4:], "empty": b""}
    for name, blob in corrupt.items():
        bad = Path(tmp) / "bad.gguf"
        bad.write_bytes(blob)
        for cmd in (["info", str(bad)], ["run", "-m", str(bad), "-p", "x"]):
            r = run(cmd)
            err = r.stderr.decode().strip()
            check(r.returncode == 1 and err.startswith("error: ") and "\n" not in err,
                  f"{name} file, `{cmd[0]}`: exit {r.returncode}, stderr {err!r}")
    r = run(["run", "-m", "no-such-model", "-p", "x"])
    check(r.returncode == 1 and b"neither a file nor a known model" in r.stderr, "unknown model name")

n_ok = "ok" if not failures else f"{len(failures)} failures"
print(f"cli: {n_ok}")
sys.exit(1 if failures else 0)
