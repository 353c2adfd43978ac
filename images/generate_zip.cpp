// ZIP through libzip, built in memory: members in the recipe's order, deflated at level 6, DOS
// time and date from the context time (read as UTC: no host time zone leaks in), Unix mode 0644,
// UTF-8 names flagged as such, no extra fields.
#include <zip.h>

#include <memory>
#include <set>

#include "engine/error.hpp"
#include "images/content_generator.hpp"

namespace dflab::images::detail {

using engine::Error;

namespace {

struct ZipSourceFree {
    void operator()(zip_source_t* s) const { zip_source_free(s); }
};
struct ZipDiscard {
    void operator()(zip_t* z) const { zip_discard(z); }
};
using SourcePtr = std::unique_ptr<zip_source_t, ZipSourceFree>;
using ArchivePtr = std::unique_ptr<zip_t, ZipDiscard>;

[[noreturn]] void fail(const std::string& what, zip_error_t* error) {
    throw Error("generate zip: " + what + ": " + zip_error_strerror(error));
}

}  // namespace

std::vector<std::byte> generate_zip(const GeneratedContent& g, const GenerationContext& c) {
    std::set<std::string> names;
    for (const auto& [name, text] : g.members) {
        if (name.empty() || name.front() == '/' || name.find('\\') != std::string::npos)
            throw Error("generate zip: member name '" + name +
                        "' must be a relative path with '/' separators");
        if (!names.insert(name).second)
            throw Error("generate zip: member '" + name + "' is listed twice");
    }
    if (g.members.empty()) {  // libzip writes nothing for an empty archive: the bare end record
        std::vector<std::byte> empty(22);
        for (int i = 0; i < 4; ++i) empty[i] = std::byte("PK\x05\x06"[i]);
        return empty;
    }
    const CivilTime t = civil_from_unix(c.time);
    if (t.year < 1980 || t.year > 2107)
        throw Error("generate zip: time " + std::to_string(c.time) +
                    " cannot be stored as a ZIP (DOS) time: years 1980 to 2107 only");
    const auto dos_time =
        static_cast<zip_uint16_t>((t.hour << 11) | (t.minute << 5) | (t.second / 2));
    const auto dos_date =
        static_cast<zip_uint16_t>(((t.year - 1980) << 9) | (t.month << 5) | t.day);

    zip_error_t error;
    zip_error_init(&error);
    struct ErrorFini {
        zip_error_t* e;
        ~ErrorFini() { zip_error_fini(e); }
    } error_fini{&error};

    SourcePtr buffer(zip_source_buffer_create(nullptr, 0, 0, &error));
    if (!buffer) fail("cannot create a memory buffer", &error);
    ArchivePtr archive(zip_open_from_source(buffer.get(), ZIP_TRUNCATE, &error));
    if (!archive) fail("cannot open the archive", &error);
    zip_source_keep(buffer.get());  // the archive took one reference; we keep ours to read it

    for (const auto& [name, text] : g.members) {
        // libzip copies nothing: the member texts live in g until zip_close below.
        zip_source_t* data = zip_source_buffer(archive.get(), text.data(), text.size(), 0);
        if (!data) fail("member '" + name + "'", zip_get_error(archive.get()));
        const zip_int64_t index =
            zip_file_add(archive.get(), name.c_str(), data, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE);
        if (index < 0) {
            zip_source_free(data);
            fail("member '" + name + "'", zip_get_error(archive.get()));
        }
        const auto i = static_cast<zip_uint64_t>(index);
        if (zip_set_file_compression(archive.get(), i, ZIP_CM_DEFLATE, 6) < 0 ||
            zip_file_set_dostime(archive.get(), i, dos_time, dos_date, 0) < 0 ||
            zip_file_set_external_attributes(archive.get(), i, 0, ZIP_OPSYS_UNIX,
                                             zip_uint32_t{0100644} << 16) < 0)
            fail("member '" + name + "'", zip_get_error(archive.get()));
    }
    if (zip_close(archive.get()) < 0)
        fail("cannot write the archive", zip_get_error(archive.get()));
    archive.release();  // zip_close freed it

    zip_source_t* s = buffer.get();
    if (zip_source_open(s) < 0) fail("cannot read the archive back", zip_source_error(s));
    struct Closer {
        zip_source_t* s;
        ~Closer() { zip_source_close(s); }
    } closer{s};
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_source_stat(s, &st) < 0 || !(st.valid & ZIP_STAT_SIZE))
        fail("cannot size the archive", zip_source_error(s));
    std::vector<std::byte> out(st.size);
    if (st.size > 0 && zip_source_read(s, out.data(), st.size) != static_cast<zip_int64_t>(st.size))
        fail("cannot read the archive back", zip_source_error(s));
    return out;
}

}  // namespace dflab::images::detail
