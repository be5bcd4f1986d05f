// The AVX-512 variant of attention_flash's group kernel: attention_x86.h with 16-lane vectors and
// _mm512_cvtph_ps, compiled with the AVX-512 flags (CMakeLists.txt). Called only when
// isa_supported(Isa::Avx512).
#include "kernels/attention_internal.h"

#if defined(__x86_64__)
#define HW_X86_AVX512 1
#include "kernels/attention_x86.h"

namespace hw::attention_detail {
bool flash_group_avx512(const KvLayerView& kv, const AttentionQuery& q, const FlashGroup& fg, float* out) {
  return flash_group_x86(kv, q, fg, out);
}
}  // namespace hw::attention_detail
#endif
