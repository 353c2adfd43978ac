// Variants at scale: `pack build --jobs N` and `pack build --shard I/N` + `pack merge` write the
// same bundles, byte for byte (diff -r, sha256sum -c), as one single-process build; merge refuses
// incomplete, doubled, foreign or tampered shards with one line; and the job processes that build
// them (engine::run_in_parallel_processes) run at once, report a failure with the failing job's
// own words and stop the rest.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "common/error.hpp"
#include "engine/parallel_processes.hpp"
#include "tests/oracle.hpp"
#include "tests/support/built_intro.hpp"
#include "tests/support/fixtures.hpp"

namespace fs = std::filesystem;
using namespace dflab::test;

namespace {

const fs::path kIntro = fs::path(DFLAB_SOURCE_DIR) / "exercises/packs/intro";

std::string q(const fs::path& p) {
    return shell_quote(p.string());
}

// The intro pack with 3 variants built in one process: the reference for every other way.
const fs::path& single_process() {
    static const fs::path out = [] {
        fs::path dir = fs::path(temp_dir()) / "jobs-1";
        auto r = dflab::test::dflab("pack build " + q(kIntro) + " -o " + q(dir) +
                                    " --variants 3 --jobs 1");
        if (r.exit_code != 0) throw std::runtime_error("pack build --jobs 1 failed: " + r.err);
        return dir;
    }();
    return out;
}

void expect_same_bundles(const fs::path& a, const fs::path& b) {
    auto diff = run("diff -r " + q(a) + " " + q(b));
    EXPECT_EQ(diff.exit_code, 0) << diff.out << diff.err;
    for (const char* bundle : {"participant", "instructor"}) {
        auto check = run("cd " + q(b / bundle) + " && sha256sum -c --quiet SHA256SUMS");
        EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
    }
}

// Shards I/2 of the 3-variant build, each in its own folder below `root`.
std::vector<fs::path> build_shards(const fs::path& root, const fs::path& pack = kIntro) {
    std::vector<fs::path> dirs;
    for (int i = 0; i < 2; ++i) {
        dirs.push_back(root / ("shard-" + std::to_string(i)));
        auto r = dflab::test::dflab("pack build " + q(pack) + " -o " + q(dirs.back()) +
                                    " --variants 3 --shard " + std::to_string(i) + "/2");
        EXPECT_EQ(r.exit_code, 0) << r.err;
    }
    return dirs;
}

}  // namespace

TEST(PackVariants, TwoJobsWriteTheSameBundlesAsOne) {
    fs::path out = fs::path(temp_dir()) / "jobs-2";
    auto r = dflab::test::dflab("pack build " + q(kIntro) + " -o " + q(out) +
                                " --variants 3 --jobs 2 --stats");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    expect_same_bundles(single_process(), out);
    // --stats names the stages: the image's E01, its analysis and the solutions.
    for (const char* stage : {"image: writing E01", "analysis", "solutions", "wall time"})
        EXPECT_NE(r.err.find(stage), std::string::npos) << stage << " missing in\n" << r.err;
    // Nothing of the jobs is left beside OUT.
    for (auto& e : fs::directory_iterator(out.parent_path()))
        EXPECT_EQ(e.path().filename().string().find(".partial"), std::string::npos) << e.path();
}

TEST(PackVariants, ShardsMergeIntoTheSameBundlesAsOneBuild) {
    const fs::path root = temp_dir();
    auto shards = build_shards(root);
    // Shard 0 of 2 holds variants 0 and 2, shard 1 variant 1; each only its own images.
    auto shard0 = nlohmann::json::parse(read_file((shards[0] / "shard.json").string()));
    EXPECT_EQ(shard0["built"], nlohmann::json::parse("[0, 2]"));
    EXPECT_TRUE(fs::exists(shards[1] / "variant-1"));
    EXPECT_FALSE(fs::exists(shards[1] / "variant-0"));
    const fs::path out = root / "merged";
    auto r = dflab::test::dflab("pack merge " + q(kIntro) + " " + q(shards[1]) + " " +
                                q(shards[0]) + " -o " + q(out));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    expect_same_bundles(single_process(), out);
    // The shards are read, not changed: a second merge gives the same again.
    const fs::path again = root / "again";
    r = dflab::test::dflab("pack merge " + q(kIntro) + " " + q(shards[0]) + " " + q(shards[1]) +
                           " -o " + q(again));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    expect_same_bundles(single_process(), again);
}

