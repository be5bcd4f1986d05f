#include "kernels/matmul.h"

#include <algorithm>
#include <string>

#include "base/error.h"
#include "kernels/quant.h"

namespace hw {

size_t quantized_acts_bytes(DType w, int64_t cols, int64_t n) {
  return row_bytes(vec_dot_type(w), cols) * size_t(n);
}

QuantizedActs acts_layout(DType w, int64_t cols, int64_t n, uint8_t* buf) {
  QuantizedActs q;
  q.type = vec_dot_type(w);
  q.cols = cols;
  q.n = n;
  q.row_bytes = row_bytes(q.type, cols);
  q.data = buf;
  return q;
}

void quantize_acts(const QuantizedActs& q, const float* x, int64_t t0, int64_t t1) {
  uint8_t* out = const_cast<uint8_t*>(q.data);
  for (int64_t t = t0; t < t1; ++t) quantize_row(q.type, x + t * q.cols, out + size_t(t) * q.row_bytes, q.cols);
}

void matmul_rows(const WeightMatrix& w, const QuantizedActs& x, float* y, int64_t y_stride, int64_t r0,
                 int64_t r1) {
  // The active variant's dot, looked up once; every (row, token) result is exactly the dot
  // vec_dot gives for that pair, whatever the batch size and the row range.
  const QuantKernels& k = quant_kernels(w.type);
  if (k.dot == nullptr || x.type != k.dot_type || x.cols != w.cols)
    throw Error("matmul_rows: activations are not in the dot format for " + std::string(dtype_name(w.type)) +
                " weights");
  const auto dot = k.dot;
  const int64_t nb = w.cols / dtype_info(w.type).block;
  // Several tokens: the variant's tiles decode each weight block once for a few tokens
  // (same bits as the dots below).
  if (x.n > 1) {
    if (const DotTileFn tile = dot_tile_kernel(w.type)) {
      DotTile t;
      t.w = w.row(r0);
      t.w_stride = w.row_bytes;
      t.rows = r1 - r0;
      t.x = x.data;
      t.x_stride = x.row_bytes;
      t.cols = x.n;
      t.nblocks = nb;
      t.y = y + r0;
      t.y_stride = y_stride;
      tile(t);
      return;
    }
  }
  // Decode streams every weight once per token, and the hardware prefetcher alone leaves the
  // dots waiting on memory: prefetch the rows kPrefetchBytes ahead of the one being read.
  // (Qwen2.5 0.5B decode on the 2-core dev VM, avx512: 17 -> 23 tok/s on 1 thread, 29 -> 38 on 2.)
  constexpr size_t kPrefetchBytes = 4096;
  const uint8_t* const end = w.row(r1);
  const uint8_t* prefetched = w.row(r0);
  // Rows outer, tokens inner: each weight row is read from memory once per call, whatever
  // the number of tokens.
  for (int64_t r = r0; r < r1; ++r) {
    const uint8_t* wr = w.row(r);
    const uint8_t* want = std::min(end, w.row(r + 1) + kPrefetchBytes);
    for (; prefetched < want; prefetched += 64) __builtin_prefetch(prefetched, 0, 3);
    for (int64_t t = 0; t < x.n; ++t) y[t * y_stride + r] = dot(wr, x.row(t), nb);
  }
}

}  // namespace hw
