#include "images/fat_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <vector>

#include <date/tz.h>

#include "common/input_file.hpp"
#include "common/text.hpp"
#include "engine/error.hpp"
#include "engine/time_format.hpp"
#include "engine/tsk_handles.hpp"
#include "images/run_tool.hpp"
#include "images/temp_folder.hpp"

namespace dflab::images {
namespace {

namespace fs = std::filesystem;
using engine::Error;

// ---------------------------------------------------------------------------------------------
// Child processes (images/run_tool.hpp).

// Runs argv[0] with the writer's environment additions, in a new session (no controlling
// terminal, so mtools can never stop to ask a question); throws "SUBJECT: what went wrong" in the
// writer's words (`explain`) or "TOOL: SUBJECT: first line of its error output".
void run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
         const std::string& subject, decltype(ToolOptions::explain) explain = {}) {
    ToolOptions options;
    options.env = env;
    options.new_session = true;
    options.subject = subject;
    options.package = argv.front() == "mkfs.fat" ? "dosfstools" : "mtools";
    options.explain = std::move(explain);
    run_tool(argv, options);
}

bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

// A name FAT (and Windows) cannot hold, or "" when it can: mtools fails on these without a word
// (and crashes on a name past 255 characters).
std::string bad_fat_name(const std::string& name) {
    if (common::count_chars(name) > 255) return "is longer than 255 characters";
    for (unsigned char c : name)
        if (c < 0x20 || c == 0x7f) return "holds a control character";
    if (name.find_first_of("\"*<>?\\|") != std::string::npos) return "holds one of \" * < > ? \\ |";
    std::string upper;
    for (char c : name) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    static const std::set<std::string> devices = {
        "CON",  "PRN",  "AUX",  "NUL",  "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7",
        "COM8", "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9"};
    if (devices.contains(upper)) return "is the name of a DOS device";
    return "";
}

// ---------------------------------------------------------------------------------------------
// FAT on-disk values.

struct DosStamp {
    uint16_t date = 0, time = 0;
};

int64_t floor_to(int64_t t, int64_t unit) {
    int64_t r = t % unit;
    if (r < 0) r += unit;
    return t - r;
}

// FAT's clock: it stores the local time of the machine that writes it, without a zone. UTC
// instants become local times in the partition's zone here, and back the way readers do it
// (TSK's mktime, engine::fat_time_in_zone): for a local time the clocks skip, with the offset
// before the change.
class FatClock {
  public:
    void set_zone(const std::string& name) {
        name_ = name.empty() ? "UTC" : name;
        try {
            zone_ = date::locate_zone(name_);
        } catch (const std::exception&) {
            throw Error("fat writer: unknown time zone '" + name_ + "'");
        }
    }
    const std::string& name() const { return name_; }

    int64_t local(int64_t t) const {
        return zone_->to_local(date::sys_seconds{std::chrono::seconds{t}})
            .time_since_epoch()
            .count();
    }

    // The instant a reader gets back for the local time `local`.
    int64_t instant(int64_t local) const {
        auto info = zone_->get_info(date::local_seconds{std::chrono::seconds{local}});
        return local - info.first.offset.count();
    }

    // The instant FAT holds for `t` when it keeps local time in steps of `unit` seconds.
    int64_t stored(int64_t t, int64_t unit) const { return instant(floor_to(local(t), unit)); }

    // Refuses a local time that happens twice (the clocks go back): FAT cannot say which.
    void check_unique(int64_t local_time, int64_t t, const std::string& path) const {
        auto info = zone_->get_info(date::local_seconds{std::chrono::seconds{local_time}});
        if (info.result == date::local_info::ambiguous)
            throw Error("fat writer: " + path + ": " + engine::iso_utc(t) + " is " +
                        engine::iso_utc(local_time).substr(0, 19) + " local time in " + name_ +
                        ", which happens twice (the clocks go back); FAT stores local time without "
                        "a zone, so readers cannot tell which: choose another time");
    }