TEST(PackVariants, MergeRefusesIncompleteDoubledForeignAndTamperedShards) {
    const fs::path root = temp_dir();
    auto shards = build_shards(root);
    auto merge = [&](const std::string& args, const fs::path& pack = kIntro) {
        return dflab::test::dflab("pack merge " + q(pack) + " " + args + " -o " + q(root / "out"));
    };
    auto refused = [&](const CommandResult& r, const std::string& words) {
        EXPECT_EQ(r.exit_code, 1) << r.err;
        EXPECT_NE(r.err.find(words), std::string::npos) << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;  // one line
        EXPECT_FALSE(fs::exists(root / "out"));
    };
    refused(merge(q(shards[0])), "variant 1 of 3 is in none of the shards");
    refused(merge(q(shards[0]) + " " + q(shards[0]) + " " + q(shards[1])),
            "is also in another shard");
    refused(merge(q(root)), "no such file");

    // A pack whose question text changed since the shards were built: another fingerprint.
    const fs::path changed = root / "changed-intro";
    fs::copy(kIntro, changed, fs::copy_options::recursive);
    { std::ofstream(changed / "questions/01-image-hash.yaml", std::ios::app) << "# changed\n"; }
    refused(merge(q(shards[0]) + " " + q(shards[1]), changed), "built from other pack files");

    // A shard.json that points outside its folder.
    const fs::path tampered = root / "tampered";
    fs::copy(shards[1], tampered, fs::copy_options::recursive);
    auto j = nlohmann::json::parse(read_file((tampered / "shard.json").string()));
    j["images"]["1"]["usb"]["truth"] = "../../../../etc/passwd";
    write_file((tampered / "shard.json").string(), j.dump());
    refused(merge(q(shards[0]) + " " + q(tampered)), "is not a path inside the shard folder");

    write_file((tampered / "shard.json").string(), "{\"format\": \"something else\"}");
    refused(merge(q(shards[0]) + " " + q(tampered)), "not a pack shard");
}

TEST(PackVariants, BadShardAndJobsValuesAreOneLineErrors) {
    const fs::path out = fs::path(temp_dir()) / "out";
    for (const char* shard : {"2/2", "1/0", "a/b", "3"}) {
        auto r =
            dflab::test::dflab("pack build " + q(kIntro) + " -o " + q(out) + " --shard " + shard);
        EXPECT_NE(r.exit_code, 0) << shard;
        EXPECT_NE(r.err.find(std::string("--shard ") + shard), std::string::npos) << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
        EXPECT_FALSE(fs::exists(out));
    }
    auto r = dflab::test::dflab("pack build " + q(kIntro) + " -o " + q(out) + " --jobs 0");
    EXPECT_NE(r.exit_code, 0);
    EXPECT_FALSE(fs::exists(out));
}

// The job processes themselves.
TEST(ParallelProcesses, EveryJobRunsAtOnceInAProcessOfItsOwn) {
    const std::string dir = temp_dir();
    const auto started = std::chrono::steady_clock::now();
    dflab::engine::run_in_parallel_processes(4, [&](unsigned i) {
        std::ofstream(dir + "/" + std::to_string(i)) << ::getpid();
        ::sleep(1);
    });
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    EXPECT_LT(seconds, 3.5) << "four 1-second jobs did not run at once";
    std::set<std::string> pids;
    for (int i = 0; i < 4; ++i) pids.insert(read_file(dir + "/" + std::to_string(i)));
    EXPECT_EQ(pids.size(), 4u);
    EXPECT_EQ(pids.count(std::to_string(::getpid())), 0u);
}

TEST(ParallelProcesses, AFailingJobStopsTheOthersAndItsWordsAreTheError) {
    const auto started = std::chrono::steady_clock::now();
    try {
        dflab::engine::run_in_parallel_processes(3, [](unsigned i) {
            if (i == 1) throw dflab::common::Error("recipe.yaml: variant 1: no such partition");
            ::sleep(60);
        });
        FAIL() << "no error";
    } catch (const dflab::common::Interrupted&) {
        FAIL() << "a failure is not an interruption";
    } catch (const dflab::common::Error& e) {
        EXPECT_STREQ(e.what(), "recipe.yaml: variant 1: no such partition");
    }
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
              30.0);
}

TEST(ParallelProcesses, AJobKilledBySignalIsNamed) {
    try {
        dflab::engine::run_in_parallel_processes(2, [](unsigned i) {
            if (i == 0) ::raise(SIGKILL);
        });
        FAIL() << "no error";
    } catch (const dflab::common::Error& e) {
        EXPECT_NE(std::string(e.what()).find("job 0 was killed by signal 9"), std::string::npos)
            << e.what();
        EXPECT_NE(std::string(e.what()).find("fewer --jobs"), std::string::npos) << e.what();
    }
}

// The cluster examples (scripts/cluster/), run on this machine by their run-locally.sh: a Slurm
// job array and a Kubernetes Indexed Job of 2 shards each, then the merge.
TEST(PackVariants, TheSlurmAndKubernetesExamplesRunLocallyToTheSameBundles) {
    const fs::path root = temp_dir();
    const fs::path scripts = fs::path(DFLAB_SOURCE_DIR) / "scripts/cluster";
    for (const char* cluster : {"slurm", "kubernetes"}) {
        const fs::path out = root / cluster;
        auto r = run("DFLAB=" + shell_quote(DFLAB_BINARY) + " bash " +
                     q(scripts / cluster / "run-locally.sh") + " " + q(kIntro) + " 3 2 " + q(out));
        ASSERT_EQ(r.exit_code, 0) << cluster << ": " << r.err;
        expect_same_bundles(single_process(), out);
        EXPECT_FALSE(fs::exists(root / (std::string(cluster) + ".shards")));
    }
}
