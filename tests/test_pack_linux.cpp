// `dflab pack build` on the shipped linux pack: identical bundles on every build, no answer in
// the participant bundle, and key answers that independent tools read from the built image of
// each variant: The Sleuth Kit (mmls, fls, icat, istat) for the logs, histories, crontab and SSH
// keys, the deleted tool's inode and the ext4 times; sha256sum for the recovered tool; GNU date
// with the system's time zone database for the syslog times that carry neither year nor zone;
// openssl for the fingerprint of the planted SSH key.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "tests/oracle.hpp"
#include "tests/support/built_intro.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/shipped_pack.hpp"

namespace fs = std::filesystem;
using namespace dflab::test;

namespace {

const fs::path kPack = fs::path(DFLAB_SOURCE_DIR) / "exercises/packs/linux";

const fs::path& built() {
    static const fs::path out = built_shipped_pack("linux");
    return out;
}

const nlohmann::json& key() {
    return answer_key(built());
}

const nlohmann::json& answer(const std::string& id, int variant) {
    return key_answer(built(), id, variant);
}

// One line of `fls -r -p`. TSK writes a deleted name whose inode is in use again as
// "r/d * 78(realloc):", which oracle.hpp's parse_fls (written for dflab's "(realloc) 78") does
// not read; the ext4 of this pack has one.
struct Entry {
    std::string type, inode, path;
    bool allocated = true;
};

std::vector<Entry> fls_entries(const std::string& raw, uint64_t start) {
    auto r = run("fls -r -p -o " + std::to_string(start) + " " + shell_quote(raw));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    static const std::regex re(R"(^(\S+) (\* )?([0-9]+)(\(realloc\))?:\t(.*)$)");
    std::vector<Entry> out;
    for (const auto& line : lines(r.out)) {
        std::smatch m;
        if (line.empty()) continue;
        EXPECT_TRUE(std::regex_match(line, m, re)) << "unparsed fls line: " << line;
        if (m.empty()) continue;
        out.push_back({m[1].str(), m[3].str(), "/" + m[5].str(), !m[2].matched});
    }
    return out;
}

// A variant's server disk as raw (exported from the participants' E01 with ewfexport), the
// start sector of its ext4 partition (mmls) and its entries (fls).
struct Server {
    std::string dir, raw;
    uint64_t start = 0;
    std::vector<Entry> files;

    std::string inode_of(const std::string& path) const {
        for (const auto& f : files)
            if (f.path == path && f.allocated) return f.inode;
        ADD_FAILURE() << "fls lists no allocated " << path;
        return "0";
    }
    std::string icat(const std::string& inode) const {
        auto r = run("icat -o " + std::to_string(start) + " " + shell_quote(raw) + " " + inode);
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return r.out;
    }
    std::string cat(const std::string& path) const { return icat(inode_of(path)); }
    std::string istat(const std::string& inode) const {
        auto r =
            run("istat -z UTC -o " + std::to_string(start) + " " + shell_quote(raw) + " " + inode);
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return r.out;
    }
};

Server server(int variant) {
    Server s;
    s.dir = temp_dir();
    const fs::path e01 =
        built() / "participant/images" / ("variant-" + std::to_string(variant)) / "tumar-web.E01";
    const std::string target = s.dir + "/server";
    auto r =
        run("ewfexport -q -u -t " + shell_quote(target) + " -f raw " + shell_quote(e01.string()));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    s.raw = target + ".raw";
    for (auto& slot : mmls(s.raw))
        if (slot.description == "cloudimg-rootfs") s.start = slot.start;  // the GPT name
    EXPECT_NE(s.start, 0u);
    s.files = fls_entries(s.raw, s.start);
    return s;
}

// istat's "File Created:\t2025-03-13 21:21:56.000000000 (UTC)" (with -z UTC) as ISO 8601 UTC.
std::string istat_time(const std::string& istat, const std::string& label) {
    std::smatch m;
    if (!std::regex_search(
            istat, m, std::regex(label + R"(:\s*(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)\.\d+ \(UTC\))")))
        return "no " + label + " in: " + istat;
    return m[1].str() + "T" + m[2].str() + "Z";
}

// A syslog time ("Mar 14 02:21:56", no year, no zone) in `year` and `zone`, as ISO 8601 UTC:
// converted by GNU date with the system's time zone database.
std::string syslog_time_utc(const std::string& stamp, const std::string& year,
                            const std::string& zone) {
    const std::string when = stamp.substr(0, 6) + " " + year + " " + stamp.substr(7);
    auto r =
        run("date -u -d " + shell_quote("TZ=\"" + zone + "\" " + when) + " +%Y-%m-%dT%H:%M:%SZ");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out.substr(0, r.out.find('\n'));
}

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

}  // namespace

TEST(PackLinux, TwoBuildsGiveIdenticalBundles) {
    EXPECT_EQ(rebuild_differences(kPack, built()), "");
}

