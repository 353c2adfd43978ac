#include "engine/shell_link_file.hpp"

#include <liblnk.h>

#include <array>
#include <cstring>
#include <memory>

#include "engine/error.hpp"
#include "engine/libyal_memory.hpp"

namespace dflab::engine {

namespace {

using LnkError = LibyalError<liblnk_error_t, liblnk_error_free, liblnk_error_sprint>;

constexpr std::array<uint8_t, 20> kHeaderStart = {0x4C, 0x00, 0x00, 0x00, 0x01, 0x14, 0x02,
                                                  0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00,
                                                  0x00, 0x00, 0x00, 0x00, 0x00, 0x46};

struct LnkFree {
    void operator()(liblnk_file_t* file) const { liblnk_file_free(&file, nullptr); }
};

// An open liblnk file over a MemoryBfio; closed and freed before the handle it reads.
class LnkFile {
  public:
    LnkFile(std::span<const std::byte> bytes, const std::string& name)
        : name_(name), bfio_(bytes, name) {
        LnkError e;
        liblnk_file_t* raw = nullptr;
        if (liblnk_file_initialize(&raw, e.out()) != 1)
            throw Error(name_ + ": liblnk: " + e.text());
        file_.reset(raw);
        if (liblnk_file_open_file_io_handle(raw, bfio_.get(), LIBLNK_OPEN_READ, e.out()) != 1)
            throw Error(name_ + ": not a readable shell link: " + e.text());
        open_ = true;
    }
    ~LnkFile() {
        if (open_) liblnk_file_close(file_.get(), nullptr);
    }
    LnkFile(const LnkFile&) = delete;
    LnkFile& operator=(const LnkFile&) = delete;

    liblnk_file_t* get() const { return file_.get(); }

    [[noreturn]] void fail(const std::string& what, const LnkError& e) const {
        throw Error(name_ + ": not a readable shell link: " + what + ": " + e.text());
    }

