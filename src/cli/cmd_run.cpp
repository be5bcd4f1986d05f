// hardwire run / hardwire chat
#include <chrono>
#include <cstdio>
#include <iostream>
#include <thread>

#include "base/error.h"
#include "cli/commands.h"
#include "cli/registry.h"
#include "model/chat_template.h"
#include "model/session.h"

namespace hw {

int default_threads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : int(n);
}

void add_sampling_flags(CLI::App& cmd, SamplingOptions& s) {
  cmd.add_option("--temp", s.temperature, "temperature (0 = greedy)")->capture_default_str();
  cmd.add_option("--top-k", s.top_k, "keep the k most likely tokens (0 = off)")->capture_default_str();
  cmd.add_option("--top-p", s.top_p, "nucleus sampling mass (1 = off)")->capture_default_str();
  cmd.add_option("--min-p", s.min_p, "drop tokens below min-p times the top probability (0 = off)")->capture_default_str();
  cmd.add_option("--repeat-penalty", s.repeat_penalty, "repetition penalty (1 = off)")->capture_default_str();
  cmd.add_option("--presence-penalty", s.presence_penalty, "presence penalty")->capture_default_str();
  cmd.add_option("--frequency-penalty", s.frequency_penalty, "frequency penalty")->capture_default_str();
  cmd.add_option("--seed", s.seed, "random seed")->capture_default_str();
}

namespace {

struct RunArgs {
  std::string model, prompt;
  int64_t n_predict = 128, ctx = 4096;
  int threads = default_threads();
  bool no_bos = false;
  SamplingOptions sampling;
};

void add_model_flags(CLI::App* cmd, RunArgs& a) {
  cmd->add_option("-m,--model", a.model, "GGUF file or known model name (default: " + default_model_name() + ")");
  cmd->add_option("--ctx", a.ctx, "context length")->capture_default_str();
  cmd->add_option("-t,--threads", a.threads, "threads")->capture_default_str();
  add_sampling_flags(*cmd, a.sampling);
}

SessionOptions session_options(const RunArgs& a, const Model& m) {
  SessionOptions o;
  o.ctx = std::min<int64_t>(a.ctx, m.config().n_ctx_train);
  o.n_threads = a.threads;
  return o;
}

void run(const RunArgs& a) {
  auto model = Model::load(resolve_model(a.model));
  Session session(*model, session_options(a, *model));
  EncodeOptions eo;
  eo.add_special = !a.no_bos;
  std::vector<int32_t> prompt = model->tokenizer().encode(a.prompt, eo);
  check(!prompt.empty(), "empty prompt (and the model adds no BOS token)");
  GenerateOptions go;
  go.max_new = a.n_predict;
  go.sampling = a.sampling;
  std::cout << a.prompt << std::flush;
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  auto t_first = t0;
  int64_t n_gen = 0;
  session.generate(prompt, go, [&](int32_t id, const std::string& text) {
    if (id >= 0 && n_gen++ == 0) t_first = Clock::now();
    std::cout << text << std::flush;
    return true;
  });
  const auto t1 = Clock::now();
  std::cout << "\n";
  const double prefill_s = std::chrono::duration<double>(t_first - t0).count();
  const double decode_s = std::chrono::duration<double>(t1 - t_first).count();
  std::fprintf(stderr, "prompt: %zu tokens in %.2f s (%.1f tok/s); generated: %lld tokens, %.1f tok/s\n",
               prompt.size(), prefill_s, double(prompt.size()) / prefill_s, (long long)n_gen,
               n_gen > 1 ? double(n_gen - 1) / decode_s : 0.0);
}

void chat(const RunArgs& a) {
  auto model = Model::load(resolve_model(a.model));
  Session session(*model, session_options(a, *model));
  const Tokenizer& tok = model->tokenizer();
  const auto src = model->file().get_string("tokenizer.chat_template");
  const ChatTemplate tmpl = src ? ChatTemplate::parse(*src) : ChatTemplate::chatml();
  ChatRenderOptions ro;
  ro.add_generation_prompt = true;
  DecodeOptions raw;
  raw.render_special = true;
  ro.bos_token = tok.bos() ? tok.piece(*tok.bos(), raw) : "";
  ro.eos_token = tok.eos() ? tok.piece(*tok.eos(), raw) : "";
  std::vector<ChatMessage> messages;
  std::cerr << "hardwire chat with " << model->path() << " (empty line or Ctrl-D to quit)\n";
  std::string line;
  while (true) {
    std::cout << "\n> " << std::flush;
    if (!std::getline(std::cin, line) || line.empty()) break;
    messages.push_back({"user", line});
    const std::string text = tmpl.render(messages, ro);
    EncodeOptions eo;
    eo.add_special = false;  // the template writes BOS itself where the model wants it
    eo.parse_special = true;
    std::vector<int32_t> ids = tok.encode(text, eo);
    // Reuse the KV of the conversation so far when the new prompt extends it.
    const auto& hist = session.history();
    size_t common = 0;
    while (common < hist.size() && common < ids.size() && hist[common] == ids[common]) ++common;
    if (common < hist.size() || common == ids.size()) {
      session.reset();
      common = 0;
    }
    GenerateOptions go;
    go.max_new = a.n_predict;
    go.sampling = a.sampling;
    std::string reply;
    try {
      session.generate(std::span(ids).subspan(common), go, [&](int32_t, const std::string& t) {
        std::cout << t << std::flush;
        reply += t;
        return true;
      });
    } catch (const Error& e) {  // e.g. the conversation outgrew the context: start over
      std::cout << "\n[" << e.what() << "; starting a new conversation]\n";
      messages.clear();
      session.reset();
      continue;
    }
    std::cout << "\n";
    messages.push_back({"assistant", reply});
  }
}

}  // namespace

void add_run_commands(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* run_cmd = app.add_subcommand("run", "continue a prompt");
  add_model_flags(run_cmd, *args);
  run_cmd->add_option("-p,--prompt", args->prompt, "prompt text")->required();
  run_cmd->add_option("-n,--n-predict", args->n_predict, "tokens to generate")->capture_default_str();
  run_cmd->add_flag("--no-bos", args->no_bos, "do not add the BOS token");
  run_cmd->callback([args] { run(*args); });

  auto chat_args = std::make_shared<RunArgs>();
  chat_args->n_predict = 1024;
  CLI::App* chat_cmd = app.add_subcommand("chat", "interactive chat using the model's chat template");
  add_model_flags(chat_cmd, *chat_args);
  chat_cmd->add_option("-n,--n-predict", chat_args->n_predict, "longest reply in tokens")->capture_default_str();
  chat_cmd->callback([chat_args] { chat(*chat_args); });
}

}  // namespace hw
