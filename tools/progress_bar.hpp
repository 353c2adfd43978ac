#pragma once
// A progress bar with rate and ETA on stderr, drawn only when stderr is a terminal.
#include <chrono>
#include <string>

#include "engine/supervisor.hpp"

namespace dflab::tools {

class ProgressBar {
  public:
    explicit ProgressBar(std::string label);
    ~ProgressBar();
    void update(const engine::Progress& p);
    void finish();  // clears the bar

  private:
    std::string label_;
    bool enabled_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace dflab::tools
