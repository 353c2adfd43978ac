#include "images/ext_writer.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/error.hpp"
#include "engine/hashes.hpp"
#include "images/ext_debugfs.hpp"
#include "images/run_tool.hpp"
#include "images/temp_folder.hpp"

namespace dflab::images {
namespace {

namespace fs = std::filesystem;
using engine::Error;
using ext::batch_failure;
using ext::data_blocks;
using ext::first_error_line;
using ext::marker_command;
using ext::quote;
using ext::set_all_times;
using ext::set_time;

// ---- a private temporary folder -----------------------------------------------------------------

// ---- values -------------------------------------------------------------------------------------

const char* type_name(FileSystemType type) {
    switch (type) {
        case FileSystemType::Ext2:
            return "ext2";
        case FileSystemType::Ext3:
            return "ext3";
        case FileSystemType::Ext4:
            return "ext4";
        default:
            return "";
    }
}

// Every feature pinned, whatever /etc/mke2fs.conf says (Debian 12's defaults for each type).
const char* features(FileSystemType type) {
    switch (type) {
        case FileSystemType::Ext2:
            return "none,sparse_super,large_file,filetype,resize_inode,dir_index,ext_attr";
        case FileSystemType::Ext3:
            return "none,sparse_super,large_file,filetype,resize_inode,dir_index,ext_attr,"
                   "has_journal";
        default:
            return "none,sparse_super,large_file,filetype,resize_inode,dir_index,ext_attr,"
                   "has_journal,extent,huge_file,flex_bg,metadata_csum,64bit,dir_nlink,"
                   "extra_isize";
    }
}

// mke2fs reads only this profile (so that no host setting leaks in); the command line gives
// every value that matters, the types are defined so that mke2fs does not warn.
constexpr const char* kMke2fsConfig = R"([defaults]
	base_features = sparse_super,large_file,filetype,resize_inode,dir_index,ext_attr
	enable_periodic_fsck = 0
	inode_size = 256
	hash_alg = half_md4
	lazy_itable_init = false

[fs_types]
	ext2 = {
		inode_size = 256
	}
	ext3 = {
		features = has_journal
	}
	ext4 = {
		features = has_journal,extent,huge_file,flex_bg,metadata_csum,64bit,dir_nlink,extra_isize
	}
	dflab = {
		inode_size = 256
	}
)";

std::string uuid_from_hash(const std::string& text) {
    std::string_view bytes(text);
    auto hex =
        engine::hash_bytes(std::as_bytes(std::span(bytes.data(), bytes.size())), engine::kSha256)
            .sha256;
    hex[12] = '4';  // version 4, RFC 4122 variant: an ordinary-looking UUID
    const char* variant = "89ab";
    hex[16] = variant[std::stoi(hex.substr(16, 1), nullptr, 16) & 3];
    return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
           hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

// The spec's serial as a lower-case UUID (with or without dashes), or one derived from the id.
std::string volume_uuid(const PartitionSpec& spec) {
    if (!spec.serial) return uuid_from_hash("dflab ext uuid " + spec.id);
    std::string digits;
    for (char c : *spec.serial) {
        if (c == '-') continue;
        digits += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    bool ok = digits.size() == 32 && std::all_of(digits.begin(), digits.end(), [](char c) {
                  return std::isxdigit(static_cast<unsigned char>(c));
              });
    if (ok && spec.serial->size() == 36) {
        for (size_t i : {8, 13, 18, 23}) ok = ok && (*spec.serial)[i] == '-';
    } else if (ok && spec.serial->size() != 32) {
        ok = false;
    }
    if (!ok)
        throw Error(spec.mark.str() + ": partition " + spec.id + ": serial '" + *spec.serial +
                    "' is not a UUID (write it as 8-4-4-4-12 hex digits)");
    return digits.substr(0, 8) + "-" + digits.substr(8, 4) + "-" + digits.substr(12, 4) + "-" +
           digits.substr(16, 4) + "-" + digits.substr(20, 12);
}

// ---- paths -----------------------------------------------------------------

std::string parent_of(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == 0 ? "/" : path.substr(0, slash);
}

// ---- the writer ---------------------------------------------------------------------------------

class ExtWriter final : public FileSystemWriter {
  public:
    explicit ExtWriter(FileSystemType type) : type_(type) {}

    void format(const PartitionSpec& spec, const fs::path& image, uint64_t size,
                int64_t time) override;
    void make_directory(const std::string& path, int64_t time) override;
    void write_file(const std::string& path, std::span<const std::byte> content,
                    int64_t time) override;
    void write_file_from(const std::string& path, const fs::path& source, int64_t time);
    void set_times(const std::string& path, const Times& times) override;
    void rename(const std::string& from, const std::string& to, int64_t time) override;
    void remove(const std::string& path, bool overwrite, int64_t time) override;
    Times stored_times(const Times& wanted) const override {
        Times stored = wanted;
        if (type_ != FileSystemType::Ext4) stored.crtime.reset();  // TSK reads it on ext4 only
        return stored;
    }
    void finish() override;

  private:
    std::string tool_error(const std::string& tool, const std::string& what) const {
        // Inside a build the image lies in its temporary folder: named by its file name only.
        return without_temporary_paths(tool + ": " + image_.string() + ": " + what);
    }
    std::map<std::string, std::string> environment(int64_t time) const;
    ToolResult run(const std::vector<std::string>& argv, int64_t time) const;
    void check_ready() const;
    void check_path(const std::string& path) const;
    bool exists(const std::string& path) const { return nodes_.count(path) != 0; }
    bool is_dir(const std::string& path) const {
        auto it = nodes_.find(path);
        return it != nodes_.end() && it->second;
    }
    bool has_children(const std::string& dir) const;
    unsigned subdirectories(const std::string& dir) const;
    void need_new(const std::string& what, const std::string& path) const;
    void need_existing(const std::string& what, const std::string& path) const;
    void begin(std::string what, int64_t time);
    std::string touch_directory(const std::string& dir, int64_t time) const;
    std::string set_links(const std::string& dir) const;
    void flush();
    void zero_data_blocks(const std::string& path);

    FileSystemType type_;
    fs::path image_;
    uint32_t block_size_ = 0;
    std::unique_ptr<TempFolder> temp_;
    bool formatted_ = false, failed_ = false;
    std::map<std::string, bool> nodes_;  // path -> is a directory: what the file system holds

    std::string script_;                // pending debugfs commands
    std::vector<std::string> actions_;  // what each pending action is, by its marker number
    std::vector<fs::path> content_files_;
    uint64_t pending_bytes_ = 0;
    int64_t batch_time_ = 0;
    uint64_t content_counter_ = 0;
};

// Batches are flushed at these sizes so that the temporary content files stay small.
constexpr uint64_t kMaxPendingBytes = 64ull << 20;
constexpr size_t kMaxPendingActions = 8192;

std::map<std::string, std::string> ExtWriter::environment(int64_t time) const {
    // E2FSPROGS_FAKE_TIME = 0 would mean "not set" to e2fsprogs: the clock would leak in.
    int64_t fake = std::max<int64_t>(time, 1);
    return {{"DEBUGFS_PAGER", "__none__"},
            {"PAGER", "__none__"},
            {"MKE2FS_CONFIG", (temp_->path() / "mke2fs.conf").string()},
            {"E2FSPROGS_FAKE_TIME", std::to_string(fake)}};
}

// Runs an e2fsprogs tool without checking its exit status: the callers read its output (debugfs's
// exit status counts failed commands, the batch markers among them).
ToolResult ExtWriter::run(const std::vector<std::string>& argv, int64_t time) const {
    ToolOptions options;
    options.env = environment(time);
    options.check = false;
    options.package = "e2fsprogs";
    return run_tool(argv, options);
}

void ExtWriter::format(const PartitionSpec& spec, const fs::path& image, uint64_t size,
                       int64_t time) {
    std::string where = spec.mark.str() + ": partition " + spec.id + ": ";
    constexpr uint64_t kMiB = 1ull << 20;
    uint32_t block_size = spec.cluster_size.value_or(size < 512 * kMiB ? 1024 : 4096);
    if (block_size < 1024 || block_size > 65536 || (block_size & (block_size - 1)) != 0)
        throw Error(where + "ext block size " + std::to_string(block_size) +
                    " is not one of 1024, 2048, 4096, ..., 65536");
    uint64_t blocks = size / block_size;
    bool journal = type_ != FileSystemType::Ext2;
    uint64_t min_blocks = journal ? 2048 : 64;
    if (blocks < min_blocks)
        throw Error(where + "too small for " + type_name(type_) + ": " + std::to_string(size) +
                    " bytes; it needs at least " + std::to_string(min_blocks * block_size) +
                    " bytes (" + std::to_string(min_blocks) + " blocks of " +
                    std::to_string(block_size) + ")");
    if (spec.label.size() > 16)
        throw Error(where + "ext label '" + spec.label + "' is longer than 16 bytes");
    std::string uuid = volume_uuid(spec);
    std::string hash_seed = uuid_from_hash("dflab ext hash seed " + uuid);
    uint64_t inode_ratio = std::max<uint64_t>(size < 512 * kMiB ? 4096 : 16384, block_size);

    image_ = image;
    temp_ = std::make_unique<TempFolder>("dflab-ext");
    nodes_.clear();
    script_.clear();
    actions_.clear();
    content_files_.clear();
    pending_bytes_ = 0;
    formatted_ = failed_ = false;
    {
        std::ofstream conf(temp_->path() / "mke2fs.conf", std::ios::binary | std::ios::trunc);
        conf << kMke2fsConfig;
        if (!conf) throw Error("ext: cannot write " + (temp_->path() / "mke2fs.conf").string());
    }
    {
        std::ofstream out(image, std::ios::binary | std::ios::trunc);
        if (!out) throw Error("ext: cannot create " + image.string());
    }
    std::error_code ec;
    fs::resize_file(image, size, ec);
    if (ec) throw Error("ext: cannot size " + image.string() + ": " + ec.message());

    std::vector<std::string> argv = {"mke2fs",
                                     "-q",
                                     "-F",
                                     "-t",
                                     type_name(type_),
                                     "-T",
                                     "dflab",
                                     "-O",
                                     features(type_),
                                     "-b",
                                     std::to_string(block_size),
                                     "-I",
                                     "256",
                                     "-i",
                                     std::to_string(inode_ratio),
                                     "-m",
                                     "0",
                                     "-U",
                                     uuid,
                                     "-E",
                                     "hash_seed=" + hash_seed +
                                         ",root_owner=0:0,lazy_itable_init=0,"
                                         "lazy_journal_init=0,nodiscard"};
    if (!spec.label.empty()) {
        argv.emplace_back("-L");
        argv.push_back(spec.label);
    }
    argv.push_back(image.string());
    argv.push_back(std::to_string(blocks));
    auto r = run(argv, time);
    if (r.exit_code != 0)
        throw Error(tool_error(
            "mke2fs", first_error_line(r.err + r.out, "exit code " + std::to_string(r.exit_code))));
    block_size_ = block_size;
    nodes_ = {{"/", true}, {"/lost+found", true}};
    formatted_ = true;
}

void ExtWriter::check_ready() const {
    if (!formatted_) throw Error("ext: the file system is not formatted yet");
    if (failed_) throw Error(tool_error("ext", "an earlier change failed"));
}

void ExtWriter::check_path(const std::string& path) const {
    auto bad = [&](const std::string& why) {
        return Error(tool_error("ext", "path '" + path + "' " + why));
    };
    if (path.empty() || path[0] != '/') throw bad("is not absolute");
    if (path.size() > 1 && path.back() == '/') throw bad("ends with '/'");
    if (path.find_first_of(std::string("\n\r\0", 3)) != std::string::npos)
        throw bad("holds a line break or NUL, which ext tools cannot name");
    size_t start = 1;
    while (start <= path.size() && path.size() > 1) {
        size_t end = path.find('/', start);
        if (end == std::string::npos) end = path.size();
        std::string part = path.substr(start, end - start);
        if (part.empty()) throw bad("has an empty name");
        if (part == "." || part == "..") throw bad("has '.' or '..'");
        if (part.size() > 255) throw bad("has a name longer than 255 bytes");
        start = end + 1;
    }
}

bool ExtWriter::has_children(const std::string& dir) const {
    std::string prefix = dir == "/" ? "/" : dir + "/";
    auto it = nodes_.upper_bound(prefix);
    if (dir == "/") return nodes_.size() > 1;
    return it != nodes_.end() && it->first.compare(0, prefix.size(), prefix) == 0;
}

// Direct subdirectories: a directory's link count is 2 plus these.
unsigned ExtWriter::subdirectories(const std::string& dir) const {
    unsigned n = 0;
    for (const auto& [path, directory] : nodes_)
        if (directory && path != "/" && parent_of(path) == dir) ++n;
    return n;
}

void ExtWriter::need_new(const std::string& what, const std::string& path) const {
    check_path(path);
    if (path == "/" || exists(path))
        throw Error(tool_error("ext", what + " " + path + ": it exists already"));
    std::string parent = parent_of(path);
    if (!exists(parent))
        throw Error(
            tool_error("ext", what + " " + path + ": folder " + parent + " does not exist"));
    if (!is_dir(parent))
        throw Error(tool_error("ext", what + " " + path + ": " + parent + " is not a folder"));
}

void ExtWriter::need_existing(const std::string& what, const std::string& path) const {
    check_path(path);
    if (!exists(path))
        throw Error(tool_error("ext", what + " " + path + ": no such file or folder"));
}

// Starts a pending action: a marker line (an unknown command, which debugfs reports on stderr
// in order with the errors) lets the errors be told apart by action.
void ExtWriter::begin(std::string what, int64_t time) {
    script_ += marker_command(actions_.size());
    actions_.push_back(std::move(what));
    batch_time_ = time;
}

std::string ExtWriter::touch_directory(const std::string& dir, int64_t time) const {
    return set_time(dir, "mtime", time) + set_time(dir, "ctime", time);
}

std::string ExtWriter::set_links(const std::string& dir) const {
    return "set_inode_field " + quote(dir) + " links_count " +
           std::to_string(2 + subdirectories(dir)) + "\n";
}

void ExtWriter::make_directory(const std::string& path, int64_t time) {
    check_ready();
    need_new("mkdir", path);
    std::string commands = "mkdir " + quote(path) + "\n" + set_all_times(path, time) +
                           touch_directory(parent_of(path), time);
    begin("mkdir " + path, time);
    script_ += commands;
    nodes_[path] = true;
    if (actions_.size() >= kMaxPendingActions) flush();
}

void ExtWriter::write_file(const std::string& path, std::span<const std::byte> content,
                           int64_t time) {
    check_ready();
    need_new("write", path);
    std::string q = quote(path);
    std::string commands = set_all_times(path, time) + touch_directory(parent_of(path), time);

    fs::path host = temp_->path() / ("c" + std::to_string(content_counter_++));
    {
        std::ofstream out(host, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(content.data()),
                  static_cast<std::streamsize>(content.size()));
        if (!out) throw Error("ext: cannot write the temporary file " + host.string());
    }
    // debugfs takes the mode from the host file: pin it against the umask.
    fs::permissions(host, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                              fs::perms::others_read);
    content_files_.push_back(host);
    begin("write " + path, time);
    script_ += "write " + quote(host.string()) + " " + q + "\n" + "set_inode_field " + q +
               " uid 0\nset_inode_field " + q + " gid 0\n" + commands;
    nodes_[path] = false;
    pending_bytes_ += content.size();
    if (pending_bytes_ >= kMaxPendingBytes || actions_.size() >= kMaxPendingActions) flush();
}

// As write_file, with debugfs reading `source` itself; no temporary copy, so the batch does not
// grow in temporary space. The host file's mode may be anything: the inode's is set after.
void ExtWriter::write_file_from(const std::string& path, const fs::path& source, int64_t time) {
    check_ready();
    need_new("write", path);
    std::string q = quote(path);
    std::string commands = set_all_times(path, time) + touch_directory(parent_of(path), time);
    begin("write " + path, time);
    script_ += "write " + quote(fs::absolute(source).string()) + " " + q + "\n" +
               "set_inode_field " + q + " mode 0100644\nset_inode_field " + q +
               " uid 0\nset_inode_field " + q + " gid 0\n" + commands;
    nodes_[path] = false;
    if (actions_.size() >= kMaxPendingActions) flush();
}

void ExtWriter::set_times(const std::string& path, const Times& times) {
    check_ready();
    need_existing("set times of", path);
    std::string commands;
    if (times.atime) commands += set_time(path, "atime", *times.atime);
    if (times.mtime) commands += set_time(path, "mtime", *times.mtime);
    if (times.ctime) commands += set_time(path, "ctime", *times.ctime);
    if (times.crtime) commands += set_time(path, "crtime", *times.crtime);
    if (commands.empty()) return;
    begin("set times of " + path, batch_time_);
    script_ += commands;
}

void ExtWriter::rename(const std::string& from, const std::string& to, int64_t time) {
    check_ready();
    std::string what = "rename " + from + " to " + to;
    need_existing("rename", from);
    if (from == "/" || from == "/lost+found")
        throw Error(tool_error("ext", what + ": " + from + " cannot be renamed"));
    need_new("rename to", to);
    bool directory = is_dir(from);
    if (directory && to.compare(0, from.size() + 1, from + "/") == 0)
        throw Error(tool_error("ext", what + ": a folder cannot move into itself"));
    std::string old_parent = parent_of(from), new_parent = parent_of(to);
    std::string times = set_time(to, "ctime", time) + touch_directory(old_parent, time);
    if (new_parent != old_parent) times += touch_directory(new_parent, time);

    // The model first: link counts below come from it.
    std::map<std::string, bool> moved;
    for (auto it = nodes_.begin(); it != nodes_.end();) {
        if (it->first == from || it->first.compare(0, from.size() + 1, from + "/") == 0) {
            moved[to + it->first.substr(from.size())] = it->second;
            it = nodes_.erase(it);
        } else {
            ++it;
        }
    }
    nodes_.insert(moved.begin(), moved.end());

    std::string commands = "ln " + quote(from) + " " + quote(to) + "\nunlink " + quote(from) + "\n";
    if (directory && old_parent != new_parent) {
        commands += "unlink " + quote(to + "/..") + "\nln " + quote(new_parent) + " " +
                    quote(to + "/..") + "\n" + set_links(old_parent) + set_links(new_parent);
    }
    commands += times;
    begin(what, time);
    script_ += commands;
}

void ExtWriter::remove(const std::string& path, bool overwrite, int64_t time) {
    check_ready();
    need_existing("delete", path);
    if (path == "/" || path == "/lost+found")
        throw Error(tool_error("ext", "delete " + path + ": it cannot be deleted"));
    bool directory = is_dir(path);
    if (directory && has_children(path))
        throw Error(tool_error("ext", "delete " + path + ": the folder is not empty"));

    std::string q = quote(path), parent = parent_of(path);
    auto dtime = static_cast<uint32_t>(static_cast<uint64_t>(time));
    std::string commands = "set_inode_field " + q + " links_count 0\nkill_file " + q + "\n" +
                           "set_inode_field " + q + " dtime @" + std::to_string(dtime) + "\n" +
                           set_time(path, "ctime", time) + "unlink " + q + "\n";
    std::string parent_times = touch_directory(parent, time);
    if (overwrite) zero_data_blocks(path);
    nodes_.erase(path);
    if (directory) commands += set_links(parent);
    commands += parent_times;
    begin("delete " + path, time);
    script_ += commands;
}

// Fills the file's data blocks (not its block-map or extent-tree blocks) with zeros, straight
// in the image: everything pending is written first, and no debugfs runs meanwhile.
void ExtWriter::zero_data_blocks(const std::string& path) {
    flush();
    auto r = run({"debugfs", "-R", "stat " + quote(path), image_.string()}, batch_time_);
    std::string error = first_error_line(r.err, "");
    if (!error.empty()) {
        failed_ = true;
        throw Error(tool_error("debugfs", "delete " + path + ": " + error));
    }
    std::fstream image(image_, std::ios::binary | std::ios::in | std::ios::out);
    if (!image) throw Error(tool_error("ext", "cannot open the image to overwrite " + path));
    std::vector<char> zeros(block_size_, 0);
    for (const auto& [first, last] : data_blocks(r.out)) {
        for (uint64_t block = first; block <= last; ++block) {
            image.seekp(static_cast<std::streamoff>(block * block_size_));
            image.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
        }
    }
    image.flush();
    if (!image) {
        failed_ = true;
        throw Error(tool_error("ext", "cannot overwrite the blocks of " + path));
    }
}

void ExtWriter::flush() {
    if (actions_.empty()) return;
    fs::path script = temp_->path() / "commands";
    {
        std::ofstream out(script, std::ios::binary | std::ios::trunc);
        out << script_;
        if (!out) throw Error("ext: cannot write " + script.string());
    }
    auto r = run({"debugfs", "-w", "-f", script.string(), image_.string()}, batch_time_);
    std::string failure = batch_failure(r, actions_);
    script_.clear();
    actions_.clear();
    pending_bytes_ = 0;
    for (const auto& file : content_files_) {
        std::error_code ec;
        fs::remove(file, ec);
    }
    content_files_.clear();
    if (!failure.empty()) {
        failed_ = true;
        // "write /a.bin: write: Could not allocate block in ext2 filesystem": the file system is
        // full, said in dflab's words (the action is the part before the first ": ").
        if (failure.find("Could not allocate") != std::string::npos)
            throw Error(tool_error("ext", failure.substr(0, failure.find(": ")) +
                                              ": the partition is full; make it larger or the "
                                              "files smaller"));
        throw Error(tool_error("debugfs", failure));
    }
}

// The image is complete afterwards; a later change starts a new batch (the builder finishes a
// file system to look a file up before deleting it). The temporary folder stays until the writer
// goes: debugfs needs its environment for every batch.
void ExtWriter::finish() {
    check_ready();
    flush();
}

}  // namespace

bool write_ext_file_from(FileSystemWriter& writer, const std::string& path, const fs::path& source,
                         int64_t time) {
    auto* ext = dynamic_cast<ExtWriter*>(&writer);
    if (!ext || source.string().find_first_of("\n\r") != std::string::npos) return false;
    ext->write_file_from(path, source, time);
    return true;
}

std::unique_ptr<FileSystemWriter> make_ext_writer(FileSystemType type) {
    switch (type) {
        case FileSystemType::Ext2:
        case FileSystemType::Ext3:
        case FileSystemType::Ext4:
            return std::make_unique<ExtWriter>(type);
        default:
            throw Error("ext writer: not an ext file system type");
    }
}

}  // namespace dflab::images
