#include "engine/file_system.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstring>
#include <ctime>
#include <mutex>

#include <date/tz.h>

#include "engine/content.hpp"
#include "engine/entry_owner.hpp"
#include "engine/error.hpp"
#include "engine/ext_block_map_check.hpp"
#include "engine/ext_inode_check.hpp"
#include "engine/time_format.hpp"
#include "engine/tsk_access.hpp"

namespace dflab::engine {

namespace {

std::string type_name(TSK_FS_META_TYPE_ENUM t) {
    switch (t) {
        case TSK_FS_META_TYPE_REG:
            return "file";
        case TSK_FS_META_TYPE_DIR:
            return "directory";
        case TSK_FS_META_TYPE_LNK:
            return "symlink";
        case TSK_FS_META_TYPE_FIFO:
            return "fifo";
        case TSK_FS_META_TYPE_CHR:
            return "character device";
        case TSK_FS_META_TYPE_BLK:
            return "block device";
        case TSK_FS_META_TYPE_SOCK:
            return "socket";
        case TSK_FS_META_TYPE_VIRT:
            return "virtual";
        case TSK_FS_META_TYPE_VIRT_DIR:
            return "virtual directory";
        default:
            return "unknown";
    }
}

std::string type_name(TSK_FS_NAME_TYPE_ENUM t) {
    switch (t) {
        case TSK_FS_NAME_TYPE_REG:
            return "file";
        case TSK_FS_NAME_TYPE_DIR:
            return "directory";
        case TSK_FS_NAME_TYPE_LNK:
            return "symlink";
        case TSK_FS_NAME_TYPE_FIFO:
            return "fifo";
        case TSK_FS_NAME_TYPE_CHR:
            return "character device";
        case TSK_FS_NAME_TYPE_BLK:
            return "block device";
        case TSK_FS_NAME_TYPE_SOCK:
            return "socket";
        case TSK_FS_NAME_TYPE_VIRT:
            return "virtual";
        case TSK_FS_NAME_TYPE_VIRT_DIR:
            return "virtual directory";
        default:
            return "unknown";
    }
}

std::optional<int64_t> time_or_null(time_t t) {
    if (t == 0) return std::nullopt;
    return static_cast<int64_t>(t);
}

bool is_dot(const char* name) {
    return name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'));
}

bool is_default_attribute_name(const TSK_FS_ATTR* attr) {
    if (!attr->name || attr->name[0] == '\0') return true;
    return attribute_type(attr) == TSK_FS_ATTR_TYPE_NTFS_IDXROOT &&
           std::strcmp(attr->name, "$I30") == 0;
}

// Fills the fields that come from the TSK name and metadata structures.
Entry base_entry(const TSK_FS_FILE* file, const Partition& partition) {
    Entry e;
    e.partition = partition.index;
    const TSK_FS_META* meta = file->meta;
    const TSK_FS_NAME* name = file->name;
    e.has_metadata = meta != nullptr;
    e.address.meta_addr = meta ? meta->addr : (name ? name->meta_addr : 0);
    if (name) {
        e.name = name->name ? name->name : "";
        e.allocated = (name->flags & TSK_FS_NAME_FLAG_UNALLOC) == 0;
        e.reallocated = !e.allocated && meta && (meta->flags & TSK_FS_META_FLAG_ALLOC);
    } else if (meta) {
        e.allocated = (meta->flags & TSK_FS_META_FLAG_ALLOC) != 0;
    }
    char ls[12] = "----------";
    if (meta) {
        e.type = type_name(meta->type);
        e.size = meta->size > 0 ? static_cast<uint64_t>(meta->size) : 0;
        e.mtime = time_or_null(meta->mtime);
        e.atime = time_or_null(meta->atime);
        e.ctime = time_or_null(meta->ctime);
        e.crtime = time_or_null(meta->crtime);
        if (file->fs_info && TSK_FS_TYPE_ISFAT(file->fs_info->ftype)) {
            e.fat_zone = partition.fat_zone;
            for (auto* t : {&e.mtime, &e.atime, &e.ctime, &e.crtime})
                if (*t) *t = fat_time_in_zone(**t, partition.fat_zone);
        }
        e.mode = static_cast<uint32_t>(meta->mode);
        e.uid = static_cast<uint32_t>(meta->uid);
        e.gid = static_cast<uint32_t>(meta->gid);
        tsk_fs_meta_make_ls(meta, ls, sizeof(ls));
        e.file_name = file_name_times(const_cast<TSK_FS_FILE*>(file));
        e.owner = entry_owner(const_cast<TSK_FS_FILE*>(file));
    } else if (name) {
        e.type = type_name(name->type);
    } else {
        e.type = "unknown";
    }
    const char* name_letter = name ? tsk_fs_name_type_str[name->type] : "-";
    e.mode_string = std::string(name_letter) + "/" + ls;
    return e;
}

struct WalkState {
    TSK_FS_INFO* fs;
    const std::string* image_name;
    const Partition* partition;
    const WalkOptions* options;
    const std::function<void(Entry&&)>* visit;
    const std::function<void(const WalkError&)>* on_error;
    std::string prefix;  // "/" or "/start/"
    // The directory TSK opens right after the callback that named it (fs_dir.c,
    // tsk_fs_dir_walk_recursive): when the next callback is not inside it, TSK could not read
    // it (or it is empty), and it is opened again to tell which.
    struct Pending {
        std::string path;
        uint64_t address = 0;
    };
    std::optional<Pending> pending;
    std::exception_ptr failure;
};

void report(WalkState& st, WalkError&& error) {
    if (!*st.on_error) throw Error(format_walk_error(*st.image_name, error));
    (*st.on_error)(error);
}

// TSK 4.11 skips a subdirectory it cannot load without a word (only the start directory fails
// the walk); this finds out whether the pending one was such.
void settle_pending(WalkState& st, const std::string* next_parent) {
    if (!st.pending) return;
    WalkState::Pending p = std::move(*st.pending);
    st.pending.reset();
    if (next_parent && *next_parent == p.path + "/") return;  // its first entry: it was read
    TskDir dir(tsk_fs_dir_open_meta(st.fs, p.address));
    if (dir) return;  // read, and empty
    report(st, WalkError{st.partition->index, p.address, p.path, take_tsk_error()});
}

// The directories TSK recurses into (the test in tsk_fs_dir_walk_recursive), allocated names
// only: a deleted directory whose contents are gone is the usual state of deleted data, and fls
// skips it silently too.
bool will_descend(const WalkState& st, const TSK_FS_FILE* file) {
    const TSK_FS_NAME* name = file->name;
    const TSK_FS_META* meta = file->meta;
    if (!st.options->recursive || !meta || is_dot(name->name)) return false;
    if (!TSK_FS_IS_DIR_NAME(name->type) && name->type != TSK_FS_NAME_TYPE_UNDEF) return false;
    if (!TSK_FS_IS_DIR_META(meta->type)) return false;
    return (name->flags & TSK_FS_NAME_FLAG_ALLOC) != 0;
}

void emit(WalkState& st, const TSK_FS_FILE* file, const std::string& parent_path) {
    const bool allocated = (file->name->flags & TSK_FS_NAME_FLAG_UNALLOC) == 0;
    if (allocated && !st.options->include_allocated) return;
    if (!allocated && !st.options->include_deleted) return;

    const std::string base_path = parent_path + file->name->name;
    Entry base = base_entry(file, *st.partition);
    base.path = base_path;

    if (TSK_FS_TYPE_ISNTFS(file->fs_info->ftype) && file->meta) {
        bool printed = false;
        int count = tsk_fs_file_attr_getsize(const_cast<TSK_FS_FILE*>(file));
        for (int i = 0; i < count; ++i) {
            const TSK_FS_ATTR* attr = tsk_fs_file_attr_get_idx(const_cast<TSK_FS_FILE*>(file), i);
            if (!attr) continue;
            const uint32_t type = attribute_type(attr);
            if (type != TSK_FS_ATTR_TYPE_NTFS_DATA && type != TSK_FS_ATTR_TYPE_NTFS_IDXROOT) {
                continue;
            }
            printed = true;
            Entry e = base;
            e.address.attr_type = type;
            e.address.attr_id = attr->id;
            e.inode = format_inode(e.address);
            if (!is_default_attribute_name(attr)) {
                e.name += std::string(":") + attr->name;
                e.path += std::string(":") + attr->name;
                if (type == TSK_FS_ATTR_TYPE_NTFS_DATA) e.type = "file";
            }
            if (type == TSK_FS_ATTR_TYPE_NTFS_DATA) {
                e.size = attr->size > 0 ? static_cast<uint64_t>(attr->size) : 0;
            }
            (*st.visit)(std::move(e));
        }
        if (printed) return;
    }
    base.inode = format_inode(base.address);
    (*st.visit)(std::move(base));
}

TSK_WALK_RET_ENUM walk_callback(TSK_FS_FILE* file, const char* path, void* ptr) {
    auto& st = *static_cast<WalkState*>(ptr);
    try {
        const std::string parent = st.prefix + path;
        settle_pending(st, &parent);
        if (!file->name || !file->name->name) return TSK_WALK_CONT;
        if (will_descend(st, file)) {
            st.pending = WalkState::Pending{parent + file->name->name, file->name->meta_addr};
        }
        if (is_dot(file->name->name)) return TSK_WALK_CONT;
        emit(st, file, parent);
    } catch (...) {
        st.failure = std::current_exception();
        return TSK_WALK_STOP;
    }
    return TSK_WALK_CONT;
}

bool names_fold(const TSK_FS_INFO* fs) {
    return TSK_FS_TYPE_ISFAT(fs->ftype) || TSK_FS_TYPE_ISNTFS(fs->ftype) ||
           TSK_FS_TYPE_ISHFS(fs->ftype) || TSK_FS_TYPE_ISISO9660(fs->ftype) ||
           fs->ftype == TSK_FS_TYPE_EXFAT;
}

std::string normalise_path(std::string p) {
    std::replace(p.begin(), p.end(), '\\', '/');
    if (p.size() >= 2 && std::isalpha(static_cast<unsigned char>(p[0])) && p[1] == ':') {
        p.erase(0, 2);  // drive letter
    }
    if (p.empty() || p[0] != '/') p.insert(p.begin(), '/');
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    return p;
}

std::string fold(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

std::string Entry::extension() const {
    auto colon = name.find(':');
    std::string base = colon == std::string::npos ? name : name.substr(0, colon);
    auto dot = base.rfind('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == base.size()) return "";
    return fold(base.substr(dot + 1));
}

std::string format_inode(const ContentAddress& a) {
    std::string s = std::to_string(a.meta_addr);
    if (a.attr_type && a.attr_id)
        s += "-" + std::to_string(*a.attr_type) + "-" + std::to_string(*a.attr_id);
    return s;
}

namespace {

// A FILETIME (100 ns steps since 1601-01-01 UTC) in whole seconds since the epoch; 0 is none.
std::optional<int64_t> filetime_seconds(const unsigned char* p) {
    uint64_t ft = 0;
    for (int i = 7; i >= 0; --i) ft = (ft << 8) | p[i];
    if (ft == 0) return std::nullopt;
    constexpr int64_t kEpochDifference = 11644473600;  // seconds from 1601 to 1970
    return static_cast<int64_t>(ft / 10000000) - kEpochDifference;
}

}  // namespace

std::optional<FileNameTimes> file_name_times(TSK_FS_FILE* file) {
    if (!file || !file->meta || !file->fs_info || !TSK_FS_TYPE_ISNTFS(file->fs_info->ftype))
        return std::nullopt;
    // The attribute TSK took its $FILE_NAME times from (istat shows that one), else the first.
    const TSK_FS_ATTR* attr = tsk_fs_file_attr_get_type(file, TSK_FS_ATTR_TYPE_NTFS_FNAME,
                                                        file->meta->time2.ntfs.fn_id, 1);
    if (!attr) attr = tsk_fs_file_attr_get_type(file, TSK_FS_ATTR_TYPE_NTFS_FNAME, 0, 0);
    if (!attr) {
        take_tsk_error();
        return std::nullopt;
    }
    // $FILE_NAME: parent reference, then created, modified, MFT changed, accessed (8 bytes each).
    std::array<unsigned char, 40> raw{};
    ssize_t got = tsk_fs_attr_read(attr, 0, reinterpret_cast<char*>(raw.data()), raw.size(),
                                   TSK_FS_FILE_READ_FLAG_NONE);
    if (got != static_cast<ssize_t>(raw.size())) {
        take_tsk_error();
        return std::nullopt;
    }
    FileNameTimes t;
    t.crtime = filetime_seconds(raw.data() + 8);
    t.mtime = filetime_seconds(raw.data() + 16);
    t.ctime = filetime_seconds(raw.data() + 24);
    t.atime = filetime_seconds(raw.data() + 32);
    return t;
}

int64_t fat_time_in_zone(int64_t tsk_seconds, const std::string& zone) {
    // The local time as TSK read it: undo the process zone's offset (none under TZ=UTC).
    const auto tt = static_cast<std::time_t>(tsk_seconds);
    std::tm tm{};
    const int64_t local = ::localtime_r(&tt, &tm) ? tsk_seconds + tm.tm_gmtoff : tsk_seconds;
    if (zone == "UTC") return local;
    const date::time_zone* tz = nullptr;
    try {
        tz = date::locate_zone(zone);
    } catch (const std::exception&) {
        throw Error("FAT time zone '" + zone +
                    "': unknown (use an IANA name such as UTC, Europe/Moscow or Asia/Almaty)");
    }
    // For a unique local time `first` is its offset; for one that happens twice it is the
    // earlier one's; for one the clocks skip it is the offset before the change (mktime's).
    const auto info = tz->get_info(date::local_seconds{std::chrono::seconds{local}});
    return local - info.first.offset.count();
}

bool holds_fat(const Partition& partition) {
    const std::string name = partition.filesystem.value_or("");
    return name.starts_with("fat") || name == "exfat";
}

const std::string& FatZones::zone_for(int partition_index) const {
    auto it = by_partition.find(partition_index);
    return it == by_partition.end() ? all : it->second;
}

FatZones parse_fat_zones(const std::vector<std::string>& values) {
    FatZones zones;
    bool all_given = false;
    for (const auto& value : values) {
        const auto eq = value.find('=');
        std::string zone = eq == std::string::npos ? value : value.substr(eq + 1);
        try {
            check_time_zone(zone);
        } catch (const Error&) {
            throw Error("--fat-zone '" + value +
                        "': unknown time zone (give ZONE or PARTITION=ZONE, with an IANA name "
                        "such as Asia/Almaty)");
        }
        if (zone == "Z") zone = "UTC";
        if (eq == std::string::npos) {
            if (all_given) throw Error("--fat-zone '" + value + "': a zone for all is given twice");
            zones.all = zone;
            all_given = true;
            continue;
        }
        int index = -1;
        const std::string number = value.substr(0, eq);
        auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), index);
        if (ec != std::errc() || end != number.data() + number.size() || index < 0)
            throw Error("--fat-zone '" + value +
                        "': expected PARTITION=ZONE with a partition index as 'dflab partitions' "
                        "prints it (such as 2=Asia/Almaty)");
        if (!zones.by_partition.emplace(index, zone).second)
            throw Error("--fat-zone '" + value + "': partition " + number + " is given twice");
    }
    return zones;
}

ContentAddress parse_inode(const std::string& text) {
    ContentAddress a;
    uint64_t parts[3] = {0, 0, 0};
    int n = 0;
    const char* p = text.data();
    const char* end = text.data() + text.size();
    while (p < end && n < 3) {
        auto [next, ec] = std::from_chars(p, end, parts[n]);
        if (ec != std::errc() || next == p) break;
        ++n;
        p = next;
        if (p < end && *p == '-')
            ++p;
        else
            break;
    }
    if (p != end || (n != 1 && n != 3) || text.empty()) {
        throw Error("inode '" + text + "': expected a metadata address such as 14 or 64-128-3");
    }
    a.meta_addr = parts[0];
    if (n == 3) {
        a.attr_type = static_cast<uint32_t>(parts[1]);
        a.attr_id = static_cast<uint16_t>(parts[2]);
    }
    return a;
}

std::string format_walk_error(const std::string& image_name, const WalkError& error) {
    std::string out =
        image_name + ": partition " + std::to_string(error.partition) + ": directory " + error.path;
    if (error.address) out += " (inode " + std::to_string(*error.address) + ")";
    return out + ": cannot read: " + error.message;
}

struct FileSystem::Impl {
    std::string image_name;
    Partition partition;
    TskFileSystem fs;

