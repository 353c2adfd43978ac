// The portal's HTTP server, driven by independent clients: curl (ranges, resumes, limits, TLS,
// event streams) and python3 (http.client on one connection, raw sockets, e-mail header decoding),
// with sha256sum, tail and openssl as oracles.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <sstream>
#include <thread>

#include "portal/http_server.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab::portal {
namespace {

namespace fs = std::filesystem;
using test::run;
using test::shell_quote;

const std::string kEtag = "\"sha256-0123abcd\"";

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

template <typename F>
bool wait_until(F condition, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (condition()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return condition();
}

std::string sha256_of(const std::string& path) {
    return run("sha256sum " + shell_quote(path) + " | cut -c1-64").out;
}

// A file of pseudo-random bytes, not a multiple of the server's chunk size.
void write_random_file(const std::string& path, size_t size) {
    std::mt19937_64 random(42);
    std::string data(size, '\0');
    for (auto& c : data) c = static_cast<char>(random() & 0xff);
    std::ofstream(path, std::ios::binary) << data;
}

struct CurlResult {
    int exit_code = -1;
    int status = 0;
    std::map<std::string, std::string> headers;  // lower-case names, of the final reply
    std::string body, err;
};

// curl with `args`, the headers and body captured in files.
CurlResult curl(const std::string& args) {
    const std::string dir = test::temp_dir();
    const auto r = run("curl -sS --max-time 60 -D " + shell_quote(dir + "/h") + " -o " +
                       shell_quote(dir + "/b") + " " + args);
    CurlResult out;
    out.exit_code = r.exit_code;
    out.err = r.err;
    out.body = slurp(dir + "/b");
    std::istringstream in(slurp(dir + "/h"));
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.rfind("HTTP/", 0) == 0) {  // a new reply (after 100 Continue, say)
            out.headers.clear();
            out.status = std::stoi(line.substr(line.find(' ') + 1, 3));
            out.headers[":status-line"] = line;
            continue;
        }
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string name = line.substr(0, colon);
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        out.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
    }
    fs::remove_all(dir);
    return out;
}

std::future<test::CommandResult> in_background(const std::string& command) {
    return std::async(std::launch::async, [command] { return run(command); });
}

class TestServer {
  public:
    explicit TestServer(ServerConfig config = {}) : dir_(test::temp_dir()) {
        config.address = "127.0.0.1";
        config.port = 0;
        config.access_log = &log_;
        if (!config.body_limit)
            config.body_limit = [](std::string_view path) -> size_t {
                return path == "/small" ? 1000 : 1024 * 1024;
            };
        tls_ = config.tls_certificate.has_value();
        server_ =
            std::make_unique<HttpServer>(config, [this](const Request& r) { return handle(r); });
        thread_ = std::thread([this] { server_->run(false); });
    }
    ~TestServer() {
        stop();
        fs::remove_all(dir_);
    }

    void stop() {
        server_->stop();
        if (thread_.joinable()) thread_.join();
    }
    std::string url(const std::string& path) const {
        return shell_quote((tls_ ? "https://127.0.0.1:" : "http://127.0.0.1:") +
                           std::to_string(server_->port()) + path);
    }
    std::string file(const std::string& name) const { return dir_ + "/" + name; }
    HttpServer& server() { return *server_; }
    EventChannel& channel() { return *channel_; }
    std::string access_log() const { return log_.str(); }  // after stop()
    std::atomic<bool> slow_entered{false};

