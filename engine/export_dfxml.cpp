#include "engine/export_dfxml.hpp"

#include <tsk/libtsk.h>  // TSK_FS_META_TYPE_*: fiwalk writes TSK's type numbers

#include <libxml/xmlwriter.h>

#include <ctime>
#include <map>
#include <memory>
#include <vector>

#include "engine/error.hpp"
#include "engine/time_format.hpp"

namespace dflab::engine {

namespace {

// libxml2's writer over a std::ostream, every call checked.
class XmlWriter {
  public:
    explicit XmlWriter(std::ostream& out) {
        xmlOutputBufferPtr buffer = xmlOutputBufferCreateIO(write_to, nullptr, &out, nullptr);
        if (!buffer) throw Error("DFXML: cannot create the XML output buffer");
        writer_.reset(xmlNewTextWriter(buffer));  // owns the buffer from here on
        if (!writer_) {
            xmlOutputBufferClose(buffer);
            throw Error("DFXML: cannot create the XML writer");
        }
        check(xmlTextWriterSetIndent(writer_.get(), 1));
        check(xmlTextWriterSetIndentString(writer_.get(), as_xml("  ")));
    }
    void start_document() {
        check(xmlTextWriterStartDocument(writer_.get(), "1.0", "UTF-8", nullptr));
    }
    void start(const char* name) { check(xmlTextWriterStartElement(writer_.get(), as_xml(name))); }
    void attribute(const char* name, const std::string& value) {
        check(xmlTextWriterWriteAttribute(writer_.get(), as_xml(name),
                                          as_xml(xml_safe_text(value).c_str())));
    }
    void end() { check(xmlTextWriterEndElement(writer_.get())); }
    void text_and_end(const std::string& text) {
        check(xmlTextWriterWriteString(writer_.get(), as_xml(xml_safe_text(text).c_str())));
        end();
    }
    void element(const char* name, const std::string& text) {
        check(xmlTextWriterWriteElement(writer_.get(), as_xml(name),
                                        as_xml(xml_safe_text(text).c_str())));
    }
    void element(const char* name, int64_t value) { element(name, std::to_string(value)); }
    void comment(const std::string& text) {
        std::string safe = xml_safe_text(text);
        // A comment may not hold "--" nor end in "-".
        for (size_t at; (at = safe.find("--")) != std::string::npos;) safe.replace(at, 2, "- -");
        if (safe.ends_with('-')) safe += ' ';
        check(xmlTextWriterWriteComment(writer_.get(), as_xml(safe.c_str())));
    }
    void finish() {
        check(xmlTextWriterEndDocument(writer_.get()));
        check(xmlTextWriterFlush(writer_.get()));
    }

