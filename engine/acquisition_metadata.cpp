// E01 acquisition metadata through libewf (TSK opens the media; libewf tells what the examiner
// wrote).
#include <libewf.h>

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <vector>

#include "engine/error.hpp"
#include "engine/evidence.hpp"
#include "engine/ewf_damage.hpp"

namespace dflab::engine {

namespace {

struct EwfErrorFree {
    void operator()(libewf_error_t* e) const noexcept { libewf_error_free(&e); }
};
using EwfError = std::unique_ptr<libewf_error_t, EwfErrorFree>;

// libewf's backtrace, innermost (the cause) first, one message a line.
std::string backtrace(libewf_error_t* raw) {
    EwfError error(raw);
    if (!error) return "";
    std::array<char, 4096> text{};
    if (libewf_error_backtrace_sprint(error.get(), text.data(), text.size()) < 0) return "";
    return std::string(text.data());
}

// The cause in a backtrace, without the function name: "checksum does not match (...)".
std::string cause(const std::string& trace) {
    std::string line = trace.substr(0, trace.find('\n'));
    if (const auto colon = line.find(": "); colon != std::string::npos && line.find(' ') > colon) {
        line.erase(0, colon + 2);
    }
    while (!line.empty() && (line.back() == '.' || line.back() == '\r' || line.back() == ' '))
        line.pop_back();
    return line.empty() ? "unknown libewf error" : line;
}

std::string describe(libewf_error_t* raw) {
    return cause(backtrace(raw));
}

}  // namespace

std::vector<std::string> ewf_segment_files(const std::vector<std::string>& paths) {
    if (paths.size() != 1) return paths;
    libewf_error_t* error = nullptr;
    char** globbed = nullptr;
    int count = 0;
    if (libewf_glob(paths[0].c_str(), paths[0].size(), LIBEWF_FORMAT_UNKNOWN, &globbed, &count,
                    &error) != 1) {
        throw Error(paths[0] + ": cannot find EWF segments: " + describe(error));
    }
    std::vector<std::string> segments(globbed, globbed + count);
    libewf_glob_free(globbed, count, nullptr);
    return segments;
}

namespace {

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
        if (auto trace = try_open(ewf_segment_files(paths))) {
            throw Error(paths[0] + ": cannot open EWF image: " + cause(*trace));
        }
    }

    // Opens `segments`; libewf's backtrace when it cannot.
    std::optional<std::string> try_open(std::vector<std::string> segments) {
        libewf_error_t* error = nullptr;
        std::vector<char*> names;
        for (auto& s : segments) names.push_back(s.data());
        if (libewf_handle_open(handle_, names.data(), static_cast<int>(names.size()),
                               LIBEWF_OPEN_READ, &error) != 1) {
            return backtrace(error);
        }
        opened_ = true;
        return std::nullopt;
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

std::string explain_unopenable_ewf(const std::vector<std::string>& paths,
                                   const std::string& tsk_reason) {
    const std::string image = paths.front() + ": an EnCase image that libewf cannot open: ";
    const auto segments = ewf_segment_files(paths);
    EwfHandle handle;
    const auto trace = handle.try_open(segments);
    if (!trace) return paths.front() + ": an EnCase image that TSK cannot open: " + tsk_reason;
    const std::string libewf = " (libewf: " + cause(*trace) + ")";
    if (auto damage = find_ewf_damage(segments)) return image + *damage + libewf;
    // Undiagnosed here: say which section libewf could not read ("unable to read section: X.").
    static const std::string marker = "unable to read section: ";
    if (const auto at = trace->find(marker); at != std::string::npos) {
        std::string section = trace->substr(at + marker.size());
        section = section.substr(0, section.find_first_of(".\n"));
        return image + "its '" + section + "' section cannot be read" + libewf;
    }
    return image + "libewf refuses it" + libewf;
}

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
    const int corrupted = libewf_handle_segment_files_corrupted(handle.get(), &error);
    if (corrupted < 0) {
        throw Error(paths[0] +
                    ": cannot tell whether the EWF segments are corrupted: " + describe(error));
    }
    result.segments_corrupted = corrupted == 1;
    return result;
}

}  // namespace dflab::engine
