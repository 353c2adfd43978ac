#include "engine/file_type.hpp"

#include <magic.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/error.hpp"
#include "engine/file_signatures.hpp"
#include "engine/magic_prefilter.hpp"

namespace dflab::engine {

namespace {

struct MagicClose {
    void operator()(magic_t m) const noexcept { magic_close(m); }
};

// Well-known types and the extensions they legitimately carry.
struct TypeExtensions {
    std::string_view mime;
    std::vector<std::string_view> extensions;
};

const std::vector<TypeExtensions>& known_types() {
    static const std::vector<TypeExtensions> table = {
        {"image/jpeg", {"jpg", "jpeg", "jpe", "jfif"}},
        {"image/png", {"png"}},
        {"image/gif", {"gif"}},
        {"image/bmp", {"bmp", "dib"}},
        {"image/x-ms-bmp", {"bmp", "dib"}},
        {"image/tiff", {"tif", "tiff"}},
        {"image/webp", {"webp"}},
        {"application/pdf", {"pdf"}},
        {"application/zip",
         {"zip", "docx", "xlsx", "pptx", "odt", "ods", "odp", "jar", "apk", "epub", "kmz", "xpi"}},
        {"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         {"docx", "docm", "zip"}},
        {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         {"xlsx", "xlsm", "zip"}},
        {"application/vnd.openxmlformats-officedocument.presentationml.presentation",
         {"pptx", "pptm", "zip"}},
        {"application/x-rar", {"rar"}},
        {"application/vnd.rar", {"rar"}},
        {"application/x-7z-compressed", {"7z"}},
        {"application/gzip", {"gz", "tgz"}},
        {"application/x-bzip2", {"bz2", "tbz2"}},
        {"application/x-xz", {"xz", "txz"}},
        {"application/x-dosexec",
         {"exe", "dll", "sys", "scr", "com", "cpl", "ocx", "drv", "efi", "mui"}},
        {"application/vnd.microsoft.portable-executable",
         {"exe", "dll", "sys", "scr", "cpl", "ocx", "efi"}},
        {"application/x-executable", {"", "bin", "elf", "out", "so"}},
        {"application/x-sharedlib", {"so", "bin", "", "elf"}},
        {"application/x-pie-executable", {"", "bin", "elf", "so"}},
        {"application/vnd.sqlite3", {"sqlite", "sqlite3", "db", "db3", "sdb", "s3db"}},
        {"application/x-sqlite3", {"sqlite", "sqlite3", "db", "db3", "sdb", "s3db"}},
        {"audio/mpeg", {"mp3", "mpga"}},
        {"video/mp4", {"mp4", "m4v", "m4a"}},
        {"application/msword", {"doc", "dot", "xls", "ppt", "msg", "msi"}},
        {"application/vnd.ms-excel", {"xls", "xlt"}},
        {"application/x-ole-storage", {"doc", "xls", "ppt", "msg", "msi", "db"}},
        {"application/CDFV2", {"doc", "xls", "ppt", "msg", "msi"}},
    };
    return table;
}

// Heads up to this size have libmagic's answer remembered, up to kCacheBytes in all per detector
// (then the memory starts again): copies of one file in an image cost libmagic once.
constexpr size_t kCacheEntryMax = 64 * 1024;
constexpr size_t kCacheBytes = 16 * 1024 * 1024;

// A fast 64-bit hash of the bytes (multiply-xorshift over 8-byte words); only picks the cache slot,
// the bytes themselves are compared before an answer is reused.
uint64_t hash_bytes(std::span<const std::byte> bytes) {
    constexpr uint64_t k = 0x9e3779b97f4a7c15ULL;
    uint64_t h = bytes.size() * k;
    size_t i = 0;
    for (; i + 8 <= bytes.size(); i += 8) {
        uint64_t w;
        std::memcpy(&w, bytes.data() + i, 8);
        h = (h ^ w) * k;
        h ^= h >> 29;
    }
    uint64_t tail = 0;
    std::memcpy(&tail, bytes.data() + i, bytes.size() - i);
    h = (h ^ tail) * k;
    return h ^ (h >> 32);
}

using Cookie = std::unique_ptr<std::remove_pointer_t<magic_t>, MagicClose>;

constexpr int kMagicFlags = MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_ERROR;

Cookie open_cookie(int flags) {
    Cookie cookie(magic_open(flags));
    if (!cookie) throw Error("libmagic: cannot open a handle");
    return cookie;
}

void limit_bytes(magic_t cookie) {
    size_t bytes_max = FileTypeDetector::kHeadBytes;
    magic_setparam(cookie, MAGIC_PARAM_BYTES_MAX, &bytes_max);
}

// The compiled database magic_load(nullptr) reads, when it is exactly one: each part of
// libmagic's search path is FILE.mgc (compiled) or FILE (source); a source file may only hold
// comments, so that the compiled one is all there is. "" otherwise (the prefilter is then off).
std::string single_compiled_database() {
    const char* path = magic_getpath(nullptr, 0);
    if (path == nullptr) return "";
    std::string found;
    std::string_view rest(path);
    while (!rest.empty()) {
        const size_t colon = rest.find(':');
        const std::string part(rest.substr(0, colon));
        rest = colon == std::string_view::npos ? "" : rest.substr(colon + 1);
        if (part.empty()) continue;
        std::error_code ec;
        if (std::filesystem::is_regular_file(part + ".mgc", ec)) {
            if (!found.empty()) return "";
            found = part + ".mgc";
            continue;
        }
        if (std::filesystem::is_directory(part, ec)) return "";
        std::ifstream source(part);
        std::string line;
        while (std::getline(source, line)) {
            if (line.find_first_not_of(" \t\r") != std::string::npos && line[0] != '#') return "";
        }
    }
    return found;
}

struct CachedAnswer {
    std::vector<std::byte> head;
    std::string mime;
};

}  // namespace

struct FileTypeDetector::Impl {
    Cookie cookie;
    // The prefilter and the two cookies it allows: one loaded with its text-pass-only database
    // (kept alive as long as the cookie), one with soft magic off. Empty when the prefilter is
    // off (an unexpected database); then every head goes to `cookie`.
    std::unique_ptr<MagicPrefilter> prefilter;
    Cookie text_only;
    Cookie no_soft;
    std::unordered_map<uint64_t, CachedAnswer> cache;
    size_t cache_bytes = 0;
    Counters counters;

