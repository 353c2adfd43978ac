// dflab info IMAGE...: format, size, sector size, segments and E01 acquisition metadata.
#include <iostream>
#include <memory>

#include "engine/evidence.hpp"
#include "tools/command_support.hpp"
#include "tools/commands.hpp"

namespace dflab::tools {

namespace {

nlohmann::json info_json(const engine::EvidenceInfo& info) {
    nlohmann::json j{{"segments", info.segments},
                     {"format", info.format},
                     {"size", info.size},
                     {"sector_size", info.sector_size}};
    if (info.acquisition) {
        nlohmann::json a = nlohmann::json::object();
        for (const auto& [k, v] : info.acquisition->headers) a[k] = v;
        a["stored_md5"] =
            info.acquisition->stored_md5 ? nlohmann::json(*info.acquisition->stored_md5) : nullptr;
        a["stored_sha1"] = info.acquisition->stored_sha1
                               ? nlohmann::json(*info.acquisition->stored_sha1)
                               : nullptr;
        j["acquisition"] = a;
    } else {
        j["acquisition"] = nullptr;
    }
    j["damage"] = info.damage ? nlohmann::json(*info.damage) : nullptr;
    return j;
}

void print_text(const engine::EvidenceInfo& info) {
    std::cout << "Format:      " << info.format << "\n"
              << "Size:        " << info.size << " bytes\n"
              << "Sector size: " << info.sector_size << "\n"
              << "Segments:    " << info.segments.size() << "\n";
    for (const auto& s : info.segments) std::cout << "  " << s << "\n";
    if (!info.acquisition) return;
    std::cout << "Acquisition metadata:\n";
    for (const auto& [k, v] : info.acquisition->headers)
        std::cout << "  " << k << ": " << v << "\n";
    std::cout << "  stored MD5:  " << info.acquisition->stored_md5.value_or("(none)") << "\n"
              << "  stored SHA1: " << info.acquisition->stored_sha1.value_or("(none)") << "\n";
    if (info.damage) std::cout << "Damage:      " << *info.damage << "\n";
}

}  // namespace

void register_info(CLI::App& app, int& exit_code) {
    auto args = std::make_shared<ImageArgs>();
    auto* cmd = app.add_subcommand(
        "info", "Describe an evidence image: format, size, segments, E01 metadata");
    add_image_args(cmd, *args, false, true);
    cmd->callback([args, &exit_code] {
        exit_code = run_isolated("info", [&](engine::ChildChannel& ch) {
            ch.context(args->images.front());
            auto info = engine::Evidence::open(args->images).describe();
            if (args->json)
                // Segment paths are the user's (any bytes); libewf gives header values as UTF-8.
                std::cout << info_json(info).dump(2, ' ', false,
                                                  nlohmann::json::error_handler_t::replace)
                          << "\n";
            else
                print_text(info);
        });
    });
}

}  // namespace dflab::tools