  private:
    Reply handle(const Request& r) {
        Reply reply;
        if (r.path == "/hello") {
            reply.body = "hello";
            reply.log_user = "alice";
        } else if (r.path.rfind("/echo", 0) == 0) {
            reply.body = "method=" + r.method + "\npath=" + r.path + "\n";
            for (const auto& [name, value] : r.query)
                reply.body += "q:" + name + "=" + value + "\n";
            reply.body += "cookie=" + r.cookie("session") + "\nx-test=" + r.header("x-test") +
                          "\nbody=" + std::to_string(r.body.size()) + "\nremote=" + r.remote + "\n";
        } else if (r.path == "/small" || r.path == "/upload") {
            reply.body = "got " + std::to_string(r.body.size());
        } else if (r.path.rfind("/file/", 0) == 0) {
            const std::string path = file(r.path.substr(6));
            std::error_code ec;
            const auto size = fs::file_size(path, ec);
            FileReply f;
            f.path = path;
            f.size = ec ? 0 : size + (r.query_value("lie") == "1" ? 1 : 0);
            f.download_name =
                r.query_value("name").empty() ? r.path.substr(6) : r.query_value("name");
            f.etag = kEtag;
            reply.file = f;
        } else if (r.path == "/events") {
            reply.events = channel_;
        } else if (r.path == "/throw") {
            throw std::runtime_error("secret detail of the failure");
        } else if (r.path == "/slow") {
            slow_entered = true;
            std::this_thread::sleep_for(std::chrono::seconds(1));
            reply.body = "slow done";
        } else if (r.path == "/cached") {
            reply.headers.emplace_back("Cache-Control", "max-age=60");
            reply.body = "cached";
        } else {
            reply.status = 404;
            reply.body = "not here";
        }
        return reply;
    }

    std::string dir_;
    std::ostringstream log_;
    bool tls_ = false;
    std::shared_ptr<EventChannel> channel_ = make_event_channel();
    std::unique_ptr<HttpServer> server_;
    std::thread thread_;
};

constexpr size_t kFileSize = 3 * 1024 * 1024 + 12345;

