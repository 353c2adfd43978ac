// dflab serve, driven over HTTP by curl: logging in, the participant's view, submitting with the
// lab's rules, hints, evidence downloads with ranges, the instructor's review, scoreboard,
// announcements, key correction and exports. The lab record is checked with the sqlite3 CLI.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "support/fixtures.hpp"
#include "tests/portal/server.hpp"
#include "tests/support/catalogue_oracle.hpp"

namespace {

using namespace dflab::test;
using dflab::test::catalogue_text;
using dflab::test::fill;
using nlohmann::json;

class PortalApi : public ::testing::Test {
  protected:
    static void SetUpTestSuite() { lab_ = new Lab(make_lab()); }
    static void TearDownTestSuite() { delete lab_; }
    void SetUp() override {
        // Every test gets its own copy of the lab record, so tests do not depend on each other.
        copy_ = *lab_;
        copy_.dir = temp_dir() + "/lab";
        ASSERT_EQ(run("cp -r " + shell_quote(lab_->dir) + " " + shell_quote(copy_.dir)).exit_code,
                  0);
        server_ = std::make_unique<Server>(copy_);
    }
    std::string sql(const std::string& query) {
        return run("sqlite3 " + shell_quote(copy_.dir + "/lab.sqlite") + " " + shell_quote(query))
            .out;
    }
    std::string key_answer(const std::string& question, int variant) {
        std::ifstream in(copy_.dir + "/key.json");
        json key = json::parse(in);
        for (auto& q : key["questions"])
            if (q["id"] == question) {
                const json& a = q["answers"][std::to_string(variant)];
                return a.is_object()   ? a["sha256"].get<std::string>()
                       : a.is_string() ? a.get<std::string>()
                                       : a.dump();
            }
        return "";
    }
    static Lab* lab_;
    Lab copy_;
    std::unique_ptr<Server> server_;
};
Lab* PortalApi::lab_ = nullptr;

TEST_F(PortalApi, LoginTakesTheCodeInAnyCaseWithoutDashesAndSetsAStrictCookie) {
    Client c(*server_);
    EXPECT_EQ(c.login_code("AAAA-BBBBB-CCCCC").status, 401);
    std::string code = copy_.codes.at("p1");
    std::string sloppy;
    for (char ch : code)
        if (ch != '-') sloppy += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    Response r = c.login_code(" " + sloppy.substr(0, 7) + " " + sloppy.substr(7) + " ");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["participant"]["id"], "p1");
    EXPECT_EQ(r.json()["participant"]["name"], "Айгерим Сапарова");
    ASSERT_EQ(r.set_cookies.size(), 1u);
    const std::string& cookie = r.set_cookies[0];
    EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
    EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos) << cookie;
    EXPECT_EQ(cookie.rfind("dflab_session=", 0), 0u) << cookie;
    EXPECT_EQ(c.get("/api/v1/me").json()["participant"]["id"], "p1");
    // Logging out ends the session on the server, not only in the browser.
    EXPECT_EQ(c.post("/api/v1/logout", json::object()).status, 204);
    EXPECT_EQ(c.get("/api/v1/labs").status, 401);
}