  private:
    std::string name_;
    MemoryBfio bfio_;  // declared first: freed last
    std::unique_ptr<liblnk_file_t, LnkFree> file_;
    bool open_ = false;
};

using SizeGetter = int (*)(liblnk_file_t*, size_t*, liblnk_error_t**);
using StringGetter = int (*)(liblnk_file_t*, uint8_t*, size_t, liblnk_error_t**);

std::optional<std::string> text(const LnkFile& f, const char* what, SizeGetter size_of,
                                StringGetter get) {
    LnkError e;
    size_t size = 0;
    const int found = size_of(f.get(), &size, e.out());
    if (found == -1) f.fail(what, e);
    if (found == 0 || size == 0) return std::nullopt;
    std::string s(size, '\0');
    if (get(f.get(), reinterpret_cast<uint8_t*>(s.data()), size, e.out()) != 1) f.fail(what, e);
    s.resize(std::strlen(s.c_str()));
    return s;
}

uint64_t time_of(const LnkFile& f, const char* what,
                 int (*get)(liblnk_file_t*, uint64_t*, liblnk_error_t**)) {
    LnkError e;
    uint64_t filetime = 0;
    if (get(f.get(), &filetime, e.out()) != 1) f.fail(what, e);
    return filetime;
}

std::optional<uint32_t> number(const LnkFile& f, const char* what,
                               int (*get)(liblnk_file_t*, uint32_t*, liblnk_error_t**)) {
    LnkError e;
    uint32_t value = 0;
    const int found = get(f.get(), &value, e.out());
    if (found == -1) f.fail(what, e);
    if (found == 0) return std::nullopt;
    return value;
}

uint32_t little_endian(std::span<const std::byte> bytes, size_t at, size_t width) {
    uint32_t v = 0;
    for (size_t i = width; i-- > 0;) v = (v << 8) | std::to_integer<uint32_t>(bytes[at + i]);
    return v;
}

// liblnk allocates what a link's size fields claim before it reads them: a 195-byte link that
// claims 2 GiB of location information (found by fuzzing) costs 2 GiB. The sizes are checked here
// against the file first, in the order MS-SHLLINK lays the structures out (header, target ID
// list, link information, string data, extra data blocks), so that a lie is one clear error.
void check_declared_sizes(std::span<const std::byte> bytes, const std::string& name) {
    constexpr size_t kHeaderSize = 0x4C;
    if (bytes.size() < kHeaderSize)
        throw Error(name + ": not a readable shell link: shorter than its 76-byte header");
    const uint32_t flags = little_endian(bytes, 0x14, 4);
    size_t at = kHeaderSize;
    const auto claim = [&](const char* what, size_t width, size_t unit, size_t extra) {
        if (bytes.size() - at < width)
            throw Error(name + ": not a readable shell link: the file ends before its " + what);
        const size_t size = little_endian(bytes, at, width) * unit + extra;
        if (size > bytes.size() - at)
            throw Error(name + ": not a readable shell link: its " + what + " claims " +
                        std::to_string(size) + " bytes, past the end of the file (" +
                        std::to_string(bytes.size()) + " bytes)");
        return size;
    };
    if (flags & 0x1) at += claim("target ID list", 2, 1, 2);  // the size excludes its own field
    if (flags & 0x2) at += claim("link information", 4, 1, 0);
    const size_t unit = (flags & 0x80) ? 2 : 1;  // IsUnicode: counts are UTF-16 units
    for (const uint32_t bit : {0x4u, 0x8u, 0x10u, 0x20u, 0x40u})
        if (flags & bit) at += claim("string data", 2, unit, 2);
    while (bytes.size() - at >= 4) {  // extra data blocks, up to the terminal block (< 4)
        if (little_endian(bytes, at, 4) < 4) break;
        at += claim("extra data block", 4, 1, 0);
    }
}

}  // namespace

bool has_shell_link_header(std::span<const std::byte> head) {
    return head.size() >= kHeaderStart.size() &&
           std::memcmp(head.data(), kHeaderStart.data(), kHeaderStart.size()) == 0;
}

ShellLink read_shell_link(std::span<const std::byte> bytes, const std::string& name) {
    if (!has_shell_link_header(bytes))
        throw Error(name + ": not a readable shell link: no shell link header");
    check_declared_sizes(bytes, name);
    const LnkFile f(bytes, name);
    ShellLink link;
    link.created = time_of(f, "creation time", liblnk_file_get_file_creation_time);
    link.accessed = time_of(f, "access time", liblnk_file_get_file_access_time);
    link.modified = time_of(f, "modification time", liblnk_file_get_file_modification_time);
    {
        LnkError e;
        if (liblnk_file_get_file_size(f.get(), &link.file_size, e.out()) != 1)
            f.fail("file size", e);
        if (liblnk_file_get_file_attribute_flags(f.get(), &link.attributes, e.out()) != 1)
            f.fail("file attributes", e);
    }
    link.drive_type = number(f, "drive type", liblnk_file_get_drive_type);
    link.volume_serial = number(f, "drive serial number", liblnk_file_get_drive_serial_number);
    link.volume_label = text(f, "volume label", liblnk_file_get_utf8_volume_label_size,
                             liblnk_file_get_utf8_volume_label);
    link.local_path = text(f, "local path", liblnk_file_get_utf8_local_path_size,
                           liblnk_file_get_utf8_local_path);
    link.network_path = text(f, "network path", liblnk_file_get_utf8_network_path_size,
                             liblnk_file_get_utf8_network_path);
    link.description = text(f, "description", liblnk_file_get_utf8_description_size,
                            liblnk_file_get_utf8_description);
    link.relative_path = text(f, "relative path", liblnk_file_get_utf8_relative_path_size,
                              liblnk_file_get_utf8_relative_path);
    link.working_directory =
        text(f, "working directory", liblnk_file_get_utf8_working_directory_size,
             liblnk_file_get_utf8_working_directory);
    link.arguments =
        text(f, "command line arguments", liblnk_file_get_utf8_command_line_arguments_size,
             liblnk_file_get_utf8_command_line_arguments);
    link.icon_location = text(f, "icon location", liblnk_file_get_utf8_icon_location_size,
                              liblnk_file_get_utf8_icon_location);
    LnkError e;
    const int tracked = liblnk_file_has_distributed_link_tracking_data(f.get(), e.out());
    if (tracked == -1) f.fail("distributed link tracking data", e);
    if (tracked == 1)
        link.machine_id =
            text(f, "machine identifier", liblnk_file_get_utf8_machine_identifier_size,
                 liblnk_file_get_utf8_machine_identifier);
    return link;
}

std::string drive_type_name(uint32_t drive_type) {
    switch (drive_type) {
        case LIBLNK_DRIVE_TYPE_NO_ROOT_DIR:
            return "no_root_dir";
        case LIBLNK_DRIVE_TYPE_REMOVABLE:
            return "removable";
        case LIBLNK_DRIVE_TYPE_FIXED:
            return "fixed";
        case LIBLNK_DRIVE_TYPE_REMOTE:
            return "network";
        case LIBLNK_DRIVE_TYPE_CDROM:
            return "optical";
        case LIBLNK_DRIVE_TYPE_RAMDISK:
            return "ram_disk";
        default:
            return "unknown";
    }
}

}  // namespace dflab::engine
