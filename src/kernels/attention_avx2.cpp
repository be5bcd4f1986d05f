// The AVX2 variant of attention_flash's group kernel: attention_x86.h compiled with AVX2 + FMA +
// F16C (CMakeLists.txt). Called only when isa_supported(Isa::Avx2).
#include "kernels/attention_internal.h"

#if defined(__x86_64__)
#include "kernels/attention_x86.h"

namespace hw::attention_detail {
bool flash_group_avx2(const KvLayerView& kv, const AttentionQuery& q, const FlashGroup& fg, float* out) {
  return flash_group_x86(kv, q, fg, out);
}
}  // namespace hw::attention_detail
#endif
