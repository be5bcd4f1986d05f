// A fixed pool of worker threads with static work partitioning: run(n, fn) calls
// fn(begin, end, thread) on thread t for the t-th of n_threads equal slices of [0, n).
// The split depends only on n and the thread count, never on timing.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

namespace hw {

class ThreadPool {
 public:
  using Fn = std::function<void(int64_t begin, int64_t end, int thread)>;

  explicit ThreadPool(int n_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return n_threads_; }
  // Runs fn over [0, n) split into size() contiguous slices; the caller runs slice 0.
  void run(int64_t n, const Fn& fn);
  // Slice t of [0, n) among `parts` parts.
  static void slice(int64_t n, int parts, int t, int64_t* begin, int64_t* end) {
    *begin = n * t / parts;
    *end = n * (t + 1) / parts;
  }

 private:
  void worker(int t);

  int n_threads_;
  std::vector<std::thread> threads_;
  const Fn* fn_ = nullptr;
  int64_t n_ = 0;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<bool> stop_{false};
};

}  // namespace hw