    std::string where() const {
        return image_name + ": partition " + std::to_string(partition.index);
    }

    // Why TSK cannot load this ext file system's inodes without allocating what a damaged one
    // claims (engine/ext_inode_check.hpp), checked once: every walk then refuses it, since
    // TSK's orphan search loads every inode whatever the start directory.
    const std::optional<std::string>& impossible_inode() const {
        std::call_once(inode_checked, [&] { inode_problem = impossible_ext_inode(fs.get()); });
        return inode_problem;
    }
    mutable std::once_flag inode_checked;
    mutable std::optional<std::string> inode_problem;

    // Why the directory at `address` cannot be what it claims, if it cannot. TSK reads a directory
    // whole, and a sparse one slowly (about 20 MB/s): a damaged ext4 root whose inode claims
    // 426 MB on a 256 KiB file system (found by fuzzing) held `fls` for 24 s. On NTFS it allocates
    // the index's allocated size ($INDEX_ALLOCATION) before reading it: a damaged root claiming
    // terabytes stopped the sanitizer build (found by fuzzing). No directory, and no index of one,
    // is larger than its file system.
    std::optional<std::string> impossible_directory(uint64_t address) const {
        TskFile dir(tsk_fs_file_open_meta(fs.get(), nullptr, address));
        if (!dir || !dir->meta) {
            take_tsk_error();  // the walk itself says why it cannot be read
            return std::nullopt;
        }
        const uint64_t fs_bytes = file_system_bytes(fs.get());
        const auto size = static_cast<uint64_t>(std::max<TSK_OFF_T>(dir->meta->size, 0));
        if (size > fs_bytes) {
            return "its metadata claims " + std::to_string(size) +
                   " bytes, more than the whole file system (" + std::to_string(fs_bytes) +
                   " bytes)";
        }
        if (!TSK_FS_TYPE_ISNTFS(fs->ftype)) return std::nullopt;
        const int count = tsk_fs_file_attr_getsize(dir.get());
        for (int i = 0; i < count; ++i) {
            const TSK_FS_ATTR* attr = tsk_fs_file_attr_get_idx(dir.get(), i);
            if (!attr || attribute_type(attr) != TSK_FS_ATTR_TYPE_NTFS_IDXALLOC ||
                (attr->flags & TSK_FS_ATTR_NONRES) == 0) {
                continue;
            }
            const auto claim = static_cast<uint64_t>(std::max<TSK_OFF_T>(attr->nrd.allocsize, 0));
            if (claim <= fs_bytes) continue;
            return "its index ($INDEX_ALLOCATION) claims " + std::to_string(claim) +
                   " bytes, more than the whole file system (" + std::to_string(fs_bytes) +
                   " bytes)";
        }
        tsk_error_reset();
        return std::nullopt;
    }

