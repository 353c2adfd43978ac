// dflab verify IMAGE...: recompute the media hashes and compare them with the stored ones.
#include <iostream>
#include <memory>

#include "engine/verify.hpp"
#include "tools/command_support.hpp"
#include "tools/commands.hpp"

namespace dflab::tools {

void register_verify(CLI::App& app, int& exit_code) {
    auto args = std::make_shared<ImageArgs>();
    auto expected = std::make_shared<std::optional<std::string>>();
    auto* cmd = app.add_subcommand(
        "verify",
        "Verify an image's integrity: recompute MD5/SHA-1/SHA-256 and compare with the hashes an "
        "E01 "
        "stores (or --expect). Exit 0 only when every compared hash matches; 1 on mismatch or when "
        "there is nothing to compare with");
    add_image_args(cmd, *args, false, true);
    cmd->add_option("--expect", *expected,
                    "A hash (MD5, SHA-1 or SHA-256, hex) the image must have");
    cmd->callback([args, expected, &exit_code] {
        exit_code = run_isolated("verify", [&](engine::ChildChannel& ch) {
            ch.context(args->images.front());
            auto evidence = engine::Evidence::open(args->images);
            auto v = engine::verify_image(evidence, *expected,
                                          [&](uint64_t d, uint64_t t) { ch.progress(d, t); });
            auto opt = [](const std::optional<std::string>& s) {
                return s ? nlohmann::json(*s) : nullptr;
            };
            std::string verdict = v.checksum_errors > 0 || v.damage ? "mismatch"
                                  : !v.checked                      ? "unverified"
                                               : (v.matches ? "verified" : "mismatch");
            if (args->json) {
                nlohmann::json j{{"image", args->images.front()},
                                 {"md5", v.computed.md5},
                                 {"sha1", v.computed.sha1},
                                 {"sha256", v.computed.sha256},
                                 {"stored_md5", opt(v.stored_md5)},
                                 {"stored_sha1", opt(v.stored_sha1)},
                                 {"expected", opt(v.expected)},
                                 {"result", verdict},
                                 {"checksum_errors", v.checksum_errors},
                                 {"damage", opt(v.damage)}};
                // The image path is the user's (any bytes): U+FFFD where it is not UTF-8.
                std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                          << "\n";
            } else {
                std::cout << "MD5:     " << v.computed.md5 << "\n"
                          << "SHA-1:   " << v.computed.sha1 << "\n"
                          << "SHA-256: " << v.computed.sha256 << "\n";
                if (v.stored_md5) std::cout << "stored MD5:   " << *v.stored_md5 << "\n";
                if (v.stored_sha1) std::cout << "stored SHA-1: " << *v.stored_sha1 << "\n";
                if (!v.checked && v.checksum_errors == 0 && !v.damage) {
                    std::cout << "UNVERIFIED: " << args->images.front()
                              << " stores no hash; pass --expect HASH to compare\n";
                } else if (v.checksum_errors > 0) {
                    std::cout << "FAILURE: " << v.checksum_errors
                              << " checksum error(s) in the chunks of the E01: the container "
                                 "is damaged"
                              << (v.damage ? ": " + *v.damage : std::string()) << "\n";
                } else if (v.damage) {
                    std::cout << "FAILURE: the E01 is damaged: " << *v.damage << "\n";
                } else {
                    std::cout << (v.matches ? "SUCCESS: hashes match\n"
                                            : "FAILURE: hash mismatch\n");
                }
            }
            ch.result(v.checked && v.matches ? 0 : 1);
        });
    });
}

}  // namespace dflab::tools