TEST(PortalHttp, RepliesCarrySecurityHeaders) {
    TestServer s;
    auto r = curl(s.url("/hello"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "hello");
    EXPECT_EQ(r.headers["content-type"], "text/plain; charset=utf-8");
    EXPECT_EQ(r.headers["content-security-policy"],
              "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
              "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
    EXPECT_EQ(r.headers["x-content-type-options"], "nosniff");
    EXPECT_EQ(r.headers["x-frame-options"], "DENY");
    EXPECT_EQ(r.headers["referrer-policy"], "no-referrer");
    EXPECT_EQ(r.headers["cache-control"], "no-store");
    auto cached = curl(s.url("/cached"));
    EXPECT_EQ(cached.headers["cache-control"], "max-age=60");
    auto missing = curl(s.url("/nothing"));
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(missing.headers["x-frame-options"], "DENY");
}

TEST(PortalHttp, HeadRepliesHaveNoBodyAndKeepTheConnectionUsable) {
    TestServer s;
    write_random_file(s.file("data.bin"), kFileSize);
    // python's http.client on one connection: a body after a HEAD reply would corrupt the next.
    const std::string script =
        "import http.client,sys\n"
        "c=http.client.HTTPConnection('127.0.0.1'," +
        std::to_string(s.server().port()) +
        ")\n"
        "c.request('HEAD','/hello'); r=c.getresponse(); b=r.read()\n"
        "print(r.status, r.getheader('Content-Length'), len(b))\n"
        "c.request('HEAD','/file/data.bin'); r=c.getresponse(); b=r.read()\n"
        "print(r.status, r.getheader('Content-Length'), len(b), r.getheader('Accept-Ranges'))\n"
        "c.request('GET','/hello'); r=c.getresponse(); print(r.status, r.read().decode())\n";
    auto r = run("python3 -c " + shell_quote(script));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "200 5 0\n200 " + std::to_string(kFileSize) + " 0 bytes\n200 hello\n");
}

TEST(PortalHttp, FileRangesReassembleToTheSameFile) {
    TestServer s;
    write_random_file(s.file("data.bin"), kFileSize);
    const std::string expected = sha256_of(s.file("data.bin"));
    const std::string dir = test::temp_dir();

    auto whole = curl(s.url("/file/data.bin"));
    ASSERT_EQ(whole.status, 200);
    EXPECT_EQ(whole.headers["accept-ranges"], "bytes");
    EXPECT_EQ(whole.headers["etag"], kEtag);
    EXPECT_EQ(whole.headers["content-length"], std::to_string(kFileSize));
    EXPECT_EQ(whole.headers["content-type"], "application/octet-stream");
    std::ofstream(dir + "/whole", std::ios::binary) << whole.body;
    EXPECT_EQ(sha256_of(dir + "/whole"), expected);

    // Pieces of 1 000 000 bytes, the last one as an open range.
    std::string parts;
    for (uint64_t first = 0; first < kFileSize; first += 1000000) {
        const uint64_t last = first + 999999;
        const std::string range = last >= kFileSize
                                      ? std::to_string(first) + "-"
                                      : std::to_string(first) + "-" + std::to_string(last);
        auto piece = curl("-r " + range + " " + s.url("/file/data.bin"));
        ASSERT_EQ(piece.status, 206) << range;
        const uint64_t end = std::min<uint64_t>(last, kFileSize - 1);
        EXPECT_EQ(piece.headers["content-range"], "bytes " + std::to_string(first) + "-" +
                                                      std::to_string(end) + "/" +
                                                      std::to_string(kFileSize));
        EXPECT_EQ(piece.body.size(), end - first + 1);
        parts += piece.body;
    }
    std::ofstream(dir + "/joined", std::ios::binary) << parts;
    EXPECT_EQ(sha256_of(dir + "/joined"), expected);

    // curl resuming a partial download (-C -) ends with the same file.
    ASSERT_EQ(run("curl -sS -r 0-1234566 -o " + shell_quote(dir + "/resumed") + " " +
                  s.url("/file/data.bin"))
                  .exit_code,
              0);
    auto resumed =
        run("curl -sS -C - -o " + shell_quote(dir + "/resumed") + " " + s.url("/file/data.bin"));
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    EXPECT_EQ(sha256_of(dir + "/resumed"), expected);
    fs::remove_all(dir);
}

TEST(PortalHttp, RangeEdgeCases) {
    TestServer s;
    const std::string path = s.file("data.bin");
    write_random_file(path, kFileSize);
    const std::string size = std::to_string(kFileSize);

    auto suffix = curl("-r -500 " + s.url("/file/data.bin"));
    ASSERT_EQ(suffix.status, 206);
    EXPECT_EQ(suffix.body, run("tail -c 500 " + shell_quote(path)).out);
    EXPECT_EQ(suffix.headers["content-range"], "bytes " + std::to_string(kFileSize - 500) + "-" +
                                                   std::to_string(kFileSize - 1) + "/" + size);

    auto clamped = curl("-r 10-99999999 " + s.url("/file/data.bin"));
    EXPECT_EQ(clamped.status, 206);
    EXPECT_EQ(clamped.body.size(), kFileSize - 10);

    auto outside = curl("-r " + size + "- " + s.url("/file/data.bin"));
    EXPECT_EQ(outside.status, 416);
    EXPECT_EQ(outside.headers["content-range"], "bytes */" + size);
    EXPECT_TRUE(outside.body.empty());

    auto matching =
        curl("-r 0-9 -H " + shell_quote("If-Range: " + kEtag) + " " + s.url("/file/data.bin"));
    EXPECT_EQ(matching.status, 206);
    EXPECT_EQ(matching.body.size(), 10u);
    auto stale = curl("-r 0-9 -H 'If-Range: \"sha256-other\"' " + s.url("/file/data.bin"));
    EXPECT_EQ(stale.status, 200);
    EXPECT_EQ(stale.body.size(), kFileSize);

    // Several ranges are answered with the whole file (documented in byte_range.hpp).
    auto several = curl("-r 0-9,20-29 " + s.url("/file/data.bin"));
    EXPECT_EQ(several.status, 200);
    EXPECT_EQ(several.body.size(), kFileSize);
    auto nonsense = curl("-H 'Range: bytes=abc' " + s.url("/file/data.bin"));
    EXPECT_EQ(nonsense.status, 200);

    auto head = curl("-I -r 100-199 " + s.url("/file/data.bin"));
    EXPECT_EQ(head.status, 206);
    EXPECT_EQ(head.headers["content-length"], "100");
}

TEST(PortalHttp, DownloadNamesAndRefusedFiles) {
    TestServer s;
    write_random_file(s.file("data.bin"), 1000);
    fs::create_symlink(s.file("data.bin"), s.file("link.bin"));
    const std::string name = "évidence \"1\"; сосуд.E01";
    auto r =
        curl("-G --data-urlencode " + shell_quote("name=" + name) + " " + s.url("/file/data.bin"));
    ASSERT_EQ(r.status, 200);
    // python's e-mail package decodes the RFC 2231/5987 parameter independently; the plain
    // filename is an ASCII fallback for old clients.
    const std::string script =
        "import email.utils,re,sys,urllib.parse\nv=sys.argv[1]\n"
        "print(v.split(';')[0]); print(re.search(r'filename=\"([ -~]*)\"',v) is not None)\n"
        "p=email.utils.decode_rfc2231(re.search(r'filename\\*=([^;\\s]+)',v).group(1))\n"
        "t=urllib.parse.unquote(p[2],encoding=p[0],errors='strict')\n"
        "sys.stdout.buffer.write(t.encode())\n";
    auto decoded = run("python3 -c " + shell_quote(script) + " " +
                       shell_quote(r.headers["content-disposition"]));
    EXPECT_EQ(decoded.out, "attachment\nTrue\n" + name) << r.headers["content-disposition"];

    EXPECT_EQ(curl(s.url("/file/link.bin")).status, 404);        // O_NOFOLLOW
    EXPECT_EQ(curl(s.url("/file/missing.bin")).status, 404);     // gone since
    EXPECT_EQ(curl(s.url("/file/data.bin?lie=1")).status, 500);  // size changed
}

TEST(PortalHttp, BodyLimits) {
    TestServer s;
    const std::string dir = test::temp_dir();
    write_random_file(dir + "/2m", 2 * 1024 * 1024);
    write_random_file(dir + "/2k", 2000);
    write_random_file(dir + "/500", 500);
    auto big = curl("--data-binary @" + shell_quote(dir + "/2m") + " " + s.url("/upload"));
    EXPECT_EQ(big.exit_code, 0) << big.err;
    EXPECT_EQ(big.status, 413);
    EXPECT_EQ(nlohmann::json::parse(big.body, nullptr, false).value("error", ""), "too_large");
    auto small_ok = curl("--data-binary @" + shell_quote(dir + "/500") + " " + s.url("/small"));
    EXPECT_EQ(small_ok.status, 200);
    EXPECT_EQ(small_ok.body, "got 500");
    EXPECT_EQ(curl("--data-binary @" + shell_quote(dir + "/2k") + " " + s.url("/small")).status,
              413);
    auto chunked = curl("-H 'Transfer-Encoding: chunked' --data-binary @" +
                        shell_quote(dir + "/2k") + " " + s.url("/small"));
    EXPECT_EQ(chunked.status, 413);
    // python sends the whole body before it reads the reply: the 413 must survive that.
    const std::string script =
        "import http.client\nc=http.client.HTTPConnection('127.0.0.1'," +
        std::to_string(s.server().port()) +
        ")\nc.request('POST','/upload',body=b'x'*1500000)\nprint(c.getresponse().status)\n";
    auto py = run("python3 -c " + shell_quote(script));
    EXPECT_EQ(py.out, "413\n") << py.err;
    fs::remove_all(dir);
}

TEST(PortalHttp, HugeHeadersAre431) {
    TestServer s;
    auto r = curl("-H " + shell_quote("X-Big: " + std::string(20000, 'a')) + " " + s.url("/hello"));
    EXPECT_EQ(r.status, 431);
    EXPECT_EQ(curl("-H " + shell_quote("X-Big: " + std::string(8000, 'a')) + " " + s.url("/hello"))
                  .status,
              200);
}

TEST(PortalHttp, TargetsAreDecodedOrRefused) {
    TestServer s;
    auto r = curl("--path-as-is -b 'a=1; session=xyz' -H 'X-Test: Value' " +
                  s.url("/echo/d%C3%A9j%C3%A0/../x?q=a+b&x=%26&empty&z=%2B"));
    ASSERT_EQ(r.status, 200) << r.err;
    EXPECT_EQ(r.body,
              "method=GET\npath=/echo/déjà/../x\nq:q=a b\nq:x=&\nq:empty=\nq:z=+\n"
              "cookie=xyz\nx-test=Value\nbody=0\nremote=127.0.0.1\n");
    for (const std::string bad :
         {"/echo/%zz", "/echo/%00", "/echo/%ff", "/echo/%e", "/echo?q=%c3%28"}) {
        EXPECT_EQ(curl("--path-as-is " + s.url(bad)).status, 400) << bad;
    }
}

TEST(PortalHttp, HandlerExceptionsAre500) {
    TestServer s;
    testing::internal::CaptureStderr();
    auto r = curl(s.url("/throw"));
    const std::string err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(r.status, 500);
    EXPECT_EQ(r.body.find("secret"), std::string::npos);
    EXPECT_EQ(nlohmann::json::parse(r.body, nullptr, false).value("error", ""), "internal");
    EXPECT_NE(err.find("secret detail of the failure"), std::string::npos);
    EXPECT_EQ(curl(s.url("/hello")).status, 200);
}

TEST(PortalHttp, KeepAliveAndHttp10) {
    TestServer s;
    auto twice =
        run("curl -sS -v -o /dev/null -o /dev/null " + s.url("/hello") + " " + s.url("/hello"));
    EXPECT_NE(twice.err.find("Re-using existing connection"), std::string::npos) << twice.err;
    auto old = curl("-0 " + s.url("/hello"));
    EXPECT_EQ(old.headers[":status-line"].rfind("HTTP/1.0 200", 0), 0u);
    EXPECT_EQ(old.body, "hello");
}

TEST(PortalHttp, BusyDownloadsAndStopDuringADownload) {
    ServerConfig config;
    config.max_downloads = 1;
    config.retry_after_seconds = 7;
    TestServer s(config);
    { std::ofstream(s.file("big.bin")); }
    fs::resize_file(s.file("big.bin"), 512ull << 20);  // sparse
    auto first = in_background("curl -sS --limit-rate 1M -o /dev/null " + s.url("/file/big.bin"));
    ASSERT_TRUE(wait_until([&] { return s.server().active_downloads() == 1; }));
    auto busy = curl(s.url("/file/big.bin"));
    EXPECT_EQ(busy.status, 503);
    EXPECT_EQ(busy.headers["retry-after"], "7");
    EXPECT_EQ(nlohmann::json::parse(busy.body, nullptr, false).value("error", ""), "busy");
    EXPECT_EQ(curl("-I " + s.url("/file/big.bin")).status, 200);  // HEAD takes no slot
    EXPECT_EQ(s.server().active_downloads(), 1u);

    const auto start = std::chrono::steady_clock::now();
    s.stop();
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
    EXPECT_NE(first.get().exit_code, 0);  // cut short
    EXPECT_EQ(s.server().active_downloads(), 0u);
    const auto log = s.access_log();
    EXPECT_NE(log.find("\"GET /file/big.bin HTTP/1.1\" 503 "), std::string::npos) << log;
    EXPECT_NE(log.find("\"GET /file/big.bin HTTP/1.1\" 200 "), std::string::npos) << log;
}

TEST(PortalHttp, ManyDownloadsKeepMemoryFlat) {
    auto rss = [] {
        std::ifstream in("/proc/self/status");
        std::string line;
        while (std::getline(in, line))
            if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6)) * 1024;
        return 0L;
    };
    TestServer s;
    { std::ofstream(s.file("big.bin")); }
    fs::resize_file(s.file("big.bin"), 4ull << 30);  // sparse, 4 GiB
    const long before = rss();
    auto all = in_background(
        "for i in $(seq 50); do curl -s --max-time 4 --limit-rate 2M -o "
        "/dev/null " +
        s.url("/file/big.bin") + " & done; wait");
    ASSERT_TRUE(wait_until([&] { return s.server().active_downloads() == 50; }));
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const long during = rss();
    all.get();
    EXPECT_LT(during - before, 200L << 20) << "RSS grew from " << before << " to " << during;
    EXPECT_TRUE(wait_until([&] { return s.server().active_downloads() == 0; }));
}