    // Walks below the directory at `address` whose path is `dir_path` ("/" or "/a/b").
    void walk_at(uint64_t address, const std::string& dir_path, const WalkOptions& options,
                 const std::function<void(Entry&&)>& visit,
                 const std::function<void(const WalkError&)>& on_error) const {
        WalkState st{fs.get(),
                     &image_name,
                     &partition,
                     &options,
                     &visit,
                     &on_error,
                     dir_path == "/" ? "/" : dir_path + "/",
                     std::nullopt,
                     nullptr};
        if (const auto& inode = impossible_inode()) {
            report(st, WalkError{partition.index, address, dir_path,
                                 "the file system is not walked: " + *inode});
            return;
        }
        if (auto message = impossible_directory(address)) {
            report(st, WalkError{partition.index, address, dir_path, std::move(*message)});
            return;
        }
        int flags = TSK_FS_DIR_WALK_FLAG_ALLOC | TSK_FS_DIR_WALK_FLAG_UNALLOC;
        if (options.recursive) flags |= TSK_FS_DIR_WALK_FLAG_RECURSE;
        const uint8_t rc = tsk_fs_dir_walk(
            fs.get(), address, static_cast<TSK_FS_DIR_WALK_FLAG_ENUM>(flags), walk_callback, &st);
        if (st.failure) std::rethrow_exception(st.failure);
        if (rc != 0) {
            // The start directory could not be read (TSK reads nothing else then).
            report(st, WalkError{partition.index, address, dir_path, take_tsk_error()});
            return;
        }
        settle_pending(st, nullptr);
    }

