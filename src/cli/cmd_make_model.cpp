// hardwire make-model: a GGUF of a named shape with random weights (tests, benchmarks).
#include <iostream>

#include "base/error.h"
#include "cli/commands.h"
#include "model/random_model.h"

namespace hw {

void add_make_model_command(CLI::App& app) {
  auto o = std::make_shared<RandomModelOptions>();
  auto type = std::make_shared<std::string>("Q8_0");
  CLI::App* cmd = app.add_subcommand("make-model", "write a random-weight GGUF of a named shape");
  std::string shapes;
  for (const ModelShape& s : model_shapes()) shapes += (shapes.empty() ? "" : ", ") + s.name;
  cmd->add_option("--shape", o->shape, "one of: " + shapes)->capture_default_str();
  cmd->add_option("--type", *type, "weight type (F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K)")
      ->capture_default_str();
  cmd->add_option("--vocab", o->vocab_path, "GGUF whose tokenizer is copied (vocab-only files work)")->required();
  cmd->add_option("--seed", o->seed, "random seed")->capture_default_str();
  cmd->add_option("-o,--output", o->out_path, "output file")->required();
  cmd->callback([o, type] {
    check(parse_dtype(*type, &o->type), "unknown type '" + *type + "'");
    write_random_model(*o);
    std::cout << "wrote " << o->out_path << "\n";
  });
}

}  // namespace hw
