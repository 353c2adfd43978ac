#pragma once
// The Windows Recycle Bin (Vista on): deleting a file in Explorer moves it to
// `$Recycle.Bin\SID\$R<six characters><.ext>` and writes next to it `$I<the same><.ext>`, which
// records where the file was, how large it was and when it was deleted. This writes the $I file:
//
//   version 1 (Vista, 7):  8 bytes version 1, 8 bytes original size, 8 bytes FILETIME deletion
//                          time, 520 bytes the original path (260 UTF-16LE units, NUL-padded);
//   version 2 (8.1, 10):   8 bytes version 2, 8 bytes original size, 8 bytes FILETIME deletion
//                          time, 4 bytes the path's length in UTF-16 units with its NUL, the
//                          path in UTF-16LE with its NUL.
//
// All little-endian. The six characters are made from the recipe's seed and the file's place, so
// the same recipe gives the same names.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace dflab::images {

struct RecycleInfoSpec {
    unsigned version = 2;       // 1 or 2
    std::string original_path;  // as Windows writes it, UTF-8: C:\Users\anna\Documents\plan.docx
    uint64_t original_size = 0;
    int64_t deleted = 0;  // UTC seconds
};

// The $I file's bytes. Throws dflab::engine::Error for a version other than 1 or 2, a path that
// is not UTF-8 or is empty, or (version 1) one longer than 259 UTF-16 units.
std::vector<std::byte> build_recycle_info(const RecycleInfoSpec& spec);

// The six characters after `$R` / `$I` (digits and upper-case letters, as Windows uses), from
// the seed and `place` (the partition and the file's path): the same inputs, the same name.
std::string recycle_bin_name(uint64_t seed, const std::string& place);

}  // namespace dflab::images
