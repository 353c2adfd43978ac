#include "scoring/access_codes.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "common/error.hpp"
#include "common/file_descriptor.hpp"
#include "common/messages.hpp"
#include "scoring/report_svg.hpp"

namespace dflab::scoring {

using common::Error;

namespace {

void ensure_sodium() {
    static const int status = sodium_init();  // once, thread-safe; 1 when already initialised
    if (status < 0) throw Error("libsodium: cannot be initialised");
}

// The hash of a code. The secret part is 10 characters of a 32-letter alphabet: 50 random bits.
// A slow, memory-hard KDF is what protects a password people chose, of some 20-30 bits; against
// 50 random bits even this light setting (argon2id, 2 passes over 64 KiB, ~0.1 ms) leaves an
// attacker with a copy of the record some 2^49 guesses per code, centuries of computing. The
// salted hash still keeps the codes themselves off the disk: a backup, an export or a record copied
// to a colleague does not let anyone log in as a participant, and equal codes look different.
// Cheap hashing lets a room of 300 log in within seconds without exhausting the server's memory;
// online guessing is stopped by the portal's per-handle rate limit, not by the hash.
constexpr unsigned long long kCodeOpsLimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
constexpr size_t kCodeMemLimit = crypto_pwhash_MEMLIMIT_MIN * 8;  // 64 KiB

std::string pwhash(std::string_view secret, unsigned long long ops, size_t mem) {
    ensure_sodium();
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, secret.data(), secret.size(), ops, mem) != 0) {
        throw Error("argon2id: cannot hash (out of memory)");
    }
    return out;
}

bool pwhash_verify(std::string_view hash, std::string_view secret) {
    ensure_sodium();
    const std::string terminated(hash);  // libsodium reads a NUL-terminated string
    if (terminated.size() >= crypto_pwhash_STRBYTES) return false;
    return crypto_pwhash_str_verify(terminated.c_str(), secret.data(), secret.size()) == 0;
}

std::string random_characters(size_t n) {
    ensure_sodium();
    std::vector<unsigned char> bytes(n);
    randombytes_buf(bytes.data(), bytes.size());
    std::string out;
    out.reserve(n);
    // 256 is a multiple of 32: the low five bits of a random byte are uniform.
    for (unsigned char b : bytes) out += kCodeAlphabet[b & 0x1f];
    return out;
}

}  // namespace

std::vector<std::string> generate_codes(size_t count) {
    if (count > 100000) {
        throw Error(std::to_string(count) + " access codes: more than 100000 at once");
    }
    std::set<std::string> handles;
    std::vector<std::string> codes;
    codes.reserve(count);
    while (codes.size() < count) {
        std::string handle = random_characters(kCodeHandleLength);
        if (!handles.insert(handle).second) continue;  // taken: draw another
        codes.push_back(handle + random_characters(kCodeLength - kCodeHandleLength));
    }
    return codes;
}

std::optional<std::string> normalise_code(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '-' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
            continue;
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        if (c == 'O') c = '0';
        if (c == 'I' || c == 'L') c = '1';
        if (kCodeAlphabet.find(c) == std::string_view::npos) return std::nullopt;
        out += c;
        if (out.size() > kCodeLength) return std::nullopt;
    }
    if (out.size() != kCodeLength) return std::nullopt;
    return out;
}

std::string format_code(std::string_view code) {
    if (code.size() != kCodeLength) return std::string(code);
    return std::string(code.substr(0, 4)) + "-" + std::string(code.substr(4, 5)) + "-" +
           std::string(code.substr(9, 5));
}

std::string code_handle(std::string_view code) {
    return std::string(code.substr(0, kCodeHandleLength));
}

std::string hash_code(std::string_view code) {
    return pwhash(code, kCodeOpsLimit, kCodeMemLimit);
}

bool verify_code(std::string_view hash, std::string_view code) {
    return pwhash_verify(hash, code);
}

std::string hash_password(std::string_view password) {
    return pwhash(password, crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE);
}

bool verify_password(std::string_view hash, std::string_view password) {
    return pwhash_verify(hash, password);
}

