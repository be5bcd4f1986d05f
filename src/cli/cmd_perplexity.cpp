// hardwire perplexity -m MODEL -f TEXT [--ctx N]
#include <cstdio>
#include <fstream>
#include <sstream>

#include "base/error.h"
#include "cli/commands.h"
#include "cli/progress.h"
#include "cli/registry.h"
#include "model/perplexity.h"

namespace hw {
namespace {

struct PplArgs {
  std::string model, file;
  PerplexityOptions opt;
};

void run_perplexity(const PplArgs& a) {
  auto model = Model::load(resolve_model(a.model));
  std::ifstream in(a.file, std::ios::binary);
  check(bool(in), "cannot read " + a.file);
  std::stringstream ss;
  ss << in.rdbuf();
  Progress bar(1);
  bar.update(0, "windows");
  const PerplexityResult r = perplexity(*model, ss.str(), a.opt, [&](int64_t done, int64_t total, double ppl) {
    if (done == 1) bar = Progress(total);
    char label[48];
    std::snprintf(label, sizeof label, "%lld/%lld windows, ppl %.4f", (long long)done, (long long)total, ppl);
    bar.update(done, label);
  });
  bar.finish();
  std::printf("perplexity: %.4f over %lld tokens (%lld windows of %lld)\n", r.ppl, (long long)r.scored,
              (long long)r.windows, (long long)a.opt.ctx);
}

}  // namespace

void add_perplexity_command(CLI::App& app) {
  auto a = std::make_shared<PplArgs>();
  a->opt.n_threads = default_threads();
  CLI::App* cmd = app.add_subcommand("perplexity", "perplexity of a text file");
  cmd->add_option("-m,--model", a->model, "GGUF file or known model name");
  cmd->add_option("-f,--file", a->file, "text file")->required();
  cmd->add_option("--ctx", a->opt.ctx, "window length in tokens")->capture_default_str();
  cmd->add_option("--chunks", a->opt.max_windows, "evaluate at most this many windows (0 = all)")->capture_default_str();
  cmd->add_option("-t,--threads", a->opt.n_threads, "threads")->capture_default_str();
  cmd->callback([a] { run_perplexity(*a); });
}

}  // namespace hw