    Entry describe(const ContentAddress& address) const {
        TskFile file(tsk_fs_file_open_meta(fs.get(), nullptr, address.meta_addr));
        if (!file || !file->meta) {
            throw Error(where() + ": no metadata at address " + format_inode(address) + ": " +
                        take_tsk_error());
        }
        Entry e = base_entry(file.get(), partition);
        e.address = address;
        if (address.attr_type) {
            const TSK_FS_ATTR* attr = tsk_fs_file_attr_get_type(
                file.get(), static_cast<TSK_FS_ATTR_TYPE_ENUM>(*address.attr_type),
                address.attr_id.value_or(0), 1);
            if (!attr) {
                take_tsk_error();
                throw Error(where() + ": no attribute " + format_inode(address));
            }
            if (attribute_type(attr) == TSK_FS_ATTR_TYPE_NTFS_DATA)
                e.size = static_cast<uint64_t>(attr->size);
        }
        e.inode = format_inode(e.address);
        return e;
    }

    Entry find(const std::string& wanted) const {
        const bool nocase = names_fold(fs.get());
        if (wanted == "/") {
            Entry root = describe({fs->root_inum, std::nullopt, std::nullopt});
            root.path = "/";
            root.name = "";
            return root;
        }
        // List only the directories on the way (one level at a time), preferring allocated
        // entries.
        std::optional<Entry> found;
        uint64_t dir_address = fs->root_inum;
        std::string dir = "/";
        size_t pos = 1;
        WalkOptions level;
        level.recursive = false;
        while (true) {
            const size_t slash = wanted.find('/', pos);
            const bool last = slash == std::string::npos;
            const std::string target_path = last ? wanted : wanted.substr(0, slash);
            const std::string target_key = nocase ? fold(target_path) : target_path;
            std::optional<Entry> match;
            walk_at(dir_address, dir, level,
                    [&](Entry&& e) {
                        const std::string k = nocase ? fold(e.path) : e.path;
                        if (k == target_key && (!match || (!match->allocated && e.allocated)))
                            match = std::move(e);
                    },
                    {});
            if (!match) break;
            if (last) {
                found = std::move(match);
                break;
            }
            dir = match->path;
            dir_address = match->address.meta_addr;
            pos = slash + 1;
        }
        if (!found) throw Error(where() + ": no entry " + wanted);
        return *found;
    }
};

FileSystem::FileSystem(const Evidence& evidence, const Partition& partition)
    : impl_(std::make_unique<Impl>()) {
    impl_->image_name = evidence.name();
    impl_->partition = partition;
    impl_->fs = open_file_system(evidence, partition);
}
FileSystem::FileSystem(FileSystem&&) noexcept = default;
FileSystem& FileSystem::operator=(FileSystem&&) noexcept = default;
FileSystem::~FileSystem() = default;

TSK_FS_INFO* FileSystemAccess::handle(const FileSystem& fs) {
    return fs.impl_->fs.get();
}

TSK_FS_INFO* tsk_handle(const FileSystem& fs) {
    return FileSystemAccess::handle(fs);
}

const Partition& FileSystem::partition() const {
    return impl_->partition;
}

const std::string& FileSystem::image_name() const {
    return impl_->image_name;
}

FileSystemInfo FileSystem::info() const {
    const TSK_FS_INFO* fs = impl_->fs.get();
    FileSystemInfo info;
    info.type = tsk_fs_type_toname(fs->ftype);
    info.block_size = fs->block_size;
    info.block_count = fs->block_count;
    info.first_block = fs->first_block;
    info.last_block = fs->last_block;
    info.root_address = fs->root_inum;
    info.byte_offset = static_cast<uint64_t>(fs->offset);
    // FAT, exFAT and NTFS store their serial number as a little-endian number, which fsstat (and
    // Windows, as XXXX-XXXX) shows most significant byte first; ext's UUID is shown in byte order
    // (blkid's form without the dashes).
    static const char* hex = "0123456789abcdef";
    const size_t used = std::min<size_t>(fs->fs_id_used, sizeof fs->fs_id);
    const bool number = TSK_FS_TYPE_ISFAT(fs->ftype) || TSK_FS_TYPE_ISNTFS(fs->ftype);
    for (size_t k = 0; k < used; ++k) {
        const uint8_t byte = fs->fs_id[number ? used - 1 - k : k];
        info.volume_id += hex[byte >> 4];
        info.volume_id += hex[byte & 15];
    }
    return info;
}

bool FileSystem::case_insensitive() const {
    return names_fold(impl_->fs.get());
}

void FileSystem::walk(const WalkOptions& options, const std::function<void(Entry&&)>& visit,
                      const std::function<void(const WalkError&)>& on_error) const {
    const std::string start_path = normalise_path(options.start_path);
    if (start_path == "/") {
        impl_->walk_at(impl_->fs->root_inum, "/", options, visit, on_error);
        return;
    }
    Entry dir = impl_->find(start_path);
    if (dir.type != "directory")
        throw Error(impl_->image_name + ": " + start_path + " is not a directory");
    impl_->walk_at(dir.address.meta_addr, dir.path, options, visit, on_error);
}

std::vector<Entry> FileSystem::list(const WalkOptions& options,
                                    const std::function<void(const WalkError&)>& on_error) const {
    std::vector<Entry> out;
    walk(
        options, [&](Entry&& e) { out.push_back(std::move(e)); }, on_error);
    return out;
}

Entry FileSystem::find(std::string_view path) const {
    return impl_->find(normalise_path(std::string(path)));
}

Entry FileSystem::describe(const ContentAddress& address) const {
    return impl_->describe(address);
}

std::optional<ContentAddress> FileSystem::default_attribute(uint64_t meta_addr) const {
    TskFile file(tsk_fs_file_open_meta(impl_->fs.get(), nullptr, meta_addr));
    // A block map TSK would take minutes to build has no content to read
    // (engine/ext_block_map_check.hpp).
    const bool mappable = file && file->meta && !unmappable_block_map(file.get());
    const TSK_FS_ATTR* chosen = mappable ? tsk_fs_file_attr_get(file.get()) : nullptr;
    if (!chosen) {
        tsk_error_reset();
        return std::nullopt;
    }
    return ContentAddress{meta_addr, static_cast<uint32_t>(chosen->type), chosen->id};
}

ContentReader FileSystem::content(const ContentAddress& address, ReadOptions options) const {
    return ContentReader(*this, address, options);
}

}  // namespace dflab::engine
