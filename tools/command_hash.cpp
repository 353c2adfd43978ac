// Placeholder until the 'hash' subcommand lands.
#include "tools/commands.hpp"

namespace dflab::tools {

void register_hash(CLI::App& app, int& exit_code) {
    (void)exit_code;
    app.add_subcommand("hash", "(not yet available)");
}

}  // namespace dflab::tools
