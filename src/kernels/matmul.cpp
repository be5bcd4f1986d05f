#include "kernels/matmul.h"

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
  // Rows outer, tokens inner: each weight row is read from memory once per call,
  // whatever the number of tokens.
  for (int64_t r = r0; r < r1; ++r) {
    const uint8_t* wr = w.row(r);
    for (int64_t t = 0; t < x.n; ++t) y[t * y_stride + r] = vec_dot(w.type, w.cols, wr, x.row(t));
  }
}

}  // namespace hw