TEST(PackLinux, TheParticipantBundleHoldsNoAnswer) {
    // Every text file handed out (the images hold the evidence, of course).
    const std::string handed_out = participant_texts(built());
    ASSERT_FALSE(handed_out.empty());
    for (const auto& q : key()["questions"]) {
        const std::string type = q["type"].get<std::string>();
        for (const auto& [variant, a] : q["answers"].items()) {
            std::vector<std::string> values;
            if (type == "text" || type == "path" || type == "timestamp")
                values.push_back(a.get<std::string>());
            if (type == "hash") values.push_back(a["sha256"].get<std::string>());
            if (type == "set")
                for (const auto& item : a) values.push_back(item.get<std::string>());
            for (const auto& v : values)
                EXPECT_EQ(handed_out.find(v), std::string::npos)
                    << q["id"] << " variant " << variant << ": " << v;
        }
    }
}

TEST(PackLinux, AnswersAgreeWithTheSleuthKitDateAndOpenssl) {
    for (int v : {0, 1}) {
        SCOPED_TRACE("variant " + std::to_string(v));
        const Server s = server(v);

        // The web request: the traversal that nginx answered with 200 and as many bytes as
        // /etc/passwd holds (istat); the attempts answered 404 are not the key's.
        const std::string access = s.cat("/var/log/nginx/access.log");
        std::string exploit_target, exploit_address, passwd_bytes;
        std::vector<std::string> refused;
        static const std::regex request_re(
            R"re(^(\S+) \S+ \S+ \[[^\]]+\] "GET (\S+) HTTP/1\.1" (\d+) (\d+) )re");
        for (const auto& line : lines(access)) {
            std::smatch m;
            if (!std::regex_search(line, m, request_re) ||
                m[2].str().find("../") == std::string::npos)
                continue;
            if (m[3].str() == "200" && m[2].str().find("passwd") != std::string::npos) {
                exploit_address = m[1].str();
                exploit_target = m[2].str();
                passwd_bytes = m[4].str();
            } else {
                refused.push_back(m[2].str());
            }
        }
        ASSERT_FALSE(exploit_target.empty()) << access;
        EXPECT_EQ(passwd_bytes, first_match(s.istat(s.inode_of("/etc/passwd")), R"(size: (\d+))"));
        EXPECT_TRUE(key_matches(built(), "web-exploit", v, exploit_target)) << exploit_target;
        EXPECT_TRUE(key_matches(built(), "web-exploit", v, "GET " + exploit_target + " HTTP/1.1"));
        ASSERT_FALSE(refused.empty());
        for (const auto& target : refused)
            EXPECT_FALSE(key_matches(built(), "web-exploit", v, target)) << target;

        // The script on disk: nginx's root directive and the request's path.
        const std::string conf = s.cat("/etc/nginx/conf.d/tumar.conf");
        const std::string web_root = first_match(conf, R"(\n\s*root\s+([^;\s]+);)");
        ASSERT_FALSE(web_root.empty()) << conf;
        const std::string script = web_root + exploit_target.substr(0, exploit_target.find('?'));
        EXPECT_EQ(answer("vulnerable-script", v), script);
        EXPECT_NE(s.cat(script).find("readfile("), std::string::npos);

        // auth.log: the password login, the failures from its address before it, its time.
        const std::string auth = s.cat("/var/log/auth.log");
        std::string accepted_line, account, address;
        int failures = 0;
        static const std::regex accepted_re(R"(Accepted password for (\S+) from (\S+) port )");
        for (const auto& line : lines(auth)) {
            std::smatch m;
            if (std::regex_search(line, m, accepted_re)) {
                accepted_line = line;
                account = m[1].str();
                address = m[2].str();
                break;
            }
        }
        ASSERT_FALSE(accepted_line.empty()) << auth;
        for (const auto& line : lines(auth)) {
            if (line == accepted_line) break;
            if (line.find("Failed password for ") != std::string::npos &&
                line.find(" from " + address + " port ") != std::string::npos)
                ++failures;
        }
        EXPECT_EQ(answer("attacker-ip", v), address);
        EXPECT_EQ(exploit_address, address) << "the web request came from the SSH login's address";
        EXPECT_EQ(answer("account", v), account);
        EXPECT_GT(failures, 0);
        EXPECT_EQ(answer("failed-attempts", v), failures);

        // The login's time: syslog's local time in the zone of /etc/timezone, in the year of
        // auth.log's last change; ext4's creation time of pam_motd's notice agrees.
        const std::string zone = trimmed(s.cat("/etc/timezone"));
        EXPECT_EQ(zone, "Asia/Almaty");
        const std::string year =
            istat_time(s.istat(s.inode_of("/var/log/auth.log")), "File Modified").substr(0, 4);
        const std::string login = syslog_time_utc(accepted_line.substr(0, 15), year, zone);
        EXPECT_EQ(answer("first-login", v), login) << accepted_line;
        EXPECT_EQ(
            answer("first-login", v),
            istat_time(s.istat(s.inode_of("/home/" + account + "/.cache/motd.legal-displayed")),
                       "File Created"));

        // Back as root: sshd's method and fingerprint, and the fingerprint of the one key in
        // root's authorized_keys (SHA-256 of the key blob, base64 without padding).
        std::smatch m;
        ASSERT_TRUE(std::regex_search(
            auth, m,
            std::regex(
                R"(Accepted (\S+) for root from (\S+) port \d+ ssh2: ED25519 SHA256:(\S+))")))
            << auth;
        const std::string method = m[1].str(), root_from = m[2].str(), logged_print = m[3].str();
        EXPECT_EQ(root_from, address);
        EXPECT_EQ(answer("root-access", v), method == "publickey"  ? "b"
                                            : method == "password" ? "a"
                                                                   : method);
        const std::string keys = s.cat("/root/.ssh/authorized_keys");
        EXPECT_EQ(lines(trimmed(keys)).size(), 1u) << keys;
        const std::string blob = first_match(keys, R"(^ssh-ed25519 (\S+) )");
        ASSERT_FALSE(blob.empty()) << keys;
        std::string print = trimmed(run("printf %s " + shell_quote(blob) +
                                        " | base64 -d | openssl dgst -sha256 -binary | base64")
                                        .out);
        print.erase(std::remove(print.begin(), print.end(), '='), print.end());
        EXPECT_EQ(print, logged_print);

        // The deleted tool: the one deleted name under /tmp (fls), unallocated (istat), its
        // content's hash (icat | sha256sum), and the download in root's history naming it.
        std::vector<Entry> deleted;
        for (const auto& f : s.files)
            if (!f.allocated && f.path.rfind("/tmp/", 0) == 0) deleted.push_back(f);
        ASSERT_EQ(deleted.size(), 1u);
        const Entry tool = deleted.front();
        EXPECT_EQ(answer("deleted-tool", v), tool.inode);
        EXPECT_NE(s.istat(tool.inode).find("Not Allocated"), std::string::npos);
        EXPECT_EQ(answer("tool-hash", v)["sha256"],
                  sha256_of_output("icat -o " + std::to_string(s.start) + " " + shell_quote(s.raw) +
                                   " " + tool.inode));
        EXPECT_NE(s.icat(tool.inode).find("authorized_keys"), std::string::npos);

        const std::string tool_name = tool.path.substr(tool.path.rfind('/') + 1);
        std::vector<std::string> wgets;
        for (const auto& line : lines(s.cat("/root/.bash_history")))
            if (line.rfind("wget ", 0) == 0) wgets.push_back(line);
        ASSERT_EQ(wgets.size(), 1u);
        EXPECT_NE(wgets.front().find(tool.path), std::string::npos) << wgets.front();
        EXPECT_TRUE(key_matches(built(), "download-command", v, wgets.front())) << wgets.front();
        std::string other = wgets.front();
        size_t at = 0;
        while ((at = other.find(tool_name)) != std::string::npos)
            other.replace(at, tool_name.size(), "other.sh");
        EXPECT_FALSE(key_matches(built(), "download-command", v, other)) << other;

        // The cron job: the one line of root's crontab that is not a comment.
        std::vector<std::string> jobs;
        for (const auto& line : lines(s.cat("/var/spool/cron/crontabs/root")))
            if (!line.empty() && line[0] != '#') jobs.push_back(line);
        ASSERT_EQ(jobs.size(), 1u);
        EXPECT_EQ(answer("cron-line", v), jobs.front());

        // /tmp: the allocated files born (istat's File Created) at or after the login; one of
        // them, the program the cron job starts, was back-dated (File Modified before the login).
        nlohmann::json born = nlohmann::json::array();
        std::vector<std::string> back_dated;
        for (const auto& f : s.files) {
            if (!f.allocated || f.type != "r/r" || f.path.rfind("/tmp/", 0) != 0) continue;
            const std::string info = s.istat(f.inode);
            if (istat_time(info, "File Created") < login) continue;
            born.push_back(f.path);
            if (istat_time(info, "File Modified") < login) back_dated.push_back(f.path);
        }
        std::sort(born.begin(), born.end());
        EXPECT_EQ(answer("tmp-leftovers", v), born);
        EXPECT_EQ(born.size(), 3u);
        ASSERT_EQ(back_dated.size(), 1u);
        EXPECT_NE(jobs.front().find(" " + back_dated.front() + " "), std::string::npos)
            << jobs.front();
    }
}

TEST(PackLinux, VariantsDifferInTheirOwnValuesOnly) {
    for (const char* id :
         {"web-exploit", "vulnerable-script", "attacker-ip", "account", "first-login",
          "download-command", "tool-hash", "cron-line", "tmp-leftovers"})
        EXPECT_NE(answer(id, 0), answer(id, 1)) << id;
    for (const char* id : {"failed-attempts", "root-access", "deleted-tool"})
        EXPECT_EQ(answer(id, 0), answer(id, 1)) << id;
}