  private:
    std::string name_ = "UTC";
    const date::time_zone* zone_ = date::locate_zone("UTC");
};

// The DOS date and time of `t` as local time on `clock`; `unit` 86400 for a date only.
DosStamp dos_stamp(const FatClock& clock, int64_t t, const std::string& path, int64_t unit = 2) {
    const int64_t local = clock.local(t);
    auto tt = static_cast<std::time_t>(local);
    std::tm tm{};
    if (!::gmtime_r(&tt, &tm) || tm.tm_year + 1900 < 1980 || tm.tm_year + 1900 > 2107)
        throw Error("fat writer: " + path + ": time " + engine::iso_utc(t) +
                    " is outside what FAT can hold (1980-01-01 to 2107-12-31 local time in " +
                    clock.name() + ")");
    clock.check_unique(floor_to(local, unit), t, path);
    DosStamp s;
    s.date = static_cast<uint16_t>(((tm.tm_year + 1900 - 1980) << 9) | ((tm.tm_mon + 1) << 5) |
                                   tm.tm_mday);
    s.time = static_cast<uint16_t>((tm.tm_hour << 11) | (tm.tm_min << 5) | (tm.tm_sec / 2));
    return s;
}

uint32_t get_le(const std::array<unsigned char, 512>& b, size_t at, size_t n) {
    uint32_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= static_cast<uint32_t>(b[at + i]) << (8 * i);
    return v;
}

using Entry = std::array<unsigned char, 32>;

void put16(Entry& e, size_t at, uint16_t v) {
    e[at] = static_cast<unsigned char>(v & 0xff);
    e[at + 1] = static_cast<unsigned char>(v >> 8);
}

// The layout values TSK's FAT inode numbers are defined by (tsk_fatfs.h: FATFS_INODE_2_SECT).
struct Geometry {
    uint32_t sector_size = 512;
    uint32_t cluster_sectors = 1;
    uint64_t first_data_sector = 0;     // after the FATs: FAT12/16 root folder, FAT32 cluster 2
    uint64_t first_cluster_sector = 0;  // cluster 2
};

// A binary read-write handle on the image file.
class ImageFile {
  public:
    explicit ImageFile(const fs::path& image) : path_(image) {
        file_.open(image, std::ios::in | std::ios::out | std::ios::binary);
        if (!file_) throw Error("fat writer: " + image.string() + ": cannot open the image");
    }
    template <size_t N>
    std::array<unsigned char, N> read(uint64_t offset) {
        std::array<unsigned char, N> out{};
        file_.seekg(static_cast<std::streamoff>(offset));
        file_.read(reinterpret_cast<char*>(out.data()), N);
        if (!file_)
            throw Error("fat writer: " + path_.string() + ": cannot read at " +
                        std::to_string(offset));
        return out;
    }
    void write(uint64_t offset, const unsigned char* data, size_t n) {
        file_.seekp(static_cast<std::streamoff>(offset));
        file_.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(n));
        file_.flush();
        if (!file_)
            throw Error("fat writer: " + path_.string() + ": cannot write at " +
                        std::to_string(offset));
    }

  private:
    fs::path path_;
    std::fstream file_;
};

Geometry read_geometry(ImageFile& image) {
    auto b = image.read<512>(0);
    Geometry g;
    g.sector_size = get_le(b, 11, 2);
    g.cluster_sectors = b[13];
    uint32_t reserved = get_le(b, 14, 2);
    uint32_t fats = b[16];
    uint32_t root_entries = get_le(b, 17, 2);
    uint32_t fat_size = get_le(b, 22, 2);
    if (fat_size == 0) fat_size = get_le(b, 36, 4);
    if (g.sector_size < 512 || g.cluster_sectors == 0 || fats == 0)
        throw Error("fat writer: the image has no FAT boot sector");
    g.first_data_sector = reserved + static_cast<uint64_t>(fats) * fat_size;
    g.first_cluster_sector =
        g.first_data_sector + (root_entries * 32ULL + g.sector_size - 1) / g.sector_size;
    return g;
}

