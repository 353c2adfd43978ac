// Fuzzing harness: the portal's requests (docs/reliability.md), as a browser or an attacker on the
// workshop LAN sends them. The input's first byte chooses who sends them (nobody logged in, a
// participant, the instructor); the rest is raw HTTP, one or more requests in a row, read with the
// server's own limits: Beast's parser (16 KiB of header, the path's body limit), the server's
// target reading (portal/http_session.hpp) and then Portal::handle, the portal's application, on
// a copy of a real lab (tests/portal/make_lab.sh; DFLAB_FUZZ_PORTAL_LAB names its folder).
//
// Beyond the harnesses' common rule (fuzz_input.hpp), a reply is a finding when its status is not
// an HTTP status, when it says JSON and is not, or when it sends a file from outside the lab's
// bundle (CTFd's hidden-file tests).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/beast/http/parser.hpp>
#include <nlohmann/json.hpp>

#include "portal/http_session.hpp"
#include "portal/portal.hpp"
#include "tests/fuzz/fuzz_input.hpp"

namespace {

namespace fs = std::filesystem;
namespace http = boost::beast::http;
using dflab::portal::Reply;
using dflab::portal::Request;

constexpr size_t kHeaderLimit = 16 * 1024;  // ServerConfig::max_header_bytes
constexpr int kMostRequests = 8;            // of one input

[[noreturn]] void give_up(const std::string& why) {
    std::fprintf(stderr, "fuzz_portal: %s\n", why.c_str());
    std::abort();
}

std::string read_line(const fs::path& file) {
    std::FILE* f = std::fopen(file.c_str(), "r");
    if (!f) give_up("cannot read " + file.string());
    char buffer[256] = {};
    const bool got = std::fgets(buffer, sizeof buffer, f) != nullptr;
    std::fclose(f);
    if (!got) give_up(file.string() + " is empty");
    std::string line(buffer);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    return line;
}

// The first participant's access code in codes.csv (id,name,code after a header line).
std::string first_code(const fs::path& csv) {
    std::FILE* f = std::fopen(csv.c_str(), "r");
    if (!f) give_up("cannot read " + csv.string());
    char buffer[1024] = {};
    std::string line;
    for (int i = 0; i < 2 && std::fgets(buffer, sizeof buffer, f); ++i) line = buffer;
    std::fclose(f);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    const auto comma = line.rfind(',');
    if (comma == std::string::npos) give_up(csv.string() + " holds no access code");
    return line.substr(comma + 1);
}

struct Identity {
    std::string login_body;  // what POST /api/v1/login takes
    std::string cookie, csrf;
};

class Lab {
  public:
    Lab() {
        const char* dir = std::getenv("DFLAB_FUZZ_PORTAL_LAB");
        if (!dir || !*dir)
            give_up("set DFLAB_FUZZ_PORTAL_LAB to a lab made by tests/portal/make_lab.sh");
        const fs::path source(dir);
        // The harness writes submissions: to a copy, never to the lab it was given.
        const fs::path record = dflab::fuzz::InputFolder::get().path() / "lab.sqlite";
        fs::copy_file(source / "lab.sqlite", record, fs::copy_options::overwrite_existing);
        bundle_ = fs::weakly_canonical(source / "bundle");
        const std::string password = read_line(source / "password");
        portal_.emplace(dflab::portal::PortalConfig{{{record, bundle_}}, password, false});
        participant_.login_body = nlohmann::json{{"code", first_code(source / "codes.csv")}}.dump();
        instructor_.login_body = nlohmann::json{{"password", password}, {"name", "Dana"}}.dump();
        log_in(participant_, true);
        log_in(instructor_, true);
    }

    dflab::portal::Portal& portal() { return *portal_; }
    const fs::path& bundle() const { return bundle_; }
    Identity* identity(uint8_t choice) {
        switch (choice % 3) {
            case 1:
                return &participant_;
            case 2:
                return &instructor_;
            default:
                return nullptr;
        }
    }

