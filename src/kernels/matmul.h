// Matrix-vector(s) products of a weight matrix with a batch of activation rows.
// Activations are first converted to the weight type's dot-product format
// (vec_dot_type: int8 blocks for quantised weights), once per input, shared by
// every matrix that reads the same input.
#pragma once
#include <cstddef>
#include <cstdint>

#include "format/dtype.h"

namespace hw {

// A weight matrix of `rows` outputs by `cols` inputs, row-major, rows in place in the file.
struct WeightMatrix {
  DType type = DType::F32;
  int64_t cols = 0;   // input features (ne[0])
  int64_t rows = 0;   // output features (ne[1])
  const uint8_t* data = nullptr;
  size_t row_bytes = 0;
  const uint8_t* row(int64_t r) const { return data + size_t(r) * row_bytes; }
};

// Activation rows converted for dots with a given weight type.
struct QuantizedActs {
  DType type = DType::F32;
  int64_t cols = 0, n = 0;
  size_t row_bytes = 0;
  const uint8_t* data = nullptr;
  const uint8_t* row(int64_t t) const { return data + size_t(t) * row_bytes; }
};

// Bytes needed to hold n rows of cols activations in the format for weights of type w.
size_t quantized_acts_bytes(DType w, int64_t cols, int64_t n);

// Describes n rows of cols activations, converted for weights of type w, stored in buf
// (sized by quantized_acts_bytes).
QuantizedActs acts_layout(DType w, int64_t cols, int64_t n, uint8_t* buf);
// Converts rows [t0, t1) of x ([n][cols] floats) into the layout.
void quantize_acts(const QuantizedActs& q, const float* x, int64_t t0, int64_t t1);

// y[t * y_stride + r] = dot(W row r, x row t) for rows r in [r0, r1) and all tokens.
void matmul_rows(const WeightMatrix& w, const QuantizedActs& x, float* y, int64_t y_stride,
                 int64_t r0, int64_t r1);

}  // namespace hw
