#pragma once
// Token buckets keyed by account (and question), never by network address: a whole classroom
// behind one NAT address must not lock itself out (CTFd PR #3090, RootTheBox #592).
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace dflab::portal {

class RateLimiter {
  public:
    // `burst` requests at once, then one every `interval`.
    RateLimiter(double burst, std::chrono::milliseconds interval);
    // Takes one token for `key`; returns 0 when allowed, else the seconds to wait (at least 1).
    int take(std::string_view key);
    // Gives the token back (a request that turned out not to count, such as a good login).
    void reset(std::string_view key);

  private:
    struct Bucket {
        double tokens = 0;
        std::chrono::steady_clock::time_point updated;
    };
    double burst_;
    std::chrono::milliseconds interval_;
    std::mutex mutex_;
    std::map<std::string, Bucket, std::less<>> buckets_;
};

}  // namespace dflab::portal
