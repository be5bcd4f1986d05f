// The AVX2 variant of the quantised kernels (AVX2 + FMA + F16C): quant_x86.h compiled with
// -mavx2 -mfma -mf16c (CMakeLists.txt). Called only when isa_supported(Isa::Avx2).
#include "kernels/quant_internal.h"

#if defined(__x86_64__)
#define HW_X86_AVX512 0
#include "kernels/quant_x86.h"

namespace hw::quant_detail {
KernelList avx2_kernels() { return {kX86Kernels, int(sizeof kX86Kernels / sizeof kX86Kernels[0])}; }
TileList avx2_tiles() { return {kX86Tiles, int(sizeof kX86Tiles / sizeof kX86Tiles[0])}; }
}  // namespace hw::quant_detail
#else
namespace hw::quant_detail {
KernelList avx2_kernels() { return {nullptr, 0}; }
TileList avx2_tiles() { return {nullptr, 0}; }
}  // namespace hw::quant_detail
#endif
