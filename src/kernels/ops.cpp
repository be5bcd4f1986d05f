#include "kernels/ops.h"

#include <cmath>

namespace hw {

void rmsnorm(const float* x, const float* w, float* out, int64_t n, float eps) {
  double ss = 0;
  for (int64_t i = 0; i < n; ++i) ss += double(x[i]) * double(x[i]);
  const float scale = 1.0f / std::sqrt(float(ss / double(n)) + eps);
  if (w) {
    for (int64_t i = 0; i < n; ++i) out[i] = x[i] * scale * w[i];
  } else {
    for (int64_t i = 0; i < n; ++i) out[i] = x[i] * scale;
  }
}

void rope(float* head, int64_t pos, const RopeArgs& a) {
  const int64_t half = a.rot_dim / 2;
  for (int64_t i = 0; i < half; ++i) {
    const float theta = float(pos) * a.inv_freq[i];
    const float c = std::cos(theta), s = std::sin(theta);
    float* x0 = a.neox ? head + i : head + 2 * i;
    float* x1 = a.neox ? head + i + half : head + 2 * i + 1;
    const float v0 = *x0, v1 = *x1;
    *x0 = v0 * c - v1 * s;
    *x1 = v0 * s + v1 * c;
  }
}

void rope_inv_freq(const RopeFreqOptions& o, float* inv_freq) {
  const int64_t half = o.rot_dim / 2;
  for (int64_t i = 0; i < half; ++i) {
    double f = std::pow(o.base, -2.0 * double(i) / double(o.rot_dim)) / o.linear_scale;
    if (o.llama3) {
      // Wavelengths longer than orig_ctx/low_freq are slowed by the factor, shorter
      // than orig_ctx/high_freq are kept, and the band between is interpolated.
      const double wavelen = 2 * M_PI / f;
      const double low_wl = double(o.orig_ctx) / o.low_freq, high_wl = double(o.orig_ctx) / o.high_freq;
      if (wavelen > low_wl) {
        f /= o.llama3_factor;
      } else if (wavelen >= high_wl) {
        const double smooth = (double(o.orig_ctx) / wavelen - o.low_freq) / (o.high_freq - o.low_freq);
        f = (1 - smooth) * f / o.llama3_factor + smooth * f;
      }
    }
    inv_freq[i] = float(f);
  }
}

void silu_mul(float* gate, const float* up, int64_t n) {
  for (int64_t i = 0; i < n; ++i) gate[i] = gate[i] / (1.0f + std::exp(-gate[i])) * up[i];
}

void gelu_tanh_mul(float* gate, const float* up, int64_t n) {
  constexpr float kSqrt2OverPi = 0.79788456080286535588f;
  for (int64_t i = 0; i < n; ++i) {
    const float x = gate[i];
    gate[i] = 0.5f * x * (1.0f + std::tanh(kSqrt2OverPi * x * (1.0f + 0.044715f * x * x))) * up[i];
  }
}

void softmax(float* x, int64_t n) {
  float mx = -INFINITY;
  for (int64_t i = 0; i < n; ++i) mx = x[i] > mx ? x[i] : mx;
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    x[i] = std::exp(x[i] - mx);
    sum += x[i];
  }
  const float inv = float(1.0 / sum);
  for (int64_t i = 0; i < n; ++i) x[i] *= inv;
}

void add_inplace(float* y, const float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] += x[i];
}

}  // namespace hw
