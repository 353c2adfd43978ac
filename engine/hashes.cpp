#include "engine/hashes.hpp"

#include <openssl/evp.h>

#include <array>

#include "engine/error.hpp"

namespace dflab::engine {

namespace {

struct EvpFree {
    void operator()(EVP_MD_CTX* ctx) const noexcept { EVP_MD_CTX_free(ctx); }
};
using EvpContext = std::unique_ptr<EVP_MD_CTX, EvpFree>;

struct Algorithm {
    unsigned flag;
    const EVP_MD* (*md)();
    std::string Digests::*field;
};
const std::array<Algorithm, 3> kAlgorithms{{
    {kMd5, EVP_md5, &Digests::md5},
    {kSha1, EVP_sha1, &Digests::sha1},
    {kSha256, EVP_sha256, &Digests::sha256},
}};

}  // namespace

struct Hasher::State {
    std::array<EvpContext, 3> contexts;
    void reset() {
        for (size_t i = 0; i < kAlgorithms.size(); ++i) {
            if (contexts[i] &&
                EVP_DigestInit_ex(contexts[i].get(), kAlgorithms[i].md(), nullptr) != 1) {
                throw Error("OpenSSL: cannot initialise digest");
            }
        }
    }
};

Hasher::Hasher(unsigned which) : state_(std::make_unique<State>()) {
    for (size_t i = 0; i < kAlgorithms.size(); ++i) {
        if (which & kAlgorithms[i].flag) state_->contexts[i].reset(EVP_MD_CTX_new());
    }
    state_->reset();
}
Hasher::~Hasher() = default;
Hasher::Hasher(Hasher&&) noexcept = default;
Hasher& Hasher::operator=(Hasher&&) noexcept = default;

void Hasher::update(std::span<const std::byte> data) {
    for (auto& ctx : state_->contexts) {
        if (ctx) EVP_DigestUpdate(ctx.get(), data.data(), data.size());
    }
}

Digests Hasher::finish() {
    Digests out;
    for (size_t i = 0; i < kAlgorithms.size(); ++i) {
        auto& ctx = state_->contexts[i];
        if (!ctx) continue;
        std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
        unsigned int len = 0;
        EVP_DigestFinal_ex(ctx.get(), md.data(), &len);
        out.*(kAlgorithms[i].field) = to_hex(std::span(md.data(), len));
    }
    state_->reset();
    return out;
}

Digests hash_bytes(std::span<const std::byte> data, unsigned which) {
    Hasher h(which);
    h.update(data);
    return h.finish();
}

std::string to_hex(std::span<const unsigned char> bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string s;
    s.reserve(bytes.size() * 2);
    for (unsigned char b : bytes) {
        s.push_back(kDigits[b >> 4]);
        s.push_back(kDigits[b & 15]);
    }
    return s;
}

}  // namespace dflab::engine
