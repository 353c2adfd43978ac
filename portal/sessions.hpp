#pragma once
// Logged-in sessions: random 256-bit tokens (libsodium), each with its own CSRF token, role,
// language and expiry. Held in memory: a restarted server asks everyone to log in again, and no
// token ever reaches the disk. Tokens are looked up by their BLAKE2b digest, so the lookup's
// timing says nothing about a token's bytes.
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dflab::portal {

enum class Role { participant, instructor };

struct Session {
    std::string token;  // sent as the cookie; only its digest is kept as the key
    std::string csrf;   // sent back in X-CSRF-Token (or the form field csrf) on every POST
    Role role = Role::participant;
    std::string participant;  // participant id (participants)
    std::string name;         // participant's or instructor's name
    std::string team;
    std::vector<std::string> labs;  // the labs a participant is in (ids)
    std::string language = "en";
    std::chrono::system_clock::time_point expires;
};

class SessionStore {
  public:
    using Clock = std::chrono::system_clock;
    // A new session with fresh tokens lasting `lifetime`.
    Session create(Session fields, std::chrono::seconds lifetime);
    // The live session of `token`, or nullopt (unknown, logged out or expired).
    std::optional<Session> find(std::string_view token);
    void remove(std::string_view token);
    void set_language(std::string_view token, std::string_view language);
    size_t size();

  private:
    std::string key_of(std::string_view token) const;
    std::mutex mutex_;
    std::map<std::string, Session> sessions_;
};

// Random bytes as lower-case hex (libsodium's randombytes_buf); `bytes` of them.
std::string random_token(size_t bytes = 32);
// Constant-time equality of two strings (sodium_memcmp for equal lengths).
bool same_secret(std::string_view a, std::string_view b);

}  // namespace dflab::portal