constexpr TSK_INUM_T kFirstNormalInode = 3;          // FATFS_FIRST_NORMINO
constexpr uint64_t kLargestFatFile = 0xFFFFFFFFull;  // a 32-bit size field

// Byte offset in the image of the 32-byte directory entry that TSK numbers `inode`.
uint64_t entry_offset(const Geometry& g, TSK_INUM_T inode) {
    const uint64_t per_sector = g.sector_size / 32;
    const uint64_t index = inode - kFirstNormalInode;
    return (index / per_sector + g.first_data_sector) * g.sector_size + (index % per_sector) * 32;
}

// Case flags (entry byte 12) for a name that is a plain 8.3 name in one case per part, with the
// 11-byte short name it has; nullopt when the name needs a long-name entry anyway.
std::optional<std::pair<std::string, unsigned char>> plain_short_name(const std::string& name) {
    if (name.empty() || name == "." || name == "..") return std::nullopt;
    auto dot = name.find('.');
    if (dot != name.rfind('.')) return std::nullopt;
    std::string base = name.substr(0, dot);
    std::string ext = dot == std::string::npos ? "" : name.substr(dot + 1);
    if (base.empty() || base.size() > 8 || ext.size() > 3) return std::nullopt;
    static const std::string special = "!#$%&'()-@^_`{}~";
    unsigned char flags = 0;
    auto part = [&](const std::string& s, unsigned char lower_flag) {
        bool lower = false, upper = false;
        for (char c : s) {
            if (c >= 'a' && c <= 'z') {
                lower = true;
            } else if (c >= 'A' && c <= 'Z') {
                upper = true;
            } else if (!(c >= '0' && c <= '9') && special.find(c) == std::string::npos) {
                return false;
            }
        }
        if (lower && upper) return false;
        if (lower) flags |= lower_flag;
        return true;
    };
    if (!part(base, 0x08) || !part(ext, 0x10)) return std::nullopt;
    std::string short_name(11, ' ');
    for (size_t i = 0; i < base.size(); ++i)
        short_name[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(base[i])));
    for (size_t i = 0; i < ext.size(); ++i)
        short_name[8 + i] = static_cast<char>(std::toupper(static_cast<unsigned char>(ext[i])));
    return std::make_pair(short_name, flags);
}

// ---------------------------------------------------------------------------------------------
// The Sleuth Kit, to find entries and clusters.

struct OpenFat {
    engine::TskImage image;
    engine::TskFileSystem fs;
};

OpenFat open_fat(const fs::path& image) {
    OpenFat o;
    o.image.reset(tsk_img_open_sing(image.c_str(), TSK_IMG_TYPE_RAW, 0));
    if (!o.image) throw Error("libtsk: " + image.string() + ": " + engine::take_tsk_error());
    o.fs.reset(tsk_fs_open_img(o.image.get(), 0, TSK_FS_TYPE_FAT_DETECT));
    if (!o.fs) throw Error("libtsk: " + image.string() + ": " + engine::take_tsk_error());
    return o;
}

struct Found {
    TSK_INUM_T inode = 0;
    bool directory = false;
};

Found find_entry(const OpenFat& fat, const std::string& path) {
    TSK_INUM_T inode = 0;
    int rc = tsk_fs_path2inum(fat.fs.get(), path.c_str(), &inode, nullptr);
    if (rc < 0) throw Error("libtsk: " + path + ": " + engine::take_tsk_error());
    if (rc > 0) throw Error("fat writer: " + path + ": no such file or folder");
    if (inode < kFirstNormalInode)
        throw Error("fat writer: " + path + ": the root folder has no directory entry");
    engine::TskFile file(tsk_fs_file_open_meta(fat.fs.get(), nullptr, inode));
    if (!file || !file->meta) throw Error("libtsk: " + path + ": " + engine::take_tsk_error());
    if (!(file->meta->flags & TSK_FS_META_FLAG_ALLOC))
        throw Error("fat writer: " + path + ": no such file or folder (only a deleted entry)");
    Found f;
    f.inode = inode;
    f.directory = file->meta->type == TSK_FS_META_TYPE_DIR;
    return f;
}

