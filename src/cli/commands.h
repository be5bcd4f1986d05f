// The hardwire subcommands. Each add_* registers its options on the app and the
// callback that runs it; errors are thrown as hw::Error and printed by main.
#pragma once
#include <CLI/CLI.hpp>

#include "model/sampler.h"

namespace hw {

void add_run_commands(CLI::App& app);      // run, chat
void add_inspect_commands(CLI::App& app);  // info, tokenize, models, pull
void add_perplexity_command(CLI::App& app);
void add_make_model_command(CLI::App& app);
void add_bench_command(CLI::App& app);

// Sampling flags shared by run and chat (and later serve).
void add_sampling_flags(CLI::App& cmd, SamplingOptions& s);
// Threads to use by default: the machine's cores.
int default_threads();

}  // namespace hw