TEST_F(PortalApi, ParticipantSeesOwnStateAndSubmitsWithTheLabsRules) {
    Client c(*server_);
    ASSERT_EQ(c.login_code(copy_.codes.at("p1")).status, 200);
    json labs = c.get("/api/v1/labs").json();
    ASSERT_EQ(labs.size(), 1u);
    EXPECT_EQ(labs[0]["lab"], "demo");
    EXPECT_EQ(labs[0]["variant"], 0);
    json view = c.get("/api/v1/labs/demo").json();
    ASSERT_EQ(view["questions"].size(), 4u);
    EXPECT_EQ(view["questions"][0]["attempts_left"], 3);
    EXPECT_EQ(view["questions"][2]["locked"], true);  // block needs owner first

    // A wrong answer costs an attempt; the right one (variant 0's, from the key) is correct.
    Response wrong = c.post("/api/v1/labs/demo/questions/disk-hash/submissions",
                            {{"value", std::string(64, 'a')}});
    ASSERT_EQ(wrong.status, 200) << wrong.body;
    EXPECT_EQ(wrong.json()["verdict"], "incorrect");
    Response right = c.post("/api/v1/labs/demo/questions/disk-hash/submissions",
                            {{"value", "SHA256: " + key_answer("disk-hash", 0)}});
    ASSERT_EQ(right.status, 200) << right.body;
    EXPECT_EQ(right.json()["verdict"], "correct");
    EXPECT_EQ(right.json()["points"], 9);  // 10 minus the penalty of 1 for the wrong attempt
    // Solved: a further answer is refused and nothing is stored.
    Response again = c.post("/api/v1/labs/demo/questions/disk-hash/submissions", {{"value", "x"}});
    EXPECT_EQ(again.status, 409);
    EXPECT_EQ(again.json()["error"], "refused");
    EXPECT_EQ(sql("SELECT count(*) FROM submissions WHERE participant='p1'"), "2\n");
    // Variant 1's answer is not variant 0's: wrong for p1 and flagged as possible sharing.
    Response other = c.post("/api/v1/labs/demo/questions/owner/submissions",
                            {{"value", key_answer("owner", 1)}});
    EXPECT_EQ(other.json()["verdict"], "incorrect");
    EXPECT_EQ(sql("SELECT count(*) FROM sharing_flags"), "1\n");
    // The prerequisite: block is refused until owner is solved.
    EXPECT_EQ(c.post("/api/v1/labs/demo/questions/block/submissions", {{"value", 4096}}).status,
              409);
    EXPECT_EQ(
        c.post("/api/v1/labs/demo/questions/owner/submissions", {{"value", "Alpha-Secret-Zero"}})
            .json()["verdict"],
        "correct");
    EXPECT_EQ(c.post("/api/v1/labs/demo/questions/block/submissions", {{"value", "4 096"}})
                  .json()["verdict"],
              "correct");
    // Free text waits for review.
    Response free = c.post("/api/v1/labs/demo/questions/summary/submissions",
                           {{"value", "The owner copied the files."}});
    EXPECT_EQ(free.json()["verdict"], "pending_review");
    view = c.get("/api/v1/labs/demo").json();
    EXPECT_EQ(view["points"], 9 + 5 + 5);
    EXPECT_EQ(view["questions"][3]["state"], "pending_review");
    // A set of bad values: not JSON, no value, binary.
    EXPECT_EQ(c.request("POST", "/api/v1/labs/demo/questions/owner/submissions", "{not json",
                        "-H 'Content-Type: application/json' -H " +
                            shell_quote("X-CSRF-Token: " + c.csrf))
                  .status,
              400);
    EXPECT_EQ(c.post("/api/v1/labs/demo/questions/owner/submissions", json::object()).status, 400);
    EXPECT_EQ(c.post("/api/v1/labs/demo/questions/nope/submissions", {{"value", "x"}}).status, 404);
}

TEST_F(PortalApi, HintsShowTheirTextOnlyAfterUnlockingAndCostPoints) {
    Client c(*server_);
    ASSERT_EQ(c.login_code(copy_.codes.at("p1")).status, 200);
    EXPECT_EQ(c.get("/api/v1/labs/demo").body.find("HINT-ONE-TEXT"), std::string::npos);
    Response h = c.post("/api/v1/labs/demo/questions/disk-hash/hints", json::object());
    ASSERT_EQ(h.status, 200) << h.body;
    EXPECT_EQ(h.json()["number"], 1);
    EXPECT_EQ(h.json()["cost"], 2);
    EXPECT_EQ(h.json()["text"]["en"], "HINT-ONE-TEXT use sha256sum");
    const std::string view = c.get("/api/v1/labs/demo").body;
    EXPECT_NE(view.find("HINT-ONE-TEXT"), std::string::npos);
    EXPECT_EQ(view.find("HINT-TWO-TEXT"), std::string::npos);
    EXPECT_EQ(sql("SELECT number, cost FROM hints WHERE participant='p1'"), "1|2.0\n");
    Response right = c.post("/api/v1/labs/demo/questions/disk-hash/submissions",
                            {{"value", key_answer("disk-hash", 0)}});
    EXPECT_EQ(right.json()["points"], 8);  // 10 - 2
    // No hint for a solved question.
    EXPECT_EQ(c.post("/api/v1/labs/demo/questions/disk-hash/hints", json::object()).status, 409);
}

