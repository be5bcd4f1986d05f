#!/usr/bin/env python3
"""Writes golden files for hardwire's quantisation kernels (src/kernels/quant_test.cpp).

Deterministic: the same gguf and numpy versions give the same bytes.

  <TYPE>.dequant.bin  random blocks (scale fields set to finite halves) and their dequantisation
                      by the PyPI `gguf` package (gguf.quants), independent of our code
  <TYPE>.quant.bin    random floats and gguf's quantisation of them (the types gguf can quantise)
  <TYPE>.vecdot.bin   random weight rows and activation rows (in the weight type's vec_dot type)
                      and their dots as ggml's generic C reference computes them: integer block
                      sums, then float32 operations in ggml's order. gguf has no dot products, so
                      that order is written out below in numpy (dot_reference); it was checked bit
                      for bit against ggml's compiled generic kernels (llama.cpp vendored in
                      llama-cpp-python 0.3.36, built without SIMD).

File layout, little-endian:
  char[4] "HWQG"; u32 ggml type; u32 kind (0 dequant, 1 quant, 2 vecdot); u32 n elements;
  u32 n bytes; u32 n values; u8[n bytes] blocks; f32[n values] values
For kind 2 the bytes are cases of (weight row, activation row), n elements each, and the values
their dots.

Usage: tools/gen_quant_golden.py [OUT_DIR]   (default: tests/golden/quant under the repo root)
"""
import pathlib
import struct
import sys

import numpy as np
from gguf import GGMLQuantizationType as T
from gguf.constants import GGML_QUANT_SIZES
from gguf.quants import dequantize, quantize

# Byte offsets of the half-precision scale fields in each block type.
HALF_FIELDS = {
    T.Q4_0: [0], T.Q4_1: [0, 2], T.Q5_0: [0], T.Q5_1: [0, 2], T.Q8_0: [0],
    T.Q2_K: [80, 82], T.Q3_K: [108], T.Q4_K: [0, 2], T.Q5_K: [0, 2], T.Q6_K: [208],
}
QUANTISABLE = [T.Q4_0, T.Q4_1, T.Q5_0, T.Q5_1, T.Q8_0, T.F16, T.BF16]


def random_halves(rng, n):
    """Finite halves of mixed sign and magnitude; the first is subnormal, the second zero."""
    h = (rng.uniform(-1, 1, n) * 10.0 ** rng.uniform(-4, 0, n)).astype(np.float16)
    if n > 1:
        h[0] = np.uint16(0x0003).view(np.float16)
        h[1] = 0
    return h


def random_blocks(rng, qtype, nblocks=None):
    block, size = GGML_QUANT_SIZES[qtype]
    if qtype == T.F32:
        return rng.standard_normal(nblocks or 64).astype(np.float32).view(np.uint8)
    if qtype in (T.F16, T.BF16):  # random bit patterns with inf/nan exponents replaced
        bits = rng.integers(0, 1 << 16, nblocks or 256, dtype=np.uint32).astype(np.uint16)
        exp_mask, exp_low = (0x7C00, 0x0400) if qtype == T.F16 else (0x7F80, 0x0080)
        bits[(bits & exp_mask) == exp_mask] ^= np.uint16(exp_low)
        return bits.view(np.uint8)
    nblocks = nblocks or (16 if block == 32 else 5)
    raw = rng.integers(0, 256, (nblocks, size), dtype=np.uint32).astype(np.uint8)
    for off in HALF_FIELDS[qtype]:
        raw[:, off:off + 2] = random_halves(rng, nblocks).view(np.uint8).reshape(nblocks, 2)
    return raw.reshape(-1)