TSK_WALK_RET_ENUM collect_block(TSK_FS_FILE*, TSK_OFF_T, TSK_DADDR_T addr, char*, size_t,
                                TSK_FS_BLOCK_FLAG_ENUM flags, void* ptr) {
    if (!(flags & TSK_FS_BLOCK_FLAG_SPARSE))
        static_cast<std::vector<TSK_DADDR_T>*>(ptr)->push_back(addr);
    return TSK_WALK_CONT;
}

// The sectors (TSK's FAT blocks) holding the file's content.
std::vector<TSK_DADDR_T> content_sectors(const OpenFat& fat, TSK_INUM_T inode,
                                         const std::string& path) {
    engine::TskFile file(tsk_fs_file_open_meta(fat.fs.get(), nullptr, inode));
    if (!file) throw Error("libtsk: " + path + ": " + engine::take_tsk_error());
    std::vector<TSK_DADDR_T> sectors;
    if (tsk_fs_file_walk(file.get(), TSK_FS_FILE_WALK_FLAG_AONLY, collect_block, &sectors) != 0)
        throw Error("libtsk: " + path + ": " + engine::take_tsk_error());
    return sectors;
}

// ---------------------------------------------------------------------------------------------

class FatWriter final : public FileSystemWriter {
  public:
    explicit FatWriter(FileSystemType type) : type_(type) {
        // Overrides /etc/mtools.conf (read first); HOME points here so no ~/.mtoolsrc is read.
        std::ofstream rc(tmp_.path() / "mtoolsrc");
        rc << "mtools_skip_check=1\nmtools_lower_case=0\nmtools_no_vfat=0\n"
              "mtools_name_numeric_tail=1\nmtools_dotted_dir=0\nmtools_fat_compatibility=0\n";
        if (!rc) throw Error("fat writer: cannot write " + (tmp_.path() / "mtoolsrc").string());
    }

