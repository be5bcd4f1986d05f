#include "kernels/isa.h"

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "base/error.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace hw {
namespace {

#if defined(__x86_64__) || defined(__i386__)
// XCR0: which register states the OS saves on a context switch (valid only with OSXSAVE).
uint64_t read_xcr0() {
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return uint64_t(hi) << 32 | lo;
}

CpuFeatures detect() {
  CpuFeatures f;
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
  const bool osxsave = c & (1u << 27), avx = c & (1u << 28);
  if (!osxsave || !avx) return f;
  const uint64_t xcr0 = read_xcr0();
  const bool ymm_saved = (xcr0 & 0x6) == 0x6;               // SSE and AVX state
  const bool zmm_saved = ymm_saved && (xcr0 & 0xE0) == 0xE0;  // opmask, ZMM_Hi256, Hi16_ZMM
  if (!ymm_saved) return f;
  f.fma = c & (1u << 12);
  f.f16c = c & (1u << 29);
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return f;
  f.avx2 = b & (1u << 5);
  if (zmm_saved) {
    f.avx512f = b & (1u << 16);
    f.avx512bw = b & (1u << 30);
    f.avx512vl = b & (1u << 31);
    f.avx512vnni = c & (1u << 11);
    if (__get_cpuid_count(7, 1, &a, &b, &c, &d)) f.avx512bf16 = a & (1u << 5);
  }
  return f;
}
#else
CpuFeatures detect() { return {}; }
#endif

constexpr int kUnset = -1;
std::atomic<int> g_active{kUnset};  // an Isa, or kUnset until first use

}  // namespace

const CpuFeatures& cpu_features() {
  static const CpuFeatures features = detect();
  return features;
}

std::string_view isa_name(Isa isa) {
  switch (isa) {
    case Isa::Scalar: return "scalar";
    case Isa::Avx2: return "avx2";
    case Isa::Avx512: return "avx512";
  }
  return "?";
}

Isa parse_isa(std::string_view name) {
  for (Isa isa : kAllIsas)
    if (isa_name(isa) == name) return isa;
  throw Error("unknown instruction set '" + std::string(name) +
              "' (HARDWIRE_ISA takes scalar, avx2 or avx512)");
}

bool isa_supported(Isa isa) {
  const CpuFeatures& f = cpu_features();
  const bool avx2 = f.avx2 && f.fma && f.f16c;
  switch (isa) {
    case Isa::Scalar: return true;
    case Isa::Avx2: return avx2;
    case Isa::Avx512: return avx2 && f.avx512f && f.avx512bw && f.avx512vl && f.avx512vnni;
  }
  return false;
}

Isa best_isa() {
  if (isa_supported(Isa::Avx512)) return Isa::Avx512;
  if (isa_supported(Isa::Avx2)) return Isa::Avx2;
  return Isa::Scalar;
}

Isa isa_from_env(const char* value) {
  if (value == nullptr || *value == '\0') return best_isa();
  const Isa isa = parse_isa(value);
  check(isa_supported(isa), "HARDWIRE_ISA=" + std::string(value) + ": this CPU lacks the " +
                                std::string(isa_name(isa)) + " instruction set");
  return isa;
}

Isa active_isa() {
  int v = g_active.load(std::memory_order_acquire);
  if (v == kUnset) {
    const int chosen = int(isa_from_env(std::getenv("HARDWIRE_ISA")));
    // The first thread to choose wins; every thread agrees on the result.
    g_active.compare_exchange_strong(v, chosen, std::memory_order_acq_rel);
    v = g_active.load(std::memory_order_acquire);
  }
  return Isa(v);
}

void set_active_isa(Isa isa) {
  check(isa_supported(isa), "this CPU lacks the " + std::string(isa_name(isa)) +
                                " instruction set");
  g_active.store(int(isa), std::memory_order_release);
}

}  // namespace hw