  private:
    static const xmlChar* as_xml(const char* s) { return reinterpret_cast<const xmlChar*>(s); }
    static int write_to(void* context, const char* data, int length) {
        auto* out = static_cast<std::ostream*>(context);
        out->write(data, length);
        return *out ? length : -1;
    }
    static void check(int rc) {
        if (rc < 0) throw Error("DFXML: the XML writer failed (output not writable?)");
    }
    struct Free {
        void operator()(xmlTextWriterPtr w) const noexcept { xmlFreeTextWriter(w); }
    };
    std::unique_ptr<xmlTextWriter, Free> writer_;
};

// The letter fls and fiwalk print for a name type (TSK's tsk_fs_name_type_str).
std::string name_type(const std::string& type) {
    if (type == "file") return "r";
    if (type == "directory") return "d";
    if (type == "symlink") return "l";
    if (type == "fifo") return "p";
    if (type == "character device") return "c";
    if (type == "block device") return "b";
    if (type == "socket") return "s";
    if (type == "virtual") return "v";
    if (type == "virtual directory") return "V";
    return "-";
}

// TSK_FS_META_TYPE_ENUM, the number fiwalk prints as meta_type.
int meta_type(const std::string& type) {
    if (type == "file") return TSK_FS_META_TYPE_REG;
    if (type == "directory") return TSK_FS_META_TYPE_DIR;
    if (type == "fifo") return TSK_FS_META_TYPE_FIFO;
    if (type == "character device") return TSK_FS_META_TYPE_CHR;
    if (type == "block device") return TSK_FS_META_TYPE_BLK;
    if (type == "symlink") return TSK_FS_META_TYPE_LNK;
    if (type == "socket") return TSK_FS_META_TYPE_SOCK;
    if (type == "virtual") return TSK_FS_META_TYPE_VIRT;
    if (type == "virtual directory") return TSK_FS_META_TYPE_VIRT_DIR;
    return TSK_FS_META_TYPE_UNDEF;
}

void write_runs(XmlWriter& x, const CaseFile& f, int64_t partition_offset) {
    if (f.runs.empty()) return;
    x.start("byte_runs");
    for (const ByteRun& r : f.runs) {
        x.start("byte_run");
        x.attribute("file_offset", std::to_string(r.file_offset));
        const bool stored = r.image_offset && r.kind != ByteRun::Kind::uninitialized;
        if (stored) {
            const auto image = static_cast<int64_t>(*r.image_offset);
            x.attribute("fs_offset", std::to_string(image - partition_offset));
            x.attribute("img_offset", std::to_string(image));
        } else if (r.kind != ByteRun::Kind::resident) {
            x.attribute("fill", "0");  // reads as zeros
        }
        x.attribute("len", std::to_string(r.length));
        if (r.kind == ByteRun::Kind::resident) x.attribute("type", "resident");
        if (r.kind == ByteRun::Kind::compressed) x.attribute("type", "compressed");
        x.end();
    }
    x.end();
}

void write_file(XmlWriter& x, const CaseFile& f, int64_t id, int64_t partition_offset) {
    x.start("fileobject");
    x.element("filename", f.path.starts_with('/') ? f.path.substr(1) : f.path);
    x.element("partition", f.partition);
    x.element("id", id);
    x.element("name_type", name_type(f.type));
    x.element("filesize", f.size);
    // fiwalk reports the metadata's allocation: in use unless the name is deleted and its
    // metadata was not taken again.
    x.element(f.allocated || f.reallocated ? "alloc" : "unalloc", 1);
    x.element("inode", f.meta_addr);
    x.element("meta_type", meta_type(f.type));
    if (f.mode) x.element("mode", *f.mode);
    if (f.uid) x.element("uid", *f.uid);
    if (f.gid) x.element("gid", *f.gid);
    const std::pair<const char*, const std::optional<std::string>*> times[] = {
        {"mtime", &f.mtime}, {"ctime", &f.ctime}, {"atime", &f.atime}, {"crtime", &f.crtime}};
    for (const auto& [name, value] : times)
        if (*value) x.element(name, **value);
    write_runs(x, f, partition_offset);
    const std::pair<const char*, const std::optional<std::string>*> hashes[] = {
        {"md5", &f.md5}, {"sha1", &f.sha1}, {"sha256", &f.sha256}};
    for (const auto& [type, value] : hashes) {
        if (!*value) continue;
        x.start("hashdigest");
        x.attribute("type", type);
        x.text_and_end(**value);
    }
    x.end();
}

}  // namespace

std::string xml_safe_text(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    auto escape = [&](unsigned char c) {
        static const char* hex = "0123456789ABCDEF";
        out += "\\x";
        out += hex[c >> 4];
        out += hex[c & 15];
    };
    for (size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                escape(c);
            else
                out += static_cast<char>(c);
            ++i;
            continue;
        }
        const size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
        bool valid = n > 0 && c < 0xF5 && i + n <= s.size();
        uint32_t cp = valid ? (c & (0xFF >> (n + 1))) : 0;
        for (size_t k = 1; valid && k < n; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            valid = (cc & 0xC0) == 0x80;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if (valid) {
            const uint32_t minimum = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
            valid = cp >= minimum && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF) &&
                    cp != 0xFFFE && cp != 0xFFFF;
        }
        if (!valid) {
            escape(c);
            ++i;
            continue;
        }
        out.append(s.substr(i, n));
        i += n;
    }
    return out;
}

void export_dfxml(CaseReader& reader, std::ostream& out, const std::string& command_line) {
    XmlWriter x(out);
    x.start_document();
    x.start("dfxml");
    x.attribute("xmlns", "http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML");
    x.attribute("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance");
    x.attribute("xmlns:dc", "http://purl.org/dc/elements/1.1/");
    x.attribute("version", "1.0");
    x.start("metadata");
    x.element("dc:type", "Disk Image");
    x.end();
    x.start("creator");
    x.attribute("version", "1.0");
    x.element("program", "dflab");
    x.element("version", "0.1.0");
    x.start("execution_environment");
    x.element("command_line", command_line);
    x.element("start_time", iso_utc(std::time(nullptr)));
    x.end();
    x.end();
    const CaseImage& image = reader.image();
    x.start("source");
    for (const auto& segment : image.segments) x.element("image_filename", segment);
    x.element("imagesize", image.size);
    x.element("sectorsize", image.sector_size);
    x.end();
    const auto created_by = reader.info().find("created_by");
    x.comment("case: " + reader.path() + " (written by " +
              (created_by == reader.info().end() ? std::string("dflab") : created_by->second) +
              ")");

    std::map<int, std::vector<std::string>> failures;
    for (auto& [partition, message] : reader.errors())
        failures[partition.value_or(-1)].push_back(message);
    for (const auto& message : failures[-1]) x.comment("not analysed: " + message);
    int64_t id = 1;
    for (const CasePartition& p : reader.partitions()) {
        if (!p.filesystem) continue;
        if (!p.analysed) {
            for (const auto& message : failures[p.index]) x.comment("not analysed: " + message);
            continue;
        }
        x.start("volume");
        x.attribute("offset", std::to_string(p.byte_offset()));
        x.element("partition_offset", p.byte_offset());
        x.element("sector_size", p.sector_size);
        if (p.block_size) x.element("block_size", *p.block_size);
        x.element("ftype_str", *p.filesystem);
        reader.for_each_file(p.index,
                             [&](const CaseFile& f) { write_file(x, f, id++, p.byte_offset()); });
        x.end();
    }
    x.end();
    x.finish();
}

}  // namespace dflab::engine
