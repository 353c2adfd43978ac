// Supervisor: engine::run_supervised turns a child's crash, hang, runaway memory or exception into
// one Error naming the child's last context; result codes and progress reach the parent.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include "common/error.hpp"
#include "engine/error.hpp"
#include "engine/supervisor.hpp"

namespace dflab::test {
namespace {

using engine::ChildChannel;
using engine::SupervisorLimits;
using namespace std::chrono_literals;

// The message of the Error that run_supervised throws, or "" when it returns; fails the test
// when something other than engine::Error is thrown.
std::string failure_of(const SupervisorLimits& limits,
                       const std::function<void(ChildChannel&)>& work) {
    std::string message;
    try {
        engine::run_supervised(limits, work);
    } catch (const engine::Error& e) {
        message = e.what();
    }
    return message;
}

double elapsed_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

[[noreturn]] void sleep_forever() {
    while (true) std::this_thread::sleep_for(1h);
}

TEST(Supervisor, ReturnsResultCode) {
    EXPECT_EQ(engine::run_supervised({}, [](ChildChannel& ch) { ch.result(7); }), 7);
    EXPECT_EQ(engine::run_supervised({}, [](ChildChannel&) {}), 0);
}

TEST(Supervisor, LastResultWins) {
    EXPECT_EQ(engine::run_supervised({},
                                     [](ChildChannel& ch) {
                                         ch.result(1);
                                         ch.result(2);
                                     }),
              2);
}

TEST(Supervisor, CrashIsNamedWithContext) {
    const std::string msg = failure_of({}, [](ChildChannel& ch) {
        ch.context("image.E01 partition 2");
        ch.context("image.E01 partition 3");
        // Under AddressSanitizer a SIGSEGV is caught and turned into a report and exit(1); restore
        // the default action so that the child dies of the signal as it would in a release build.
        ::signal(SIGSEGV, SIG_DFL);
        ::raise(SIGSEGV);
    });
    EXPECT_TRUE(contains(msg, "SIGSEGV")) << msg;
    EXPECT_TRUE(contains(msg, "image.E01 partition 3")) << msg;
    EXPECT_FALSE(contains(msg, "partition 2")) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
}

TEST(Supervisor, AbortIsNamed) {
    const std::string msg = failure_of({}, [](ChildChannel& ch) {
        ch.context("disk.img");
        ::signal(SIGABRT, SIG_DFL);
        std::abort();
    });
    EXPECT_TRUE(contains(msg, "SIGABRT")) << msg;
    EXPECT_TRUE(contains(msg, "disk.img")) << msg;
}

TEST(Supervisor, StallIsDetected) {
    SupervisorLimits limits;
    limits.stall_limit = 1s;
    const auto start = std::chrono::steady_clock::now();
    const std::string msg = failure_of(limits, [](ChildChannel& ch) {
        ch.context("stuck.img");
        sleep_forever();
    });
    const double took = elapsed_since(start);
    EXPECT_TRUE(contains(msg, "no progress")) << msg;
    EXPECT_TRUE(contains(msg, "stuck.img")) << msg;
    EXPECT_GE(took, 0.9);
    EXPECT_LT(took, 5.0);
}

TEST(Supervisor, ProgressKeepsAStallAway) {
    SupervisorLimits limits;
    limits.stall_limit = 1s;
    // 2.5 s of work with a heartbeat every 200 ms never stalls.
    EXPECT_EQ(engine::run_supervised(limits,
                                     [](ChildChannel& ch) {
                                         for (int i = 0; i < 25; ++i) {
                                             std::this_thread::sleep_for(100ms);
                                             ch.progress(static_cast<uint64_t>(i), 25);
                                             if (i % 2 == 0) ch.heartbeat();
                                         }
                                         ch.result(5);
                                     }),
              5);
}

TEST(Supervisor, TimeLimit) {
    SupervisorLimits limits;
    limits.time_limit = 1s;
    limits.stall_limit = 10s;
    const auto start = std::chrono::steady_clock::now();
    const std::string msg = failure_of(limits, [](ChildChannel& ch) {
        ch.context("slow.img");
        // Busy but chatty: progress never stops, only the time limit ends it.
        for (uint64_t i = 0;; ++i) {
            ch.progress(i, i + 1000);
            std::this_thread::sleep_for(50ms);
        }
    });
    const double took = elapsed_since(start);
    EXPECT_TRUE(contains(msg, "timed out")) << msg;
    EXPECT_TRUE(contains(msg, "slow.img")) << msg;
    EXPECT_GE(took, 0.9);
    EXPECT_LT(took, 5.0);
}

TEST(Supervisor, MemoryLimit) {
    SupervisorLimits limits;
    limits.memory_limit = 200ull << 20;
    limits.time_limit = 60s;
    const auto start = std::chrono::steady_clock::now();
    const std::string msg = failure_of(limits, [](ChildChannel& ch) {
        ch.context("greedy.img");
        std::vector<std::unique_ptr<char[]>> blocks;
        const size_t step = 10u << 20;
        for (int i = 0; i < 1000; ++i) {  // up to 10 GiB: far beyond the limit
            blocks.push_back(std::make_unique<char[]>(step));
            std::memset(blocks.back().get(), 0x5a, step);  // touch every page
            ch.heartbeat();
            std::this_thread::sleep_for(10ms);
        }
        ch.result(0);
    });
    const double took = elapsed_since(start);
    EXPECT_TRUE(contains(msg, "memory")) << msg;
    EXPECT_TRUE(contains(msg, "limit")) << msg;
    EXPECT_TRUE(contains(msg, "200 MiB")) << msg;
    EXPECT_LT(took, 30.0);
}

TEST(Supervisor, ExceptionMessageIsPassedOn) {
    const std::string msg = failure_of({}, [](ChildChannel& ch) {
        ch.context("thrower.img");
        throw engine::Error("thrower.img: partition 2: no entry /missing");
    });
    EXPECT_EQ(msg, "thrower.img: partition 2: no entry /missing");
}

TEST(Supervisor, MultiLineExceptionBecomesOneLine) {
    const std::string msg =
        failure_of({}, [](ChildChannel&) { throw std::runtime_error("first\nsecond"); });
    EXPECT_TRUE(contains(msg, "first")) << msg;
    EXPECT_TRUE(contains(msg, "second")) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
}

TEST(Supervisor, NonZeroExitWithoutMessage) {
    const std::string msg = failure_of({}, [](ChildChannel& ch) {
        ch.context("exiter.img");
        ::_exit(9);
    });
    EXPECT_TRUE(contains(msg, "exiter.img")) << msg;
    EXPECT_TRUE(contains(msg, "9")) << msg;
}

TEST(Supervisor, ProgressIsDelivered) {
    std::vector<engine::Progress> seen;
    int code = engine::run_supervised(
        {},
        [](ChildChannel& ch) {
            ch.progress(1, 10, "files");
            std::this_thread::sleep_for(100ms);  // the child sends at most 20 updates a second
            ch.progress(5, 10, "files");
            std::this_thread::sleep_for(100ms);
            ch.progress(10, 10, "files");
            ch.result(3);
        },
        [&](const engine::Progress& p) { seen.push_back(p); });
    EXPECT_EQ(code, 3);
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_EQ(seen[0].done, 1u);
    EXPECT_EQ(seen[1].done, 5u);
    EXPECT_EQ(seen[2].done, 10u);
    for (const auto& p : seen) {
        EXPECT_EQ(p.total, 10u);
        EXPECT_EQ(p.unit, "files");
    }
}

TEST(Supervisor, FinalProgressIsNeverThrottled) {
    std::vector<engine::Progress> seen;
    engine::run_supervised(
        {},
        [](ChildChannel& ch) {
            for (uint64_t i = 0; i <= 1000; ++i) ch.progress(i, 1000);
        },
        [&](const engine::Progress& p) { seen.push_back(p); });
    ASSERT_FALSE(seen.empty());
    EXPECT_LT(seen.size(), 100u);  // throttled
    EXPECT_EQ(seen.back().done, 1000u);
    EXPECT_EQ(seen.back().total, 1000u);
    EXPECT_EQ(seen.back().unit, "bytes");
}

TEST(Supervisor, ChildOutputReachesStdout) {
    // What the child prints before it ends is flushed (dflab's subcommands print in the child).
    testing::internal::CaptureStdout();
    engine::run_supervised({}, [](ChildChannel&) { std::printf("from the child\n"); });
    const std::string out = testing::internal::GetCapturedStdout();
    EXPECT_EQ(out, "from the child\n");
}

// A child that dies half-way through a line (a crash, the memory limit) leaves only its whole
// lines on standard output: no truncated JSON Lines record (issue 15: `ls -r --json` on a damaged
// partition ended in `{"alloc`).
TEST(Supervisor, AChildThatDiesLeavesNoHalfLine) {
    testing::internal::CaptureStdout();
    const std::string message = failure_of({}, [](ChildChannel&) {
        std::printf("{\"path\": \"/a\"}\n{\"path\": \"/b\"}\n{\"alloc");
        std::fflush(stdout);
        std::abort();
    });
    const std::string out = testing::internal::GetCapturedStdout();
    EXPECT_TRUE(contains(message, "SIGABRT")) << message;
    EXPECT_EQ(out, "{\"path\": \"/a\"}\n{\"path\": \"/b\"}\n");
}

// A child that fails with an error keeps its whole lines too, and one that ends cleanly passes
// on everything, a last line without a line break and binary output longer than the relay holds
// back included.
TEST(Supervisor, WholeOutputOfACleanChildEvenWithoutALineBreak) {
    testing::internal::CaptureStdout();
    const std::string message = failure_of({}, [](ChildChannel&) {
        std::printf("done\nhal");
        throw engine::Error("x.img: damaged");
    });
    EXPECT_EQ(testing::internal::GetCapturedStdout(), "done\n");
    EXPECT_EQ(message, "x.img: damaged");

    testing::internal::CaptureStdout();
    engine::run_supervised({}, [](ChildChannel&) { std::printf("no line break"); });
    EXPECT_EQ(testing::internal::GetCapturedStdout(), "no line break");

    const std::string binary(3 << 20, 'x');  // 3 MiB without a line break
    testing::internal::CaptureStdout();
    engine::run_supervised(
        {}, [&](ChildChannel&) { std::fwrite(binary.data(), 1, binary.size(), stdout); });
    EXPECT_EQ(testing::internal::GetCapturedStdout(), binary);
}

// Open descriptors of this process, as the kernel lists them.
long open_descriptors() {
    namespace fs = std::filesystem;
    return static_cast<long>(
        std::distance(fs::directory_iterator("/proc/self/fd"), fs::directory_iterator{}));
}

TEST(Supervisor, InterruptionIsItsOwnTypeAndClosesThePipe) {
    const long before = open_descriptors();
    std::string message;
    try {
        engine::run_supervised({}, [](ChildChannel&) {
            ::kill(::getppid(), SIGINT);  // as Ctrl-C would, to the supervising parent
            sleep_forever();
        });
        ADD_FAILURE() << "run_supervised returned";
    } catch (const common::Interrupted& e) {
        message = e.what();
    }
    EXPECT_EQ(message, "interrupted");
    EXPECT_EQ(open_descriptors(), before);
    EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);  // the child was reaped
    // Any other failure stays a plain Error, not an interruption.
    try {
        engine::run_supervised({}, [](ChildChannel&) { throw engine::Error("bad block"); });
    } catch (const common::Interrupted&) {
        ADD_FAILURE() << "a child's error reported as an interruption";
    } catch (const engine::Error& e) {
        EXPECT_STREQ(e.what(), "bad block");
    }
}

TEST(Supervisor, ManyRunsLeaveNoZombies) {
    for (int i = 0; i < 20; ++i) {
        EXPECT_EQ(engine::run_supervised({}, [i](ChildChannel& ch) { ch.result(i); }), i);
    }
    // waitpid(-1) finds no child left behind.
    EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);
}

}  // namespace
}  // namespace dflab::test