namespace {

constexpr std::string_view kSheetStyle = R"css(
@page { size: A4; margin: 10mm; }
* { box-sizing: border-box; }
body { margin: 0; font-family: "DejaVu Sans", "Noto Sans", Arial, sans-serif; color: #000; }
.screen { margin: 12px 16px; max-width: 190mm; }
.screen p { margin: 4px 0; }
.page { width: 190mm; display: grid; grid-template-columns: 1fr 1fr; }
.page + .page { break-before: page; page-break-before: always; }
.slip { height: 55mm; padding: 5mm 6mm; border: 1px dashed #777; overflow: hidden;
        break-inside: avoid; page-break-inside: avoid; }
.slip .title { font-size: 9pt; text-transform: uppercase; letter-spacing: 0.05em; color: #444; }
.slip .name { font-size: 13pt; font-weight: bold; margin-top: 1.5mm; overflow-wrap: anywhere; }
.slip .meta { font-size: 9pt; color: #333; margin-top: 0.5mm; overflow-wrap: anywhere; }
.slip .code { font-family: "DejaVu Sans Mono", "Liberation Mono", "Courier New", monospace;
              font-size: 21pt; font-weight: bold; letter-spacing: 0.04em; white-space: nowrap;
              margin: 3mm 0 2mm; }
.slip .open { font-size: 9.5pt; overflow-wrap: anywhere; }
.slip .keep { font-size: 8pt; color: #444; margin-top: 1mm; }
@media print { .screen { display: none; } }
)css";

constexpr size_t kSlipsPerPage = 10;  // 2 columns of 5 slips on A4

std::string slip_html(const CodeSlip& s, std::string_view url, std::string_view language) {
    auto t = [&](std::string_view key) { return html_escape(common::translate(language, key)); };
    std::string meta = t("codes.slip.id") + ": " + html_escape(s.id);
    if (!s.team.empty()) meta += " · " + t("codes.slip.team") + ": " + html_escape(s.team);
    const std::string open =
        url.empty()
            ? t("codes.slip.open_no_url")
            : common::format(t("codes.slip.open"), {{"url", "<b>" + html_escape(url) + "</b>"}});
    return "<div class=\"slip\">\n<div class=\"title\">" + t("codes.slip.title") +
           "</div>\n<div class=\"name\">" + html_escape(s.name) + "</div>\n<div class=\"meta\">" +
           meta + "</div>\n<div class=\"code\">" + html_escape(format_code(s.code)) +
           "</div>\n<div class=\"open\">" + open + "</div>\n<div class=\"keep\">" +
           t("codes.slip.keep") + "</div>\n</div>\n";
}

}  // namespace

std::string code_sheet_html(const std::vector<CodeSlip>& slips, std::string_view url,
                            std::string_view language, const std::vector<std::string>& labs) {
    const std::string lang = common::supported_language(language);
    auto t = [&](std::string_view key) { return html_escape(common::translate(lang, key)); };
    std::string html =
        "<!DOCTYPE html>\n<html lang=\"" + lang + "\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
        t("codes.sheet.title") + "</title>\n<style>" + std::string(kSheetStyle) +
        "</style>\n</head>\n<body>\n<div class=\"screen\">\n<h1>" + t("codes.sheet.title") +
        "</h1>\n<p>" + t("codes.sheet.instructions") + "</p>\n";
    std::string names;
    for (size_t i = 0; i < labs.size(); ++i) {
        names += (i ? ", " : "") + std::string("<code>") + html_escape(labs[i]) + "</code>";
    }
    html += "<p>" + common::format(t("codes.sheet.labs"), {{"labs", names}}) + "</p>\n</div>\n";
    for (size_t i = 0; i < slips.size(); ++i) {
        if (i % kSlipsPerPage == 0)
            html += (i ? "</section>\n" : "") + std::string("<section class=\"page\">\n");
        html += slip_html(slips[i], url, lang);
    }
    if (!slips.empty()) html += "</section>\n";
    html += "</body>\n</html>\n";
    return html;
}

void write_private_file(const std::string& path, std::string_view content) {
    const std::string temporary = path + ".partial-" + std::to_string(::getpid());
    ::unlink(temporary.c_str());
    {
        common::FileDescriptor file(
            ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        if (!file) throw Error(path + ": cannot write (" + std::strerror(errno) + ")");
        size_t done = 0;
        while (done < content.size()) {
            const ssize_t n = ::write(file.get(), content.data() + done, content.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                const std::string why = std::strerror(errno);
                ::unlink(temporary.c_str());
                throw Error(path + ": write failed (" + why + ")");
            }
            done += static_cast<size_t>(n);
        }
        if (::fsync(file.get()) != 0) {
            const std::string why = std::strerror(errno);
            ::unlink(temporary.c_str());
            throw Error(path + ": write failed (" + why + ")");
        }
    }
    if (::rename(temporary.c_str(), path.c_str()) != 0) {
        const std::string why = std::strerror(errno);
        ::unlink(temporary.c_str());
        throw Error(path + ": cannot rename the finished file into place (" + why + ")");
    }
}

}  // namespace dflab::scoring
