#include "portal/sessions.hpp"

#include <sodium.h>

#include <stdexcept>

namespace dflab::portal {

namespace {

void init_sodium() {
    static const int ready = sodium_init();
    if (ready < 0) throw std::runtime_error("libsodium cannot be initialised");
}

std::string hex(const unsigned char* data, size_t size) {
    std::string out(size * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), data, size);
    out.pop_back();
    return out;
}

}  // namespace

std::string random_token(size_t bytes) {
    init_sodium();
    std::string raw(bytes, '\0');
    randombytes_buf(raw.data(), raw.size());
    return hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

bool same_secret(std::string_view a, std::string_view b) {
    if (a.size() != b.size() || a.empty()) return false;
    return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string SessionStore::key_of(std::string_view token) const {
    init_sodium();
    unsigned char digest[crypto_generichash_BYTES];
    crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(token.data()),
                       token.size(), nullptr, 0);
    return hex(digest, sizeof digest);
}

Session SessionStore::create(Session fields, std::chrono::seconds lifetime) {
    fields.token = random_token();
    fields.csrf = random_token();
    fields.expires = Clock::now() + lifetime;
    std::lock_guard lock(mutex_);
    // Drop expired sessions now and then, so that the store does not grow with every login.
    if (sessions_.size() % 64 == 0) {
        const auto now = Clock::now();
        std::erase_if(sessions_, [&](const auto& item) { return item.second.expires <= now; });
    }
    sessions_[key_of(fields.token)] = fields;
    return fields;
}

std::optional<Session> SessionStore::find(std::string_view token) {
    if (token.size() != 64) return std::nullopt;
    const std::string key = key_of(token);
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(key);
    if (it == sessions_.end()) return std::nullopt;
    if (it->second.expires <= Clock::now()) {
        sessions_.erase(it);
        return std::nullopt;
    }
    return it->second;
}

void SessionStore::remove(std::string_view token) {
    const std::string key = key_of(token);
    std::lock_guard lock(mutex_);
    sessions_.erase(key);
}

void SessionStore::set_language(std::string_view token, std::string_view language) {
    const std::string key = key_of(token);
    std::lock_guard lock(mutex_);
    if (auto it = sessions_.find(key); it != sessions_.end()) it->second.language = language;
}

size_t SessionStore::size() {
    std::lock_guard lock(mutex_);
    return sessions_.size();
}

}  // namespace dflab::portal
