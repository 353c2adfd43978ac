#pragma once
// Evidence access: one disk image (raw, split raw, E01, VMDK, VHD), however many segment files it
// has.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace dflab::engine {

// Acquisition metadata that an EWF (E01) container carries.
struct AcquisitionMetadata {
    std::map<std::string, std::string> headers;  // case_number, examiner_name, acquiry_date, ...
    std::optional<std::string> stored_md5;       // lower-case hex
    std::optional<std::string> stored_sha1;
};

struct EvidenceInfo {
    std::vector<std::string> segments;  // every file the image is made of, in order
    std::string format;                 // "raw", "split raw", "E01", "VMDK", "VHD", ...
    uint64_t size = 0;                  // media size in bytes
    uint32_t sector_size = 512;
    std::optional<AcquisitionMetadata> acquisition;  // E01 only
    // E01 only: a missing or cut segment libewf reads around ("segment disk.E04 is truncated:
    // ...", engine/ewf_damage.hpp); a set libewf cannot open at all does not open.
    std::optional<std::string> damage;
};

class Evidence {
  public:
    // Opens the image made of `paths` (given only a first segment, TSK finds the others).
    // Throws Error naming the image when a file is missing or the format is not recognised.
    static Evidence open(const std::vector<std::string>& paths);

    // A second, independent handle on the same image, for a worker thread.
    Evidence reopen() const { return open(paths_); }

    Evidence(Evidence&&) noexcept;
    Evidence& operator=(Evidence&&) noexcept;
    ~Evidence();

    const std::vector<std::string>& paths() const { return paths_; }
    const std::string& name() const { return paths_.front(); }  // for messages
    uint64_t size() const;
    uint32_t sector_size() const;
    std::string format() const;

    // Format, size, segments and, for E01, the acquisition metadata read with libewf.
    EvidenceInfo describe() const;

    // Reads exactly data.size() bytes at offset (fewer only at the end of the media).
    size_t read(uint64_t offset, std::span<std::byte> data) const;

  private:
    struct Impl;  // the TSK image handle (engine/tsk_access.hpp reaches it for engine internals)
    friend struct EvidenceAccess;
    Evidence(std::vector<std::string> paths, std::unique_ptr<Impl> impl);
    std::vector<std::string> paths_;
    std::unique_ptr<Impl> impl_;
};

// Reads the acquisition metadata of an EWF image with libewf (segments found by libewf's glob).
AcquisitionMetadata read_acquisition_metadata(const std::vector<std::string>& paths);

struct EwfMediaRead {
    uint64_t size = 0;  // bytes delivered
    uint32_t checksum_errors =
        0;  // chunks whose stored checksum failed (libewf delivers them zeroed)
    bool segments_corrupted = false;  // libewf's own verdict on the segment files (as ewfverify's)
};

// Reads the whole media of an EWF image with libewf, in order, through `sink`; unlike a read
// through TSK it reports the chunks whose checksum failed. Throws Error naming the image when a
// read fails.
EwfMediaRead read_ewf_media(const std::vector<std::string>& paths,
                            const std::function<void(std::span<const std::byte>)>& sink);

}  // namespace dflab::engine
