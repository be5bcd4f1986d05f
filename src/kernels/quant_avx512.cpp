// The AVX-512 variant of the quantised kernels: quant_x86.h compiled with AVX-512 F/BW/VL/VNNI
// on top of the AVX2 flags (CMakeLists.txt), which gives it VNNI int8 dot products and mask
// registers. Called only when isa_supported(Isa::Avx512).
#include "kernels/quant_internal.h"

#if defined(__x86_64__)
#define HW_X86_AVX512 1
#include "kernels/quant_x86.h"

namespace hw::quant_detail {
KernelList avx512_kernels() { return {kX86Kernels, int(sizeof kX86Kernels / sizeof kX86Kernels[0])}; }
TileList avx512_tiles() { return {kX86Tiles, int(sizeof kX86Tiles / sizeof kX86Tiles[0])}; }
}  // namespace hw::quant_detail
#else
namespace hw::quant_detail {
KernelList avx512_kernels() { return {nullptr, 0}; }
TileList avx512_tiles() { return {nullptr, 0}; }
}  // namespace hw::quant_detail
#endif
