#include "images/ewf_writer.hpp"

#include <libewf.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <memory>
#include <span>
#include <string_view>

#include "engine/error.hpp"
#include "engine/hashes.hpp"

namespace dflab::images {

namespace fs = std::filesystem;
using engine::Error;

namespace {

// Owns a libewf_error_t and turns it into one line.
class EwfError {
  public:
    EwfError() = default;
    ~EwfError() { reset(); }
    EwfError(const EwfError&) = delete;
    EwfError& operator=(const EwfError&) = delete;

    libewf_error_t** out() {
        reset();
        return &error_;
    }
    std::string message() const {
        if (!error_) return "unknown libewf error";
        std::array<char, 512> text{};
        libewf_error_sprint(error_, text.data(), text.size());
        std::string line(text.data());
        for (char& c : line) {
            if (c == '\n' || c == '\r') c = ' ';
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        return line;
    }

  private:
    void reset() {
        if (error_) libewf_error_free(&error_);
    }
    libewf_error_t* error_ = nullptr;
};

const uint8_t* utf8(std::string_view text) {
    return reinterpret_cast<const uint8_t*>(text.data());
}

// A libewf handle opened for writing one segment file set; closed (and so finalised) when it
// goes away.
class EwfWriteHandle {
  public:
    EwfWriteHandle(const fs::path& base, std::string subject) : subject_(std::move(subject)) {
        EwfError error;
        if (libewf_handle_initialize(&handle_, error.out()) != 1)
            fail("cannot initialise libewf", error);
        std::string name = base.string();
        char* names[] = {name.data()};
        if (libewf_handle_open(handle_, names, 1, LIBEWF_OPEN_WRITE, error.out()) != 1) {
            libewf_handle_free(&handle_, nullptr);
            fail("cannot create the segment files", error);
        }
    }
    ~EwfWriteHandle() {
        if (!handle_) return;
        libewf_handle_close(handle_, nullptr);
        libewf_handle_free(&handle_, nullptr);
    }
    EwfWriteHandle(const EwfWriteHandle&) = delete;
    EwfWriteHandle& operator=(const EwfWriteHandle&) = delete;

    // Runs a libewf setter `call(handle, error)`; `what` names it in the error.
    template <typename Call>
    void set(std::string_view what, Call call) {
        EwfError error;
        if (call(handle_, error.out()) != 1) fail("cannot set the " + std::string(what), error);
    }

    void header(std::string_view id, std::string_view value) {
        if (value.empty()) return;
        set(id, [&](libewf_handle_t* h, libewf_error_t** e) {
            return libewf_handle_set_utf8_header_value(h, utf8(id), id.size(), utf8(value),
                                                       value.size(), e);
        });
    }

    void hash(std::string_view id, std::string_view hex) {
        set(std::string(id) + " hash", [&](libewf_handle_t* h, libewf_error_t** e) {
            return libewf_handle_set_utf8_hash_value(h, utf8(id), id.size(), utf8(hex), hex.size(),
                                                     e);
        });
    }

    void write(std::span<const std::byte> data, uint64_t at) {
        EwfError error;
        ssize_t n = libewf_handle_write_buffer(handle_, data.data(), data.size(), error.out());
        if (n != static_cast<ssize_t>(data.size()))
            fail("write failed at byte " + std::to_string(at), error);
    }

    void finish() {
        EwfError error;
        if (libewf_handle_write_finalize(handle_, error.out()) < 0)
            fail("cannot finalise the image", error);
        if (libewf_handle_close(handle_, error.out()) != 0) fail("cannot close the image", error);
        libewf_handle_free(&handle_, nullptr);
        handle_ = nullptr;
    }

  private:
    [[noreturn]] void fail(const std::string& what, const EwfError& error) const {
        throw Error("E01 " + subject_ + ": " + what + ": " + error.message());
    }

