// The replay driver: in builds without libFuzzer each harness becomes a program that runs its
// LLVMFuzzerTestOneInput over files and folders given on the command line (folders read
// recursively, in name order), so that the test suite checks every committed regression input and
// seed (docs/reliability.md). Exits non-zero when given nothing to run: a replay that reads no
// input checks nothing.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

std::vector<std::filesystem::path> inputs(const std::filesystem::path& where) {
    std::vector<std::filesystem::path> out;
    if (std::filesystem::is_directory(where)) {
        for (const auto& e : std::filesystem::recursive_directory_iterator(where))
            if (e.is_regular_file() && e.path().filename() != "README.md") out.push_back(e.path());
    } else if (std::filesystem::is_regular_file(where)) {
        out.push_back(where);
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    size_t runs = 0;
    for (int i = 1; i < argc; ++i) {
        for (const auto& file : inputs(argv[i])) {
            std::ifstream in(file, std::ios::binary);
            const std::vector<char> bytes{std::istreambuf_iterator<char>(in), {}};
            std::printf("replay %s (%zu bytes)\n", file.c_str(), bytes.size());
            std::fflush(stdout);
            LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
            ++runs;
        }
    }
    std::printf("%zu inputs handled\n", runs);
    return runs == 0 ? 1 : 0;
}
