// Placeholder until the 'yara' subcommand lands.
#include "tools/commands.hpp"

namespace dflab::tools {

void register_yara(CLI::App& app, int& exit_code) {
    (void)exit_code;
    app.add_subcommand("yara", "(not yet available)");
}

}  // namespace dflab::tools
