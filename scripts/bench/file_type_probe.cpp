// Cost per call of file-type detection (issue 11), for each file given: libmagic as dflab called it
// before (encoding check off), FileTypeDetector on content it has not seen (one byte of the head
// changed each call, to a byte of the same kind) and on a repeated head, and MD5 + SHA-1 + SHA-256
// of the same bytes for comparison. CPU time of the thread; the minimum of 5 runs of N calls.
//
//   g++ -O2 -std=c++20 -I. scripts/bench/file_type_probe.cpp engine/file_type.cpp
//       engine/file_signatures.cpp -lmagic -lcrypto -o /tmp/file_type_probe   (one line)
//   nice /tmp/file_type_probe 20 FILE...
#include <magic.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "engine/file_type.hpp"

namespace {

double cpu_microseconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_nsec) / 1e3;
}

template <typename F>
double per_call(int calls, F f) {
    double best = 1e18;
    for (int run = 0; run < 5; ++run) {
        const double start = cpu_microseconds();
        for (int k = 0; k < calls; ++k) f();
        best = std::min(best, (cpu_microseconds() - start) / calls);
    }
    return best;
}

// The byte at `at` changed to another of its kind (a letter to the next letter, a control or
// high byte to its neighbour), so that text stays text and each call sees a new head.
char neighbour(char c) {
    if (c >= 'a' && c <= 'z') return c == 'z' ? 'a' : static_cast<char>(c + 1);
    if (c >= 'A' && c <= 'Z') return c == 'Z' ? 'A' : static_cast<char>(c + 1);
    if (static_cast<unsigned char>(c) >= 0x80 || (c >= 0 && c < 9)) return static_cast<char>(c ^ 1);
    return c;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s CALLS FILE...\n", argv[0]);
        return 2;
    }
    const int calls = std::atoi(argv[1]);
    magic_t before = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS |
                                MAGIC_NO_CHECK_ENCODING | MAGIC_ERROR);
    if (!before || magic_load(before, nullptr) != 0) return 1;
    size_t bytes_max = dflab::engine::FileTypeDetector::kHeadBytes;
    magic_setparam(before, MAGIC_PARAM_BYTES_MAX, &bytes_max);
    dflab::engine::FileTypeDetector detector;

    std::printf("%-24s %8s %10s %10s %10s %10s  %s | %s\n", "file", "bytes", "before us",
                "first us", "repeat us", "hash us", "before", "now");
    size_t changes = 0;
    for (int i = 2; i < argc; ++i) {
        std::ifstream in(argv[i], std::ios::binary);
        std::vector<char> head((std::istreambuf_iterator<char>(in)), {});
        if (head.size() > bytes_max) head.resize(bytes_max);
        const auto bytes = [&] { return std::as_bytes(std::span(head)); };

        std::string old_answer, new_answer;
        const double t_before = per_call(calls, [&] {
            const char* r = magic_buffer(before, head.data(), head.size());
            old_answer = r ? r : "(null)";
        });
        const double t_first = per_call(calls, [&] {
            if (head.size() <= 128) {  // too small to vary without changing its type
                new_answer = detector.mime_type(bytes());
                return;
            }
            size_t at = 64 + (changes++ * 7919) % (head.size() - 64);
            while (neighbour(head[at]) == head[at]) at = at + 1 < head.size() ? at + 1 : 64;
            const char original = head[at];
            head[at] = neighbour(original);
            new_answer = detector.mime_type(bytes());
            head[at] = original;
        });
        const double t_repeat = per_call(calls, [&] { new_answer = detector.mime_type(bytes()); });
        const double t_hash = per_call(calls, [&] {
            unsigned char md[EVP_MAX_MD_SIZE];
            unsigned int len = 0;
            for (const EVP_MD* type : {EVP_md5(), EVP_sha1(), EVP_sha256()}) {
                EVP_Digest(head.data(), head.size(), md, &len, type, nullptr);
            }
        });
        std::printf("%-24s %8zu %10.1f %10.1f %10.2f %10.1f  %s | %s\n", argv[i], head.size(),
                    t_before, t_first, t_repeat, t_hash, old_answer.c_str(), new_answer.c_str());
    }
    magic_close(before);
}
