// hardwire bench -m MODEL [--json FILE] [--svg FILE] [-t N]
//
// Probes the machine (runtime/probe.h), then times Transformer::forward on hand-built batches:
//   pp512    prefill of 512 random tokens of one sequence (one step when the plan allows);
//   tg128    128 single-token decode steps after a kPrompt-token prompt;
//   batched  1, 4, 16 and 32 sequences, each with a kPrompt-token prompt, then kBatchSteps steps
//            of one token per sequence per forward.
// Achieved GB/s and GOP/s divide model/cost.h's counts by the measured time. The phases, sizes and
// JSON keys are fixed so that runs of different versions compare.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <random>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "cli/commands.h"
#include "cli/progress.h"
#include "cli/registry.h"
#include "kernels/isa.h"
#include "kernels/quant.h"
#include "model/cost.h"
#include "model/transformer.h"
#include "runtime/probe.h"

namespace hw {
namespace {

constexpr int64_t kPrefill = 512;
constexpr int64_t kDecode = 128;
constexpr int64_t kPrompt = 16;
constexpr int64_t kBatchSteps = 32;
constexpr int64_t kSeqs[] = {1, 4, 16, 32};
constexpr int64_t kMaxSeqs = 32;

struct BenchArgs {
  std::string model, json, svg;
  int threads = default_threads();
  int64_t probe_mib = 1024;
  bool probe_only = false;
};

struct Phase {
  std::string name;
  int64_t seqs = 1, tokens = 0;
  double seconds = 0, bytes = 0, ops = 0;
  double tok_s() const { return double(tokens) / seconds; }
  double gbs() const { return bytes / seconds / 1e9; }
  double gops() const { return ops / seconds / 1e9; }
};

using Clock = std::chrono::steady_clock;

class Bench {
 public:
  Bench(const Model& m, int threads)
      : model_(m), cfg_(m.config()), kv_(Transformer::kv_options(cfg_, kv_blocks())),
        tf_(m, kv_, plan(threads)), rng_(1) {
    for (int64_t i = 0; i < kMaxSeqs; ++i) seqs_.push_back(std::make_unique<KvSequence>(kv_));
  }

  static int64_t steps_total() {
    return chunks(kPrefill) + 1 + chunks(kPrompt) + kDecode + int64_t(std::size(kSeqs)) * (1 + kBatchSteps);
  }

  void warm_up() {
    // Pages the mapped weights in and spins the threads up; untimed.
    reset(1);
    forward_one_each(1, 0);
  }

  Phase prefill(Progress& p) {
    reset(1);
    Phase ph{"pp" + std::to_string(kPrefill), 1, kPrefill};
    for (int64_t p0 = 0; p0 < kPrefill; p0 += chunk()) {
      const int64_t n = std::min(chunk(), kPrefill - p0);
      for (int64_t t = p0; t < p0 + n; ++t) {
        const StepCost c = cost(1, t + 1);
        ph.ops += c.matmul_ops + c.attn_ops;
      }
      ph.ops += cost(1, 1).logits_ops;
      const auto t0 = Clock::now();
      prefill_chunk(0, p0, n);
      ph.seconds += since(t0);
      p.step(ph.name);
    }
    return ph;
  }

  Phase decode(Progress& p) {
    reset(1);
    for (int64_t p0 = 0; p0 < kPrompt; p0 += chunk()) {
      prefill_chunk(0, p0, std::min(chunk(), kPrompt - p0));
      p.step("tg" + std::to_string(kDecode) + " prompt");
    }
    Phase ph{"tg" + std::to_string(kDecode), 1, kDecode};
    for (int64_t i = 0; i < kDecode; ++i) {
      const StepCost c = cost(1, kPrompt + i + 1);
      ph.bytes += c.bytes();
      ph.ops += c.ops();
      const auto t0 = Clock::now();
      forward_one_each(1, kPrompt + i);
      ph.seconds += since(t0);
      p.step(ph.name);
    }
    return ph;
  }

