#pragma once
// Access codes to the lab portal, instructor passwords, and the printable sheet of code slips.
//
// A code is "HHHH-SSSSS-SSSSS": a 4-character public handle (it finds the participant's row) and a
// 10-character secret, in Crockford's base32 alphabet (0-9 and A-Z without I, L, O, U), drawn from
// libsodium's randombytes_buf. The lab record keeps only the handle and an argon2id hash of the
// whole code (scoring/lab_record.hpp, AccessCodeRow). Codes are handled in their normalised form
// (14 characters, no dashes) everywhere but on paper.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dflab::scoring {

inline constexpr std::string_view kCodeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
inline constexpr size_t kCodeHandleLength = 4, kCodeLength = 14;

// `count` new normalised codes whose handles all differ. Throws common::Error when `count` is
// more than a handle space of 2^20 can hold comfortably (over 100,000).
std::vector<std::string> generate_codes(size_t count);
// What a person typed, normalised: upper case, spaces (any ASCII white space) and dashes dropped,
// O read as 0 and I, L as 1. nullopt unless that leaves 14 characters of the alphabet (U is no
// code character).
std::optional<std::string> normalise_code(std::string_view text);
// "HHHH-SSSSS-SSSSS" for a normalised code.
std::string format_code(std::string_view code);
std::string code_handle(std::string_view code);  // its first 4 characters

// An argon2id hash string ("$argon2id$v=19$...") of a normalised code, with a random salt.
std::string hash_code(std::string_view code);
// True when `code` (normalised) is the one `hash` was made of; constant time.
bool verify_code(std::string_view hash, std::string_view code);

// Instructor passwords (held in memory only): argon2id with libsodium's interactive limits.
std::string hash_password(std::string_view password);
bool verify_password(std::string_view hash, std::string_view password);

struct CodeSlip {
    std::string id, name, team;
    std::string code;  // normalised
};

// A printable HTML page (A4, several slips a page, cut lines) with one slip per participant: the
// name, id and team, the code in a large monospace font, and where to open the portal (`url`; a
// sentence asking for the instructor's address without it), in `language` (en, ru, kk). Every
// text is HTML-escaped. `labs` names the lab records the codes open (shown on screen only).
std::string code_sheet_html(const std::vector<CodeSlip>& slips, std::string_view url,
                            std::string_view language, const std::vector<std::string>& labs);

// Writes `content` to `path` readable by its owner only (mode 0600), under a temporary name
// renamed into place when complete: the sheet holds the only copy of the codes.
void write_private_file(const std::string& path, std::string_view content);

}  // namespace dflab::scoring