TEST_F(PortalApi, EvidenceIsTheParticipantsOwnVariantAndResumesWithRanges) {
    Client c(*server_);
    ASSERT_EQ(c.login_code(copy_.codes.at("p2")).status, 200);  // variant 1
    json files = c.get("/api/v1/labs/demo/evidence").json();
    ASSERT_EQ(files.size(), 1u);
    const std::string file = copy_.dir + "/bundle/images/variant-1/disk.raw";
    const std::string sha =
        run("sha256sum " + shell_quote(file) + " | cut -c1-64").out.substr(0, 64);
    EXPECT_EQ(files[0]["sha256"], sha);
    const std::string url = files[0]["url"];
    // Download in three ranges, as a resumed download does, and reassemble.
    const std::string dir = temp_dir();
    Response a = c.request("GET", url, "", "-r 0-999999");
    EXPECT_EQ(a.status, 206);
    EXPECT_EQ(a.headers["content-range"].substr(0, 16), "bytes 0-999999/3");
    Response b = c.request("GET", url, "", "-r 1000000-1999999");
    EXPECT_EQ(b.status, 206);
    Response rest = c.request("GET", url, "", "-C 2000000");
    EXPECT_EQ(rest.status, 206);
    std::ofstream(dir + "/whole", std::ios::binary) << a.body << b.body << rest.body;
    EXPECT_EQ(a.body.size(), 1000000u);
    EXPECT_EQ(run("sha256sum " + shell_quote(dir + "/whole") + " | cut -c1-64").out.substr(0, 64),
              sha);
    // Past the end: 416.
    EXPECT_EQ(c.request("GET", url, "", "-r 99999999-").status, 416);
    // The other variant's file by any spelling: not found.
    for (std::string path :
         {"/api/v1/labs/demo/evidence/..%2fvariant-0%2fdisk.raw",
          "/api/v1/labs/demo/evidence/../../images/variant-0/disk.raw",
          "/api/v1/labs/demo/evidence/SHA256SUMS", "/api/v1/labs/demo/evidence/pack.json"})
        EXPECT_EQ(c.get(path, "--path-as-is").status, 404) << path;
}