  Phase batched(int64_t n_seqs, Progress& p) {
    reset(n_seqs);
    const std::string name = "batch" + std::to_string(n_seqs);
    Batch b;  // all prompts in one step: n_seqs * kPrompt <= kMaxSeqs * kPrompt tokens
    for (int64_t s = 0; s < n_seqs; ++s) {
      b.block_tables.push_back(seqs_[size_t(s)]->table());
      for (int64_t i = 0; i < kPrompt; ++i) b.tokens.push_back({random_token(), int32_t(i), int32_t(s), i + 1 == kPrompt});
    }
    tf_.forward(b);
    p.step(name + " prompt");
    Phase ph{name, n_seqs, n_seqs * kBatchSteps};
    for (int64_t i = 0; i < kBatchSteps; ++i) {
      const StepCost c = cost(n_seqs, kPrompt + i + 1);
      ph.bytes += c.bytes();
      ph.ops += c.ops();
      const auto t0 = Clock::now();
      forward_one_each(n_seqs, kPrompt + i);
      ph.seconds += since(t0);
      p.step(name);
    }
    return ph;
  }

  StepCost cost(int64_t n_tokens, int64_t ctx) const { return step_cost(cfg_, model_.weights(), n_tokens, ctx); }

 private:
  static constexpr int64_t kMaxTokens = std::max(kPrefill, kMaxSeqs * kPrompt);
  static int64_t chunk() { return kMaxTokens; }
  static int64_t chunks(int64_t n) { return (n + chunk() - 1) / chunk(); }
  static int64_t kv_blocks() {
    const int64_t per_seq = (kPrompt + kBatchSteps + 15) / 16;
    return std::max({(kPrefill + 15) / 16, (kPrompt + kDecode + 15) / 16, kMaxSeqs * per_seq});
  }
  static PlanOptions plan(int threads) {
    PlanOptions o;
    o.max_tokens = kMaxTokens;
    o.max_logits = kMaxSeqs;
    o.max_ctx = std::max({kPrefill, kPrompt + kDecode, kPrompt + kBatchSteps});
    o.n_threads = threads;
    return o;
  }
  static double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

  int32_t random_token() { return int32_t(rng_() % uint64_t(cfg_.n_vocab)); }

  // Clears every sequence and reserves room for the longest phase in the first n.
  void reset(int64_t n) {
    for (auto& s : seqs_) s->clear();
    const int64_t len = n == 1 ? std::max(kPrefill, kPrompt + kDecode) : kPrompt + kBatchSteps;
    for (int64_t s = 0; s < n; ++s) check(seqs_[size_t(s)]->reserve(len), "bench: KV cache exhausted");
  }

  void prefill_chunk(int64_t seq, int64_t p0, int64_t n) {
    Batch b;
    b.block_tables.push_back(seqs_[size_t(seq)]->table());
    for (int64_t i = 0; i < n; ++i) b.tokens.push_back({random_token(), int32_t(p0 + i), 0, i + 1 == n});
    tf_.forward(b);
  }

  // One token at position pos for each of the first n sequences, all asking for logits.
  void forward_one_each(int64_t n, int64_t pos) {
    Batch b;
    for (int64_t s = 0; s < n; ++s) {
      b.block_tables.push_back(seqs_[size_t(s)]->table());
      b.tokens.push_back({random_token(), int32_t(pos), int32_t(s), true});
    }
    tf_.forward(b);
  }

  const Model& model_;
  const ModelConfig& cfg_;
  KvCache kv_;
  Transformer tf_;
  std::vector<std::unique_ptr<KvSequence>> seqs_;
  std::mt19937_64 rng_;
};

struct Report {
  std::string model;
  DType weight_type = DType::F32;
  int threads = 0;
  ProbeResult probe;
  bool int8_dots = false;  // prefill is compared with the int8 peak (quantised weights), else bf16
  Phase pp, tg;
  std::vector<Phase> batched;
  double decode_bytes_per_step = 0, decode_ops_per_token = 0;  // at the batched phases' mean ctx