    void format(const PartitionSpec& spec, const fs::path& image, uint64_t size,
                int64_t time) override {
        const std::string where = spec.mark.file.empty() ? image.string() : spec.mark.str();
        clock_.set_zone(spec.timezone);
        partition_ = spec.id;
        int bits = type_ == FileSystemType::Fat12 ? 12 : type_ == FileSystemType::Fat16 ? 16 : 32;
        std::vector<std::string> argv = {"mkfs.fat", "--invariant", "-F", std::to_string(bits),
                                         "-S",       "512",         "-i", serial(spec, size, time)};
        if (!spec.label.empty()) argv.insert(argv.end(), {"-n", spec.label});
        if (spec.cluster_size) {
            uint32_t c = *spec.cluster_size;
            if (c < 512 || c > 65536 || (c & (c - 1)) != 0)
                throw Error(where + ": cluster size " + std::to_string(c) +
                            " is not a power of two from 512 to 65536 bytes");
            argv.insert(argv.end(), {"-s", std::to_string(c / 512)});
        }
        image_ = image;
        auto make = [&](const std::vector<std::string>& extra) {
            {
                std::ofstream create(image, std::ios::binary | std::ios::trunc);
                if (!create) throw Error("fat writer: " + image.string() + ": cannot create");
            }
            std::error_code ec;
            fs::resize_file(image, size, ec);
            if (ec) throw Error("fat writer: " + image.string() + ": " + ec.message());
            std::vector<std::string> args = argv;
            args.insert(args.end(), extra.begin(), extra.end());
            args.push_back(image.string());
            run(args, environment(time), spec.id.empty() ? "the partition" : "partition " + spec.id,
                [&](const ToolResult&, const std::string& line) -> std::string {
                    if (contains(line, "too small or a too large"))
                        return common::size_text(size) + " is too small or too large for FAT" +
                               std::to_string(bits) +
                               "; choose another size, or fat12 for a small and fat32 for a large "
                               "partition";
                    return "";
                });
        };
        if (spec.cluster_size) {
            make({});
        } else {
            // mkfs.fat's default cluster size can leave too few clusters for the FAT type asked
            // for (FAT16 in 4 MiB); then the smallest cluster size that gives a valid one.
            std::optional<std::string> first_error;
            try {
                make({});
            } catch (const Error& e) {
                first_error = e.what();
            }
            for (unsigned s = 1; first_error && s <= 128; s *= 2) {
                try {
                    make({"-s", std::to_string(s)});
                    first_error.reset();
                } catch (const Error&) {
                }
            }
            if (first_error) {
                std::error_code ec;
                fs::remove(image, ec);  // no half-made image left behind
                throw Error(*first_error);
            }
        }
        // mkfs.fat --invariant dates the volume label entry 2015-03-14; date it `time` instead.
        ImageFile file(image_);
        Geometry g = read_geometry(file);
        uint64_t at = entry_offset(g, kFirstNormalInode);
        Entry e = file.read<32>(at);
        if (e[0] != 0 && e[0] != 0xE5 && (e[11] & 0x0F) == 0x08)
            patch(file, at, Times{time, time, std::nullopt, time}, "volume label", clock_);
    }

    void make_directory(const std::string& path, int64_t time) override {
        check_path(path);
        dos_stamp(clock_, time, path);
        run({"mmd", "-i", image().string(), "::" + path}, environment(time), path,
            explain_mtools(path));
        settle(path, Times{time, time, std::nullopt, time});
    }

    void write_file(const std::string& path, std::span<const std::byte> content,
                    int64_t time) override {
        check_path(path);
        dos_stamp(clock_, time, path);
        if (content.size() > kLargestFatFile)
            throw Error(path + ": " + std::to_string(content.size()) +
                        " bytes is more than a FAT file can hold (4 GiB less one byte); make it "
                        "smaller or use another file system");
        const fs::path host = tmp_.path() / "content";
        {
            std::ofstream out(host, std::ios::binary | std::ios::trunc);
            out.write(reinterpret_cast<const char*>(content.data()),
                      static_cast<std::streamsize>(content.size()));
            if (!out) throw Error("fat writer: " + host.string() + ": cannot write");
        }
        const std::array<timespec, 2> times{timespec{static_cast<std::time_t>(time), 0},
                                            timespec{static_cast<std::time_t>(time), 0}};
        if (::utimensat(AT_FDCWD, host.c_str(), times.data(), 0) != 0)
            throw Error("fat writer: " + host.string() + ": " + std::strerror(errno));
        run({"mcopy", "-m", "-D", "o", "-i", image().string(), host.string(), "::" + path},
            environment(time), path, explain_mtools(path));
        settle(path, Times{time, time, std::nullopt, time});
    }

    void set_times(const std::string& path, const Times& times) override {
        check_path(path);
        OpenFat fat = open_fat(image());
        Found f = find_entry(fat, path);
        ImageFile file(image());
        patch(file, entry_offset(read_geometry(file), f.inode), times, path, clock_);
    }

    void rename(const std::string& from, const std::string& to, int64_t time) override {
        check_path(from);
        check_path(to);
        run({"mmove", "-D", "o", "-i", image().string(), "::" + from, "::" + to}, environment(time),
            from, explain_mtools(to));
        settle(to, Times{});  // FAT has no change time; only the case of a short name to fix
    }

