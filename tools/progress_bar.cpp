#include "tools/progress_bar.hpp"

#include <unistd.h>

#include <cstdio>

namespace dflab::tools {

namespace {

std::string human(double value, const std::string& unit) {
    if (unit != "bytes") return std::to_string(static_cast<long long>(value)) + " " + unit;
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int i = 0;
    while (value >= 1024 && i < 4) {
        value /= 1024;
        ++i;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f %s", value, units[i]);
    return buf;
}

}  // namespace

ProgressBar::ProgressBar(std::string label)
    : label_(std::move(label)),
      enabled_(isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() {
    finish();
}

void ProgressBar::update(const engine::Progress& p) {
    if (!enabled_ || p.total == 0) return;
    auto now = std::chrono::steady_clock::now();
    if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100) && p.done < p.total) return;
    last_draw_ = now;
    double elapsed = std::chrono::duration<double>(now - start_).count();
    double fraction = static_cast<double>(p.done) / static_cast<double>(p.total);
    if (fraction > 1) fraction = 1;
    double rate = elapsed > 0 ? static_cast<double>(p.done) / elapsed : 0;
    long eta =
        rate > 0
            ? static_cast<long>(static_cast<double>(p.total - std::min(p.done, p.total)) / rate)
            : 0;
    constexpr int kWidth = 30;
    int filled = static_cast<int>(fraction * kWidth);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.resize(kWidth, '.');
    std::fprintf(stderr, "\r%s [%s] %3d%% %s/s ETA %ld:%02ld   ", label_.c_str(), bar.c_str(),
                 static_cast<int>(fraction * 100), human(rate, p.unit).c_str(), eta / 60, eta % 60);
    std::fflush(stderr);
    drawn_ = true;
}

void ProgressBar::finish() {
    if (!drawn_) return;
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    drawn_ = false;
}

}  // namespace dflab::tools