def random_floats(rng, n):
    """Blocks of 32 with varied scales, one all-zero block and one with a lone spike."""
    x = rng.standard_normal(n).astype(np.float32)
    x *= np.repeat(10.0 ** rng.uniform(-3, 2, n // 32), 32).astype(np.float32)
    x[32:64] = 0
    x[64:96] *= 1e-3
    x[70] = 50.0
    return x


def write(path, qtype, kind, n, raw, values):
    raw = np.ascontiguousarray(raw, dtype=np.uint8).reshape(-1)
    values = np.ascontiguousarray(values, dtype="<f4").reshape(-1)
    header = b"HWQG" + struct.pack("<5I", int(qtype), kind, n, raw.size, values.size)
    path.write_bytes(header + raw.tobytes() + values.tobytes())


# ---- ggml's generic vec_dot, in numpy. Every float operation is a float32 scalar operation
# in ggml's order; integer sums are exact, so their order does not matter.

F = np.float32
VEC_DOT_TYPE = {T.F32: T.F32, T.F16: T.F16, T.BF16: T.BF16, T.Q4_0: T.Q8_0, T.Q5_0: T.Q8_0,
                T.Q8_0: T.Q8_0, T.Q4_1: T.Q8_1, T.Q5_1: T.Q8_1, T.Q2_K: T.Q8_K, T.Q3_K: T.Q8_K,
                T.Q4_K: T.Q8_K, T.Q5_K: T.Q8_K, T.Q6_K: T.Q8_K}
E = np.arange(256)  # element index within a K super-block


def half(blocks, off):
    return blocks[:, off:off + 2].copy().view(np.float16).astype(np.float32).reshape(-1)


def random_row(rng, qtype, n):
    """A float-type row of normal values (random bit patterns would overflow a dot)."""
    x = rng.standard_normal(n).astype(np.float32)
    return x.view(np.uint8) if qtype == T.F32 else np.asarray(quantize(x, qtype)).view(np.uint8)


def random_activations(rng, qtype, nblocks):
    """Valid activation blocks: random int8 quants in -127..127 and consistent sums."""
    if qtype in (T.F32, T.F16, T.BF16):
        return random_row(rng, qtype, nblocks)
    qk = 256 if qtype == T.Q8_K else 32
    qs = rng.integers(-127, 128, (nblocks, qk)).astype(np.int8)
    d = random_halves(rng, nblocks)
    if qtype == T.Q8_0:
        return np.concatenate([d.view(np.uint8).reshape(-1, 2), qs.view(np.uint8)], 1)
    if qtype == T.Q8_1:
        qsum = qs.astype(np.int64).sum(1).astype(np.float32)
        s = (d.astype(np.float32) * qsum).astype(np.float16)  # ggml's fp16(d * sum)
        halves = [d.view(np.uint8).reshape(-1, 2), s.view(np.uint8).reshape(-1, 2)]
        return np.concatenate([*halves, qs.view(np.uint8)], 1)
    d32 = (d.astype(np.float32) * F(-3.7)).astype("<f4")  # Q8_K: a float scale
    bsums = qs.astype(np.int64).reshape(nblocks, 16, 16).sum(2).astype("<i2")
    parts = [d32.view(np.uint8).reshape(-1, 4), qs.view(np.uint8), bsums.view(np.uint8)]
    return np.concatenate(parts, 1)


def legacy_levels(qtype, w):
    """(nblocks, 32) integer quants of a 32-element type, offset removed; and the quant bytes."""
    qs_off = {T.Q4_0: 2, T.Q4_1: 4, T.Q5_0: 6, T.Q5_1: 8, T.Q8_0: 2}[qtype]
    if qtype == T.Q8_0:
        return w[:, 2:34].view(np.int8).astype(np.int64)
    qs = w[:, qs_off:qs_off + 16].astype(np.int64)
    q = np.concatenate([qs & 0xF, qs >> 4], 1)
    if qtype in (T.Q5_0, T.Q5_1):
        qh = w[:, qs_off - 4:qs_off].copy().view("<u4").astype(np.int64)
        q |= ((qh >> np.arange(32)) & 1) << 4
    return q - {T.Q4_0: 8, T.Q5_0: 16}.get(qtype, 0)


def k_levels(qtype, w):
    """(nblocks, 256) quants and (nblocks, 16) per-16 scales of a K type (Q2_K: low nibbles)."""
    def bits2(qs):
        return (qs[:, 32 * (E // 128) + E % 32].astype(np.int64) >> (2 * ((E % 128) // 32))) & 3

    def hbit(hb):
        return (hb[:, E % 32].astype(np.int64) >> (E // 32)) & 1

    def nibble(qs):
        return (qs[:, 32 * (E // 64) + E % 32].astype(np.int64) >> (4 * ((E // 32) % 2))) & 0xF

    def scale_min_k4(s):
        s = s.astype(np.int64)
        sc = np.concatenate([s[:, 0:4] & 63, (s[:, 8:12] & 0xF) | ((s[:, 0:4] >> 6) << 4)], 1)
        m = np.concatenate([s[:, 4:8] & 63, (s[:, 8:12] >> 4) | ((s[:, 4:8] >> 6) << 4)], 1)
        return np.repeat(sc, 2, 1), m

    if qtype == T.Q2_K:
        return bits2(w[:, 16:80]), w[:, 0:16].astype(np.int64) & 0xF, None
    if qtype == T.Q3_K:
        s, j = w[:, 96:108].astype(np.int64), np.arange(16)
        lo = (s[:, j % 8] >> (4 * (j // 8))) & 0xF
        sc = lo | ((s[:, 8 + j % 4] >> (2 * (j // 4))) & 3) << 4
        return bits2(w[:, 32:96]) - 4 * (1 - hbit(w[:, 0:32])), sc - 32, None
    if qtype == T.Q4_K:
        return (nibble(w[:, 16:144]), *scale_min_k4(w[:, 4:16]))
    if qtype == T.Q5_K:
        return (nibble(w[:, 48:176]) | hbit(w[:, 16:48]) << 4, *scale_min_k4(w[:, 4:16]))
    ql, qh = w[:, 0:128].astype(np.int64), w[:, 128:192].astype(np.int64)
    h, g, l = E // 128, (E % 128) // 32, E % 32
    lo = (ql[:, 64 * h + 32 * (g % 2) + l] >> (4 * (g // 2))) & 0xF
    q = lo | ((qh[:, 32 * h + l] >> (2 * g)) & 3) << 4
    return q - 32, w[:, 192:208].view(np.int8).astype(np.int64), None


def dot_reference(qtype, w, x, n):
    """ggml's generic vec_dot of weight row w (qtype) and activation row x (VEC_DOT_TYPE)."""
    if qtype in (T.F32, T.F16, T.BF16):  # float products, summed in double
        a, b = dequantize(w, qtype).reshape(-1), dequantize(x, qtype).reshape(-1)
        total = 0.0
        for p in a * b:
            total += float(p)
        return F(total)
    block, size = GGML_QUANT_SIZES[qtype]
    nb = n // block
    w = w.reshape(nb, size)
    # gguf's GGML_QUANT_SIZES still gives Q8_1 the old 40-byte layout (float d and s)
    x = x.reshape(nb, {T.Q8_0: 34, T.Q8_1: 36, T.Q8_K: 292}[VEC_DOT_TYPE[qtype]])
    total = F(0)
    if block == 32:
        q = legacy_levels(qtype, w)
        y = x[:, (4 if qtype in (T.Q4_1, T.Q5_1) else 2):].view(np.int8)
        dx, dy = half(w, 0), half(x, 0)
        for i in range(nb):
            sumi = F((q[i] * y[i].astype(np.int64)).sum())
            if qtype == T.Q4_0:
                total = F(total + sumi * dx[i] * dy[i])
            elif qtype == T.Q5_0:
                total = F(total + (dx[i] * dy[i]) * sumi)
            elif qtype == T.Q8_0:
                total = F(total + sumi * (dx[i] * dy[i]))
            else:  # Q4_1, Q5_1: the min times the activation block's stored d*sum
                total = F(total + (F((dx[i] * dy[i]) * sumi) + F(half(w, 2)[i] * half(x, 2)[i])))
        return total
    yd = x[:, 0:4].copy().view("<f4").reshape(-1)
    y = x[:, 4:260].view(np.int8).astype(np.int64)
    bsums = x[:, 260:292].copy().view("<i2").astype(np.int64)
    q, sc16, mins = k_levels(qtype, w)
    lanes = np.zeros(8, np.float32)
    for i in range(nb):
        prod = sc16[i][E // 16] * q[i] * y[i]
        if qtype == T.Q2_K:  # one integer sum per block, the mins through the activation bsums
            summs = F((bsums[i] * (w[i, 0:16].astype(np.int64) >> 4)).sum())
            dall, dmin = yd[i] * half(w, 80)[i], yd[i] * half(w, 82)[i]
            total = F(total + F(dall * F(prod.sum()) - dmin * summs))
            continue
        d = half(w, 208 if qtype == T.Q6_K else 108 if qtype == T.Q3_K else 0)[i] * yd[i]
        lanes = (lanes + d * prod.reshape(32, 8).sum(0).astype(np.float32)).astype(np.float32)
        if mins is not None:  # Q4_K, Q5_K
            summ = F((mins[i][np.arange(16) // 2] * bsums[i]).sum())
            total = F(total - (half(w, 2)[i] * yd[i]) * summ)
    for lane in lanes:
        total = F(total + lane)
    return total


def main():
    root = pathlib.Path(__file__).resolve().parent.parent
    out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else root / "tests/golden/quant"
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20240611)
    for qtype in [T.F32, T.F16, T.BF16, *HALF_FIELDS]:
        raw = random_blocks(rng, qtype)
        values = dequantize(raw, qtype).reshape(-1)
        write(out / f"{qtype.name}.dequant.bin", qtype, 0, values.size, raw, values)
    for qtype in QUANTISABLE:
        x = random_floats(rng, 512)
        raw = np.asarray(quantize(x, qtype)).view(np.uint8)
        write(out / f"{qtype.name}.quant.bin", qtype, 1, x.size, raw, x)
    for qtype in VEC_DOT_TYPE:  # several cases per type: one case can hide a change of order
        block = GGML_QUANT_SIZES[qtype][0]
        nblocks = {1: 96, 32: 7, 256: 3}[block]  # odd block counts
        n, rows, dots = nblocks * block, [], []
        for _ in range(6):
            w = random_row(rng, qtype, n) if block == 1 else random_blocks(rng, qtype, nblocks)
            x = random_activations(rng, VEC_DOT_TYPE[qtype], nblocks)
            rows += [w.reshape(-1), x.reshape(-1)]
            dots.append(dot_reference(qtype, rows[-2], rows[-1], n))
        write(out / f"{qtype.name}.vecdot.bin", qtype, 2, n, np.concatenate(rows), dots)

if __name__ == "__main__":
    main()
