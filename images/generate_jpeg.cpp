// Baseline JPEG through libjpeg(-turbo): JFIF, 4:2:0, the accurate integer DCT and the standard
// Huffman tables, which libjpeg-turbo computes bit-identically with and without SIMD, so the bytes
// depend only on the inputs and the library's version. With `exif`, the Exif block
// (images/exif_block.hpp) is the APP1 segment right after SOI, in place of JFIF's APP0, as a
// camera or phone writes it.
#include <csetjmp>
#include <cstdio>  // jpeglib.h needs FILE and size_t first
#include <cstring>
#include <span>

#include <jpeglib.h>

#include "engine/error.hpp"
#include "images/content_generator.hpp"
#include "images/exif_block.hpp"

namespace dflab::images::detail {

using engine::Error;

namespace {

struct ErrorManager {
    jpeg_error_mgr pub;
    std::jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
};

void on_error(j_common_ptr cinfo) {
    auto* e = reinterpret_cast<ErrorManager*>(cinfo->err);
    (*cinfo->err->format_message)(cinfo, e->message);
    std::longjmp(e->jump, 1);
}

void on_message(j_common_ptr) {}  // warnings and trace output stay quiet

// Destination: libjpeg writes into `buffer`; full buffers are appended to `out`.
struct Destination {
    jpeg_destination_mgr pub;
    std::vector<std::byte>* out;
    std::array<JOCTET, 4096> buffer;
};

void init_destination(j_compress_ptr cinfo) {
    auto* d = reinterpret_cast<Destination*>(cinfo->dest);
    d->pub.next_output_byte = d->buffer.data();
    d->pub.free_in_buffer = d->buffer.size();
}

void append(Destination* d, size_t n) {
    const auto* p = reinterpret_cast<const std::byte*>(d->buffer.data());
    d->out->insert(d->out->end(), p, p + n);
}

boolean empty_output_buffer(j_compress_ptr cinfo) {
    auto* d = reinterpret_cast<Destination*>(cinfo->dest);
    append(d, d->buffer.size());
    init_destination(cinfo);
    return TRUE;
}

void term_destination(j_compress_ptr cinfo) {
    auto* d = reinterpret_cast<Destination*>(cinfo->dest);
    append(d, d->buffer.size() - d->pub.free_in_buffer);
}

// Only trivially destructible objects live between setjmp and a longjmp back to it.
bool compress(jpeg_compress_struct& cinfo, ErrorManager& err, Destination& dest, uint32_t width,
              uint32_t height, int quality, const std::string& comment,
              std::span<const std::byte> exif, const uint8_t* pixels) {
    cinfo.err = jpeg_std_error(&err.pub);
    err.pub.error_exit = on_error;
    err.pub.output_message = on_message;
    err.message[0] = '\0';
    if (setjmp(err.jump)) {
        jpeg_destroy_compress(&cinfo);
        return false;
    }
    jpeg_create_compress(&cinfo);
    dest.pub.init_destination = init_destination;
    dest.pub.empty_output_buffer = empty_output_buffer;
    dest.pub.term_destination = term_destination;
    cinfo.dest = &dest.pub;
    cinfo.image_width = width;
    cinfo.image_height = height;
    cinfo.input_components = 3;
    cinfo.in_color_space = JCS_RGB;
    jpeg_set_defaults(&cinfo);
    cinfo.dct_method = JDCT_ISLOW;
    cinfo.optimize_coding = FALSE;
    cinfo.write_JFIF_header = exif.empty() ? TRUE : FALSE;
    cinfo.density_unit = 1;  // dots per inch, 72x72
    cinfo.X_density = 72;
    cinfo.Y_density = 72;
    jpeg_set_quality(&cinfo, quality, TRUE);
    jpeg_start_compress(&cinfo, TRUE);  // writes SOI (and JFIF's APP0 without Exif)
    if (!exif.empty())
        jpeg_write_marker(&cinfo, JPEG_APP0 + 1, reinterpret_cast<const JOCTET*>(exif.data()),
                          static_cast<unsigned int>(exif.size()));
    if (!comment.empty())
        jpeg_write_marker(&cinfo, JPEG_COM, reinterpret_cast<const JOCTET*>(comment.data()),
                          static_cast<unsigned int>(comment.size()));
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = const_cast<JSAMPROW>(pixels + size_t{cinfo.next_scanline} * width * 3);
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    return true;
}

}  // namespace

std::vector<std::byte> generate_jpeg(const GeneratedContent& g, const GenerationContext& c) {
    const auto width = static_cast<uint32_t>(option_int(g, "width", 64, 1, 8192));
    const auto height = static_cast<uint32_t>(option_int(g, "height", 48, 1, 8192));
    const int quality = static_cast<int>(option_int(g, "quality", 85, 1, 100));
    const std::string comment = option_string(g, "comment");
    if (comment.size() > 65533)
        throw Error("generate jpeg: option 'comment' is longer than 65533 bytes");

    std::vector<std::byte> exif;
    if (g.exif) {
        ExifSpec spec = *g.exif;
        spec.width = width;
        spec.height = height;
        exif = build_exif_block(spec);  // its errors name the field ("exif: ...")
    }

    Prng prng(c.seed, c.purpose, "picture");
    const auto pixels = make_picture(width, height, prng);
    std::vector<std::byte> out;
    jpeg_compress_struct cinfo{};
    ErrorManager err{};
    Destination dest{};
    dest.out = &out;
    if (!compress(cinfo, err, dest, width, height, quality, comment, exif, pixels.data()))
        throw Error(std::string("generate jpeg: libjpeg failed: ") + err.message);
    return out;
}

}  // namespace dflab::images::detail