  double peak_gops() const { return int8_dots ? probe.int8_gops : probe.bf16_gflops; }
  // Tokens/s bounds at n_seqs sequences: memory (all bytes of a step once per step) and compute.
  double memory_roof(double n_seqs) const {
    return probe.mem_gbs * 1e9 * n_seqs / (decode_bytes_per_step + (n_seqs - 1) * kv_bytes_per_seq);
  }
  double compute_roof() const { return peak_gops() * 1e9 / decode_ops_per_token; }
  double roof(double n_seqs) const { return std::min(memory_roof(n_seqs), compute_roof()); }
  double kv_bytes_per_seq = 0;  // plus embedding row: the bytes one more sequence adds to a step
};

void print_table(const Report& r) {
  std::printf("%-8s %5s %7s %9s %10s %8s\n", "phase", "seqs", "tokens", "tok/s", "achieved", "of probe");
  auto row = [](const Phase& p, double v, const char* unit, double frac) {
    std::printf("%-8s %5lld %7lld %9.2f %6.1f %-4s %7.1f%%\n", p.name.c_str(), (long long)p.seqs,
                (long long)p.tokens, p.tok_s(), v, unit, 100 * frac);
  };
  row(r.pp, r.pp.gops(), "GOP/s", r.pp.gops() / r.peak_gops());
  row(r.tg, r.tg.gbs(), "GB/s", r.tg.gbs() / r.probe.mem_gbs);
  for (const Phase& p : r.batched) row(p, p.gbs(), "GB/s", p.gbs() / r.probe.mem_gbs);
}

nlohmann::json to_json(const Report& r) {
  nlohmann::json j;
  j["model"] = r.model;
  j["weight_type"] = std::string(dtype_name(r.weight_type));
  j["isa"] = std::string(isa_name(active_isa()));
  j["threads"] = r.threads;
  j["probe"] = {{"mem_gbs", r.probe.mem_gbs},         {"int8_gops", r.probe.int8_gops},
                {"bf16_gflops", r.probe.bf16_gflops}, {"int8_kernel", r.probe.int8_kernel},
                {"bf16_kernel", r.probe.bf16_kernel}};
  j["pp512_tok_s"] = r.pp.tok_s();
  j["pp512_gops"] = r.pp.gops();
  j["pp512_peak_frac"] = r.pp.gops() / r.peak_gops();
  j["tg128_tok_s"] = r.tg.tok_s();
  j["tg128_gbs"] = r.tg.gbs();
  j["tg128_bw_frac"] = r.tg.gbs() / r.probe.mem_gbs;
  j["batched"] = nlohmann::json::array();
  for (const Phase& p : r.batched)
    j["batched"].push_back({{"seqs", p.seqs}, {"tok_s", p.tok_s()}, {"gbs", p.gbs()},
                            {"bw_frac", p.gbs() / r.probe.mem_gbs}, {"roof_tok_s", r.roof(double(p.seqs))}});
  j["decode_bytes_per_step"] = r.decode_bytes_per_step;
  j["decode_ops_per_token"] = r.decode_ops_per_token;
  return j;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  check(bool(out), "cannot write " + path);
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// Total tok/s against sequences on log-log axes, with the roofline min(memory, compute).
std::string to_svg(const Report& r) {
  const double W = 640, H = 420, L = 70, R = 170, T = 40, B = 50;
  const double x0 = 1, x1 = double(kMaxSeqs);
  double y_lo = 1e300, y_hi = 0;
  for (const Phase& p : r.batched) y_lo = std::min(y_lo, p.tok_s()), y_hi = std::max(y_hi, p.tok_s());
  for (double s = x0; s <= x1; s *= 2) y_lo = std::min(y_lo, r.roof(s)), y_hi = std::max(y_hi, r.roof(s));
  const double d_lo = std::floor(std::log10(y_lo)), d_hi = std::ceil(std::log10(y_hi * 1.05));
  auto X = [&](double s) { return L + (W - L - R) * std::log2(s / x0) / std::log2(x1 / x0); };
  auto Y = [&](double v) { return H - B - (H - T - B) * (std::log10(v) - d_lo) / std::max(d_hi - d_lo, 1.0); };
  std::string o;
  o += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + fmt("%.0f", W) + "\" height=\"" + fmt("%.0f", H) +
       "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  o += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  o += "<text x=\"" + fmt("%.0f", L) + "\" y=\"24\" font-size=\"14\">hardwire bench: decode throughput vs sequences (" +
       std::string(dtype_name(r.weight_type)) + ", " + std::to_string(r.threads) + " threads)</text>\n";
  for (double d = d_lo; d <= d_hi; ++d) {  // y grid, decades
    const double y = Y(std::pow(10, d));
    o += "<line x1=\"" + fmt("%.1f", L) + "\" x2=\"" + fmt("%.1f", W - R) + "\" y1=\"" + fmt("%.1f", y) + "\" y2=\"" +
         fmt("%.1f", y) + "\" stroke=\"#ddd\"/>\n";
    o += "<text x=\"" + fmt("%.1f", L - 6) + "\" y=\"" + fmt("%.1f", y + 4) + "\" text-anchor=\"end\">" +
         fmt("%g", std::pow(10, d)) + "</text>\n";
  }
  for (int64_t s : kSeqs) {  // x ticks
    const double x = X(double(s));
    o += "<line x1=\"" + fmt("%.1f", x) + "\" x2=\"" + fmt("%.1f", x) + "\" y1=\"" + fmt("%.1f", T) + "\" y2=\"" +
         fmt("%.1f", H - B) + "\" stroke=\"#eee\"/>\n";
    o += "<text x=\"" + fmt("%.1f", x) + "\" y=\"" + fmt("%.1f", H - B + 16) + "\" text-anchor=\"middle\">" +
         std::to_string(s) + "</text>\n";
  }
  o += "<rect x=\"" + fmt("%.1f", L) + "\" y=\"" + fmt("%.1f", T) + "\" width=\"" + fmt("%.1f", W - L - R) +
       "\" height=\"" + fmt("%.1f", H - T - B) + "\" fill=\"none\" stroke=\"#444\"/>\n";
  o += "<text x=\"" + fmt("%.1f", (L + W - R) / 2) + "\" y=\"" + fmt("%.1f", H - 12) +
       "\" text-anchor=\"middle\">sequences decoded together</text>\n";
  o += "<text transform=\"translate(18 " + fmt("%.1f", (T + H - B) / 2) +
       ") rotate(-90)\" text-anchor=\"middle\">total tokens/s</text>\n";
  std::string roof;
  for (int i = 0; i <= 100; ++i) {
    const double s = x0 * std::pow(x1 / x0, i / 100.0);
    roof += fmt("%.1f,", X(s)) + fmt("%.1f ", Y(r.roof(s)));
  }
  o += "<polyline points=\"" + roof + "\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>\n";
  std::string meas;
  for (const Phase& p : r.batched) meas += fmt("%.1f,", X(double(p.seqs))) + fmt("%.1f ", Y(p.tok_s()));
  o += "<polyline points=\"" + meas + "\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\"/>\n";
  for (const Phase& p : r.batched) {
    const double x = X(double(p.seqs)), y = Y(p.tok_s());
    o += "<circle cx=\"" + fmt("%.1f", x) + "\" cy=\"" + fmt("%.1f", y) + "\" r=\"4\" fill=\"#1f77b4\"/>\n";
    o += "<text x=\"" + fmt("%.1f", x + 6) + "\" y=\"" + fmt("%.1f", y - 8) + "\" fill=\"#1f77b4\">" +
         fmt("%.1f", p.tok_s()) + "</text>\n";
  }
  const double lx = W - R + 12;
  o += "<line x1=\"" + fmt("%.0f", lx) + "\" x2=\"" + fmt("%.0f", lx + 24) + "\" y1=\"60\" y2=\"60\" stroke=\"#1f77b4\" stroke-width=\"2\"/>";
  o += "<text x=\"" + fmt("%.0f", lx + 30) + "\" y=\"64\">measured</text>\n";
  o += "<line x1=\"" + fmt("%.0f", lx) + "\" x2=\"" + fmt("%.0f", lx + 24) +
       "\" y1=\"80\" y2=\"80\" stroke=\"#d62728\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>";
  o += "<text x=\"" + fmt("%.0f", lx + 30) + "\" y=\"84\">roofline</text>\n";
  o += "<text x=\"" + fmt("%.0f", lx) + "\" y=\"110\">" + fmt("%.1f GB/s read", r.probe.mem_gbs) + "</text>\n";
  o += "<text x=\"" + fmt("%.0f", lx) + "\" y=\"126\">" + fmt("%.0f GOP/s peak", r.peak_gops()) + "</text>\n";
  o += "<text x=\"" + fmt("%.0f", lx) + "\" y=\"142\">" + fmt("%.1f MB per step", r.decode_bytes_per_step / 1e6) +
       "</text>\n";
  o += "</svg>\n";
  return o;
}

void run_bench(const BenchArgs& a) {
  check(a.threads > 0, "bench: threads must be positive");
  check(a.probe_mib > 0, "bench: probe buffer must be positive");
  auto model = Model::load(resolve_model(a.model));
  Report r;
  r.model = a.model;
  r.threads = a.threads;
  r.weight_type = model->weights().layers.empty() ? DType::F32 : model->weights().layers[0].wq.type;
  const DType dot = vec_dot_type(r.weight_type);
  r.int8_dots = dot == DType::Q8_0 || dot == DType::Q8_1 || dot == DType::Q8_K;

  std::fprintf(stderr, "probing the machine (%d threads)...\n", a.threads);
  {
    ThreadPool pool(a.threads);
    ProbeOptions po;
    po.mem_bytes = size_t(a.probe_mib) << 20;
    r.probe = probe_machine(pool, po);
  }
  std::printf("probe: read %.1f GB/s, int8 %.0f GOP/s (%s), bf16 %.0f GFLOP/s (%s), %d threads, isa %s\n",
              r.probe.mem_gbs, r.probe.int8_gops, r.probe.int8_kernel.c_str(), r.probe.bf16_gflops,
              r.probe.bf16_kernel.c_str(), a.threads, std::string(isa_name(active_isa())).c_str());
  std::fflush(stdout);
  if (a.probe_only) return;

  Bench bench(*model, a.threads);
  const int64_t mid_ctx = kPrompt + kBatchSteps / 2;
  const StepCost one = bench.cost(1, mid_ctx), two = bench.cost(2, mid_ctx);
  r.decode_bytes_per_step = one.bytes();
  r.kv_bytes_per_seq = two.bytes() - one.bytes();
  r.decode_ops_per_token = one.ops();

  bench.warm_up();
  Progress progress(Bench::steps_total());
  r.pp = bench.prefill(progress);
  r.tg = bench.decode(progress);
  for (int64_t s : kSeqs) r.batched.push_back(bench.batched(s, progress));
  progress.finish();

  print_table(r);
  if (!a.json.empty()) write_file(a.json, to_json(r).dump(2) + "\n");
  if (!a.svg.empty()) write_file(a.svg, to_svg(r));
}

}  // namespace

void add_bench_command(CLI::App& app) {
  auto a = std::make_shared<BenchArgs>();
  CLI::App* cmd = app.add_subcommand("bench", "probe the machine, then time prefill, decode and batched decode");
  cmd->add_option("-m,--model", a->model, "GGUF file or known model name")->required();
  cmd->add_option("--json", a->json, "write the results as JSON to this file");
  cmd->add_option("--svg", a->svg, "write a chart of throughput vs sequences to this file");
  cmd->add_option("-t,--threads", a->threads, "threads")->capture_default_str();
  cmd->add_option("--probe-mib", a->probe_mib, "memory probe buffer in MiB (keep it well above the LLC)")
      ->capture_default_str();
  cmd->add_flag("--probe-only", a->probe_only, "only probe the machine (the model is still loaded)");
  cmd->callback([a] { run_bench(*a); });
}

}  // namespace hw
