// Event logs read with libevtx (see event_log_file.hpp). libevtx gives the event id, level,
// written time, provider (its "source name"), computer, user SID and the EventData values (its
// "strings"); the names of the Data elements and the channel are read from the record's XML as
// libevtx prints it (<Channel>...</Channel>, <Data Name="...">), which is the one place it gives
// them.
#include "engine/event_log_file.hpp"

#include <libevtx.h>

#include <cstring>
#include <memory>

#include "engine/error.hpp"
#include "engine/libyal_memory.hpp"

namespace dflab::engine {

namespace {

using EvtxError = LibyalError<libevtx_error_t, libevtx_error_free, libevtx_error_sprint>;

constexpr size_t kFileHeaderSize = 4096;
constexpr size_t kChunkSize = 65536;

struct FileFree {
    void operator()(libevtx_file_t* file) const { libevtx_file_free(&file, nullptr); }
};
struct RecordFree {
    void operator()(libevtx_record_t* record) const { libevtx_record_free(&record, nullptr); }
};
using FilePtr = std::unique_ptr<libevtx_file_t, FileFree>;
using RecordPtr = std::unique_ptr<libevtx_record_t, RecordFree>;

// Closes the file (opened on `bfio`) before the FilePtr frees it.
struct OpenFile {
    FilePtr file;
    ~OpenFile() {
        if (file) libevtx_file_close(file.get(), nullptr);
    }
};

// A problem with one record, thrown inside read_record and caught by its caller.
struct RecordProblem {
    std::string what;
};

using SizeGetter = int (*)(libevtx_record_t*, size_t*, libevtx_error_t**);
using TextGetter = int (*)(libevtx_record_t*, uint8_t*, size_t, libevtx_error_t**);

// A UTF-8 value of the record; "" when the record has none (the getter returns 0).
std::string text_of(libevtx_record_t* record, SizeGetter size_of, TextGetter get,
                    const char* what) {
    EvtxError e;
    size_t size = 0;
    const int found = size_of(record, &size, e.out());
    if (found == 0 || (found == 1 && size == 0)) return {};
    if (found != 1) throw RecordProblem{std::string(what) + ": " + e.text()};
    std::string text(size, '\0');
    if (get(record, reinterpret_cast<uint8_t*>(text.data()), size, e.out()) != 1)
        throw RecordProblem{std::string(what) + ": " + e.text()};
    text.resize(std::strlen(text.c_str()));
    return text;
}

std::string string_at(libevtx_record_t* record, int index) {
    EvtxError e;
    size_t size = 0;
    if (libevtx_record_get_utf8_string_size(record, index, &size, e.out()) != 1)
        throw RecordProblem{"string " + std::to_string(index + 1) + ": " + e.text()};
    if (size == 0) return {};
    std::string text(size, '\0');
    if (libevtx_record_get_utf8_string(record, index, reinterpret_cast<uint8_t*>(text.data()), size,
                                       e.out()) != 1)
        throw RecordProblem{"string " + std::to_string(index + 1) + ": " + e.text()};
    text.resize(std::strlen(text.c_str()));
    return text;
}

// Entities in libevtx's XML ('&amp;', '&lt;', ...) are turned back into their characters.
std::string unescape(std::string_view text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        static const std::pair<std::string_view, char> entities[] = {
            {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
        bool replaced = false;
        for (const auto& [entity, c] : entities)
            if (text.substr(i, entity.size()) == entity) {
                out.push_back(c);
                i += entity.size() - 1;
                replaced = true;
                break;
            }
        if (!replaced) out.push_back(text[i]);
    }
    return out;
}

// The text between `open` and `close` in `xml` from `from`; nothing when absent.
std::optional<std::string_view> between(std::string_view xml, std::string_view open,
                                        std::string_view close, size_t from = 0) {
    const size_t start = xml.find(open, from);
    if (start == std::string_view::npos) return std::nullopt;
    const size_t end = xml.find(close, start + open.size());
    if (end == std::string_view::npos) return std::nullopt;
    return xml.substr(start + open.size(), end - start - open.size());
}

// The Name of every <Data> element of EventData, in order ("" for one without a name).
std::vector<std::string> data_names(std::string_view xml) {
    std::vector<std::string> names;
    const std::optional<std::string_view> event_data = between(xml, "<EventData>", "</EventData>");
    if (!event_data) return names;
    for (size_t at = event_data->find("<Data"); at != std::string_view::npos;
         at = event_data->find("<Data", at + 5)) {
        const size_t tag_end = event_data->find('>', at);
        const std::string_view tag = event_data->substr(at, tag_end - at);
        if (tag.size() > 5 && tag[5] != ' ' && tag[5] != '/') continue;  // <DataItem> etc.
        const std::optional<std::string_view> name = between(tag, "Name=\"", "\"");
        names.push_back(name ? unescape(*name) : std::string());
    }
    return names;
}

EventLogRecord read_record(libevtx_record_t* record, bool recovered) {
    EventLogRecord r;
    r.recovered = recovered;
    EvtxError e;
    if (libevtx_record_get_identifier(record, &r.record_id, e.out()) != 1)
        throw RecordProblem{"identifier: " + e.text()};
    const std::string where = "record " + std::to_string(r.record_id) + ": ";
    auto need = [&](int result, const char* what) {
        if (result != 1) throw RecordProblem{where + what + ": " + e.text()};
    };
    need(libevtx_record_get_written_time(record, &r.written, e.out()), "written time");
    need(libevtx_record_get_event_identifier(record, &r.event_id, e.out()), "event id");
    need(libevtx_record_get_event_level(record, &r.level, e.out()), "level");
    try {
        r.provider = text_of(record, libevtx_record_get_utf8_source_name_size,
                             libevtx_record_get_utf8_source_name, "provider");
        r.computer = text_of(record, libevtx_record_get_utf8_computer_name_size,
                             libevtx_record_get_utf8_computer_name, "computer");
        r.user_sid = text_of(record, libevtx_record_get_utf8_user_security_identifier_size,
                             libevtx_record_get_utf8_user_security_identifier, "user SID");
        const std::string xml = text_of(record, libevtx_record_get_utf8_xml_string_size,
                                        libevtx_record_get_utf8_xml_string, "XML");
        if (auto channel = between(xml, "<Channel>", "</Channel>")) r.channel = unescape(*channel);
        int count = 0;
        need(libevtx_record_get_number_of_strings(record, &count, e.out()), "strings");
        const std::vector<std::string> names = data_names(xml);
        const bool named = names.size() == static_cast<size_t>(count);
        for (int i = 0; i < count; ++i) {
            std::string name = named ? names[static_cast<size_t>(i)] : std::string();
            if (name.empty()) name = std::to_string(i + 1);
            r.data.emplace_back(std::move(name), string_at(record, i));
        }
    } catch (const RecordProblem& p) {
        throw RecordProblem{p.what.rfind(where, 0) == 0 ? p.what : where + p.what};
    }
    return r;
}

uint64_t little_endian(std::span<const std::byte> bytes, size_t at, size_t size) {
    uint64_t v = 0;
    for (size_t i = size; i-- > 0;) v = (v << 8) | std::to_integer<uint64_t>(bytes[at + i]);
    return v;
}

}  // namespace

EventLogContents read_event_log(std::span<const std::byte> bytes, const std::string& name) {
    EventLogContents out;
    if (bytes.size() < kFileHeaderSize)
        throw Error(name + ": not a readable event log: " + std::to_string(bytes.size()) +
                    " bytes, shorter than its 4096-byte header");
    // The chunks the header counts against the chunks present: libevtx reads what is there.
    const uint64_t chunks = little_endian(bytes, 42, 2);
    const uint64_t present = (bytes.size() - kFileHeaderSize) / kChunkSize;
    if (present < chunks)
        out.problems.emplace_back("(log)", "the log is truncated: " + std::to_string(present) +
                                               " of its " + std::to_string(chunks) +
                                               " chunks are whole; the records of the others "
                                               "are lost");

    MemoryBfio bfio(bytes, name);
    OpenFile open;
    {
        EvtxError e;
        libevtx_file_t* file = nullptr;
        if (libevtx_file_initialize(&file, e.out()) != 1)
            throw Error(name + ": libevtx: " + e.text());
        FilePtr owned(file);
        if (libevtx_file_open_file_io_handle(file, bfio.get(), LIBEVTX_OPEN_READ, e.out()) != 1)
            throw Error(name + ": not a readable event log: " + e.text());
        open.file = std::move(owned);
    }
    libevtx_file_t* file = open.file.get();
    {
        EvtxError e;
        if (libevtx_file_is_corrupted(file, e.out()) == 1)
            out.problems.emplace_back("(log)",
                                      "libevtx finds the log damaged (a chunk fails its CRC32 "
                                      "or cannot be read); the records it could read follow");
    }
    for (bool recovered : {false, true}) {
        EvtxError e;
        int count = 0;
        const int got = recovered
                            ? libevtx_file_get_number_of_recovered_records(file, &count, e.out())
                            : libevtx_file_get_number_of_records(file, &count, e.out());
        if (got != 1) {
            out.problems.emplace_back(
                "(log)", std::string(recovered ? "recovered " : "") + "records: " + e.text());
            continue;
        }
        for (int i = 0; i < count; ++i) {
            EvtxError re;
            libevtx_record_t* raw = nullptr;
            const int found =
                recovered ? libevtx_file_get_recovered_record_by_index(file, i, &raw, re.out())
                          : libevtx_file_get_record_by_index(file, i, &raw, re.out());
            RecordPtr record(raw);
            const std::string where = std::string(recovered ? "recovered record " : "record ") +
                                      "number " + std::to_string(i + 1);
            if (found != 1 || !record) {
                out.problems.emplace_back(where, re.text());
                continue;
            }
            try {
                out.records.push_back(read_record(record.get(), recovered));
            } catch (const RecordProblem& p) {
                out.problems.emplace_back(where, p.what);
            }
        }
    }
    return out;
}

}  // namespace dflab::engine
