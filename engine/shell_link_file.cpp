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

}  // namespace

bool has_shell_link_header(std::span<const std::byte> head) {
    return head.size() >= kHeaderStart.size() &&
           std::memcmp(head.data(), kHeaderStart.data(), kHeaderStart.size()) == 0;
}

ShellLink read_shell_link(std::span<const std::byte> bytes, const std::string& name) {
    if (!has_shell_link_header(bytes))
        throw Error(name + ": not a readable shell link: no shell link header");
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