    // A fresh session, as a browser logs in again (the per-session rate limit ends one). Inputs
    // post wrong passwords and codes too, and the lab lives across inputs: the login limiter may
    // refuse (429), which is the portal doing its job. Unless the login is `required` (the first),
    // the identity then goes without a session until a later login passes.
    void log_in(Identity& who, bool required = false) {
        Request r;
        r.method = "POST";
        r.target = r.path = "/api/v1/login";
        r.headers = {{"content-type", "application/json"}};
        r.body = who.login_body;
        r.remote = "127.0.0.1";
        const Reply reply = portal_->handle(r);
        if (reply.status == 429 && !required) {
            who.cookie.clear();
            who.csrf.clear();
            return;
        }
        if (reply.status != 200) give_up("the lab's login failed: " + reply.body);
        who.csrf = nlohmann::json::parse(reply.body).value("csrf", "");
        for (const auto& [name, value] : reply.headers)
            if (name == "Set-Cookie" && value.starts_with("dflab_session="))
                who.cookie = value.substr(0, value.find(';'));
        if (who.cookie.empty() || who.csrf.empty()) give_up("the lab's login gave no session");
    }

  private:
    fs::path bundle_;
    std::optional<dflab::portal::Portal> portal_;
    Identity participant_, instructor_;
};

Lab& lab() {
    static Lab the_lab;
    return the_lab;
}

void check(const Reply& reply, const Lab& l) {
    if (reply.status < 100 || reply.status > 599)
        throw std::logic_error("reply status " + std::to_string(reply.status));
    if (reply.content_type.starts_with("application/json") && !reply.body.empty() &&
        !nlohmann::json::accept(reply.body))
        throw std::logic_error("a JSON reply that is not JSON");
    if (reply.file) {
        const fs::path served = fs::weakly_canonical(reply.file->path);
        const auto inside =
            std::mismatch(l.bundle().begin(), l.bundle().end(), served.begin(), served.end());
        if (inside.first != l.bundle().end())
            throw std::logic_error("served " + served.string() + ", outside the bundle");
    }
}

// One request from the front of `bytes` as the server reads it; nothing when the server would
// answer 400/413/431 or wait for more. `used` is how many bytes it took.
std::optional<Request> next_request(std::string_view bytes, size_t& used) {
    http::request_parser<http::string_body> parser;
    parser.eager(false);  // the header first, as the server's async_read_header
    parser.header_limit(static_cast<uint32_t>(kHeaderLimit));
    parser.body_limit(boost::none);
    boost::system::error_code ec;
    used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
    if (ec || !parser.is_header_done()) return std::nullopt;
    parser.eager(true);
    Request request;
    if (!dflab::portal::detail::read_target(parser.get().target(), request)) return std::nullopt;
    const size_t limit = dflab::portal::Portal::body_limit(request.path);
    if (const auto length = parser.content_length(); length && *length > limit) return std::nullopt;
    parser.body_limit(limit);
    while (!parser.is_done() && used < bytes.size()) {
        const size_t n =
            parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
        used += n;
        if (ec && ec != http::error::need_more) return std::nullopt;
        if (n == 0) break;
    }
    if (!parser.is_done()) {
        parser.put_eof(ec);  // the client closed: a body read to the end of the connection
        if (ec || !parser.is_done()) return std::nullopt;
    }
    dflab::portal::detail::take_message(parser.release(), request);
    request.remote = "10.0.0.7";
    return request;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    Lab& l = lab();
    Identity* who = l.identity(data[0]);
    std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
    for (int i = 0; i < kMostRequests && !rest.empty(); ++i) {
        size_t used = 0;
        std::optional<Request> request = next_request(rest, used);
        if (!request) break;
        rest.remove_prefix(std::min(used, rest.size()));
        if (who) {
            // First, so that the session is the one the portal reads; the input may add more.
            request->headers.insert(request->headers.begin(),
                                    {{"cookie", who->cookie}, {"x-csrf-token", who->csrf}});
        }
        dflab::fuzz::handled([&] {
            const Reply reply = l.portal().handle(*request);
            check(reply, l);
            // A logout or the per-session rate limit ends the session; a browser logs in again.
            if ((reply.status == 401 || reply.status == 429) && who) l.log_in(*who);
        });
        if (used == 0) break;
    }
    return 0;
}
