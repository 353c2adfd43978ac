// dflab cat IMAGE... (--inode ADDR | PATH): an entry's raw content to stdout (like icat).
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

#include "engine/content.hpp"
#include "engine/error.hpp"
#include "tools/command_support.hpp"
#include "tools/commands.hpp"

namespace dflab::tools {

namespace {

struct CatOptions {
    ImageArgs image;
    std::string inode;
    std::string path;
    bool slack = false;
};

void write_all(std::span<const std::byte> data) {
    const std::byte* p = data.data();
    size_t left = data.size();
    while (left > 0) {
        ssize_t n = ::write(STDOUT_FILENO, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)
            throw engine::Error(std::string("cannot write to standard output: ") +
                                std::strerror(errno));
        p += n;
        left -= static_cast<size_t>(n);
    }
}

}  // namespace

void register_cat(CLI::App& app, int& exit_code) {
    auto o = std::make_shared<CatOptions>();
    auto* cmd =
        app.add_subcommand("cat", "Write an entry's content to standard output (like icat)");
    add_image_args(cmd, o->image, true, false);
    auto* by_inode =
        cmd->add_option("-i,--inode", o->inode, "Metadata address, e.g. 14 or 64-128-3");
    auto* by_path =
        cmd->add_option("--path", o->path, "Path in the file system, e.g. /Documents/a.txt");
    by_inode->excludes(by_path);
    cmd->add_flag("-s,--slack", o->slack, "Include slack space (up to the allocated size)");
    cmd->footer(
        "The path may also be given as the last argument: dflab cat IMAGE.E01 /Documents/a.txt "
        "(an argument that is not an existing file on this machine is taken as the path).");
    cmd->callback([o, &exit_code] {
        // `dflab cat IMAGE... PATH`: the last positional names an entry when it is not a file here.
        if (o->path.empty() && o->inode.empty() && o->image.images.size() > 1 &&
            !std::filesystem::exists(o->image.images.back())) {
            o->path = o->image.images.back();
            o->image.images.pop_back();
        }
        if (o->inode.empty() && o->path.empty())
            throw engine::Error("cat: give --inode ADDR or a PATH in the file system");
        exit_code = run_isolated("cat", [&](engine::ChildChannel& ch) {
            ch.context(o->image.images.front());
            auto evidence = engine::Evidence::open(o->image.images);
            auto parts =
                engine::file_system_partitions(evidence, o->image.partition, o->image.offset);
            if (parts.size() > 1 && !o->image.partition) {
                throw engine::Error(evidence.name() +
                                    ": several file systems; choose one with --partition");
            }
            const auto& part = parts.front();
            ch.context(evidence.name() + " partition " + std::to_string(part.index));
            const engine::FileSystem fs(evidence, part);
            // Name the image and partition in every failure below (the engine's content errors
            // only know the address).
            const std::string where =
                evidence.name() + ": partition " + std::to_string(part.index) + ": ";
            try {
                engine::ContentAddress address =
                    o->inode.empty() ? fs.find(o->path).address : engine::parse_inode(o->inode);
                engine::ContentReader reader = fs.content(address, {o->slack});
                std::vector<std::byte> buffer(1 << 20);
                uint64_t done = 0;
                reader.stream(buffer, [&](std::span<const std::byte> chunk) {
                    write_all(chunk);
                    done += chunk.size();
                    ch.progress(done, reader.size());
                    return true;
                });
            } catch (const engine::Error& e) {
                if (std::string_view(e.what()).starts_with(evidence.name())) throw;
                throw engine::Error(where + e.what());
            }
        });
    });
}

}  // namespace dflab::tools
