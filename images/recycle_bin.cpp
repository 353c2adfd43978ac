#include "images/recycle_bin.hpp"

#include "common/utf16.hpp"
#include "common/windows_time.hpp"
#include "engine/error.hpp"
#include "engine/hashes.hpp"

namespace dflab::images {

namespace {

constexpr size_t kVersion1PathUnits = 260;  // MAX_PATH

void put_le(std::vector<std::byte>& out, uint64_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<std::byte>(value >> (8 * i)));
}

}  // namespace

std::vector<std::byte> build_recycle_info(const RecycleInfoSpec& spec) {
    const std::string what = "recycle bin: " + spec.original_path + ": ";
    if (spec.version != 1 && spec.version != 2)
        throw engine::Error(what + "version " + std::to_string(spec.version) +
                            " is not one Windows writes (1: Vista and 7, 2: 8.1 and 10)");
    if (spec.original_path.empty()) throw engine::Error("recycle bin: the original path is empty");
    const auto path = common::utf8_to_utf16le(spec.original_path);
    if (!path) throw engine::Error(what + "the path is not UTF-8");
    const size_t units = path->size() / 2 + 1;  // with the NUL
    if (spec.version == 1 && units > kVersion1PathUnits)
        throw engine::Error(what + "longer than the 259 characters a version 1 $I file holds");
    std::vector<std::byte> out;
    put_le(out, spec.version, 8);
    put_le(out, spec.original_size, 8);
    put_le(out, common::unix_to_filetime(spec.deleted), 8);
    if (spec.version == 2) put_le(out, units, 4);
    out.insert(out.end(), path->begin(), path->end());
    const size_t padded_units = spec.version == 1 ? kVersion1PathUnits : units;
    out.resize(out.size() + 2 * (padded_units - units + 1), std::byte{0});
    return out;
}

std::string recycle_bin_name(uint64_t seed, const std::string& place) {
    static constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const std::string input = "dflab-recycle-bin\n" + std::to_string(seed) + "\n" + place;
    const std::string hex =
        engine::hash_bytes(std::as_bytes(std::span(input)), engine::kSha256).sha256;
    std::string name;
    for (size_t i = 0; i < 6; ++i)
        name += kAlphabet[std::stoul(hex.substr(2 * i, 2), nullptr, 16) % 36];
    return name;
}

}  // namespace dflab::images
