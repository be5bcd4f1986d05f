// x86 instruction-set variants of the kernels, detected at run time.
//
// The project is compiled for baseline x86-64; the kernels of each variant live in their own
// files compiled with that variant's flags (quant_avx2.cpp, quant_avx512.cpp) and are only
// called once the CPU and the OS are known to support them. One variant is active per process:
// the best the CPU has, or the one HARDWIRE_ISA names (scalar | avx2 | avx512).
#pragma once
#include <string_view>

namespace hw {

enum class Isa { Scalar, Avx2, Avx512 };
inline constexpr Isa kAllIsas[] = {Isa::Scalar, Isa::Avx2, Isa::Avx512};

// What CPUID and XCR0 report (a feature counts only when the OS also saves its registers).
struct CpuFeatures {
  bool avx2 = false, fma = false, f16c = false;
  bool avx512f = false, avx512bw = false, avx512vl = false, avx512vnni = false,
       avx512bf16 = false;
};
const CpuFeatures& cpu_features();

std::string_view isa_name(Isa isa);  // "scalar", "avx2", "avx512"
// hw::Error naming the value for anything but the three names.
Isa parse_isa(std::string_view name);

// avx2: AVX2 + FMA + F16C. avx512: that plus AVX-512 F/BW/VL/VNNI (BF16 is reported by
// cpu_features but not required: the BF16 dot converts exactly with shifts instead).
bool isa_supported(Isa isa);
Isa best_isa();

// The variant named by a HARDWIRE_ISA value; nullptr or "" means best_isa(). hw::Error for an
// unknown name or one this CPU lacks, never a silent fallback.
Isa isa_from_env(const char* value);

// The variant the dispatching kernels (quant.h: vec_dot, quantize_row, ...) use. Chosen on first
// use from HARDWIRE_ISA (hw::Error as isa_from_env), or set explicitly by set_active_isa.
Isa active_isa();
// hw::Error when the CPU lacks it. Meant for start-up and tests, not while kernels run.
void set_active_isa(Isa isa);

}  // namespace hw
