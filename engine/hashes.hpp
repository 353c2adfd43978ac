#pragma once
// MD5, SHA-1 and SHA-256 through OpenSSL's EVP interface, fed incrementally.
#include <cstddef>
#include <memory>
#include <span>
#include <string>

namespace dflab::engine {

struct Digests {
    std::string md5, sha1, sha256;  // lower-case hex; empty when not computed
};

enum HashSet : unsigned { kMd5 = 1, kSha1 = 2, kSha256 = 4, kAllHashes = 7 };

class Hasher {
  public:
    explicit Hasher(unsigned which = kAllHashes);
    ~Hasher();
    Hasher(Hasher&&) noexcept;
    Hasher& operator=(Hasher&&) noexcept;

    void update(std::span<const std::byte> data);
    Digests finish();  // the hasher starts afresh afterwards

  private:
    struct State;
    std::unique_ptr<State> state_;
};

// One-shot convenience for small buffers.
Digests hash_bytes(std::span<const std::byte> data, unsigned which = kAllHashes);

std::string to_hex(std::span<const unsigned char> bytes);

}  // namespace dflab::engine
