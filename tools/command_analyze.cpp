// Placeholder until the 'analyze' subcommand lands.
#include "tools/commands.hpp"

namespace dflab::tools {

void register_analyze(CLI::App& app, int& exit_code) {
    (void)exit_code;
    app.add_subcommand("analyze", "(not yet available)");
}

}  // namespace dflab::tools
