// Placeholder until the 'query' subcommand lands.
#include "tools/commands.hpp"

namespace dflab::tools {

void register_query(CLI::App& app, int& exit_code) {
    (void)exit_code;
    app.add_subcommand("query", "(not yet available)");
}

}  // namespace dflab::tools