TEST(PortalHttp, EventStreams) {
    ServerConfig config;
    config.event_heartbeat = std::chrono::seconds(1);
    TestServer s(config);
    const std::string dir = test::temp_dir();
    auto stream = in_background("curl -sN --max-time 3 -D " + shell_quote(dir + "/h") + " -o " +
                                shell_quote(dir + "/out") + " " + s.url("/events"));
    ASSERT_TRUE(wait_until([&] { return s.channel().subscribers() == 1; }));
    s.channel().publish("change", R"({"lab":"intro"})");
    s.channel().publish("note", "line one\nline two");
    stream.get();
    const std::string out = slurp(dir + "/out"), headers = slurp(dir + "/h");
    EXPECT_EQ(out.rfind(": hello\n\n", 0), 0u) << out;
    EXPECT_NE(out.find("event: change\ndata: {\"lab\":\"intro\"}\n\n"), std::string::npos) << out;
    EXPECT_NE(out.find("event: note\ndata: line one\ndata: line two\n\n"), std::string::npos);
    EXPECT_NE(out.find(": heartbeat\n\n"), std::string::npos) << out;
    EXPECT_NE(headers.find("Content-Type: text/event-stream"), std::string::npos) << headers;
    EXPECT_NE(headers.find("Cache-Control: no-store"), std::string::npos);
    EXPECT_NE(headers.find("X-Accel-Buffering: no"), std::string::npos);
    EXPECT_TRUE(wait_until([&] { return s.channel().subscribers() == 0; }));
    fs::remove_all(dir);
}

