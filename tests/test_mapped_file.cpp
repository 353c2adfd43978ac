// The read-only file mapping the carver views raw images through (common/mapped_file.hpp): the
// bytes are the file's as std::ifstream reads them; a device, a size other than the one expected
// and an empty file are not mapped; a moved mapping keeps its bytes and leaves none behind.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>

#include "common/mapped_file.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab {
namespace {

namespace fs = std::filesystem;
using common::MappedFile;

std::string text_of(std::span<const std::byte> bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

TEST(MappedFile, HoldsTheBytesOfTheFile) {
    const fs::path path = fs::path(test::temp_dir()) / "image.raw";
    std::string content(70000, '\0');
    for (size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>(i * 7 % 251);
    std::ofstream(path, std::ios::binary) << content;
    auto mapped = MappedFile::map_if_regular(path, content.size());
    ASSERT_TRUE(mapped);
    std::ifstream in(path, std::ios::binary);
    const std::string read((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(text_of(mapped->bytes()), read);

    MappedFile moved = std::move(*mapped);
    EXPECT_EQ(text_of(moved.bytes()), read);
    EXPECT_TRUE(mapped->bytes().empty());
}

TEST(MappedFile, ADeviceAnotherSizeAndAnEmptyFileAreNotMapped) {
    const fs::path dir(test::temp_dir());
    std::ofstream(dir / "ten", std::ios::binary) << "0123456789";
    std::ofstream(dir / "empty", std::ios::binary);
    EXPECT_FALSE(MappedFile::map_if_regular("/dev/zero", 4096));
    EXPECT_FALSE(MappedFile::map_if_regular(dir / "ten", 11));
    EXPECT_FALSE(MappedFile::map_if_regular(dir / "empty", 0));
    EXPECT_FALSE(MappedFile::map_if_regular(dir / "missing", 10));
    EXPECT_TRUE(MappedFile::map_if_regular(dir / "ten", 10));
}

}  // namespace
}  // namespace dflab
