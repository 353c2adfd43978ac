// JPEG: SOI, then the markers walked segment by segment (each segment's length), the
// entropy-coded data after each SOS scanned for 0xFF followed by something other than a stuffed
// zero or a restart marker, to EOI. jpeg_decodes() then asks libjpeg to decode the whole file.
#include <algorithm>
#include <csetjmp>
#include <cstdio>  // jpeglib.h needs FILE and size_t first

#include <jpeglib.h>
// jerror.h after jpeglib.h
#include <jerror.h>

#include <vector>

#include "engine/carving/validators.hpp"

namespace dflab::engine::carving {

namespace {

uint32_t at(std::span<const std::byte> d, size_t i) {
    return std::to_integer<uint32_t>(d[i]);
}

bool is_rst(uint32_t m) {
    return m >= 0xD0 && m <= 0xD7;
}

// Markers that may carry a segment after SOI: SOFn, DHT, DAC, DQT, DNL, DRI, DHP, EXP, APPn,
// JPGn, COM. Everything else (reserved 0x02-0xBF, TEM, a stray SOI) is not a JPEG.
bool is_segment(uint32_t m) {
    return (m >= 0xC0 && m <= 0xCF) || (m >= 0xDB && m <= 0xDF) || (m >= 0xE0 && m <= 0xEF) ||
           (m >= 0xF0 && m <= 0xFE) || m == 0xDA;
}

bool is_sof(uint32_t m) {
    return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

struct Walk {
    bool seen_sof = false;
    bool seen_sos = false;
    uint64_t scan_start = 0;
};

// From `pos` in entropy-coded data: the offset of the next marker's 0xFF (fill bytes included),
// or data.size() when the data ends first.
size_t scan_entropy(std::span<const std::byte> d, size_t pos) {
    while (pos + 1 < d.size()) {
        if (at(d, pos) != 0xFF) {
            ++pos;
            continue;
        }
        const uint32_t next = at(d, pos + 1);
        if (next == 0x00 || is_rst(next)) {
            pos += 2;
            continue;
        }
        return pos;
    }
    return d.size();
}

// Walks markers from `pos` (at an 0xFF) to EOI.
Validation walk_markers(std::span<const std::byte> d, size_t pos, Walk& w) {
    for (;;) {
        if (pos >= d.size()) return need_more();
        if (at(d, pos) != 0xFF) return invalid(pos, "no marker where a marker must be");
        while (pos < d.size() && at(d, pos) == 0xFF) ++pos;  // fill bytes
        if (pos >= d.size()) return need_more();
        const uint32_t m = at(d, pos);
        const size_t marker_at = pos - 1;
        ++pos;
        if (m == 0xD9) {
            if (!w.seen_sof || !w.seen_sos) return invalid(marker_at, "EOI before any scan");
            return valid(pos, "markers walked from SOI to EOI");
        }
        if (is_rst(m)) continue;
        if (!is_segment(m)) return invalid(marker_at, "unexpected marker " + std::to_string(m));
        if (pos + 2 > d.size()) return need_more();
        const uint32_t length = be16(d, pos);
        if (length < 2) return invalid(pos, "segment length below 2");
        if (pos + length > d.size()) return need_more();
        if (is_sof(m)) w.seen_sof = true;
        pos += length;
        if (m == 0xDA) {
            if (!w.seen_sof) return invalid(marker_at, "SOS before SOF");
            w.seen_sos = true;
            if (w.scan_start == 0) w.scan_start = pos;
            pos = scan_entropy(d, pos);
            if (pos >= d.size()) return need_more();
        }
    }
}

struct ErrorManager {
    jpeg_error_mgr pub;
    std::jmp_buf jump;
};

[[noreturn]] void on_error(j_common_ptr cinfo) {
    std::longjmp(reinterpret_cast<ErrorManager*>(cinfo->err)->jump, 1);
}

// A warning is corrupt data: the decode stops there (never printed).
void on_message(j_common_ptr cinfo, int level) {
    if (level < 0) std::longjmp(reinterpret_cast<ErrorManager*>(cinfo->err)->jump, 1);
}

// The bytes handed to libjpeg 4 KiB at a time, as its stdio source does: with the whole file in
// one buffer (jpeg_mem_src) libjpeg-turbo's fast Huffman path decodes some bad codes without the
// warning that the chunked path gives.
struct ChunkSource {
    jpeg_source_mgr pub;
    const JOCTET* data;
    size_t size;
    size_t next;
};

constexpr size_t kChunk = 4096;
const JOCTET kEndOfImage[2] = {0xFF, JPEG_EOI};

void init_source(j_decompress_ptr) {}
void term_source(j_decompress_ptr) {}

boolean fill_input_buffer(j_decompress_ptr cinfo) {
    auto* src = reinterpret_cast<ChunkSource*>(cinfo->src);
    if (src->next >= src->size) {
        WARNMS(cinfo, JWRN_JPEG_EOF);  // the data ended early: on_message stops the decode
        src->pub.next_input_byte = kEndOfImage;
        src->pub.bytes_in_buffer = 2;
        return TRUE;
    }
    const size_t n = std::min(kChunk, src->size - src->next);
    src->pub.next_input_byte = src->data + src->next;
    src->pub.bytes_in_buffer = n;
    src->next += n;
    return TRUE;
}

void skip_input_data(j_decompress_ptr cinfo, long count) {
    auto* src = reinterpret_cast<ChunkSource*>(cinfo->src);
    if (count <= 0) return;
    auto left = static_cast<size_t>(count);
    while (left > src->pub.bytes_in_buffer) {
        left -= src->pub.bytes_in_buffer;
        fill_input_buffer(cinfo);
    }
    src->pub.next_input_byte += left;
    src->pub.bytes_in_buffer -= left;
}

// Decodes with only trivially destructible locals between setjmp and longjmp.
bool decode(const unsigned char* bytes, unsigned long size, JSAMPLE* row, size_t row_size) {
    jpeg_decompress_struct cinfo{};
    ErrorManager err{};
    cinfo.err = jpeg_std_error(&err.pub);
    err.pub.error_exit = on_error;
    err.pub.emit_message = on_message;
    if (setjmp(err.jump)) {
        jpeg_destroy_decompress(&cinfo);
        return false;
    }
    jpeg_create_decompress(&cinfo);
    ChunkSource source{};
    source.pub.init_source = init_source;
    source.pub.fill_input_buffer = fill_input_buffer;
    source.pub.skip_input_data = skip_input_data;
    source.pub.resync_to_restart = jpeg_resync_to_restart;
    source.pub.term_source = term_source;
    source.data = bytes;
    source.size = size;
    cinfo.src = &source.pub;
    bool ok = jpeg_read_header(&cinfo, TRUE) == JPEG_HEADER_OK;
    if (ok) {
        cinfo.out_color_space = JCS_GRAYSCALE;  // one sample a pixel: the row fits
        cinfo.dct_method = JDCT_IFAST;
        // An eighth of the size: every coefficient is still entropy-decoded (where corrupt data
        // shows), the inverse DCT and the colour work are much less.
        cinfo.scale_num = 1;
        cinfo.scale_denom = 8;
        cinfo.do_fancy_upsampling = FALSE;
        jpeg_start_decompress(&cinfo);
        if (cinfo.output_width * cinfo.output_components > row_size) {
            ok = false;
        } else {
            JSAMPROW rows[1] = {row};
            while (cinfo.output_scanline < cinfo.output_height)
                jpeg_read_scanlines(&cinfo, rows, 1);
            jpeg_finish_decompress(&cinfo);
        }
    }
    jpeg_destroy_decompress(&cinfo);
    return ok;
}

}  // namespace

Validation validate_jpeg(std::span<const std::byte> d) {
    if (d.size() < 4) return need_more();
    if (at(d, 0) != 0xFF || at(d, 1) != 0xD8 || at(d, 2) != 0xFF) return invalid(0, "no SOI");
    Walk w;
    Validation v = walk_markers(d, 2, w);
    v.scan_start = w.scan_start;
    return v;
}

Validation validate_jpeg_scan(std::span<const std::byte> d, uint64_t from) {
    Walk w{true, true, from};
    const size_t pos = scan_entropy(d, static_cast<size_t>(from));
    if (pos >= d.size()) return need_more();
    return walk_markers(d, pos, w);
}

bool jpeg_decodes(std::span<const std::byte> d) {
    static constexpr size_t kRow = 65535;  // the widest JPEG, one grey sample a pixel
    std::vector<JSAMPLE> row(kRow);
    return decode(reinterpret_cast<const unsigned char*>(d.data()),
                  static_cast<unsigned long>(d.size()), row.data(), row.size());
}

}  // namespace dflab::engine::carving