TEST(PortalHttp, SlowSubscribersAreDropped) {
    TestServer s;
    // A client that asks for the stream, reads nothing for 3 s, then reads until the end.
    const std::string script =
        "import socket,time\ns=socket.socket()\n"
        "s.setsockopt(socket.SOL_SOCKET,socket.SO_RCVBUF,4096)\n"
        "s.connect(('127.0.0.1'," +
        std::to_string(s.server().port()) +
        "))\n"
        "s.sendall(b'GET /events HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n')\ntime.sleep(3)\n"
        "while s.recv(65536): pass\n";
    auto client = in_background("timeout 30 python3 -c " + shell_quote(script));
    ASSERT_TRUE(wait_until([&] { return s.channel().subscribers() == 1; }));
    const std::string data(64 * 1024, 'x');
    for (int i = 0; i < 1000 && s.channel().subscribers() > 0; ++i) s.channel().publish("e", data);
    EXPECT_TRUE(wait_until([&] { return s.channel().subscribers() == 0; }));
    EXPECT_EQ(client.get().exit_code, 0);  // the server closed the stream
}

TEST(PortalHttp, AccessLogLinesAreCombinedLogFormat) {
    TestServer s;
    write_random_file(s.file("data.bin"), 1000);
    curl("-A 'evil\"agent' -e 'http://ref/' " + s.url("/hello"));
    curl(s.url("/nothing"));
    curl("-r 0-99 " + s.url("/file/data.bin"));
    curl("-I " + s.url("/hello"));
    s.stop();
    const auto lines = test::lines(s.access_log());
    ASSERT_EQ(lines.size(), 4u) << s.access_log();
    const std::regex clf(
        R"re(^(\S+) (\S+) (\S+) \[(\d{2})/([A-Z][a-z]{2})/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-]\d{4})\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-) "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"$)re");
    std::vector<std::smatch> m(lines.size());
    for (size_t i = 0; i < lines.size(); ++i)
        ASSERT_TRUE(std::regex_match(lines[i], m[i], clf)) << lines[i];
    EXPECT_EQ(m[0][1], "127.0.0.1");
    EXPECT_EQ(m[0][3], "alice");
    EXPECT_EQ(m[0][11], "GET /hello HTTP/1.1");
    EXPECT_EQ(m[0][12], "200");
    EXPECT_EQ(m[0][13], "5");
    EXPECT_EQ(m[0][14], "http://ref/");
    EXPECT_EQ(m[0][15], "evil\\\"agent");
    EXPECT_EQ(m[1][3], "-");
    EXPECT_EQ(m[1][12], "404");
    EXPECT_EQ(m[2][12], "206");
    EXPECT_EQ(m[2][13], "100");
    EXPECT_EQ(m[3][11], "HEAD /hello HTTP/1.1");
    EXPECT_EQ(m[3][13], "-");
}

