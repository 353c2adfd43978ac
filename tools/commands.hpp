#pragma once
// Every subcommand of `dflab`: each file tools/command_<name>.cpp adds one to the app. The
// callback stores the subcommand's exit code in `exit_code`; errors are thrown as exceptions.
#include <CLI/CLI.hpp>

namespace dflab::tools {

void register_info(CLI::App& app, int& exit_code);
void register_verify(CLI::App& app, int& exit_code);
void register_partitions(CLI::App& app, int& exit_code);
void register_ls(CLI::App& app, int& exit_code);
void register_cat(CLI::App& app, int& exit_code);
void register_hash(CLI::App& app, int& exit_code);
void register_yara(CLI::App& app, int& exit_code);
void register_search(CLI::App& app, int& exit_code);
void register_timeline(CLI::App& app, int& exit_code);
void register_analyze(CLI::App& app, int& exit_code);
void register_artifacts(CLI::App& app, int& exit_code);
void register_carve(CLI::App& app, int& exit_code);
void register_query(CLI::App& app, int& exit_code);
void register_export(CLI::App& app, int& exit_code);
void register_image(CLI::App& app, int& exit_code);
void register_pack(CLI::App& app, int& exit_code);
void register_course(CLI::App& app, int& exit_code);
void register_score(CLI::App& app, int& exit_code);
void register_lab(CLI::App& app, int& exit_code);
void register_regrade(CLI::App& app, int& exit_code);
void register_report(CLI::App& app, int& exit_code);
void register_submit(CLI::App& app, int& exit_code);
void register_serve(CLI::App& app, int& exit_code);

}  // namespace dflab::tools
