// dflab ls IMAGE...: the entries of the file systems, deleted ones and streams included.
#include <iostream>
#include <memory>

#include "engine/file_system.hpp"
#include "engine/time_format.hpp"
#include "tools/command_support.hpp"
#include "tools/commands.hpp"

namespace dflab::tools {

namespace {

struct LsOptions {
    ImageArgs image;
    bool recursive = false;
    bool deleted_only = false;
    std::string path = "/";
};

// fls-like lines, with the partition index first so multi-partition listings stay readable:
// "PARTITION  TYPE [*] INODE:<tab>PATH<tab>SIZE<tab>MTIME".
void print_text(const engine::Entry& e) {
    std::cout << e.partition << "  " << e.mode_string.substr(0, 3) << " "
              << (e.allocated ? "" : (e.reallocated ? "(realloc) " : "* ")) << e.inode << ":\t"
              << e.path << "\t" << e.size << "\t" << (e.mtime ? engine::iso_utc(*e.mtime) : "-")
              << "\n";
}

}  // namespace

void register_ls(CLI::App& app, int& exit_code) {
    auto o = std::make_shared<LsOptions>();
    auto* cmd = app.add_subcommand(
        "ls", "List file system entries (like fls): one JSON object per line with --json");
    add_image_args(cmd, o->image, true, true);
    cmd->add_flag("-r,--recursive", o->recursive, "Descend into directories");
    cmd->add_flag("-d,--deleted", o->deleted_only, "Only deleted entries");
    cmd->add_option("--path", o->path, "Directory to list (default: the root)");
    add_fat_zone_option(cmd, o->image.fat_zones);
    cmd->callback([o, &exit_code] {
        engine::parse_fat_zones(o->image.fat_zones);  // checked before touching the image
        exit_code = run_isolated("ls", [&](engine::ChildChannel& ch) {
            ch.context(o->image.images.front());
            auto evidence = engine::Evidence::open(o->image.images);
            const auto partitions = zoned_partitions(evidence, o->image);
            const std::string note = fat_zone_note(partitions);
            if (!o->image.json && !note.empty()) std::cout << note << "\n";
            WalkErrorReport skipped(evidence.name());
            for (const auto& part : partitions) {
                ch.context(evidence.name() + " partition " + std::to_string(part.index));
                const engine::FileSystem fs(evidence, part);
                engine::WalkOptions w;
                w.recursive = o->recursive;
                w.include_allocated = !o->deleted_only;
                w.start_path = o->path;
                fs.walk(
                    w,
                    [&](engine::Entry&& e) {
                        ch.heartbeat();
                        if (o->image.json)
                            std::cout << engine::entry_json(e).dump() << "\n";
                        else
                            print_text(e);
                    },
                    skipped.handler());
            }
            skipped.finish(ch);
        });
    });
}

}  // namespace dflab::tools
