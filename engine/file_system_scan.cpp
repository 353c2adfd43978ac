#include "engine/file_system_scan.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string_view>

#include "engine/file_system_signature.hpp"
#include "engine/volumes.hpp"

namespace dflab::engine {

namespace {

constexpr size_t kChunk = 4u << 20;

}  // namespace

std::vector<FoundFileSystem> scan_for_file_systems(
    const Evidence& evidence, const std::function<void(uint64_t, uint64_t)>& progress) {
    const uint64_t size = evidence.size();
    const uint32_t sector = evidence.sector_size();
    std::vector<FoundFileSystem> found;
    uint64_t covered_until = 0;  // sectors before this belong to a file system already found
    std::vector<std::byte> buffer(kChunk + kSignatureBytes);

    for (uint64_t chunk = 0; chunk < size; chunk += kChunk) {
        const size_t want = static_cast<size_t>(std::min<uint64_t>(size - chunk, buffer.size()));
        const size_t got = evidence.read(chunk, std::span(buffer).first(want));
        // Past the end of the image reads as zeros: no signature is made of them.
        std::fill(buffer.begin() + static_cast<std::ptrdiff_t>(got), buffer.end(), std::byte{0});
        const size_t sectors_here =
            static_cast<size_t>(std::min<uint64_t>(kChunk, size - chunk) / sector);
        for (size_t i = 0; i < sectors_here; ++i) {
            const uint64_t at = chunk / sector + i;
            if (at < covered_until) continue;
            auto signature =
                file_system_signature(std::span(buffer).subspan(i * sector, kSignatureBytes));
            if (!signature) continue;
            auto probe = probe_file_system(evidence, at * sector, FileSystemProbing::Signature);
            if (!probe) continue;
            FoundFileSystem fs{at, probe->length / sector, probe->type,
                               std::string(signature->what)};
            // NTFS keeps a copy of its boot sector in the sector after its last cluster.
            covered_until = at + std::max<uint64_t>(fs.length, 1) +
                            (signature->what == "NTFS boot sector" ? 1 : 0);
            found.push_back(std::move(fs));
        }
        if (progress) progress(std::min(size, chunk + kChunk), size);
    }
    return found;
}

}  // namespace dflab::engine