TEST_F(PortalApi, InstructorReviewsFreezesAnnouncesAndRegrades) {
    Client p(*server_);
    ASSERT_EQ(p.login_code(copy_.codes.at("p1")).status, 200);
    Response free =
        p.post("/api/v1/labs/demo/questions/summary/submissions", {{"value", "It was the owner."}});
    ASSERT_EQ(free.status, 200);
    Client i(*server_);
    EXPECT_EQ(i.login_password("wrong password").status, 401);
    ASSERT_EQ(i.login_password("correct-horse-battery").status, 200);
    json dash = i.get("/api/v1/instructor/labs/demo/dashboard").json();
    EXPECT_EQ(dash["pending_reviews"], 1);
    EXPECT_EQ(dash["latest"][0]["answer"], "It was the owner.");
    json reviews = i.get("/api/v1/instructor/labs/demo/reviews").json();
    ASSERT_EQ(reviews.size(), 1u);
    EXPECT_EQ(reviews[0]["rubric"]["en"], "RUBRIC-TEXT names the suspect");
    Response saved =
        i.post("/api/v1/instructor/labs/demo/reviews",
               {{"submission", reviews[0]["submission"]}, {"points", 12}, {"comment", "good"}});
    ASSERT_EQ(saved.status, 200) << saved.body;
    EXPECT_EQ(sql("SELECT points, reviewer FROM reviews"), "12.0|Dana\n");
    EXPECT_EQ(p.get("/api/v1/labs/demo").json()["points"], 12);

    // The scoreboard is hidden until shown; frozen, it keeps the points of the freeze.
    EXPECT_EQ(p.get("/api/v1/labs/demo/scoreboard").status, 404);
    ASSERT_EQ(
        i.post("/api/v1/instructor/labs/demo/scoreboard", {{"visible", true}, {"frozen", true}})
            .status,
        200);
    json board = p.get("/api/v1/labs/demo/scoreboard").json();
    ASSERT_FALSE(board["frozen"].is_null());
    EXPECT_EQ(board["rows"][0]["points"], 12);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // a later second than the freeze
    p.post("/api/v1/labs/demo/questions/owner/submissions", {{"value", "alpha-secret-zero"}});
    EXPECT_EQ(p.get("/api/v1/labs/demo").json()["points"], 17);
    EXPECT_EQ(p.get("/api/v1/labs/demo/scoreboard").json()["rows"][0]["points"], 12);
    i.post("/api/v1/instructor/labs/demo/scoreboard", {{"frozen", false}});
    EXPECT_EQ(p.get("/api/v1/labs/demo/scoreboard").json()["rows"][0]["points"], 17);

    // Announcements reach participants.
    ASSERT_EQ(
        i.post("/api/v1/instructor/labs/demo/announcements", {{"text", "Перерыв 15 минут <b>"}})
            .status,
        200);
    EXPECT_EQ(p.get("/api/v1/announcements").json()[0]["text"], "Перерыв 15 минут <b>");

    // A corrected key: owner's answer for variant 0 changes, the earlier correct answer is now
    // wrong.
    std::ifstream in(copy_.dir + "/key.json");
    json key = json::parse(in);
    key["questions"][1]["answers"]["0"] = "gamma-corrected";
    key["questions"][1]["answer"] = "gamma-corrected";
    Response regrade = i.request(
        "POST", "/api/v1/instructor/labs/demo/key", key.dump(),
        "-H 'Content-Type: application/json' -H " + shell_quote("X-CSRF-Token: " + i.csrf));
    ASSERT_EQ(regrade.status, 200) << regrade.body;
    EXPECT_EQ(regrade.json()["verdict_changes"].size(), 1u);
    EXPECT_EQ(p.get("/api/v1/labs/demo").json()["points"], 12);
    // Exports.
    Response csv = i.get("/api/v1/instructor/labs/demo/export?format=csv&table=submissions");
    EXPECT_EQ(csv.status, 200);
    EXPECT_NE(csv.body.find("It was the owner."), std::string::npos);
    Response report = i.get("/api/v1/instructor/labs/demo/report");
    EXPECT_EQ(report.status, 200);
    EXPECT_NE(report.body.find("<html lang=\"en\""), std::string::npos);
    EXPECT_NE(report.body.find("Disk hash"), std::string::npos);  // titles, not only ids
    // The report follows the instructor's language: labels from the catalogue, titles from the
    // bundle's pack.json (make_lab.sh's Kazakh title).
    ASSERT_EQ(i.post("/api/v1/language", {{"language", "kk"}}).status, 200);
    report = i.get("/api/v1/instructor/labs/demo/report");
    EXPECT_NE(report.body.find("<html lang=\"kk\""), std::string::npos);
    EXPECT_NE(report.body.find(catalogue_text("kk", "report.hardest")), std::string::npos);
    EXPECT_NE(report.body.find("Диск хэші"), std::string::npos);
}

