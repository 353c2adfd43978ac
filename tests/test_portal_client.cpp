// The portal's API client (portal/api_client.hpp) and `dflab submit`, against a stand-in portal:
// a python3 http.server stub (below) that answers a few routes of docs/portal-api.md and logs what
// it receives, so that what dflab sends is read back by Python's HTTP parser. TLS certificates
// come from the openssl command. Independent of the real server (tests/test_portal_api.cpp).
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <thread>

#include "engine/error.hpp"
#include "portal/api_client.hpp"
#include "tests/support/fixtures.hpp"

namespace {

namespace fs = std::filesystem;
using namespace dflab::test;
using dflab::portal::ApiClient;
using dflab::portal::ClientOptions;
using nlohmann::json;

const char* const kStub =
    R"py("""A stand-in for `dflab serve` speaking a few routes of the portal's JSON API (docs/portal-api.md),
for tests of dflab's API client and `dflab submit`. It logs every request it receives (method,
path, headers, body) as one JSON line, so tests check what the client sent with Python's own
HTTP parser rather than with dflab's.

    python3 stub_portal.py PORT_FILE LOG_FILE [CERT KEY]
"""
import http.server
import json
import os
import ssl
import sys
import threading
import time

PORT_FILE, LOG_FILE = sys.argv[1], sys.argv[2]
LOCK = threading.Lock()

# Access code -> (session token, CSRF token, labs)
ACCOUNTS = {
    "GOOD-CODE": ("tok-one", "csrf-one", ["intro"]),
    "TWO-LABS": ("tok-two", "csrf-two", ["intro", "web"]),
}
QUESTIONS = [{"id": "image-sha256", "type": "hash"}, {"id": "files", "type": "set"},
             {"id": "done", "type": "text"}, {"id": "html", "type": "text"},
             {"id": "big", "type": "text"}, {"id": "moved", "type": "text"}]


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body, content_type="application/json", headers=()):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, code, message):
        self.reply(status, {"error": code, "message": message})

    def account(self):
        cookies = self.headers.get("Cookie", "")
        for code, (token, csrf, labs) in ACCOUNTS.items():
            if "dflab_session=" + token in [c.strip() for c in cookies.split(";")]:
                return token, csrf, labs
        return None

    def handle_any(self, method):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode() if length else ""
        with LOCK, open(LOG_FILE, "a") as log:
            log.write(json.dumps({"method": method, "path": self.path,
                                  "headers": {k.lower(): v for k, v in self.headers.items()},
                                  "body": body}) + "\n")
        path = self.path
        if method == "POST" and path == "/api/v1/login":
            code = json.loads(body).get("code", "")
            if code == "SLOW":
                time.sleep(5)
            if code == "HTML":
                return self.reply(200, b"<html>welcome</html>", "text/html")
            if code not in ACCOUNTS:
                return self.error(401, "bad_credentials", "wrong access code")
            token, csrf, _ = ACCOUNTS[code]
            return self.reply(200, {"role": "participant", "csrf": csrf,
                                    "participant": {"id": "p001", "name": "A", "team": ""}},
                              headers=[("Set-Cookie",
                                        "dflab_session=" + token +
                                        "; HttpOnly; SameSite=Strict; Path=/")])
        session = self.account()
        if session is None:
            return self.error(401, "not_logged_in", "log in first")
        token, csrf, labs = session
        if method == "POST" and self.headers.get("X-CSRF-Token") != csrf:
            return self.error(403, "csrf", "no CSRF token")
        if method == "POST" and path == "/api/v1/logout":
            self.send_response(204)
            self.end_headers()
            return None
        if method == "GET" and path == "/api/v1/labs":
            return self.reply(200, [{"lab": lab, "variant": 1} for lab in labs])
        parts = path.split("/")
        if len(parts) < 5 or parts[4] not in labs:
            return self.error(404, "not_found", "no such lab")
        if method == "GET" and len(parts) == 5:
            return self.reply(200, {"lab": parts[4], "questions": QUESTIONS})
        if method == "POST" and len(parts) == 8 and parts[7] == "submissions":
            question = parts[6]
            value = json.loads(body)["value"]
            if question == "done":
                return self.error(409, "refused", "already solved")
            if question == "html":
                return self.reply(200, b"<html>oops</html>", "text/html")
            if question == "big":
                return self.reply(200, b"[" + b"0," * (1 << 20) + b"0]")
            if question == "moved":
                return self.reply(302, b"", "text/plain",
                                  headers=[("Location", "http://elsewhere.example/")])
            right = value == "right"
            return self.reply(200, {"question": question, "stored": True, "submission": 18,
                                    "verdict": "correct" if right else "incorrect",
                                    "points": 10 if right else 0, "max_points": 10,
                                    "attempts": 2, "max_attempts": 3,
                                    "normalised": json.dumps(value), "feedback": "noted"})
        return self.error(404, "not_found", "no such path")

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
if len(sys.argv) > 4:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[3], sys.argv[4])
    server.socket = context.wrap_socket(server.socket, server_side=True)
with open(PORT_FILE + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(PORT_FILE + ".tmp", PORT_FILE)
server.serve_forever()
)py";

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// A self-signed certificate for `names` (subjectAltName entries), made by openssl.
struct Certificate {
    std::string cert, key;
};
Certificate make_certificate(const std::string& names) {
    std::string dir = temp_dir();
    Certificate c{dir + "/cert.pem", dir + "/key.pem"};
    auto r =
        run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
            "-subj /CN=dflab-test -addext " +
            shell_quote("subjectAltName=" + names) + " -keyout " + shell_quote(c.key) + " -out " +
            shell_quote(c.cert));
    if (r.exit_code != 0) throw std::runtime_error("openssl req failed: " + r.err);
    return c;
}

// The stub portal, on a free port, stopped (by its process id) when the test ends.
class Stub {
  public:
    explicit Stub(const Certificate* tls = nullptr) : dir_(temp_dir()) {
        std::ofstream(dir_ + "/stub.py") << kStub;
        std::string args = shell_quote(dir_ + "/port") + " " + shell_quote(dir_ + "/log");
        if (tls) args += " " + shell_quote(tls->cert) + " " + shell_quote(tls->key);
        auto r = run("python3 " + shell_quote(dir_ + "/stub.py") + " " + args + " >" +
                     shell_quote(dir_ + "/stub.err") + " 2>&1 & echo $!");
        pid_ = std::stoi(r.out);
        for (int i = 0; i < 200 && !fs::exists(dir_ + "/port"); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (!fs::exists(dir_ + "/port"))
            throw std::runtime_error("the stub portal did not start: " + slurp(dir_ + "/stub.err"));
        port_ = slurp(dir_ + "/port");
        url_ = std::string(tls ? "https" : "http") + "://127.0.0.1:" + port_;
    }
    ~Stub() { ::kill(pid_, SIGTERM); }
    Stub(const Stub&) = delete;
    Stub& operator=(const Stub&) = delete;

    const std::string& url() const { return url_; }
    const std::string& port() const { return port_; }
    // Every request the stub received, in order.
    std::vector<json> requests() const {
        std::vector<json> out;
        for (auto& line : lines(slurp(dir_ + "/log")))
            if (!line.empty()) out.push_back(json::parse(line));
        return out;
    }
    // The last request of `method` whose path starts with `path_start`.
    std::optional<json> last(const std::string& method, const std::string& path_start) const {
        auto all = requests();
        for (auto it = all.rbegin(); it != all.rend(); ++it)
            if ((*it)["method"] == method &&
                (*it)["path"].get<std::string>().rfind(path_start, 0) == 0)
                return *it;
        return std::nullopt;
    }

  private:
    std::string dir_, url_, port_;
    int pid_ = 0;
};

CommandResult submit(const Stub& stub, const std::string& arguments) {
    return dflab::test::dflab("submit --server " + shell_quote(stub.url()) + " " + arguments);
}

size_t line_count(const std::string& s) {
    return lines(s).size();
}

}  // namespace

TEST(PortalClient, ServerAddressesAreReadLikePythonsUrllib) {
    for (std::string url : {"http://127.0.0.1:8080", "https://lab.local:8443/portal/",
                            "HTTPS://Lab-1.example", "http://[::1]:9000/a/b", "http://host"}) {
        auto parsed = dflab::portal::parse_server_url(url);
        auto py = run("python3 -c " +
                      shell_quote("import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); "
                                  "print(p.scheme, p.hostname, p.port or (443 if p.scheme == "
                                  "'https' else 80), p.path.rstrip('/') or '-')") +
                      " " + shell_quote(url));
        ASSERT_EQ(py.exit_code, 0) << py.err;
        std::string host = parsed.host;
        std::transform(host.begin(), host.end(), host.begin(), ::tolower);
        EXPECT_EQ(parsed.scheme + " " + host + " " + std::to_string(parsed.port) + " " +
                      (parsed.prefix.empty() ? "-" : parsed.prefix) + "\n",
                  py.out)
            << url;
    }
    for (std::string bad : {"ftp://host", "host:8080", "http://", "http://:80", "http://h:0",
                            "http://h:65536", "http://h:8o", "http://user@h", "http://h/?x=1",
                            "http://h/#top", "http://[::1", "http://[zz]:80", "http://h a"}) {
        std::string e = error_of([&] { dflab::portal::parse_server_url(bad); });
        EXPECT_EQ(e.rfind(bad + ": ", 0), 0u) << bad << " -> " << e;
        EXPECT_EQ(e.find('\n'), std::string::npos);
    }
}

TEST(PortalClient, LoginKeepsTheCookieAndSendsItWithTheCsrfToken) {
    Stub stub;
    ApiClient client(stub.url());
    auto login = client.login_with_code("GOOD-CODE");
    ASSERT_EQ(login.status, 200) << login.body;
    EXPECT_EQ(client.csrf_token(), "csrf-one");
    auto reply =
        client.post("/api/v1/labs/intro/questions/image-sha256/submissions", {{"value", "right"}});
    EXPECT_EQ(reply.status, 200);
    EXPECT_EQ(reply.json["verdict"], "correct");
    auto all = stub.requests();
    ASSERT_EQ(all.size(), 2u);
    const json& first = all[0];
    EXPECT_EQ(first["path"], "/api/v1/login");
    EXPECT_EQ(json::parse(first["body"].get<std::string>()), json({{"code", "GOOD-CODE"}}));
    EXPECT_FALSE(first["headers"].contains("cookie"));
    EXPECT_FALSE(first["headers"].contains("x-csrf-token"));
    EXPECT_EQ(first["headers"]["host"], "127.0.0.1:" + stub.port());
    const json& second = all[1];
    EXPECT_EQ(second["headers"]["cookie"], "dflab_session=tok-one");
    EXPECT_EQ(second["headers"]["x-csrf-token"], "csrf-one");
    EXPECT_EQ(second["headers"]["content-type"], "application/json");
    EXPECT_EQ(json::parse(second["body"].get<std::string>()), json({{"value", "right"}}));
}

TEST(PortalClient, SlowRedirectingOversizedAndUnreachableServersAreErrors) {
    Stub stub;
    ClientOptions quick;
    quick.timeout = std::chrono::milliseconds(700);
    ApiClient slow(stub.url(), quick);
    auto start = std::chrono::steady_clock::now();
    std::string e = error_of([&] { slow.login_with_code("SLOW"); });
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(e, stub.url() + "/api/v1/login: no reply within 0.7 s");
    EXPECT_LT(took, std::chrono::seconds(3));

    ApiClient client(stub.url());
    ASSERT_EQ(client.login_with_code("GOOD-CODE").status, 200);
    e = error_of([&] {
        client.post("/api/v1/labs/intro/questions/moved/submissions", {{"value", "x"}});
    });
    EXPECT_NE(e.find("redirects (302) to http://elsewhere.example/"), std::string::npos) << e;
    e = error_of([&] {
        client.post("/api/v1/labs/intro/questions/big/submissions", {{"value", "x"}});
    });
    EXPECT_NE(e.find("larger than 1 MiB"), std::string::npos) << e;
    EXPECT_EQ(stub.requests().size(), 4u);  // two logins, two submissions: nothing followed

    e = error_of([] { ApiClient("http://127.0.0.1:1").get("/api/v1/me"); });
    EXPECT_EQ(e.rfind("http://127.0.0.1:1/api/v1/me: cannot connect to 127.0.0.1:1 (", 0), 0u) << e;
    // An http:// client talking to a TLS server gets no HTTP reply.
    Certificate cert = make_certificate("IP:127.0.0.1");
    Stub tls(&cert);
    std::string plain = "http://127.0.0.1:" + tls.port();
    e = error_of([&] {
        ClientOptions o;
        o.timeout = std::chrono::milliseconds(2000);
        ApiClient(plain, o).get("/api/v1/me");
    });
    EXPECT_EQ(e.rfind(plain + "/api/v1/me: ", 0), 0u) << e;
}

TEST(PortalClient, TlsIsVerifiedUnlessInsecure) {
    Certificate cert = make_certificate("DNS:localhost,IP:127.0.0.1");
    Stub stub(&cert);
    std::string e = error_of([&] { ApiClient(stub.url()).login_with_code("GOOD-CODE"); });
    EXPECT_NE(e.find("not trusted"), std::string::npos) << e;
    EXPECT_NE(e.find("--insecure"), std::string::npos) << e;
    ClientOptions trusted;
    trusted.ca_file = cert.cert;
    EXPECT_EQ(ApiClient(stub.url(), trusted).login_with_code("GOOD-CODE").status, 200);
    EXPECT_EQ(
        ApiClient("https://localhost:" + stub.port(), trusted).login_with_code("GOOD-CODE").status,
        200);
    ClientOptions insecure;
    insecure.insecure = true;
    EXPECT_EQ(ApiClient(stub.url(), insecure).login_with_code("GOOD-CODE").status, 200);
    // A trusted certificate for another name is still refused.
    Certificate other = make_certificate("DNS:other.example");
    Stub elsewhere(&other);
    ClientOptions wrong_name;
    wrong_name.ca_file = other.cert;
    e = error_of([&] { ApiClient(elsewhere.url(), wrong_name).login_with_code("GOOD-CODE"); });
    EXPECT_NE(e.find("not trusted"), std::string::npos) << e;
    e = error_of([&] {
        ClientOptions o;
        o.ca_file = "/nonexistent/ca.pem";
        ApiClient(stub.url(), o);
    });
    EXPECT_EQ(e.rfind("/nonexistent/ca.pem: ", 0), 0u) << e;
}

TEST(PortalSubmit, AStoredAnswerPrintsTheVerdictAndExitsZero) {
    Stub stub;
    auto r = submit(stub, "--code GOOD-CODE image-sha256 right");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("image-sha256: correct, 10 of 10 points (attempt 2 of 3)"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("noted"), std::string::npos);
    auto sent = stub.last("POST", "/api/v1/labs/intro/questions/image-sha256/submissions");
    ASSERT_TRUE(sent);
    EXPECT_EQ(json::parse((*sent)["body"].get<std::string>()), json({{"value", "right"}}));
    EXPECT_EQ((*sent)["headers"]["x-csrf-token"], "csrf-one");
    EXPECT_TRUE(stub.last("POST", "/api/v1/logout"));  // the session is ended

    r = submit(stub, "--code GOOD-CODE --json image-sha256 wrong");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(json::parse(r.out)["verdict"], "incorrect");
}

TEST(PortalSubmit, ValuesBecomeListsForSetQuestionsAndJsonWithJsonValue) {
    Stub stub;
    auto sent_value = [&](const std::string& question) {
        auto s = stub.last("POST", "/api/v1/labs/intro/questions/" + question + "/");
        return s ? json::parse((*s)["body"].get<std::string>())["value"] : json("none");
    };
    ASSERT_EQ(submit(stub, "--code GOOD-CODE files a.txt").exit_code, 0);
    EXPECT_EQ(sent_value("files"), json({"a.txt"}));
    ASSERT_EQ(submit(stub, "--code GOOD-CODE files a.txt 'b c.txt'").exit_code, 0);
    EXPECT_EQ(sent_value("files"), json({"a.txt", "b c.txt"}));
    ASSERT_EQ(submit(stub, "--code GOOD-CODE image-sha256 one two").exit_code, 0);
    EXPECT_EQ(sent_value("image-sha256"), json({"one", "two"}));
    ASSERT_EQ(submit(stub, "--code GOOD-CODE --json-value image-sha256 4096").exit_code, 0);
    EXPECT_EQ(sent_value("image-sha256"), json(4096));
    ASSERT_EQ(submit(stub, "--code GOOD-CODE --json-value files '[\"x\",\"y\"]'").exit_code, 0);
    EXPECT_EQ(sent_value("files"), json({"x", "y"}));
    auto r = submit(stub, "--code GOOD-CODE --json-value files '{oops'");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(line_count(r.err), 1u) << r.err;
}

TEST(PortalSubmit, RefusedAndUnknownQuestionsExitOneErrorsExitTwo) {
    Stub stub;
    auto r = submit(stub, "--code GOOD-CODE done 42");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, "dflab: done: refused: already solved\n");
    r = submit(stub, "--code GOOD-CODE no-such-question 42");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("no question no-such-question"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("image-sha256"), std::string::npos) << r.err;
    r = submit(stub, "--code WRONG image-sha256 42");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "dflab: " + stub.url() +
                         "/api/v1/login: the access code is not accepted (wrong access code)\n");
    r = submit(stub, "--code GOOD-CODE html 42");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err.rfind("dflab: " + stub.url() + "/api/v1/labs/intro/questions/html/", 0), 0u)
        << r.err;
    EXPECT_NE(r.err.find("not JSON (text/html)"), std::string::npos) << r.err;
    EXPECT_EQ(line_count(r.err), 1u);
    r = submit(stub, "--code HTML image-sha256 42");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(line_count(r.err), 1u) << r.err;
    auto start = std::chrono::steady_clock::now();
    r = submit(stub, "--timeout 1 --code SLOW image-sha256 42");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "dflab: " + stub.url() + "/api/v1/login: no reply within 1 s\n");
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));
    r = dflab::test::dflab("submit --server ftp://x --code C q v");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(line_count(r.err), 1u);
}

TEST(PortalSubmit, SeveralLabsNeedLab) {
    Stub stub;
    auto r = submit(stub, "--code TWO-LABS image-sha256 right");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "dflab: " + stub.url() +
                         "/api/v1/labs: you are in 2 labs (intro, web); choose one with --lab\n");
    EXPECT_FALSE(stub.last("POST", "/api/v1/labs/"));
    r = submit(stub, "--code TWO-LABS --lab web image-sha256 right");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(stub.last("POST", "/api/v1/labs/web/questions/image-sha256/submissions"));
}

TEST(PortalSubmit, TheCodeComesFromAFileOrTheEnvironment) {
    Stub stub;
    std::string file = temp_dir() + "/code";
    std::ofstream(file) << "GOOD-CODE\n";
    auto r = submit(stub, "--code-file " + shell_quote(file) + " image-sha256 right");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    r = run("DFLAB_CODE=GOOD-CODE " + shell_quote(DFLAB_BINARY) + " submit --server " +
            shell_quote(stub.url()) + " image-sha256 right");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    r = run("DFLAB_CODE=GOOD-CODE DFLAB_SERVER=" + shell_quote(stub.url()) + " " +
            shell_quote(DFLAB_BINARY) + " submit image-sha256 right");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    size_t logins = 0;
    for (auto& q : stub.requests())
        if (q["path"] == "/api/v1/login") {
            ++logins;
            EXPECT_EQ(json::parse(q["body"].get<std::string>())["code"], "GOOD-CODE");
        }
    EXPECT_EQ(logins, 3u);
    r = run("env -u DFLAB_CODE " + shell_quote(DFLAB_BINARY) + " submit --server " +
            shell_quote(stub.url()) + " image-sha256 right");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("no access code"), std::string::npos) << r.err;
}

TEST(PortalSubmit, HttpsWithTheWorkshopCertificate) {
    Certificate cert = make_certificate("IP:127.0.0.1");
    Stub stub(&cert);
    auto r = submit(stub, "--code GOOD-CODE image-sha256 right");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("not trusted"), std::string::npos) << r.err;
    EXPECT_EQ(submit(stub, "--insecure --code GOOD-CODE image-sha256 right").exit_code, 0);
    r = submit(stub,
               "--ca-file " + shell_quote(cert.cert) + " --code GOOD-CODE image-sha256 right");
    EXPECT_EQ(r.exit_code, 0) << r.err;
}

// Against the real portal: a lab made by tests/portal/make_lab.sh (a hand-written key, evidence
// files, participants and access codes made by `dflab lab`), served by `dflab serve`; what was
// stored is read back with the sqlite3 CLI.
TEST(PortalSubmit, EndToEndAgainstDflabServe) {
    const std::string lab = temp_dir() + "/lab";
    auto made =
        run("bash " + shell_quote(std::string(DFLAB_SOURCE_DIR) + "/tests/portal/make_lab.sh") +
            " " + shell_quote(DFLAB_BINARY) + " " + shell_quote(lab));
    ASSERT_EQ(made.exit_code, 0) << made.err << made.out;
    std::string code;  // p1's, from codes.csv (id,name,code)
    for (auto& line : lines(slurp(lab + "/codes.csv")))
        if (line.rfind("p1,", 0) == 0) code = line.substr(line.rfind(',') + 1);
    ASSERT_FALSE(code.empty());
    const std::string port_file = lab + "/port";
    auto started = run(
        shell_quote(DFLAB_BINARY) + " serve --lab " + shell_quote(lab + "/lab.sqlite") +
        " --bundle " + shell_quote(lab + "/bundle") + " --listen 127.0.0.1:0 --port-file " +
        shell_quote(port_file) + " --instructor-password-file " + shell_quote(lab + "/password") +
        " >" + shell_quote(lab + "/serve.log") + " 2>&1 & echo $!");
    const int pid = std::stoi(started.out);
    struct Stop {
        int pid;
        ~Stop() { ::kill(pid, SIGTERM); }
    } stop{pid};
    for (int i = 0; i < 600 && slurp(port_file).empty(); ++i)  // sanitizer builds start slowly
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const std::string port = slurp(port_file);
    ASSERT_FALSE(port.empty()) << slurp(lab + "/serve.log");
    const std::string server = "--server http://127.0.0.1:" + lines(port).front() + " ";
    // The question asks for the SHA-256 of the first MiB of p1's (variant 0's) disk.
    const std::string sha256 =
        run("head -c 1048576 " + shell_quote(lab + "/bundle/images/variant-0/disk.raw") +
            " | sha256sum")
            .out.substr(0, 64);

    auto r = dflab::test::dflab("submit " + server + "--code " + shell_quote(code) + " disk-hash " +
                                sha256);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(lines(r.out).front(), "disk-hash: correct, 10 of 10 points (attempt 1 of 3)")
        << r.out;
    r = dflab::test::dflab("submit " + server + "--code " + shell_quote(code) + " disk-hash " +
                           sha256);
    EXPECT_EQ(r.exit_code, 1);  // already solved
    EXPECT_EQ(r.err.rfind("dflab: disk-hash: refused: ", 0), 0u) << r.err;
    r = dflab::test::dflab("submit " + server + "--code " + shell_quote(code) + " block 4096");
    EXPECT_EQ(r.exit_code, 1);  // its prerequisite `owner` is unsolved
    EXPECT_EQ(r.err.rfind("dflab: block: refused: ", 0), 0u) << r.err;
    r = dflab::test::dflab("submit " + server + "--code " + shell_quote(code) +
                           " --json owner beta-secret-one");  // variant 1's answer, not p1's
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(json::parse(r.out)["verdict"], "incorrect");
    r = dflab::test::dflab("submit " + server + "--code " + shell_quote(code) + " nothing x");
    EXPECT_EQ(r.exit_code, 1);
    r = dflab::test::dflab("submit " + server + "--code AAAA-BBBBB-CCCCC disk-hash " + sha256);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(line_count(r.err), 1u) << r.err;
    auto stored =
        run("sqlite3 " + shell_quote(lab + "/lab.sqlite") +
            " \"SELECT participant, question, value, verdict FROM submissions ORDER BY id\"");
    EXPECT_EQ(stored.out,
              "p1|disk-hash|\"" + sha256 + "\"|correct\np1|owner|\"beta-secret-one\"|incorrect\n")
        << stored.err;
}
