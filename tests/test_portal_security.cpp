// What a room of forensic specialists with Wireshark will try on the portal: reading the key,
// other participants' data or another variant's evidence; requests without the CSRF token or
// from another origin; racing submissions past the attempt limit; huge bodies; paths that climb
// out of the bundle.
#include <gtest/gtest.h>

#include <fstream>
#include <future>
#include <set>

#include "support/fixtures.hpp"
#include "tests/portal/server.hpp"

namespace {

using namespace dflab::test;
using nlohmann::json;

class PortalSecurity : public ::testing::Test {
  protected:
    void SetUp() override {
        lab_ = make_lab();
        server_ = std::make_unique<Server>(lab_);
    }
    std::string sql(const std::string& query) {
        return run("sqlite3 " + shell_quote(lab_.dir + "/lab.sqlite") + " " + shell_quote(query))
            .out;
    }
    // Every answer of every variant in the key, as the strings a leak would show.
    std::set<std::string> key_values() {
        std::ifstream in(lab_.dir + "/key.json");
        json key = json::parse(in);
        std::set<std::string> out;
        for (auto& q : key["questions"]) {
            for (auto& [variant, a] : q["answers"].items()) {
                if (a.is_object())
                    for (auto& [alg, digest] : a.items()) out.insert(digest.get<std::string>());
                else if (a.is_string())
                    out.insert(a.get<std::string>());
            }
            for (auto& h : q["hints"])
                for (auto& [lang, text] : h["text"].items()) out.insert(text.get<std::string>());
            for (auto& [lang, text] : q["rubric"].items()) out.insert(text.get<std::string>());
        }
        return out;
    }
    Lab lab_;
    std::unique_ptr<Server> server_;
};

TEST_F(PortalSecurity, AParticipantFindsNoKeyNoOtherParticipantAndNoOtherVariant) {
    Client c(*server_);
    ASSERT_EQ(c.login_code(lab_.codes.at("p1")).status, 200);
    // Do something first, so that the state holds submissions, flags and a hint.
    c.post("/api/v1/labs/demo/questions/owner/submissions",
           {{"value", "beta-secret-one"}});  // variant 1's
    Client other(*server_);
    ASSERT_EQ(other.login_code(lab_.codes.at("p2")).status, 200);
    other.post("/api/v1/labs/demo/questions/owner/submissions", {{"value", "p2-private-answer"}});
    const std::vector<std::string> paths = {
        "/",
        "/login",
        "/labs",
        "/labs/demo",
        "/labs/demo/scoreboard",
        "/instructor",
        "/api/v1/me",
        "/api/v1/labs",
        "/api/v1/labs/demo",
        "/api/v1/labs/demo/evidence",
        "/api/v1/labs/demo/scoreboard",
        "/api/v1/announcements",
        "/api/v1/instructor/labs",
        "/api/v1/instructor/labs/demo/dashboard",
        "/api/v1/instructor/labs/demo/reviews",
        "/api/v1/instructor/labs/demo/export?format=json",
        "/api/v1/instructor/labs/demo/report",
        "/api/v1/instructor/events",
        "/api/v1/labs/demo/evidence/disk.raw",
        "/static/portal.js",
        "/static/lab.js",
        "/api/v1/labs/other",
        "/labs/other",
        "/api/v1/labs/demo/questions/owner/submissions",
    };
    const auto secrets = key_values();
    for (const auto& path : paths) {
        Response r = c.get(path, "--max-time 5");
        const bool instructor_path = path.find("instructor") != std::string::npos;
        if (instructor_path || path.find("other") != std::string::npos ||
            path.ends_with("submissions")) {
            EXPECT_EQ(r.status, 404) << path;  // not 403: what one may not see does not exist
        }
        if (path.ends_with("disk.raw")) {
            // p1's own file: variant 0's bytes, never variant 1's.
            EXPECT_EQ(
                r.body,
                std::string(std::istreambuf_iterator<char>(*std::make_unique<std::ifstream>(
                                lab_.dir + "/bundle/images/variant-0/disk.raw", std::ios::binary)),
                            {}));
            continue;
        }
        for (const auto& secret : secrets) {
            // p1's own submission of variant 1's answer is p1's data; that one value may appear.
            if (secret == "beta-secret-one" && path == "/api/v1/labs/demo") continue;
            EXPECT_EQ(r.body.find(secret), std::string::npos)
                << path << " shows " << secret << ": " << r.body.substr(0, 300);
        }
        for (std::string other_data : {"p2-private-answer", "<script>alert(1)</script>", "Blue"})
            EXPECT_EQ(r.body.find(other_data), std::string::npos)
                << path << " shows " << other_data;
    }
}

TEST_F(PortalSecurity, StateChangesNeedTheCsrfTokenAndTheSameOrigin) {
    Client c(*server_);
    ASSERT_EQ(c.login_code(lab_.codes.at("p1")).status, 200);
    Response none =
        c.post("/api/v1/labs/demo/questions/owner/submissions", {{"value", "x"}}, false);
    EXPECT_EQ(none.status, 403);
    EXPECT_EQ(none.json()["error"], "csrf");
    Response wrong = c.request(
        "POST", "/api/v1/labs/demo/questions/owner/submissions", R"({"value":"x"})",
        "-H 'Content-Type: application/json' -H 'X-CSRF-Token: " + std::string(64, '0') + "'");
    EXPECT_EQ(wrong.status, 403);
    Response cross =
        c.request("POST", "/api/v1/labs/demo/questions/owner/submissions", R"({"value":"x"})",
                  "-H 'Content-Type: application/json' -H " +
                      shell_quote("X-CSRF-Token: " + c.csrf) + " -H 'Origin: http://evil.example'");
    EXPECT_EQ(cross.status, 403);
    EXPECT_EQ(sql("SELECT count(*) FROM submissions"), "0\n");
    // Another participant's token does not work with this session either.
    Client other(*server_);
    ASSERT_EQ(other.login_code(lab_.codes.at("p3")).status, 200);
    Response swapped = c.request(
        "POST", "/api/v1/labs/demo/questions/owner/submissions", R"({"value":"x"})",
        "-H 'Content-Type: application/json' -H " + shell_quote("X-CSRF-Token: " + other.csrf));
    EXPECT_EQ(swapped.status, 403);
}

TEST_F(PortalSecurity, FiftyParallelSubmissionsStoreExactlyTheAttemptsAllowed) {
    Client c(*server_);
    ASSERT_EQ(c.login_code(lab_.codes.at("p1")).status, 200);
    // disk-hash allows 3 attempts. 50 wrong answers at once, from 50 connections.
    std::vector<std::future<int>> replies;
    for (int i = 0; i < 50; ++i)
        replies.push_back(std::async(std::launch::async, [&, i] {
            return c
                .post("/api/v1/labs/demo/questions/disk-hash/submissions",
                      {{"value", std::string(63, 'b') + "c"}})
                .status;
        }));
    int stored = 0, refused = 0, limited = 0;
    std::string statuses;
    for (auto& r : replies) {
        int status = r.get();
        statuses += std::to_string(status) + " ";
        stored += status == 200;
        refused += status == 409;
        limited += status == 429;
    }
    EXPECT_EQ(sql("SELECT count(*) FROM submissions WHERE question='disk-hash'"), "3\n");
    EXPECT_EQ(stored, 3);
    EXPECT_EQ(stored + refused + limited, 50) << statuses;
}

TEST_F(PortalSecurity, RateLimitsArePerAccountNotPerAddress) {
    // Twelve wrong codes for one handle lock that handle only; the rest of the room, behind the
    // same address, still logs in.
    std::string code = lab_.codes.at("p1");
    std::string bad = code.substr(0, 5) + "ZZZZZ-ZZZZZ";
    Client attacker(*server_);
    int limited = 0;
    for (int i = 0; i < 12; ++i) limited += attacker.login_code(bad).status == 429;
    EXPECT_GE(limited, 1);
    Response retry = attacker.login_code(bad);
    EXPECT_EQ(retry.status, 429);
    EXPECT_FALSE(retry.headers["retry-after"].empty());
    Client neighbour(*server_);
    EXPECT_EQ(neighbour.login_code(lab_.codes.at("p2")).status, 200);
}

TEST_F(PortalSecurity, BodiesHeadersAndPathsHaveLimits) {
    Client c(*server_);
    ASSERT_EQ(c.login_code(lab_.codes.at("p1")).status, 200);
    const std::string big = R"({"value":")" + std::string(70 * 1024, 'a') + R"("})";
    Response r = c.request(
        "POST", "/api/v1/labs/demo/questions/owner/submissions", big,
        "-H 'Content-Type: application/json' -H " + shell_quote("X-CSRF-Token: " + c.csrf));
    EXPECT_EQ(r.status, 413);
    Response invalid = c.request(
        "POST", "/api/v1/labs/demo/questions/owner/submissions", "{\"value\":\"\xff\xfe\"}",
        "-H 'Content-Type: application/json' -H " + shell_quote("X-CSRF-Token: " + c.csrf));
    EXPECT_EQ(invalid.status, 400);
    EXPECT_EQ(c.get("/api/v1/labs/demo/evidence/%00disk.raw", "--path-as-is").status / 100, 4);
    EXPECT_EQ(c.get("/static/..%2f..%2fCMakeLists.txt", "--path-as-is").status, 404);
    EXPECT_EQ(sql("SELECT count(*) FROM submissions"), "0\n");
}

// Found by fuzzing (tests/fuzz/fuzz_portal.cpp): a POST to a lab itself, /api/v1/labs/demo, read a
// path part past the end of the path; it is 404, and the server still answers afterwards.
TEST_F(PortalSecurity, APostToTheLabItselfIsNotFound) {
    Client c(*server_);
    ASSERT_EQ(c.login_code(lab_.codes.at("p1")).status, 200);
    EXPECT_EQ(c.post("/api/v1/labs/demo", {{"value", "x"}}).status, 404);
    EXPECT_EQ(c.post("/api/v1/labs/demo/", {{"value", "x"}}).status, 404);
    EXPECT_EQ(c.get("/api/v1/labs/demo").status, 200);
}

TEST_F(PortalSecurity, AccessCodesAreStoredOnlyAsSaltedHashes) {
    std::ifstream in(lab_.dir + "/lab.sqlite", std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), {});
    for (const auto& [id, code] : lab_.codes) {
        std::string plain;
        for (char ch : code)
            if (ch != '-') plain += ch;
        EXPECT_EQ(bytes.find(plain), std::string::npos) << id;
        EXPECT_EQ(bytes.find(code), std::string::npos) << id;
        EXPECT_EQ(bytes.find(plain.substr(4)), std::string::npos) << id;  // the secret part
    }
    EXPECT_NE(sql("SELECT hash FROM access_codes LIMIT 1").find("$argon2id$"), std::string::npos);
}

}  // namespace
