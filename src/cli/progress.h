// A one-line progress bar on stderr: [#####     ]  42%  label
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>

namespace hw {

class Progress {
 public:
  explicit Progress(int64_t total) : total_(total > 0 ? total : 1) {}
  // Marks `done` of total finished; redraws only when the percentage or the label changes.
  void update(int64_t done, const std::string& label) {
    done_ = done;
    const int width = 30, filled = int(width * done_ / total_), pct = int(100 * done_ / total_);
    if (pct == pct_ && label == label_) return;
    pct_ = pct, label_ = label;
    std::fprintf(stderr, "\r[%.*s%*s] %3d%%  %-22s", filled, "##############################", width - filled,
                 "", pct, label.c_str());
    std::fflush(stderr);
  }
  void step(const std::string& label) { update(done_ + 1, label); }
  void finish() { std::fprintf(stderr, "\n"); }

 private:
  int64_t total_, done_ = 0;
  int pct_ = -1;
  std::string label_;
};

}  // namespace hw