    libewf_handle_t* handle_ = nullptr;
    std::string subject_;
};

int8_t compression_level(EwfCompression c) {
    switch (c) {
        case EwfCompression::None:
            return LIBEWF_COMPRESSION_NONE;
        case EwfCompression::Best:
            return LIBEWF_COMPRESSION_BEST;
        case EwfCompression::Fast:
            break;
    }
    return LIBEWF_COMPRESSION_FAST;
}

// A GUID made of the first 16 bytes of SHA-256("dflab-ewf-set\n" + identity).
std::array<uint8_t, 16> set_identifier(std::string_view identity) {
    const std::string seed = "dflab-ewf-set\n" + std::string(identity);
    const std::string hex =
        engine::hash_bytes(std::as_bytes(std::span(seed)), engine::kSha256).sha256;
    std::array<uint8_t, 16> guid{};
    for (size_t i = 0; i < guid.size(); ++i)
        guid[i] = static_cast<uint8_t>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
    return guid;
}

}  // namespace

EwfWritten write_ewf(const fs::path& raw, const fs::path& base, const EwfMetadata& metadata,
                     const EwfOptions& options,
                     const std::function<void(uint64_t, uint64_t)>& progress) {
    const std::string subject = base.filename().string() + ".E01";
    if (options.segment_size < kMinimumEwfSegmentSize)
        throw Error("E01 " + subject + ": segment size " + std::to_string(options.segment_size) +
                    " is below the smallest libewf accepts (1 MiB)");
    std::ifstream in(raw, std::ios::binary);
    if (!in) throw Error(raw.string() + ": cannot open the raw image");
    std::error_code ec;
    const uint64_t size = fs::file_size(raw, ec);
    if (ec) throw Error(raw.string() + ": " + ec.message());

    EwfWriteHandle ewf(base, subject);
    ewf.set("format", [](libewf_handle_t* h, libewf_error_t** e) {
        return libewf_handle_set_format(h, LIBEWF_FORMAT_ENCASE6, e);
    });
    ewf.set("media size", [&](libewf_handle_t* h, libewf_error_t** e) {
        return libewf_handle_set_media_size(h, size, e);
    });
    ewf.set("bytes per sector", [&](libewf_handle_t* h, libewf_error_t** e) {
        return libewf_handle_set_bytes_per_sector(h, options.bytes_per_sector, e);
    });
    ewf.set("media type", [](libewf_handle_t* h, libewf_error_t** e) {
        return libewf_handle_set_media_type(h, LIBEWF_MEDIA_TYPE_FIXED, e);
    });
    ewf.set("media flags", [](libewf_handle_t* h, libewf_error_t** e) {
        return libewf_handle_set_media_flags(h, LIBEWF_MEDIA_FLAG_PHYSICAL, e);
    });
    ewf.set("compression", [&](libewf_handle_t* h, libewf_error_t** e) {
        return libewf_handle_set_compression_values(h, compression_level(options.compression), 0,
                                                    e);
    });
    ewf.set("segment size", [&](libewf_handle_t* h, libewf_error_t** e) {
        return libewf_handle_set_maximum_segment_size(h, options.segment_size, e);
    });
    const auto guid = set_identifier(metadata.media_identity);
    ewf.set("set identifier", [&](libewf_handle_t* h, libewf_error_t** e) {
        return libewf_handle_set_segment_file_set_identifier(h, guid.data(), guid.size(), e);
    });
    ewf.header("case_number", metadata.case_number);
    ewf.header("evidence_number", metadata.evidence_number);
    ewf.header("examiner_name", metadata.examiner_name);
    ewf.header("description", metadata.description);
    ewf.header("notes", metadata.notes);
    // Given, libewf stores these as they are; left out, it would take them from the clock.
    // EnCase 6 readers take them from the header2 sections, which hold seconds since the epoch.
    const std::string when = std::to_string(metadata.acquisition_time);
    ewf.header("acquiry_date", when);
    ewf.header("system_date", when);
    ewf.header("acquiry_software", "dflab");
    ewf.header("acquiry_software_version", "dflab");

    engine::Hasher hasher(engine::kMd5 | engine::kSha1);
    std::vector<char> buffer(1 << 20);  // a whole number of 32 KiB chunks
    uint64_t done = 0;
    while (done < size) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        const auto n = static_cast<size_t>(in.gcount());
        if (n == 0) throw Error(raw.string() + ": read failed at byte " + std::to_string(done));
        const auto chunk = std::as_bytes(std::span(buffer.data(), n));
        hasher.update(chunk);
        ewf.write(chunk, done);
        done += n;
        if (progress) progress(done, size);
    }
    EwfWritten written;
    const engine::Digests digests = hasher.finish();
    written.md5 = digests.md5;
    written.sha1 = digests.sha1;
    ewf.hash("MD5", written.md5);
    ewf.hash("SHA1", written.sha1);
    ewf.finish();

    // libewf names the segments BASE.E01 ... BASE.E99, BASE.EAA ... BASE.EZZ, BASE.FAA ...:
    // in that order when sorted by name.
    const std::string prefix = base.filename().string() + ".";
    for (const auto& entry : fs::directory_iterator(base.parent_path())) {
        const std::string name = entry.path().filename().string();
        if (name.size() != prefix.size() + 3 || !name.starts_with(prefix)) continue;
        const std::string_view ext = std::string_view(name).substr(prefix.size());
        auto ok = [](char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'); };
        if (ext[0] >= 'E' && ext[0] <= 'Z' && ok(ext[1]) && ok(ext[2]))
            written.segments.push_back(entry.path());
    }
    std::sort(written.segments.begin(), written.segments.end());
    if (written.segments.empty()) throw Error("E01 " + subject + ": libewf wrote no segment file");
    return written;
}

}  // namespace dflab::images
