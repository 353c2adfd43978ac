#include "portal/rate_limit.hpp"

#include <algorithm>
#include <cmath>

namespace dflab::portal {

RateLimiter::RateLimiter(double burst, std::chrono::milliseconds interval)
    : burst_(burst), interval_(interval) {}

int RateLimiter::take(std::string_view key) {
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    if (buckets_.size() > 100000) buckets_.clear();  // bounded memory, whatever the keys
    auto it = buckets_.find(key);
    if (it == buckets_.end()) it = buckets_.emplace(std::string(key), Bucket{burst_, now}).first;
    Bucket& b = it->second;
    const double refill =
        std::chrono::duration<double>(now - b.updated) / std::chrono::duration<double>(interval_);
    b.tokens = std::min(burst_, b.tokens + refill);
    b.updated = now;
    if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
    }
    const double wait = (1 - b.tokens) * std::chrono::duration<double>(interval_).count();
    return std::max(1, static_cast<int>(std::ceil(wait)));
}

void RateLimiter::reset(std::string_view key) {
    std::lock_guard lock(mutex_);
    if (auto it = buckets_.find(key); it != buckets_.end()) buckets_.erase(it);
}

}  // namespace dflab::portal
