#include "images/ntfs_writer.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/error.hpp"
#include "images/ntfs_format.hpp"
#include "images/ntfs_handles.hpp"

namespace dflab::images {
namespace {

namespace fs = std::filesystem;
using engine::Error;
using ntfs::Attribute;
using ntfs::Inode;
using ntfs::SearchContext;
using ntfs::Utf16Name;

std::string parent_of(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == 0 ? "/" : path.substr(0, slash);
}

std::string name_of(const std::string& path) {
    return path.substr(path.rfind('/') + 1);
}

// The four NTFS times of one inode (absent: unchanged).
struct NtfsTimes {
    std::optional<ntfs_time> created, modified, mft_changed, accessed;
};

class NtfsWriter final : public FileSystemWriter {
  public:
    void format(const PartitionSpec& spec, const fs::path& image, uint64_t size,
                int64_t time) override {
        volume_ = {};
        formatted_ = false;
        ntfs::make_ntfs(spec, image, size, time);
        image_ = image;
        formatted_ = true;
    }
    void make_directory(const std::string& path, int64_t time) override {
        create(path, time, S_IFDIR, {});
    }
    void write_file(const std::string& path, std::span<const std::byte> content,
                    int64_t time) override {
        create(path, time, S_IFREG, content);
    }
    void write_stream(const std::string& path, const std::string& stream,
                      std::span<const std::byte> content, int64_t time) override;
    void set_times(const std::string& path, const Times& times) override;
    void rename(const std::string& from, const std::string& to, int64_t time) override;
    void remove(const std::string& path, bool overwrite, int64_t time) override;
    Times stored_times(const Times& wanted) const override { return wanted; }
    void finish() override;

  private:
    [[noreturn]] void fail(const std::string& what, const std::string& why) const;
    ntfs_volume* volume();
    void check_path(const std::string& what, const std::string& path) const;
    Inode open(const std::string& what, const std::string& path);
    static bool has_entry(const Inode& folder, const std::string& name);
    void close(const std::string& what, Inode& inode, const Inode* folder = nullptr) const;
    ntfs_time at(int64_t time, const std::string& what) const {
        return ntfs::to_ntfs_time(time, here(what));
    }
    // "ntfs: IMAGE: WHAT", the start of every error message.
    std::string here(const std::string& what) const {
        return "ntfs: " + image_.string() + ": " + what;
    }
    void create(const std::string& path, int64_t time, mode_t type,
                std::span<const std::byte> content);
    void write_data(const std::string& what, ntfs_inode* inode, const Utf16Name* stream,
                    std::span<const std::byte> content) const;
    void touch_folder(const std::string& what, const std::string& folder, int64_t time);
    void wipe_data(const std::string& what, ntfs_inode* inode) const;

