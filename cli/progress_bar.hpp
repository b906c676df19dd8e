// A progress bar on stderr, drawn only when stderr is a terminal (so logs and
// CI output stay clean).
#pragma once

#include <cstdio>
#include <string>

#include <unistd.h>

namespace orchsim::cli {

class ProgressBar {
 public:
  explicit ProgressBar(std::string label) : label_(std::move(label)), enabled_(isatty(STDERR_FILENO) == 1) {}
  ~ProgressBar() { finish(); }
  bool enabled() const { return enabled_; }
  void update(double fraction) {
    if (!enabled_) return;
    const int percent = static_cast<int>(fraction * 100.0);
    if (percent == last_) return;
    last_ = percent;
    const int width = 40;
    const int filled = percent * width / 100;
    std::fprintf(stderr, "\r%s [%s%s] %3d%%", label_.c_str(), std::string(static_cast<std::size_t>(filled), '#').c_str(),
                 std::string(static_cast<std::size_t>(width - filled), ' ').c_str(), percent);
    std::fflush(stderr);
  }
  void finish() {
    if (enabled_ && last_ >= 0) {
      std::fprintf(stderr, "\r\033[K");
      std::fflush(stderr);
    }
    last_ = -1;
  }

 private:
  std::string label_;
  bool enabled_;
  int last_ = -1;
};

}  // namespace orchsim::cli
