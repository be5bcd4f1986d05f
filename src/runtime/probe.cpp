#include "runtime/probe.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "kernels/isa.h"

namespace hw {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Defeats dead-code elimination of the probe loops' results.
volatile int64_t g_sink_i;
volatile float g_sink_f;
// Operands read from memory, so the loops cannot be constant-folded.
volatile int32_t g_seed_i[3] = {0x01020304, 0x05060708, 0};
volatile float g_seed_f[3] = {1.0000001f, 1e-7f, 0.5f};

int64_t int8_scalar(int64_t iters, const int32_t* seed) {
  int32_t acc[8] = {};
  const int32_t a = seed[0] & 0xFF, b = seed[1] & 0x7F;
  for (int64_t i = 0; i < iters; ++i) {
    for (int32_t& x : acc) x += a * b;
    __asm__ volatile("" : "+m"(acc));
  }
  int64_t s = 0;
  for (int32_t x : acc) s += x;
  return s;
}

float fp32_scalar(int64_t iters, const float* seed) {
  float acc[8];
  for (float& x : acc) x = seed[2];
  for (int64_t i = 0; i < iters; ++i) {
    for (float& x : acc) x = x * seed[0] + seed[1];
    __asm__ volatile("" : "+m"(acc));
  }
  float s = 0;
  for (float x : acc) s += x;
  return s;
}

// Runs loop(iters) on every thread at once; returns the best ops/s over repeats that fill
// opt.seconds, after growing iters until one run takes ~1/10 of the budget.
template <class Loop>
double time_loop(ThreadPool& pool, const ProbeOptions& opt, double ops_per_iter, const Loop& loop) {
  const int n = pool.size();
  auto run = [&](int64_t iters) {
    const auto t0 = Clock::now();
    pool.run(n, [&](int64_t, int64_t, int) { loop(iters); });
    return seconds_since(t0);
  };
  int64_t iters = 1024;
  double t = run(iters);
  const double slice = std::max(opt.seconds / 10, 1e-3);
  while (t < slice / 4 && iters < (int64_t(1) << 40)) {
    iters *= 4;
    t = run(iters);
  }
  iters = std::max<int64_t>(1, int64_t(double(iters) * slice / std::max(t, 1e-9)));
  double best = 0;
  const auto t0 = Clock::now();
  do {
    const double dt = run(iters);
    best = std::max(best, ops_per_iter * double(iters) * n / dt);
  } while (seconds_since(t0) < opt.seconds * 0.9);
  return best;
}

}  // namespace

double probe_memory_gbs(ThreadPool& pool, const ProbeOptions& opt) {
  const size_t words = std::max<size_t>(opt.mem_bytes / sizeof(uint64_t), 4096);
  std::unique_ptr<uint64_t[]> buf(new uint64_t[words]);  // uninitialised: pages are touched below
  const int n = pool.size();
  // First touch from the threads that read, so pages sit near them.
  pool.run(n, [&](int64_t, int64_t, int t) {
    int64_t b, e;
    ThreadPool::slice(int64_t(words), n, t, &b, &e);
    for (int64_t i = b; i < e; ++i) buf[size_t(i)] = uint64_t(i);
  });
  std::vector<uint64_t> sums(size_t(n) * 8);  // a cache line per thread
  double best = 0;
  const auto t0 = Clock::now();
  int passes = 0;
  do {
    const auto p0 = Clock::now();
    pool.run(n, [&](int64_t, int64_t, int t) {
      int64_t b, e;
      ThreadPool::slice(int64_t(words), n, t, &b, &e);
      uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      const uint64_t* p = buf.get();
      int64_t i = b;
      for (; i + 4 <= e; i += 4) s0 += p[i], s1 += p[i + 1], s2 += p[i + 2], s3 += p[i + 3];
      for (; i < e; ++i) s0 += p[i];
      sums[size_t(t) * 8] = s0 + s1 + s2 + s3;
    });
    const double dt = seconds_since(p0);
    best = std::max(best, double(words * sizeof(uint64_t)) / dt / 1e9);
    ++passes;
  } while (passes < 3 || seconds_since(t0) < opt.seconds);
  uint64_t s = 0;
  for (uint64_t x : sums) s += x;
  g_sink_i = int64_t(s);
  return best;
}

double probe_int8_gops(ThreadPool& pool, const ProbeOptions& opt, std::string* kernel) {
  const int32_t seed[3] = {g_seed_i[0], g_seed_i[1], g_seed_i[2]};
  const CpuFeatures& f = cpu_features();
  double ops_per_iter;
  int64_t (*loop)(int64_t, const int32_t*);
  if (f.avx512f && f.avx512bw && f.avx512vl && f.avx512vnni) {
    *kernel = "vpdpbusd-zmm", loop = probe_loops::int8_vnni_zmm, ops_per_iter = probe_loops::kVnniOpsPerIter;
  } else if (f.avx2 && f.fma) {
    *kernel = "vpmaddubsw-ymm", loop = probe_loops::int8_maddubs_ymm,
    ops_per_iter = probe_loops::kMaddubsOpsPerIter;
  } else {
    *kernel = "scalar", loop = int8_scalar, ops_per_iter = probe_loops::kScalarOpsPerIter;
  }
  return time_loop(pool, opt, ops_per_iter, [&](int64_t iters) { g_sink_i = loop(iters, seed); }) / 1e9;
}

double probe_bf16_gflops(ThreadPool& pool, const ProbeOptions& opt, std::string* kernel) {
  const float seed[3] = {g_seed_f[0], g_seed_f[1], g_seed_f[2]};
  const CpuFeatures& f = cpu_features();
  double ops_per_iter;
  float (*loop)(int64_t, const float*);
  if (f.avx512f && f.avx512bw && f.avx512vl && f.avx512bf16) {
    *kernel = "vdpbf16ps-zmm", loop = probe_loops::bf16_dp_zmm, ops_per_iter = probe_loops::kBf16OpsPerIter;
  } else if (f.avx2 && f.fma) {
    *kernel = "fma-ymm", loop = probe_loops::fma_ymm, ops_per_iter = probe_loops::kFmaOpsPerIter;
  } else {
    *kernel = "scalar", loop = fp32_scalar, ops_per_iter = probe_loops::kScalarOpsPerIter;
  }
  return time_loop(pool, opt, ops_per_iter, [&](int64_t iters) { g_sink_f = loop(iters, seed); }) / 1e9;
}

ProbeResult probe_machine(ThreadPool& pool, const ProbeOptions& opt) {
  ProbeResult r;
  r.mem_gbs = probe_memory_gbs(pool, opt);
  r.int8_gops = probe_int8_gops(pool, opt, &r.int8_kernel);
  r.bf16_gflops = probe_bf16_gflops(pool, opt, &r.bf16_kernel);
  return r;
}

}  // namespace hw