    fs::path image_;
    bool formatted_ = false;
    ntfs::Volume volume_;
};

// $STANDARD_INFORMATION (written from these fields when the inode is closed) and the copies of
// the names in the parent folders' indexes.
void set_standard_times(ntfs_inode* inode, const NtfsTimes& t) {
    if (t.created) inode->creation_time = *t.created;
    if (t.modified) inode->last_data_change_time = *t.modified;
    if (t.mft_changed) inode->last_mft_change_time = *t.mft_changed;
    if (t.accessed) inode->last_access_time = *t.accessed;
    ntfs_inode_mark_dirty(inode);
    NInoFileNameSetDirty(inode);
}

// The inode's times as its $STANDARD_INFORMATION holds them (for inodes the library loaded
// without them).
void load_standard_times(ntfs_inode* inode) {
    SearchContext context(ntfs_attr_get_search_ctx(inode, nullptr));
    if (!context || ntfs_attr_lookup(AT_STANDARD_INFORMATION, AT_UNNAMED, 0, CASE_SENSITIVE, 0,
                                     nullptr, 0, context.get()) != 0)
        return;
    const auto* attribute = context->attr;
    const auto* info = reinterpret_cast<const STANDARD_INFORMATION*>(
        reinterpret_cast<const u8*>(attribute) + le16_to_cpu(attribute->value_offset));
    inode->creation_time = info->creation_time;
    inode->last_data_change_time = info->last_data_change_time;
    inode->last_mft_change_time = info->last_mft_change_time;
    inode->last_access_time = info->last_access_time;
}

void NtfsWriter::fail(const std::string& what, const std::string& why) const {
    const int error = errno;
    std::string message = here(what) + ": " + why;
    if (error != 0) message += ": " + std::string(std::strerror(error));
    std::string library = ntfs::library_message();
    if (!library.empty()) message += " (libntfs-3g: " + library + ")";
    throw Error(message);
}

ntfs_volume* NtfsWriter::volume() {
    if (!formatted_) throw Error("ntfs: the file system is not formatted yet");
    if (!volume_) {
        ntfs::clear_library_message();
        errno = 0;
        volume_ = ntfs::Volume(ntfs_mount(image_.c_str(), NTFS_MNT_NONE));
        if (!volume_) fail("open", "libntfs-3g cannot open the volume");
        // Windows looks names up without regard to case; so do recipes.
        ntfs_set_ignore_case(volume_.get());
        // libntfs-3g loads $MFT without its times and, once the MFT grows, would write zeros
        // (1601) into its $STANDARD_INFORMATION: give it the times it has.
        for (ntfs_inode* system : {volume_->mft_ni, volume_->mftmirr_ni, volume_->lcnbmp_ni})
            if (system && system->creation_time == 0) load_standard_times(system);
    }
    return volume_.get();
}

void NtfsWriter::check_path(const std::string& what, const std::string& path) const {
    if (path.empty() || path[0] != '/') throw Error(here(what) + ": the path is not absolute");
    if (path.size() > 1 && path.back() == '/') throw Error(here(what) + ": the path ends with '/'");
    if (path.find("//") != std::string::npos)
        throw Error(here(what) + ": the path has an empty name");
}

// Walks the path from the root folder, looking each name up in its folder's index (without
// regard to case). ntfs_pathname_to_inode is not used: its path caches can outlive a rename.
Inode NtfsWriter::open(const std::string& what, const std::string& path) {
    check_path(what, path);
    ntfs_volume* v = volume();
    ntfs::clear_library_message();
    errno = 0;
    Inode inode(ntfs_inode_open(v, FILE_root));
    if (!inode) fail(what, "cannot open the root folder");
    for (size_t start = 1; start < path.size();) {
        size_t end = std::min(path.find('/', start), path.size());
        Utf16Name name(std::string_view(path).substr(start, end - start), here(what));
        ntfs::clear_library_message();
        errno = 0;
        const u64 reference = ntfs_inode_lookup_by_name(inode.get(), name.data(), name.size());
        if (reference == static_cast<u64>(-1))
            throw Error(here(what) + ": no " + path.substr(0, end));
        Inode next(ntfs_inode_open(v, MREF(reference)));
        if (!next) fail(what, "cannot open " + path.substr(0, end));
        inode = std::move(next);
        start = end + 1;
    }
    return inode;
}

// Whether the folder's index holds the name (without regard to case).
bool NtfsWriter::has_entry(const Inode& folder, const std::string& name) {
    Utf16Name unicode(name, "ntfs: " + name);
    ntfs::clear_library_message();
    return ntfs_inode_lookup_by_name(folder.get(), unicode.data(), unicode.size()) !=
           static_cast<u64>(-1);
}

void NtfsWriter::close(const std::string& what, Inode& inode, const Inode* folder) const {
    ntfs::clear_library_message();
    errno = 0;
    int status = folder ? inode.close_in(*folder) : inode.close();
    if (status != 0) fail(what, "cannot write the MFT record back");
}

void NtfsWriter::write_data(const std::string& what, ntfs_inode* inode, const Utf16Name* stream,
                            std::span<const std::byte> content) const {
    ntfschar* name = stream ? stream->data() : AT_UNNAMED;
    u32 length = stream ? stream->size() : 0;
    ntfs::clear_library_message();
    errno = 0;
    if (stream && !ntfs_attr_exist(inode, AT_DATA, name, length) &&
        ntfs_attr_add(inode, AT_DATA, name, length, nullptr, 0) != 0)
        fail(what, "cannot add the stream");
    Attribute data(ntfs_attr_open(inode, AT_DATA, name, length));
    if (!data) fail(what, "cannot open the data attribute");
    if (data->data_size != 0 && ntfs_attr_truncate(data.get(), 0) != 0)
        fail(what, "cannot empty the old content");
    const auto size = static_cast<s64>(content.size());
    s64 done = 0;
    while (done < size) {
        s64 n = ntfs_attr_pwrite(data.get(), done, size - done, content.data() + done);
        if (n <= 0) fail(what, "cannot write " + std::to_string(size) + " bytes");
        done += n;
    }
}

// Sets the parent folder's modified and MFT-changed times after a change of its entries.
void NtfsWriter::touch_folder(const std::string& what, const std::string& folder, int64_t time) {
    Inode dir = open(what, folder);
    ntfs_time t = at(time, what);
    set_standard_times(dir.get(), {std::nullopt, t, t, std::nullopt});
    close(what, dir);
}

// The $FILE_NAME attributes in the inode's own MFT record (TSK's istat shows them).
void set_file_name_times(ntfs_inode* inode, const NtfsTimes& t) {
    SearchContext context(ntfs_attr_get_search_ctx(inode, nullptr));
    if (!context) return;
    while (ntfs_attr_lookup(AT_FILE_NAME, AT_UNNAMED, 0, CASE_SENSITIVE, 0, nullptr, 0,
                            context.get()) == 0) {
        auto* attribute = context->attr;
        auto* name = reinterpret_cast<FILE_NAME_ATTR*>(reinterpret_cast<u8*>(attribute) +
                                                       le16_to_cpu(attribute->value_offset));
        if (t.created) name->creation_time = *t.created;
        if (t.modified) name->last_data_change_time = *t.modified;
        if (t.mft_changed) name->last_mft_change_time = *t.mft_changed;
        if (t.accessed) name->last_access_time = *t.accessed;
        ntfs_inode_mark_dirty(context->ntfs_ino);
    }
}

void NtfsWriter::create(const std::string& path, int64_t time, mode_t type,
                        std::span<const std::byte> content) {
    const std::string what = (type == S_IFDIR ? "mkdir " : "write ") + path;
    check_path(what, path);
    if (path == "/") throw Error(here(what) + ": the root folder exists already");
    Inode dir = open(what, parent_of(path));
    if (has_entry(dir, name_of(path))) throw Error(here(what) + ": it exists already");
    Utf16Name name(name_of(path), here(what));
    const ntfs_time t = at(time, what);
    ntfs::clear_library_message();
    errno = 0;
    Inode inode(ntfs_create(dir.get(), 0, name.data(), name.size(), type));
    if (!inode) fail(what, "cannot create it");
    if (type == S_IFREG) {
        try {
            write_data(what, inode.get(), nullptr, content);
        } catch (const Error&) {
            inode.close_in(dir);  // the folder is open here: the library must not open it again
            throw;
        }
    }
    const NtfsTimes all{t, t, t, t};
    set_standard_times(inode.get(), all);
    set_file_name_times(inode.get(), all);
    close(what, inode, &dir);
    set_standard_times(dir.get(), {std::nullopt, t, t, std::nullopt});
    close(what, dir);
}

void NtfsWriter::write_stream(const std::string& path, const std::string& stream,
                              std::span<const std::byte> content, int64_t time) {
    const std::string what = "stream " + path + ":" + stream;
    if (stream.find_first_of(":/\\") != std::string::npos)
        throw Error(here(what) + ": a stream name cannot hold ':', '/' or '\\'");
    Utf16Name name(stream, here(what));
    const ntfs_time t = at(time, what);
    Inode inode = open(what, path);
    write_data(what, inode.get(), &name, content);
    set_standard_times(inode.get(), {std::nullopt, t, t, std::nullopt});
    close(what, inode);
}

void NtfsWriter::set_times(const std::string& path, const Times& times) {
    const std::string what = "set times of " + path;
    NtfsTimes t;
    if (times.crtime) t.created = at(*times.crtime, what);
    if (times.mtime) t.modified = at(*times.mtime, what);
    if (times.ctime) t.mft_changed = at(*times.ctime, what);
    if (times.atime) t.accessed = at(*times.atime, what);
    Inode inode = open(what, path);
    set_standard_times(inode.get(), t);
    close(what, inode);
}

// libntfs-3g has no rename: a second name is linked, then the first one deleted (as its FUSE
// driver does). ntfs_delete closes the inode and the folder it is given.
void NtfsWriter::rename(const std::string& from, const std::string& to, int64_t time) {
    const std::string what = "rename " + from + " to " + to;
    check_path(what, to);
    if (from == "/") throw Error(here(what) + ": the root folder cannot be renamed");
    if (to.starts_with(from + "/")) throw Error(here(what) + ": a folder cannot move into itself");
    const ntfs_time t = at(time, what);
    {
        Inode inode = open(what, from);
        if (inode->mft_no < FILE_first_user)
            throw Error(here(what) + ": " + from + " is a system file");
        Inode folder = open(what, parent_of(to));
        if (has_entry(folder, name_of(to))) throw Error(here(what) + ": " + to + " exists already");
        Utf16Name name(name_of(to), here(what));
        // The new $FILE_NAME is made from these times.
        set_standard_times(inode.get(), {std::nullopt, std::nullopt, t, std::nullopt});
        ntfs::clear_library_message();
        errno = 0;
        if (ntfs_link(inode.get(), folder.get(), name.data(), name.size()) != 0)
            fail(what, "cannot link the new name");
        // The index first; the inode then updates its names in both folders, opening them itself.
        close(what, folder);
        close(what, inode);
    }
    {
        Inode inode = open(what, from);
        Inode folder = open(what, parent_of(from));
        Utf16Name name(name_of(from), here(what));
        ntfs::clear_library_message();
        errno = 0;
        if (ntfs_delete(volume(), from.c_str(), inode.release(), folder.release(), name.data(),
                        name.size()) != 0)
            fail(what, "cannot remove the old name");
    }
    {
        Inode inode = open(what, to);
        // ntfs_delete stamped the machine's clock: the story's time instead.
        set_standard_times(inode.get(), {std::nullopt, std::nullopt, t, std::nullopt});
        set_file_name_times(inode.get(), {inode->creation_time, inode->last_data_change_time, t,
                                          inode->last_access_time});
        close(what, inode);
    }
    touch_folder(what, parent_of(from), time);
    if (parent_of(to) != parent_of(from)) touch_folder(what, parent_of(to), time);
}

// Zeroes every $DATA attribute of the inode: resident values in the MFT record, the clusters of
// non-resident ones (whole clusters, the slack after the content included).
void NtfsWriter::wipe_data(const std::string& what, ntfs_inode* inode) const {
    std::vector<std::vector<ntfschar>> names;
    {
        SearchContext context(ntfs_attr_get_search_ctx(inode, nullptr));
        if (!context) fail(what, "cannot read the MFT record");
        while (ntfs_attr_lookup(AT_DATA, nullptr, 0, CASE_SENSITIVE, 0, nullptr, 0,
                                context.get()) == 0) {
            const ATTR_RECORD* attribute = context->attr;
            const auto* name = reinterpret_cast<const ntfschar*>(
                reinterpret_cast<const u8*>(attribute) + le16_to_cpu(attribute->name_offset));
            names.emplace_back(name, name + attribute->name_length);
        }
    }
    ntfs_volume* v = inode->vol;
    std::vector<std::byte> zeros(v->cluster_size);
    for (auto& name : names) {
        ntfs::clear_library_message();
        errno = 0;
        Attribute data(ntfs_attr_open(inode, AT_DATA, name.empty() ? AT_UNNAMED : name.data(),
                                      static_cast<u32>(name.size())));
        if (!data) fail(what, "cannot open a data attribute to overwrite it");
        if (!NAttrNonResident(data.get())) {
            std::vector<std::byte> blank(static_cast<size_t>(data->data_size));
            if (!blank.empty() &&
                ntfs_attr_pwrite(data.get(), 0, data->data_size, blank.data()) != data->data_size)
                fail(what, "cannot overwrite the resident content");
            continue;
        }
        if (ntfs_attr_map_whole_runlist(data.get()) != 0) fail(what, "cannot read the data runs");
        for (const runlist_element* run = data->rl; run && run->length; ++run) {
            if (run->lcn < 0) continue;  // a hole: nothing stored
            for (s64 c = 0; c < run->length; ++c) {
                if (ntfs_cluster_write(v, run->lcn + c, 1, zeros.data()) != 1)
                    fail(what, "cannot overwrite cluster " + std::to_string(run->lcn + c));
            }
        }
    }
}

void NtfsWriter::remove(const std::string& path, bool overwrite, int64_t time) {
    const std::string what = "delete " + path;
    if (path == "/") throw Error(here(what) + ": the root folder cannot be deleted");
    if (overwrite) {
        Inode inode = open(what, path);
        wipe_data(what, inode.get());
        close(what, inode);
    }
    Inode inode = open(what, path);
    if (inode->mft_no < FILE_first_user)
        throw Error(here(what) + ": " + path + " is a system file");
    if (inode->mrec->flags & MFT_RECORD_IS_DIRECTORY) {
        ntfs::clear_library_message();
        errno = 0;
        int empty = ntfs_check_empty_dir(inode.get());
        if (empty != 0) fail(what, "the folder is not empty");
    }
    Inode folder = open(what, parent_of(path));
    Utf16Name name(name_of(path), here(what));
    ntfs::clear_library_message();
    errno = 0;
    if (ntfs_delete(volume(), path.c_str(), inode.release(), folder.release(), name.data(),
                    name.size()) != 0)
        fail(what, "cannot delete it");
    touch_folder(what, parent_of(path), time);
}

void NtfsWriter::finish() {
    if (!formatted_) throw Error("ntfs: the file system is not formatted yet");
    if (!volume_) return;
    ntfs::clear_library_message();
    errno = 0;
    if (volume_.close() != 0) fail("finish", "cannot close the volume cleanly");
}

}  // namespace

std::unique_ptr<FileSystemWriter> make_ntfs_writer() {
    return std::make_unique<NtfsWriter>();
}

}  // namespace dflab::images
