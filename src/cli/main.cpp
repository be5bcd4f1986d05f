// hardwire: a transformer inference engine. See README.md and docs/ARCHITECTURE.md.
#include <iostream>

#include "base/error.h"
#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"hardwire: run transformer language models as fast as the hardware allows"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "hardwire 0.1.0");
  hw::add_run_commands(app);
  hw::add_inspect_commands(app);
  hw::add_perplexity_command(app);
  hw::add_make_model_command(app);
  hw::add_bench_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const hw::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
