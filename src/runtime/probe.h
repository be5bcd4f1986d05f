// Machine probes for `hardwire bench`: memory read bandwidth and the int8 and bf16 dot-product
// peaks, each measured with the engine's thread pool in about a second. The compute loops keep
// their operands in registers and use the widest instruction the CPU has (kernels/isa.h):
// int8 is vpdpbusd (AVX-512 VNNI) else vpmaddubsw+vpmaddwd (AVX2); bf16 is vdpbf16ps
// (AVX512_BF16) else fp32 FMA. Ops count 2 per multiply-add.
#pragma once
#include <cstddef>
#include <string>

#include "runtime/thread_pool.h"

namespace hw {

struct ProbeOptions {
  size_t mem_bytes = size_t(1) << 30;  // read buffer; should be much larger than the last-level cache
  double seconds = 1.0;                // time spent on each probe
};

struct ProbeResult {
  double mem_gbs = 0;       // best read bandwidth over several passes, GB/s (1e9 bytes)
  double int8_gops = 0;     // int8 multiply-add peak, GOP/s
  double bf16_gflops = 0;   // bf16 (or fp32 FMA) multiply-add peak, GFLOP/s
  std::string int8_kernel;  // instruction measured: "vpdpbusd-zmm", "vpmaddubsw-ymm", "scalar"
  std::string bf16_kernel;  // "vdpbf16ps-zmm", "fma-ymm", "scalar"
};

double probe_memory_gbs(ThreadPool& pool, const ProbeOptions& opt);
double probe_int8_gops(ThreadPool& pool, const ProbeOptions& opt, std::string* kernel);
double probe_bf16_gflops(ThreadPool& pool, const ProbeOptions& opt, std::string* kernel);
ProbeResult probe_machine(ThreadPool& pool, const ProbeOptions& opt);

// The register loops, one per instruction (probe_avx2.cpp, probe_avx512.cpp, probe.cpp).
// Each runs `iters` iterations and returns a value depending on every result, so that the
// loop cannot be removed; `seed` comes from memory so that the operands are not constants.
namespace probe_loops {
inline constexpr double kVnniOpsPerIter = 16 * 64 * 2;   // 16 vpdpbusd zmm, 64 MACs each
inline constexpr double kMaddubsOpsPerIter = 8 * 32 * 2; // 8 maddubs+maddwd+add ymm, 32 MACs each
inline constexpr double kBf16OpsPerIter = 16 * 32 * 2;   // 16 vdpbf16ps zmm, 32 MACs each
inline constexpr double kFmaOpsPerIter = 12 * 8 * 2;     // 12 vfmadd ymm, 8 MACs each
inline constexpr double kScalarOpsPerIter = 8 * 2;       // 8 independent scalar multiply-adds
int64_t int8_vnni_zmm(int64_t iters, const int32_t* seed);
int64_t int8_maddubs_ymm(int64_t iters, const int32_t* seed);
float bf16_dp_zmm(int64_t iters, const float* seed);
float fma_ymm(int64_t iters, const float* seed);
}  // namespace probe_loops

}  // namespace hw
