#pragma once
// Turns a recipe Content into bytes, reproducibly: the same content, seed, purpose and time give
// the same bytes on every machine at any time. No wall clock and no randomness but the seed's:
// pseudo-random bytes come from xoshiro256** seeded with SHA-256(seed, purpose).
//
// Generated types and their options (anything else is an error naming the allowed ones):
//   png     width, height (pixels, default 64x48), comment (tEXt "Comment")
//   jpeg    width, height, quality (1-100, default 85), comment (COM marker); baseline, 4:2:0;
//           with GeneratedContent::exif an Exif APP1 segment after SOI (images/exif_block.hpp)
//   pdf     text (lines split at '\n'), title, author; CreationDate and ModDate = context time
//   zip     members name -> text, in the given order, deflated at level 6, times = context time
//           (DOS time read as UTC)
//   sqlite  sql statements run in a fresh database (page size 4096, VACUUM at the end);
//           'now' is the context time, random()/randomblob() are seeded
//   registry a Windows registry hive (images/registry_hive.hpp): root (root key name, default
//           ROOT), file_name (in the base block), the keys with their values and times; the base
//           block's time and keys without a time of their own are the context time
//   lnk     a Windows shell link (images/shell_link.hpp) from GeneratedContent::shell_link; the
//           target's times not given are the context time
//   evtx    a Windows event log (images/event_log.hpp): channel, computer (for every event
//           without its own), the events; events without a time of their own are the context time
//   chrome_history / firefox_places  a browser's history database (images/browser_history.hpp)
//           from GeneratedContent::browser_history: visits and downloads, each with its times
//   prefetch a Windows prefetch file (images/prefetch.hpp) from GeneratedContent::prefetch; no
//           run times: one run at the context time; the volume's creation time not given: too
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "images/recipe.hpp"

namespace dflab::images {

struct GenerationContext {
    uint64_t seed = 0;
    std::string purpose;  // e.g. the artifact path, so that two files get different random bytes
    int64_t time = 0;     // UTC seconds: the action's time, used where a format stores one
};

// Throws dflab::engine::Error with a one-line message on bad options, invalid base64 or an
// unreadable asset.
std::vector<std::byte> generate_content(const Content& content, const GenerationContext& context);

namespace detail {

// xoshiro256** (Blackman and Vigna), seeded with SHA-256 of the seed (8 bytes little-endian)
// followed by the purpose and a sub-stream tag.
class Prng {
  public:
    Prng(uint64_t seed, std::string_view purpose, std::string_view stream = {});
    uint64_t next();
    uint64_t below(uint64_t bound);  // uniform in [0, bound), bound > 0, by rejection
    void fill(std::span<std::byte> out);

  private:
    std::array<uint64_t, 4> s_{};
};

// Calendar fields of a UTC time (proleptic Gregorian), without the C library's time zone.
struct CivilTime {
    int64_t year;
    int month, day, hour, minute, second;
};
CivilTime civil_from_unix(int64_t seconds);

// Option access for the generators; the dispatcher has already rejected unknown options.
std::string option_string(const GeneratedContent& g, const std::string& name,
                          const std::string& fallback = {});
int64_t option_int(const GeneratedContent& g, const std::string& name, int64_t fallback,
                   int64_t min, int64_t max);

// A seeded RGB picture (3 bytes a pixel, rows top to bottom): a two-colour gradient with a few
// rectangles, so that it compresses like a photo-ish image and differs by seed and purpose.
std::vector<uint8_t> make_picture(uint32_t width, uint32_t height, Prng& prng);

std::vector<std::byte> generate_png(const GeneratedContent& g, const GenerationContext& c);
std::vector<std::byte> generate_jpeg(const GeneratedContent& g, const GenerationContext& c);
std::vector<std::byte> generate_pdf(const GeneratedContent& g, const GenerationContext& c);
std::vector<std::byte> generate_zip(const GeneratedContent& g, const GenerationContext& c);
std::vector<std::byte> generate_sqlite(const GeneratedContent& g, const GenerationContext& c);
// The bytes of a fresh database after `statements` (page size `page_size`, VACUUM at the end),
// the way generate_sqlite writes it; errors name "generate WHAT" and the statement.
std::vector<std::byte> sqlite_file_bytes(std::span<const std::string> statements,
                                         const GenerationContext& c, std::string_view what,
                                         unsigned page_size = 4096);
std::vector<std::byte> generate_registry(const GeneratedContent& g, const GenerationContext& c);
std::vector<std::byte> generate_lnk(const GeneratedContent& g, const GenerationContext& c);
std::vector<std::byte> generate_evtx(const GeneratedContent& g, const GenerationContext& c);
std::vector<std::byte> generate_chrome_history(const GeneratedContent& g,
                                               const GenerationContext& c);
std::vector<std::byte> generate_firefox_places(const GeneratedContent& g,
                                               const GenerationContext& c);
std::vector<std::byte> generate_prefetch(const GeneratedContent& g, const GenerationContext& c);

}  // namespace detail
}  // namespace dflab::images
