// Placeholder until the 'timeline' subcommand lands.
#include "tools/commands.hpp"

namespace dflab::tools {

void register_timeline(CLI::App& app, int& exit_code) {
    (void)exit_code;
    app.add_subcommand("timeline", "(not yet available)");
}

}  // namespace dflab::tools