    static std::string answer(magic_t c, std::span<const std::byte> head) {
        const char* r = magic_buffer(c, head.data(), head.size());
        return r ? r : "application/octet-stream";
    }

    std::string libmagic(std::span<const std::byte> head) {
        if (prefilter && prefilter->no_binary_match(head)) {
            if (prefilter->no_text_match(head)) {
                ++counters.no_soft_magic;
                return answer(no_soft.get(), head);
            }
            ++counters.text_pass_only;
            return answer(text_only.get(), head);
        }
        ++counters.full_libmagic;
        return answer(cookie.get(), head);
    }

    void start_prefilter();
};

// Without a usable prefilter the detector is what it was before: libmagic whole for every head.
void FileTypeDetector::Impl::start_prefilter() {
    const std::string database = single_compiled_database();
    if (database.empty()) return;
    size_t regex_max = 0, encoding_max = 0;
    if (magic_getparam(cookie.get(), MAGIC_PARAM_REGEX_MAX, &regex_max) != 0 ||
        magic_getparam(cookie.get(), MAGIC_PARAM_ENCODING_MAX, &encoding_max) != 0)
        return;
    auto filter = std::make_unique<MagicPrefilter>(database, regex_max, encoding_max);
    if (!filter->usable()) return;
    Cookie text = open_cookie(kMagicFlags);
    void* buffers[1] = {const_cast<std::byte*>(filter->text_database().data())};
    size_t sizes[1] = {filter->text_database().size()};
    if (magic_load_buffers(text.get(), buffers, sizes, 1) != 0) return;
    limit_bytes(text.get());
    Cookie plain = open_cookie(kMagicFlags | MAGIC_NO_CHECK_SOFT);
    if (magic_load(plain.get(), nullptr) != 0) return;
    limit_bytes(plain.get());
    prefilter = std::move(filter);
    text_only = std::move(text);
    no_soft = std::move(plain);
}

FileTypeDetector::FileTypeDetector() : impl_(std::make_unique<Impl>()) {
    // The text-encoding check stays on: without it libmagic skips its text tests and calls HTML
    // and XML text/plain and a shell script text/x-script.python. Compressed files are never
    // opened (MAGIC_COMPRESS is not set), so MAGIC_NO_CHECK_COMPRESS changes no answer.
    impl_->cookie.reset(magic_open(kMagicFlags));
    if (!impl_->cookie || magic_load(impl_->cookie.get(), nullptr) != 0) {
        throw Error("libmagic: cannot load the magic database");
    }
    limit_bytes(impl_->cookie.get());
    impl_->start_prefilter();
}
FileTypeDetector::~FileTypeDetector() = default;
FileTypeDetector::FileTypeDetector(FileTypeDetector&&) noexcept = default;
FileTypeDetector& FileTypeDetector::operator=(FileTypeDetector&&) noexcept = default;

FileTypeDetector::Counters FileTypeDetector::counters() const {
    return impl_->counters;
}

std::string FileTypeDetector::mime_type(std::span<const std::byte> head) {
    if (head.empty()) return "inode/x-empty";
    head = head.first(std::min(head.size(), kHeadBytes));
    if (auto known = signature_mime(head); !known.empty()) return std::string(known);
    if (head.size() > kCacheEntryMax) return impl_->libmagic(head);

    const uint64_t key = hash_bytes(head);
    auto& cache = impl_->cache;
    if (auto it = cache.find(key); it != cache.end()) {
        const auto& seen = it->second.head;
        if (seen.size() == head.size() && std::memcmp(seen.data(), head.data(), head.size()) == 0) {
            return it->second.mime;
        }
        return impl_->libmagic(head);  // another head with the same hash: not remembered
    }
    std::string mime = impl_->libmagic(head);
    if (impl_->cache_bytes + head.size() > kCacheBytes) {
        cache.clear();
        impl_->cache_bytes = 0;
    }
    cache.emplace(key, CachedAnswer{{head.begin(), head.end()}, mime});
    impl_->cache_bytes += head.size();
    return mime;
}

bool extension_mismatch(std::string_view extension, std::string_view mime) {
    if (extension.empty()) return false;
    const auto& table = known_types();
    auto own =
        std::find_if(table.begin(), table.end(), [&](const auto& t) { return t.mime == mime; });
    if (own != table.end()) {
        return std::find(own->extensions.begin(), own->extensions.end(), extension) ==
               own->extensions.end();
    }
    // Content of an unlisted type: a mismatch only when the extension claims a listed type.
    // Generic extensions ("bin", "dat", ...) claim nothing.
    static const std::vector<std::string_view> generic = {"",    "bin", "dat", "db",
                                                          "out", "tmp", "elf", "so"};
    if (mime == "inode/x-empty" ||
        std::find(generic.begin(), generic.end(), extension) != generic.end()) {
        return false;
    }
    for (const auto& t : table) {
        if (std::find(t.extensions.begin(), t.extensions.end(), extension) != t.extensions.end())
            return true;
    }
    return false;
}

bool name_extension_mismatch(std::string_view name, std::string_view mime) {
    const size_t colon = name.rfind(':');
    std::string_view own = colon == std::string_view::npos ? name : name.substr(colon + 1);
    const size_t dot = own.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 == own.size()) return false;
    std::string extension(own.substr(dot + 1));
    for (char& c : extension)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return extension_mismatch(extension, mime);
}

}  // namespace dflab::engine
