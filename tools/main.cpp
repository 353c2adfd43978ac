// dflab: the digital-forensics training lab command.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>

#include "common/error.hpp"
#include "tools/commands.hpp"

int main(int argc, char** argv) {
    // FAT stores local time without a zone, and TSK converts it with the process's time zone
    // (mktime). Pinned to UTC, TSK's seconds are that local time itself, which the engine then
    // reads in the zone the user gives (--fat-zone; engine::fat_time_in_zone), so the TZ of the
    // shell never changes what dflab reports.
    ::setenv("TZ", "UTC", 1);
    ::tzset();
    CLI::App app{"dflab: digital-forensics training lab (forensic engine, exercise packs, scoring)",
                 "dflab"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "dflab 0.1.0");
    // A usage error is one line, as every other error: what is wrong, and where the help is.
    app.failure_message([](const CLI::App*, const CLI::Error& e) {
        return "dflab: " + dflab::common::one_line(e.what()) + " (see --help)\n";
    });
    int exit_code = 0;
    using namespace dflab::tools;
    for (auto add : {register_info,     register_verify,  register_partitions, register_ls,
                     register_cat,      register_hash,    register_yara,       register_search,
                     register_timeline, register_analyze, register_artifacts,  register_query,
                     register_export,   register_image,   register_pack,       register_course,
                     register_score,    register_lab,     register_regrade,    register_report,
                     register_serve,    register_submit,  register_carve}) {
        add(app, exit_code);
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    } catch (const dflab::common::Interrupted& e) {
        std::cout.flush();
        std::fprintf(stderr, "dflab: %s\n", e.what());
        return 130;  // as a shell reports a command stopped by SIGINT
    } catch (const std::exception& e) {
        // One line whatever the error carries: dflab's own errors are (common/error.hpp), a
        // library's text (a parser's, a tool's) may not be.
        std::cout.flush();
        std::fprintf(stderr, "dflab: %s\n", dflab::common::one_line(e.what()).c_str());
        return 1;
    }
    std::cout.flush();
    return exit_code;
}
