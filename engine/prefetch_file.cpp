#include "engine/prefetch_file.hpp"

#include <libscca.h>

#include <cstring>
#include <memory>

#include "engine/error.hpp"
#include "engine/libyal_memory.hpp"

namespace dflab::engine {

namespace {

using SccaError = LibyalError<libscca_error_t, libscca_error_free, libscca_error_sprint>;

struct SccaFileFree {
    void operator()(libscca_file_t* file) const { libscca_file_free(&file, nullptr); }
};
struct SccaVolumeFree {
    void operator()(libscca_volume_information_t* volume) const {
        libscca_volume_information_free(&volume, nullptr);
    }
};
using Volume = std::unique_ptr<libscca_volume_information_t, SccaVolumeFree>;

// An open libscca file over a MemoryBfio; closed and freed before the handle it reads.
class SccaFile {
  public:
    SccaFile(std::span<const std::byte> bytes, const std::string& name)
        : name_(name), bfio_(bytes, name) {
        SccaError e;
        libscca_file_t* raw = nullptr;
        if (libscca_file_initialize(&raw, e.out()) != 1)
            throw Error(name_ + ": libscca: " + e.text());
        file_.reset(raw);
        if (libscca_file_open_file_io_handle(raw, bfio_.get(), LIBSCCA_OPEN_READ, e.out()) != 1)
            throw Error(name_ + ": not a readable prefetch file: " + e.text());
        open_ = true;
    }
    ~SccaFile() {
        if (open_) libscca_file_close(file_.get(), nullptr);
    }
    SccaFile(const SccaFile&) = delete;
    SccaFile& operator=(const SccaFile&) = delete;

    libscca_file_t* get() const { return file_.get(); }

    [[noreturn]] void fail(const std::string& what, const SccaError& e) const {
        throw Error(name_ + ": not a readable prefetch file: " + what + ": " + e.text());
    }

  private:
    std::string name_;
    MemoryBfio bfio_;  // declared first: freed last
    std::unique_ptr<libscca_file_t, SccaFileFree> file_;
    bool open_ = false;
};

// A UTF-8 string from libscca's size-then-copy pair of calls (the size counts the NUL).
template <class Size, class Copy>
std::string utf8(const SccaFile& f, const std::string& what, Size size_of, Copy copy) {
    SccaError e;
    size_t size = 0;
    if (size_of(&size, e.out()) != 1) f.fail(what, e);
    if (size == 0) return {};
    std::string s(size, '\0');
    if (copy(reinterpret_cast<uint8_t*>(s.data()), size, e.out()) != 1) f.fail(what, e);
    s.resize(std::strlen(s.c_str()));
    return s;
}

PrefetchVolume read_volume(const SccaFile& f, int index) {
    const std::string what = "volume " + std::to_string(index + 1);
    SccaError e;
    libscca_volume_information_t* raw = nullptr;
    if (libscca_file_get_volume_information(f.get(), index, &raw, e.out()) != 1) f.fail(what, e);
    const Volume volume(raw);
    PrefetchVolume v;
    if (libscca_volume_information_get_serial_number(raw, &v.serial, e.out()) != 1)
        f.fail(what + " serial number", e);
    if (libscca_volume_information_get_creation_time(raw, &v.created, e.out()) != 1)
        f.fail(what + " creation time", e);
    v.device_path = utf8(
        f, what + " device path",
        [&](size_t* size, libscca_error_t** err) {
            return libscca_volume_information_get_utf8_device_path_size(raw, size, err);
        },
        [&](uint8_t* s, size_t size, libscca_error_t** err) {
            return libscca_volume_information_get_utf8_device_path(raw, s, size, err);
        });
    return v;
}

}  // namespace

bool has_prefetch_signature(std::span<const std::byte> head) {
    return (head.size() >= 8 && std::memcmp(head.data() + 4, "SCCA", 4) == 0) ||
           (head.size() >= 4 && std::memcmp(head.data(), "MAM\x04", 4) == 0);
}

Prefetch read_prefetch(std::span<const std::byte> bytes, const std::string& name) {
    if (!has_prefetch_signature(bytes))
        throw Error(name + ": not a readable prefetch file: no SCCA or MAM signature");
    const SccaFile f(bytes, name);
    libscca_file_t* file = f.get();
    Prefetch p;
    SccaError e;
    if (libscca_file_get_format_version(file, &p.format_version, e.out()) != 1)
        f.fail("format version", e);
    if (libscca_file_get_prefetch_hash(file, &p.hash, e.out()) != 1) f.fail("prefetch hash", e);
    if (libscca_file_get_run_count(file, &p.run_count, e.out()) != 1) f.fail("run count", e);
    p.executable = utf8(
        f, "executable name",
        [&](size_t* size, libscca_error_t** err) {
            return libscca_file_get_utf8_executable_filename_size(file, size, err);
        },
        [&](uint8_t* s, size_t size, libscca_error_t** err) {
            return libscca_file_get_utf8_executable_filename(file, s, size, err);
        });
    // Versions 26 and later keep 8 run times; earlier ones one.
    const int run_times = p.format_version >= 26 ? 8 : 1;
    for (int i = 0; i < run_times; ++i) {
        uint64_t filetime = 0;
        if (libscca_file_get_last_run_time(file, i, &filetime, e.out()) != 1)
            f.fail("last run time " + std::to_string(i + 1), e);
        p.last_run.push_back(filetime);
    }
    int files = 0;
    if (libscca_file_get_number_of_filenames(file, &files, e.out()) != 1)
        f.fail("number of file names", e);
    for (int i = 0; i < files; ++i)
        p.files.push_back(utf8(
            f, "file name " + std::to_string(i + 1),
            [&](size_t* size, libscca_error_t** err) {
                return libscca_file_get_utf8_filename_size(file, i, size, err);
            },
            [&](uint8_t* s, size_t size, libscca_error_t** err) {
                return libscca_file_get_utf8_filename(file, i, s, size, err);
            }));
    int volumes = 0;
    if (libscca_file_get_number_of_volumes(file, &volumes, e.out()) != 1)
        f.fail("number of volumes", e);
    for (int i = 0; i < volumes; ++i) p.volumes.push_back(read_volume(f, i));
    return p;
}

}  // namespace dflab::engine
