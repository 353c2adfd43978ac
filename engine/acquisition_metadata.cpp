// E01 acquisition metadata through libewf (TSK opens the media; libewf tells what the examiner
// wrote).
#include <libewf.h>

#include <algorithm>
#include <array>
#include <memory>
#include <vector>

#include "engine/error.hpp"
#include "engine/evidence.hpp"

namespace dflab::engine {

namespace {

struct EwfErrorFree {
    void operator()(libewf_error_t* e) const noexcept { libewf_error_free(&e); }
};
using EwfError = std::unique_ptr<libewf_error_t, EwfErrorFree>;

std::string describe(libewf_error_t* raw) {
    EwfError error(raw);
    if (!error) return "unknown libewf error";
    std::array<char, 512> text{};
    libewf_error_sprint(error.get(), text.data(), text.size());
    std::string line(text.data());
    for (char& c : line) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    return line;
}

class EwfHandle {
  public:
    EwfHandle() {
        libewf_error_t* error = nullptr;
        if (libewf_handle_initialize(&handle_, &error) != 1) {
            throw Error("libewf: cannot initialise: " + describe(error));
        }
    }
    ~EwfHandle() {
        if (opened_) libewf_handle_close(handle_, nullptr);
        libewf_handle_free(&handle_, nullptr);
    }
    EwfHandle(const EwfHandle&) = delete;
    EwfHandle& operator=(const EwfHandle&) = delete;

    void open(const std::vector<std::string>& paths) {
        libewf_error_t* error = nullptr;
        char** globbed = nullptr;
        int count = 0;
        std::vector<std::string> segments = paths;
        if (paths.size() == 1) {
            if (libewf_glob(paths[0].c_str(), paths[0].size(), LIBEWF_FORMAT_UNKNOWN, &globbed,
                            &count, &error) != 1) {
                throw Error(paths[0] + ": cannot find EWF segments: " + describe(error));
            }
            segments.assign(globbed, globbed + count);
            libewf_glob_free(globbed, count, nullptr);
        }
        std::vector<char*> names;
        for (auto& s : segments) names.push_back(s.data());
        if (libewf_handle_open(handle_, names.data(), static_cast<int>(names.size()),
                               LIBEWF_OPEN_READ, &error) != 1) {
            throw Error(paths[0] + ": cannot open EWF image: " + describe(error));
        }
        opened_ = true;
    }

    libewf_handle_t* get() const { return handle_; }
    std::optional<std::string> header(const std::string& id) { return value(id, false); }
    std::optional<std::string> hash(const std::string& id) { return value(id, true); }

  private:
    std::optional<std::string> value(const std::string& id, bool is_hash) {
        std::array<uint8_t, 4096> buffer{};
        libewf_error_t* error = nullptr;
        const auto* key = reinterpret_cast<const uint8_t*>(id.data());
        int rc = is_hash ? libewf_handle_get_utf8_hash_value(handle_, key, id.size(), buffer.data(),
                                                             buffer.size(), &error)
                         : libewf_handle_get_utf8_header_value(
                               handle_, key, id.size(), buffer.data(), buffer.size(), &error);
        if (rc != 1) {
            if (error) libewf_error_free(&error);
            return std::nullopt;
        }
        return std::string(reinterpret_cast<const char*>(buffer.data()));
    }

    libewf_handle_t* handle_ = nullptr;
    bool opened_ = false;
};

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

AcquisitionMetadata read_acquisition_metadata(const std::vector<std::string>& paths) {
    EwfHandle handle;
    handle.open(paths);
    AcquisitionMetadata meta;
    for (const char* id :
         {"case_number", "evidence_number", "examiner_name", "description", "notes", "acquiry_date",
          "system_date", "acquiry_operating_system", "acquiry_software", "acquiry_software_version",
          "model", "serial_number"}) {
        if (auto v = handle.header(id); v && !v->empty()) meta.headers[id] = *v;
    }
    if (auto v = handle.hash("MD5"); v && !v->empty()) meta.stored_md5 = lower(*v);
    if (auto v = handle.hash("SHA1"); v && !v->empty()) meta.stored_sha1 = lower(*v);
    return meta;
}

EwfMediaRead read_ewf_media(const std::vector<std::string>& paths,
                            const std::function<void(std::span<const std::byte>)>& sink) {
    EwfHandle handle;
    handle.open(paths);
    libewf_error_t* error = nullptr;
    size64_t media_size = 0;
    if (libewf_handle_get_media_size(handle.get(), &media_size, &error) != 1) {
        throw Error(paths[0] + ": cannot read EWF media size: " + describe(error));
    }
    std::vector<std::byte> buffer(4 << 20);
    uint64_t done = 0;
    while (done < media_size) {
        const size_t want =
            static_cast<size_t>(std::min<uint64_t>(buffer.size(), media_size - done));
        ssize_t got = libewf_handle_read_buffer(handle.get(), buffer.data(), want, &error);
        if (got <= 0) {
            throw Error(paths[0] + ": read failed at byte " + std::to_string(done) + ": " +
                        describe(error));
        }
        sink(std::span<const std::byte>(buffer.data(), static_cast<size_t>(got)));
        done += static_cast<uint64_t>(got);
    }
    EwfMediaRead result;
    result.size = done;
    uint32_t errors = 0;
    if (libewf_handle_get_number_of_checksum_errors(handle.get(), &errors, &error) != 1) {
        throw Error(paths[0] + ": cannot count EWF checksum errors: " + describe(error));
    }
    result.checksum_errors = errors;
    return result;
}

}  // namespace dflab::engine