TEST(PortalHttp, StopLetsARunningHandlerFinish) {
    TestServer s;
    auto slow = in_background("curl -sS " + s.url("/slow"));
    ASSERT_TRUE(wait_until([&] { return s.slow_entered.load(); }));
    s.stop();
    const auto r = slow.get();
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "slow done");
    EXPECT_NE(curl(s.url("/hello")).exit_code, 0);  // no longer listening
}

TEST(PortalHttp, StopIsIdempotentAndThreadSafe) {
    TestServer s;
    std::vector<std::thread> stoppers;
    for (int i = 0; i < 4; ++i) stoppers.emplace_back([&] { s.server().stop(); });
    for (auto& t : stoppers) t.join();
    s.stop();
    ServerConfig config;
    config.port = 0;
    HttpServer never_run(config, [](const Request&) { return Reply{}; });
    never_run.stop();  // and its destructor, without run()
}

TEST(PortalHttp, Tls) {
    const std::string dir = test::temp_dir();
    auto made =
        run("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -keyout " +
            shell_quote(dir + "/key.pem") + " -out " + shell_quote(dir + "/cert.pem"));
    ASSERT_EQ(made.exit_code, 0) << made.err;
    ServerConfig config;
    config.tls_certificate = dir + "/cert.pem";
    config.tls_private_key = dir + "/key.pem";
    TestServer s(config);
    auto r = curl("-k " + s.url("/hello"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.body, "hello");
    EXPECT_EQ(r.headers["x-content-type-options"], "nosniff");
    write_random_file(s.file("data.bin"), kFileSize);
    auto range = curl("-k -r 1000-2000999 " + s.url("/file/data.bin"));
    EXPECT_EQ(range.status, 206);
    std::ofstream(dir + "/part", std::ios::binary) << range.body;
    EXPECT_EQ(sha256_of(dir + "/part"), run("tail -c +1001 " + shell_quote(s.file("data.bin")) +
                                            " | head -c 2000000 | sha256sum | cut -c1-64")
                                            .out);
    // Without -k the self-signed certificate is refused: it really is TLS with that certificate.
    EXPECT_NE(curl(s.url("/hello")).exit_code, 0);
    fs::remove_all(dir);
}

TEST(PortalHttp, ConstructorErrors) {
    TestServer s;
    const std::string port = std::to_string(s.server().port());
    auto handler = [](const Request&) { return Reply{}; };
    ServerConfig taken;
    taken.port = s.server().port();
    EXPECT_EQ(test::error_of([&] {
                  HttpServer x(taken, handler);
              }).rfind("127.0.0.1:" + port + ": cannot listen: ", 0),
              0u);
    ServerConfig bad_address;
    bad_address.address = "not-an-address";
    bad_address.port = 0;
    EXPECT_EQ(test::error_of([&] {
                  HttpServer x(bad_address, handler);
              }).rfind("not-an-address:0: cannot listen: ", 0),
              0u);
    ServerConfig bad_tls;
    bad_tls.port = 0;
    bad_tls.tls_certificate = "/nonexistent/cert.pem";
    bad_tls.tls_private_key = "/nonexistent/key.pem";
    EXPECT_NE(test::error_of([&] { HttpServer x(bad_tls, handler); }).find("/nonexistent/cert.pem"),
              std::string::npos);
}

}  // namespace
}  // namespace dflab::portal
