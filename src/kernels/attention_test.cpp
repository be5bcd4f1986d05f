// attention_flash, every variant this CPU supports, against the two-pass attention_ref: random q
// and KV in a paged cache with shuffled block tables, GQA groups, head sizes, context lengths and
// sliding windows; outputs NaN-poisoned before each call. And the determinism contract: the same
// query over the same KV contents gives the same bits wherever the blocks are placed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "base/f16.h"
#include "kernels/attention.h"
#include "kernels/isa.h"

namespace hw {
namespace {

std::vector<Isa> variants() {
  std::vector<Isa> out;
  for (Isa isa : kAllIsas)
    if (isa_supported(isa) && attention_flash_variant(isa)) out.push_back(isa);
  return out;
}

// A paged cache holding one sequence of n_pos random positions, its blocks placed by a shuffled
// table among twice as many blocks as it needs (the spare ones hold other random data).
struct PagedSeq {
  KvGeometry geo;
  std::vector<uint16_t> k, v;
  std::vector<int32_t> table;

  PagedSeq(int64_t n_kv_heads, int64_t head_dim, int64_t n_pos, std::mt19937& rng) {
    geo.n_kv_heads = n_kv_heads;
    geo.head_dim = head_dim;
    const int64_t n_used = (n_pos + geo.block_size - 1) / geo.block_size, n_blocks = 2 * n_used;
    std::normal_distribution<float> nd(0.0f, 1.0f);
    k.resize(size_t(n_blocks * geo.block_elems()));
    v.resize(k.size());
    for (auto& x : k) x = f32_to_f16(nd(rng));
    for (auto& x : v) x = f32_to_f16(nd(rng));
    std::vector<int32_t> ids(static_cast<size_t>(n_blocks));
    std::iota(ids.begin(), ids.end(), 0);
    std::shuffle(ids.begin(), ids.end(), rng);
    table.assign(ids.begin(), ids.begin() + n_used);
  }
  KvLayerView view() { return {geo, k.data(), v.data()}; }

  // The same contents with every used block moved to another id (block i -> the spare slot).
  PagedSeq moved() const {
    PagedSeq o = *this;
    const int64_t be = geo.block_elems(), n_blocks = int64_t(k.size()) / be;
    std::vector<bool> used(size_t(n_blocks), false);
    for (int32_t b : table) used[size_t(b)] = true;
    int64_t spare = 0;
    for (size_t i = 0; i < table.size(); ++i) {
      while (used[size_t(spare)]) ++spare;
      std::copy_n(k.begin() + table[i] * be, be, o.k.begin() + spare * be);
      std::copy_n(v.begin() + table[i] * be, be, o.v.begin() + spare * be);
      o.table[i] = int32_t(spare++);
    }
    return o;
  }
};

std::vector<float> run_flash(AttentionFn fn, const KvLayerView& kv, const AttentionQuery& q, int64_t n_heads) {
  std::vector<float> out(size_t(n_heads * kv.geo.head_dim), std::numeric_limits<float>::quiet_NaN());
  fn(kv, q, n_heads, out.data());
  return out;
}

double norm_err(const std::vector<float>& got, const std::vector<float>& want) {
  double num = 0, den = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    if (!std::isfinite(got[i])) return INFINITY;
    num += (double(got[i]) - want[i]) * (double(got[i]) - want[i]);
    den += double(want[i]) * want[i];
  }
  return std::sqrt(num / den);
}

TEST(Attention, FlashMatchesReference) {
  std::mt19937 rng(1234);
  const int64_t kPositions[] = {0, 1, 2, 7, 14, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 200, 255, 299};
  double worst[3] = {0, 0, 0};
  for (int64_t group : {1, 2, 4, 7, 10}) {
    for (int64_t head_dim : {64, 128, 256}) {
      const int64_t n_kv = group == 10 ? 1 : 2, n_heads = group * n_kv;
      PagedSeq seq(n_kv, head_dim, 300, rng);
      const KvLayerView kv = seq.view();
      std::normal_distribution<float> nd(0.0f, 1.0f);
      std::vector<float> qv(size_t(n_heads * head_dim)), ref(qv.size()), scratch(300);
      for (auto& x : qv) x = nd(rng);
      for (int64_t window : {0, 1, 16, 64}) {
        for (int64_t pos : kPositions) {
          const AttentionQuery q{qv.data(), pos, seq.table.data(), window, 1.0f / std::sqrt(float(head_dim))};
          std::fill(ref.begin(), ref.end(), std::numeric_limits<float>::quiet_NaN());
          attention_ref(kv, q, n_heads, ref.data(), scratch.data());
          for (Isa isa : variants()) {
            const double e = norm_err(run_flash(attention_flash_variant(isa), kv, q, n_heads), ref);
            worst[int(isa)] = std::max(worst[int(isa)], e);
            ASSERT_LT(e, 2e-6) << isa_name(isa) << " group " << group << " head_dim " << head_dim << " window "
                               << window << " pos " << pos;
          }
        }
      }
    }
  }
  for (Isa isa : variants()) std::printf("attention_flash %s: worst normalised error %.3g\n",
                                         std::string(isa_name(isa)).c_str(), worst[int(isa)]);
}

TEST(Attention, FlashIndependentOfBlockPlacement) {
  std::mt19937 rng(99);
  for (int64_t head_dim : {64, 128}) {
    PagedSeq a(2, head_dim, 200, rng);
    PagedSeq b = a.moved();
    std::normal_distribution<float> nd(0.0f, 1.0f);
    std::vector<float> qv(size_t(2 * 7 * head_dim));
    for (auto& x : qv) x = nd(rng);
    for (Isa isa : variants()) {
      for (int64_t pos : {5, 16, 150, 199}) {
        for (int64_t window : {0, 64}) {
          const AttentionQuery qa{qv.data(), pos, a.table.data(), window, 0.125f};
          const AttentionQuery qb{qv.data(), pos, b.table.data(), window, 0.125f};
          const std::vector<float> oa = run_flash(attention_flash_variant(isa), a.view(), qa, 14);
          const std::vector<float> ob = run_flash(attention_flash_variant(isa), b.view(), qb, 14);
          ASSERT_EQ(0, std::memcmp(oa.data(), ob.data(), oa.size() * sizeof(float)))
              << isa_name(isa) << " head_dim " << head_dim << " pos " << pos << " window " << window;
        }
      }
    }
  }
}

}  // namespace
}  // namespace hw