    void remove(const std::string& path, bool overwrite, int64_t time) override {
        check_path(path);
        bool directory = false;
        {
            OpenFat fat = open_fat(image());
            Found f = find_entry(fat, path);
            directory = f.directory;
            if (overwrite && directory)
                throw Error("fat writer: " + path +
                            ": overwrite applies to files; delete the files inside first");
            if (overwrite) {
                auto sectors = content_sectors(fat, f.inode, path);
                ImageFile file(image());
                Geometry g = read_geometry(file);
                std::set<uint64_t> clusters;
                for (auto s : sectors)
                    if (s >= g.first_cluster_sector)
                        clusters.insert((s - g.first_cluster_sector) / g.cluster_sectors);
                std::vector<unsigned char> zeros(
                    static_cast<size_t>(g.cluster_sectors) * g.sector_size, 0);
                for (auto c : clusters)
                    file.write((g.first_cluster_sector + c * g.cluster_sectors) * g.sector_size,
                               zeros.data(), zeros.size());
            }
        }
        run({directory ? "mdeltree" : "mdel", "-i", image().string(), "::" + path},
            environment(time), path);
    }

    Times stored_times(const Times& wanted) const override {
        Times out;
        // Local time in the partition's zone: even seconds for mtime, the local date (its
        // midnight) for atime; read back as readers do (FatClock::instant).
        if (wanted.mtime) out.mtime = clock_.stored(*wanted.mtime, 2);
        if (wanted.atime) out.atime = clock_.stored(*wanted.atime, 86400);
        if (wanted.crtime) out.crtime = clock_.stored(*wanted.crtime, 1);  // 10 ms steps
        return out;                                                        // no change time on FAT
    }

    void finish() override { image(); }  // every step is already in the image file

  private:
    const fs::path& image() const {
        if (image_.empty()) throw Error("fat writer: format() must come first");
        return image_;
    }

    static void check_path(const std::string& path) {
        if (path.size() < 2 || path.front() != '/' || path.back() == '/')
            throw Error("fat writer: " + path + ": not an absolute path of a file or folder");
        for (size_t start = 1; start < path.size();) {
            size_t end = std::min(path.find('/', start), path.size());
            const std::string name = path.substr(start, end - start);
            if (std::string why = bad_fat_name(name); !why.empty())
                throw Error(path + ": the name " + common::quote(name) + " " + why +
                            ", which FAT does not allow; rename it");
            start = end + 1;
        }
    }

    // What an mtools failure while writing `path` means, in the writer's words ("" when unknown).
    decltype(ToolOptions::explain) explain_mtools(const std::string& path) const {
        return [this, path](const ToolResult&, const std::string& line) -> std::string {
            const std::string parent = path.substr(0, std::max<size_t>(path.rfind('/'), 1));
            if (contains(line, "No directory slots")) {
                if (parent == "/" && type_ != FileSystemType::Fat32) {
                    ImageFile file(image());
                    const auto boot = file.read<512>(0);
                    const std::string name = type_ == FileSystemType::Fat12 ? "FAT12" : "FAT16";
                    return "the " + name + " root folder is full (it holds " +
                           std::to_string(get_le(boot, 17, 2)) +
                           " entries, and a long name takes more than one); put the files in a "
                           "subfolder or use fat32";
                }
                return "the folder " + parent +
                       " is full (a FAT folder holds at most 65536 entries, and a long name takes "
                       "more than one); spread the files over more folders";
            }
            if (contains(line, "Disk full"))
                return (partition_.empty() ? "the partition" : "partition " + partition_) +
                       " is full; make the partition larger or the files smaller";
            if (contains(line, "no match for target") || contains(line, "Bad target"))
                return "the folder " + parent + " does not exist; make it first (mkdir)";
            return "";
        };
    }

    std::map<std::string, std::string> environment(int64_t time) const {
        return {{"HOME", tmp_.path().string()},
                {"SOURCE_DATE_EPOCH", std::to_string(time)},
                {"MTOOLSRC", (tmp_.path() / "mtoolsrc").string()},
                {"MTOOLS_SKIP_CHECK", "1"}};
    }

