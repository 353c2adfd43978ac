// EVTX files (see event_log.hpp). Layout, from libyal's format description:
//   file header (4096 bytes): "ElfFile\0", first and last chunk numbers, next record id, header
//     size 128, minor 1 / major 3, block size 4096, chunk count, flags (0: clean) at 120 and the
//     CRC32 of the first 120 bytes at 124;
//   chunk (65536 bytes): "ElfChnk\0", first/last record numbers and ids, header size 128, offsets
//     of the last record and of the free space, CRC32 of the records, CRC32 of header bytes 0-120
//     and 128-512 (the string and template tables, left empty: names are written inline, and a
//     shared template definition is found by its offset in the instance that uses it);
//   record: "**\0\0", size, id, written FILETIME, the BinXML event, size again.
// BinXML names are written where they are used (their offset, relative to the chunk, points just
// past the offset), each as: next-in-hash-chain 0, hash, character count, UTF-16, NUL.
#include "images/event_log.hpp"

#include <zlib.h>

#include <algorithm>
#include <map>
#include <optional>

#include "common/utf16.hpp"
#include "common/windows_time.hpp"
#include "engine/error.hpp"

namespace dflab::images {

using engine::Error;

namespace {

constexpr size_t kFileHeaderSize = 4096;
constexpr size_t kChunkSize = 65536;
constexpr size_t kChunkHeaderSize = 512;
constexpr size_t kRecordHeaderSize = 24;

// BinXML tokens (0x40: "more follows": attributes on an element, another attribute after this).
constexpr uint8_t kEndOfStream = 0x00;
constexpr uint8_t kOpenStartElement = 0x01;
constexpr uint8_t kCloseStartElement = 0x02;
constexpr uint8_t kCloseEmptyElement = 0x03;
constexpr uint8_t kEndElement = 0x04;
constexpr uint8_t kValue = 0x05;
constexpr uint8_t kAttribute = 0x06;
constexpr uint8_t kFragmentHeader = 0x0f;
constexpr uint8_t kMoreFollows = 0x40;
constexpr uint8_t kStringUtf16 = 0x01;

void put16(std::vector<std::byte>& out, size_t at, uint16_t v) {
    for (size_t i = 0; i < 2; ++i) out[at + i] = std::byte((v >> (8 * i)) & 0xff);
}
void put32(std::vector<std::byte>& out, size_t at, uint32_t v) {
    for (size_t i = 0; i < 4; ++i) out[at + i] = std::byte((v >> (8 * i)) & 0xff);
}
void put64(std::vector<std::byte>& out, size_t at, uint64_t v) {
    for (size_t i = 0; i < 8; ++i) out[at + i] = std::byte((v >> (8 * i)) & 0xff);
}

uint32_t crc32_of(std::span<const std::byte> bytes, uint32_t crc = 0) {
    return static_cast<uint32_t>(
        crc32(crc, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}

// A substitution value of a template instance: its BinXML value type and bytes.
struct TemplateValue {
    uint8_t type = 0;
    std::vector<std::byte> data;
};

constexpr uint8_t kTemplateInstance = 0x0c;
constexpr uint8_t kNormalSubstitution = 0x0d;
constexpr uint8_t kUInt8 = 0x04, kUInt16 = 0x06, kUInt32 = 0x08, kUInt64 = 0x0a;
constexpr uint8_t kFiletime = 0x11, kSid = 0x13, kHexInt64 = 0x15;

TemplateValue number_value(uint8_t type, uint64_t v, size_t size) {
    TemplateValue t{type, std::vector<std::byte>(size)};
    for (size_t i = 0; i < size; ++i) t.data[i] = std::byte((v >> (8 * i)) & 0xff);
    return t;
}

// "S-1-5-21-..." as a binary SID: revision, sub-authority count, 48-bit authority (big-endian),
// sub-authorities (little-endian).
std::optional<std::vector<std::byte>> sid_bytes(std::string_view text) {
    std::vector<uint64_t> parts;
    if (text.substr(0, 2) != "S-") return std::nullopt;
    for (size_t p = 2, q; p <= text.size(); p = q + 1) {
        q = std::min(text.find('-', p), text.size());
        const std::string_view part = text.substr(p, q - p);
        if (part.empty() || part.size() > 15 ||
            part.find_first_not_of("0123456789") != std::string_view::npos)
            return std::nullopt;
        parts.push_back(std::stoull(std::string(part)));
    }
    if (parts.size() < 2 || parts.size() > 17 || parts[0] > 255 || parts[1] >= (1ull << 48))
        return std::nullopt;
    std::vector<std::byte> out(8 + 4 * (parts.size() - 2));
    out[0] = std::byte(parts[0]);
    out[1] = std::byte(parts.size() - 2);
    for (size_t i = 0; i < 6; ++i) out[2 + i] = std::byte((parts[1] >> (8 * (5 - i))) & 0xff);
    for (size_t i = 2; i < parts.size(); ++i) {
        if (parts[i] > 0xffffffff) return std::nullopt;
        put32(out, 8 + 4 * (i - 2), static_cast<uint32_t>(parts[i]));
    }
    return out;
}

// One record's event: a template instance whose definition (the Event element with a
// substitution for every value) is written in place, followed by the substitution values,
// typed as Windows types them (EventID UInt16, TimeCreated FILETIME, UserID SID, Data strings).
// Names and the definition are found by their offsets in the chunk, so the writer knows where
// in its chunk the event starts.
class EventWriter {
  public:
    EventWriter(size_t chunk_offset, std::string what)
        : base_(chunk_offset), what_(std::move(what)) {}

    // A value of an attribute or an element: literal text, or the substitution of a value.
    struct Content {
        std::string_view text;
        std::optional<TemplateValue> value;
    };
    struct Attribute {
        std::string_view name;
        Content content;
    };

    // <name attributes...> opened; returns the position of its size field for close().
    size_t open(std::string_view name, std::span<const Attribute> attributes) {
        byte(attributes.empty() ? kOpenStartElement : kOpenStartElement | kMoreFollows);
        u16(0xffff);  // dependency identifier: none
        const size_t size_at = out_.size();
        u32(0);  // element size, patched by close()
        name_ref(name);
        if (!attributes.empty()) {
            const size_t list_at = out_.size();
            u32(0);
            for (size_t i = 0; i < attributes.size(); ++i) {
                byte(i + 1 < attributes.size() ? kAttribute | kMoreFollows : kAttribute);
                name_ref(attributes[i].name);
                content(attributes[i].content);
            }
            put32(out_, list_at, static_cast<uint32_t>(out_.size() - list_at - 4));
        }
        return size_at;
    }
    void open_parent(std::string_view name, std::span<const Attribute> attributes = {}) {
        parents_.push_back(open(name, attributes));
        byte(kCloseStartElement);
    }
    void close_parent() {
        byte(kEndElement);
        patch_size(parents_.back());
        parents_.pop_back();
    }
    void element(std::string_view name, Content c, std::span<const Attribute> attributes = {}) {
        const size_t size_at = open(name, attributes);
        if (c.text.empty() && !c.value) {
            byte(kCloseEmptyElement);
        } else {
            byte(kCloseStartElement);
            content(c);
            byte(kEndElement);
        }
        patch_size(size_at);
    }

    // The whole event: fragment header, template instance, its definition (`body` writes the
    // Event element into it), the values.
    // An event's bytes, and where in them its template definition is and its values start.
    struct Event {
        std::vector<std::byte> bytes;
        size_t definition_at = 0, values_at = 0;
        // The event using the definition written at `definition` of the chunk instead of its own.
        std::vector<std::byte> sharing(uint32_t definition) const {
            std::vector<std::byte> out(bytes.begin(), bytes.begin() + 14);
            put32(out, 10, definition);
            out.insert(out.end(), bytes.begin() + static_cast<ptrdiff_t>(values_at), bytes.end());
            return out;
        }
    };

    template <typename Body>
    Event event(Body body) {
        bytes({kFragmentHeader, 1, 1, 0});
        byte(kTemplateInstance);
        byte(1);
        u32(0);  // template identifier
        const size_t definition_at = out_.size() + 4;
        u32(static_cast<uint32_t>(base_ + definition_at));
        u32(0);                         // next template definition: none
        out_.resize(out_.size() + 16);  // template GUID: zero
        const size_t definition_size_at = out_.size();
        u32(0);
        bytes({kFragmentHeader, 1, 1, 0});
        body(*this);
        byte(kEndOfStream);
        put32(out_, definition_size_at,
              static_cast<uint32_t>(out_.size() - definition_size_at - 4));
        const size_t values_at = out_.size();
        u32(static_cast<uint32_t>(values_.size()));
        for (const TemplateValue& v : values_) {
            if (v.data.size() > 0xffff)
                throw Error("event log: " + what_ + ": a value is too long");
            u16(static_cast<uint16_t>(v.data.size()));
            byte(v.type);
            byte(0);
        }
        for (const TemplateValue& v : values_)
            out_.insert(out_.end(), v.data.begin(), v.data.end());
        byte(kEndOfStream);
        return {std::move(out_), definition_at, values_at};
    }

    TemplateValue string_value(std::string_view utf8) const {
        const std::u16string u = units(utf8);
        TemplateValue t{kStringUtf16, std::vector<std::byte>(2 * u.size())};
        for (size_t i = 0; i < u.size(); ++i) put16(t.data, 2 * i, u[i]);
        return t;
    }
    TemplateValue sid_value(std::string_view text) const {
        std::optional<std::vector<std::byte>> sid = sid_bytes(text);
        if (!sid)
            throw Error("event log: " + what_ + ": user SID '" + std::string(text) +
                        "' is not a SID like S-1-5-18");
        return {kSid, std::move(*sid)};
    }

  private:
    void byte(uint8_t b) { out_.push_back(std::byte(b)); }
    void bytes(std::initializer_list<uint8_t> bs) {
        for (uint8_t b : bs) byte(b);
    }
    void u16(uint16_t v) {
        out_.resize(out_.size() + 2);
        put16(out_, out_.size() - 2, v);
    }
    void u32(uint32_t v) {
        out_.resize(out_.size() + 4);
        put32(out_, out_.size() - 4, v);
    }
    void patch_size(size_t size_at) {
        put32(out_, size_at, static_cast<uint32_t>(out_.size() - size_at - 4));
    }
    std::u16string units(std::string_view utf8) const {
        std::optional<std::u16string> u = common::utf8_to_utf16(utf8);
        if (!u) throw Error("event log: " + what_ + ": text is not valid UTF-8");
        if (u->size() > 0x7fff) throw Error("event log: " + what_ + ": a text is too long");
        return *u;
    }
    void name_ref(std::string_view name) {
        const std::u16string u = units(name);
        u32(static_cast<uint32_t>(base_ + out_.size() + 4));  // the name follows
        uint16_t hash = 0;
        for (char16_t c : u) hash = static_cast<uint16_t>(hash * 65599u + c);
        u32(0);
        u16(hash);
        u16(static_cast<uint16_t>(u.size()));
        for (char16_t c : u) u16(c);
        u16(0);
    }
    void content(const Content& c) {
        if (c.value) {
            byte(kNormalSubstitution);
            u16(static_cast<uint16_t>(values_.size()));
            byte(c.value->type);
            values_.push_back(*c.value);
            return;
        }
        const std::u16string u = units(c.text);
        byte(kValue);
        byte(kStringUtf16);
        u16(static_cast<uint16_t>(u.size()));
        for (char16_t ch : u) u16(ch);
    }

    size_t base_;
    std::string what_;
    std::vector<std::byte> out_;
    std::vector<size_t> parents_;
    std::vector<TemplateValue> values_;
};

EventWriter::Event event_xml(const EventRecordSpec& r, std::string_view channel, uint64_t record_id,
                             size_t chunk_offset) {
    using Attribute = EventWriter::Attribute;
    EventWriter w(chunk_offset, "record " + std::to_string(record_id));
    return w.event([&](EventWriter& e) {
        const Attribute event_ns[] = {
            {"xmlns", {"http://schemas.microsoft.com/win/2004/08/events/event", {}}}};
        e.open_parent("Event", event_ns);
        e.open_parent("System");
        std::vector<Attribute> provider = {{"Name", {r.provider, {}}}};
        if (!r.provider_guid.empty()) provider.push_back({"Guid", {r.provider_guid, {}}});
        e.element("Provider", {}, provider);
        e.element("EventID", {{}, number_value(kUInt16, r.event_id, 2)});
        e.element("Version", {{}, number_value(kUInt8, r.version, 1)});
        e.element("Level", {{}, number_value(kUInt8, r.level, 1)});
        e.element("Task", {{}, number_value(kUInt16, r.task, 2)});
        e.element("Opcode", {{}, number_value(kUInt8, r.opcode, 1)});
        e.element("Keywords", {{}, number_value(kHexInt64, r.keywords, 8)});
        const Attribute created[] = {
            {"SystemTime",
             {{}, number_value(kFiletime, common::unix_to_filetime(r.time) + r.time_100ns, 8)}}};
        e.element("TimeCreated", {}, created);
        e.element("EventRecordID", {{}, number_value(kUInt64, record_id, 8)});
        const Attribute execution[] = {{"ProcessID", {{}, number_value(kUInt32, r.process_id, 4)}},
                                       {"ThreadID", {{}, number_value(kUInt32, r.thread_id, 4)}}};
        e.element("Execution", {}, execution);
        e.element("Channel", {r.channel.empty() ? channel : std::string_view(r.channel), {}});
        e.element("Computer", {r.computer, {}});
        std::vector<Attribute> security;
        if (!r.user_sid.empty()) security.push_back({"UserID", {{}, e.sid_value(r.user_sid)}});
        e.element("Security", {}, security);
        e.close_parent();  // System
        if (r.data.empty()) {
            e.element("EventData", {});
        } else {
            e.open_parent("EventData");
            for (const auto& [name, value] : r.data) {
                const Attribute data_name[] = {{"Name", {name, {}}}};
                e.element("Data", {{}, e.string_value(value)}, data_name);
            }
            e.close_parent();
        }
        e.close_parent();  // Event
    });
}

// What makes two events' template definitions the same: everything written as literal text and
// the elements present (the values are substituted).
std::string template_key(const EventRecordSpec& r, std::string_view channel) {
    std::string key = r.provider + '\0' + r.provider_guid + '\0' +
                      std::string(r.channel.empty() ? channel : std::string_view(r.channel)) +
                      '\0' + r.computer + '\0' + (r.user_sid.empty() ? "-" : "+");
    for (const auto& [name, value] : r.data) key += '\0' + name;
    return key;
}

struct Chunk {
    std::map<std::string, uint32_t> definitions;  // template_key -> offset of the definition
    std::vector<std::byte> bytes = std::vector<std::byte>(kChunkSize);
    size_t used = kChunkHeaderSize;
    size_t last_record_offset = 0;
    uint64_t first_id = 0, last_id = 0;
};

void finish_chunk(Chunk& c) {
    std::vector<std::byte>& b = c.bytes;
    const char signature[8] = {'E', 'l', 'f', 'C', 'h', 'n', 'k', '\0'};
    for (size_t i = 0; i < 8; ++i) b[i] = std::byte(signature[i]);
    put64(b, 8, c.first_id);  // record numbers, as Windows counts them: the ids
    put64(b, 16, c.last_id);
    put64(b, 24, c.first_id);
    put64(b, 32, c.last_id);
    put32(b, 40, 128);
    put32(b, 44, static_cast<uint32_t>(c.last_record_offset));
    put32(b, 48, static_cast<uint32_t>(c.used));
    put32(b, 52, crc32_of(std::span(b).subspan(kChunkHeaderSize, c.used - kChunkHeaderSize)));
    const uint32_t header_crc =
        crc32_of(std::span(b).subspan(128, 384), crc32_of(std::span(b).first(120)));
    put32(b, 124, header_crc);
}

}  // namespace

std::vector<std::byte> build_event_log(std::string_view channel,
                                       std::span<const EventRecordSpec> records) {
    if (records.empty())  // libevtx calls a log without a chunk corrupted
        throw Error("event log " + std::string(channel) + ": no records; give at least one");
    std::vector<Chunk> chunks;
    for (size_t i = 0; i < records.size(); ++i) {
        const EventRecordSpec& r = records[i];
        const uint64_t id = i + 1;
        if (r.time_100ns >= 10000000)
            throw Error("event log: record " + std::to_string(id) +
                        ": the time's fraction must be below 10000000 (100 ns units)");
        if (chunks.empty()) chunks.emplace_back();
        // Records of the same shape in a chunk share the first one's template definition, as
        // Windows' do; a record that starts a chunk writes its own.
        const std::string key = template_key(r, channel);
        EventWriter::Event event =
            event_xml(r, channel, id, chunks.back().used + kRecordHeaderSize);
        if (event.bytes.size() > kMaxEventRecordBytes)
            throw Error("event log: record " + std::to_string(id) + " (event " +
                        std::to_string(r.event_id) + ") takes " +
                        std::to_string(event.bytes.size()) + " bytes; at most " +
                        std::to_string(kMaxEventRecordBytes) + " fit in one record");
        auto shared = chunks.back().definitions.find(key);
        std::vector<std::byte> xml =
            shared == chunks.back().definitions.end() ? event.bytes : event.sharing(shared->second);
        if (chunks.back().used + kRecordHeaderSize + xml.size() + 4 > kChunkSize) {
            chunks.emplace_back();  // a new chunk; the names and the definition move along
            event = event_xml(r, channel, id, chunks.back().used + kRecordHeaderSize);
            xml = event.bytes;
            shared = chunks.back().definitions.end();
        }
        Chunk& c = chunks.back();
        if (shared == c.definitions.end())
            c.definitions[key] =
                static_cast<uint32_t>(c.used + kRecordHeaderSize + event.definition_at);
        const size_t size = kRecordHeaderSize + xml.size() + 4;
        std::vector<std::byte>& b = c.bytes;
        const size_t at = c.used;
        b[at] = std::byte('*');
        b[at + 1] = std::byte('*');
        put32(b, at + 4, static_cast<uint32_t>(size));
        put64(b, at + 8, id);
        put64(b, at + 16, common::unix_to_filetime(r.time) + r.time_100ns);
        std::copy(xml.begin(), xml.end(), b.begin() + static_cast<ptrdiff_t>(at + 24));
        put32(b, at + size - 4, static_cast<uint32_t>(size));
        if (c.first_id == 0) c.first_id = id;
        c.last_id = id;
        c.last_record_offset = at;
        c.used = at + size;
    }
    if (chunks.size() > 0xffff)
        throw Error("event log: " + std::to_string(records.size()) +
                    " records need more than 65535 chunks");
    std::vector<std::byte> out(kFileHeaderSize);
    const char signature[8] = {'E', 'l', 'f', 'F', 'i', 'l', 'e', '\0'};
    for (size_t i = 0; i < 8; ++i) out[i] = std::byte(signature[i]);
    put64(out, 8, 0);
    put64(out, 16, chunks.empty() ? 0 : chunks.size() - 1);
    put64(out, 24, records.size() + 1);
    put32(out, 32, 128);
    put16(out, 36, 1);
    put16(out, 38, 3);
    put16(out, 40, static_cast<uint16_t>(kFileHeaderSize));
    put16(out, 42, static_cast<uint16_t>(chunks.size()));
    put32(out, 120, 0);  // flags: not dirty, not full
    put32(out, 124, crc32_of(std::span(out).first(120)));
    out.reserve(kFileHeaderSize + chunks.size() * kChunkSize);
    for (Chunk& c : chunks) {
        finish_chunk(c);
        out.insert(out.end(), c.bytes.begin(), c.bytes.end());
    }
    return out;
}

}  // namespace dflab::images
