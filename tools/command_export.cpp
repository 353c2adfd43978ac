// dflab export CASE.sqlite --format dfxml|case [-o FILE]: a case in the field's formats, DFXML
// (as fiwalk -X writes it) or CASE/UCO JSON-LD, for other tools to read.
#include <filesystem>
#include <iostream>
#include <memory>

#include "engine/case_reader.hpp"
#include "engine/error.hpp"
#include "engine/export_case.hpp"
#include "engine/export_dfxml.hpp"
#include "tools/command_support.hpp"
#include "tools/commands.hpp"

namespace dflab::tools {

namespace {

struct ExportArgs {
    std::string database;
    std::string format;
    std::string output;
    bool force = false;
};

}  // namespace

void register_export(CLI::App& app, int& exit_code) {
    auto a = std::make_shared<ExportArgs>();
    auto* cmd = app.add_subcommand(
        "export",
        "Write a case database in a format other tools read: DFXML (--format dfxml, the "
        "document fiwalk -X writes: volumes, file objects with times, hashes and byte runs) or "
        "CASE/UCO JSON-LD (--format case: the image, partitions, file systems, files with their "
        "hashes and provenance)");
    cmd->add_option("CASE", a->database, "Case database written by 'dflab analyze'")->required();
    cmd->add_option("--format", a->format, "dfxml or case")
        ->required()
        ->check(CLI::IsMember({"dfxml", "case"}));
    cmd->add_option("-o,--output", a->output,
                    "File to write (written under a temporary name, then renamed); default: "
                    "standard output");
    cmd->add_flag("-f,--force", a->force, "Replace the output if it exists");
    cmd->callback([a, &exit_code] {
        if (!a->output.empty() && !a->force && std::filesystem::exists(a->output))
            throw engine::Error(a->output + ": already exists (use --force to replace it)");
        engine::CaseReader reader(a->database);
        std::string command_line = "dflab export " + a->database + " --format " + a->format;
        if (!a->output.empty()) command_line += " -o " + a->output;
        auto write = [&](std::ostream& out) {
            if (a->format == "dfxml")
                engine::export_dfxml(reader, out, command_line);
            else
                engine::export_case(reader, out);
        };
        if (a->output.empty()) {
            write(std::cout);
            std::cout.flush();
            if (!std::cout) throw engine::Error("standard output: write failed");
        } else {
            engine::write_atomically(a->output, write);
        }
        exit_code = 0;
    });
}

}  // namespace dflab::tools