    static std::string serial(const PartitionSpec& spec, uint64_t size, int64_t time) {
        if (spec.serial) {
            std::string s;
            for (char c : *spec.serial)
                if (c != '-') s += c;
            if (s.size() != 8 || s.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
                throw Error(spec.mark.str() + ": FAT serial '" + *spec.serial +
                            "' is not 8 hexadecimal digits (such as 1234ABCD)");
            return s;
        }
        // FNV-1a of what the recipe says about the volume: the same recipe, the same serial.
        std::string key = "dflab-fat:" + spec.id + ":" + spec.label + ":" + std::to_string(size) +
                          ":" + std::to_string(time);
        uint32_t h = 2166136261u;
        for (unsigned char c : key) h = (h ^ c) * 16777619u;
        char buf[9];
        std::snprintf(buf, sizeof buf, "%08x", h);
        return buf;
    }

    // Writes the times given into the directory entry at `at`, as local time on `clock`.
    static void patch(ImageFile& file, uint64_t at, const Times& t, const std::string& path,
                      const FatClock& clock) {
        Entry e = file.read<32>(at);
        if ((e[11] & 0x0F) == 0x0F || e[0] == 0 || e[0] == 0xE5)
            throw Error("fat writer: " + path + ": no short directory entry at byte " +
                        std::to_string(at));
        if (t.crtime) {
            DosStamp s = dos_stamp(clock, *t.crtime, path, 1);
            // The odd second in 10 ms units: 101, not 100, because TSK (fatfs_dos_2_unix_time) adds
            // the second only when the field is above 100; every reader then sees the whole second.
            const int64_t local = clock.local(*t.crtime);
            e[13] = static_cast<unsigned char>(floor_to(local, 2) == local ? 0 : 101);
            put16(e, 14, s.time);
            put16(e, 16, s.date);
        }
        if (t.atime) put16(e, 18, dos_stamp(clock, *t.atime, path, 86400).date);
        if (t.mtime) {
            DosStamp s = dos_stamp(clock, *t.mtime, path);
            put16(e, 22, s.time);
            put16(e, 24, s.date);
        }
        file.write(at, e.data(), e.size());
    }

    // After mtools made or renamed `path`: the exact times, and the case flags of a plain 8.3
    // name (mmove keeps the old entry's flags, so "a.txt" would otherwise show as "A.TXT").
    void settle(const std::string& path, const Times& times) {
        OpenFat fat = open_fat(image());
        Found f = find_entry(fat, path);
        ImageFile file(image());
        uint64_t at = entry_offset(read_geometry(file), f.inode);
        if (times.mtime || times.atime || times.crtime) patch(file, at, times, path, clock_);
        if (auto plain = plain_short_name(path.substr(path.rfind('/') + 1))) {
            Entry e = file.read<32>(at);
            if (std::equal(
                    plain->first.begin(), plain->first.end(), e.begin(),
                    [](char a, unsigned char b) { return static_cast<unsigned char>(a) == b; }) &&
                (e[12] & 0x18) != plain->second) {
                e[12] = static_cast<unsigned char>((e[12] & ~0x18) | plain->second);
                file.write(at, e.data(), e.size());
            }
        }
    }

    FileSystemType type_;
    FatClock clock_;         // the partition's zone, set by format()
    std::string partition_;  // its id, set by format()
    TempFolder tmp_{"dflab-fat"};
    fs::path image_;
};

}  // namespace

std::unique_ptr<FileSystemWriter> make_fat_writer(FileSystemType type) {
    if (type != FileSystemType::Fat12 && type != FileSystemType::Fat16 &&
        type != FileSystemType::Fat32)
        throw Error("fat writer: only FAT12, FAT16 and FAT32 are written by this writer");
    return std::make_unique<FatWriter>(type);
}

}  // namespace dflab::images
