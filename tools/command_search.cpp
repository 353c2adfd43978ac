// Placeholder until the 'search' subcommand lands.
#include "tools/commands.hpp"

namespace dflab::tools {

void register_search(CLI::App& app, int& exit_code) {
    (void)exit_code;
    app.add_subcommand("search", "(not yet available)");
}

}  // namespace dflab::tools