TEST_F(PortalApi, PagesComeInTheChosenLanguageAndEscapeNames) {
    Client c(*server_);
    Response en = c.get("/login");
    ASSERT_EQ(en.status, 200);
    EXPECT_NE(en.body.find("<html lang=\"en\">"), std::string::npos);
    EXPECT_NE(en.body.find("Log in to the lab"), std::string::npos);
    Response kk = c.get("/login", "-H 'Cookie: dflab_lang=kk'");
    EXPECT_NE(kk.body.find("<html lang=\"kk\">"), std::string::npos);
    EXPECT_NE(kk.body.find("Зертханаға кіру"), std::string::npos);
    Response ru = c.get("/login", "-H 'Accept-Language: ru-RU,ru;q=0.9'");
    EXPECT_NE(ru.body.find("Вход в лабораторию"), std::string::npos);
    // Without a session the participant pages send to the login.
    EXPECT_EQ(c.get("/labs").status, 303);
    ASSERT_EQ(c.login_code(copy_.codes.at("p2")).status, 200);
    Response page = c.get("/labs/demo");
    ASSERT_EQ(page.status, 200);
    EXPECT_EQ(page.body.find("<script>alert"), std::string::npos);
    EXPECT_NE(page.body.find("&lt;script&gt;alert(1)&lt;/script&gt; Ivan"), std::string::npos);
    EXPECT_NE(page.headers["content-security-policy"].find("default-src 'self'"),
              std::string::npos);
    // Static files are served from the binary; anything else is not found.
    EXPECT_EQ(c.get("/static/portal.css").status, 200);
    EXPECT_EQ(c.get("/static/../portal.cpp", "--path-as-is").status, 404);
    EXPECT_EQ(c.get("/static/%2e%2e/templates/page.mustache", "--path-as-is").status, 404);
}

// Feedback and refusals come in the session's language, and a stored submission's feedback is
// shown in the language chosen when it is read. The expected texts are the catalogues' (msgfmt and
// Python's gettext), their placeholders filled.
TEST_F(PortalApi, FeedbackAndRefusalsComeInTheSessionsLanguage) {
    Client c(*server_);
    ASSERT_EQ(c.login_code(copy_.codes.at("p1")).status, 200);
    ASSERT_EQ(c.post("/api/v1/language", {{"language", "ru"}}).status, 200);
    Response wrong = c.post("/api/v1/labs/demo/questions/disk-hash/submissions",
                            {{"value", std::string(64, 'c')}});
    ASSERT_EQ(wrong.status, 200) << wrong.body;
    const std::string normalised = wrong.json()["normalised"];
    EXPECT_EQ(wrong.json()["feedback"],
              fill(catalogue_text("ru", "grade.incorrect"), {{"value", normalised}}));
    Response locked = c.post("/api/v1/labs/demo/questions/block/submissions", {{"value", 4096}});
    EXPECT_EQ(locked.status, 409);
    EXPECT_EQ(locked.json()["message"],
              fill(catalogue_text("ru", "policy.prerequisite_first"), {{"question", "owner"}}));
    ASSERT_EQ(c.post("/api/v1/language", {{"language", "kk"}}).status, 200);
    json view = c.get("/api/v1/labs/demo").json();
    ASSERT_EQ(view["questions"][0]["submissions"].size(), 1u);
    EXPECT_EQ(view["questions"][0]["submissions"][0]["feedback"],
              fill(catalogue_text("kk", "grade.incorrect"), {{"value", normalised}}));
    // The record keeps the English text as before.
    EXPECT_EQ(sql("SELECT feedback FROM submissions"),
              "Incorrect: understood as " + normalised + ".\n");
}

TEST_F(PortalApi, ServerLogsEachRequestAndStopsCleanlyOnSigterm) {
    Client c(*server_);
    c.get("/login");
    c.login_code(copy_.codes.at("p1"));
    c.get("/api/v1/labs");
    server_->stop();
    const std::string log = server_->log();
    EXPECT_NE(log.find("\"GET /login HTTP/1.1\" 200"), std::string::npos) << log;
    EXPECT_NE(log.find("p1 ["), std::string::npos) << log;  // the user field
    EXPECT_NE(log.find("stopped"), std::string::npos) << log;
    EXPECT_EQ(
        run("sqlite3 " + shell_quote(copy_.dir + "/lab.sqlite") + " 'PRAGMA integrity_check'").out,
        "ok\n");
}

}  // namespace
