// A fixed pool of worker threads with static work partitioning: run(n, fn) calls
// fn(begin, end, thread) on thread t for the t-th of n_threads equal slices of [0, n).
// The split depends only on n and the thread count, never on timing.
#pragma once
#include <atomic>
#include <cstdint>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace hw {

// A non-owning reference to a callable (no allocation, unlike std::function): valid
// only while the callable it was made from lives, which for run() is the call itself.
template <typename Sig>
class FunctionRef;
template <typename R, typename... Args>
class FunctionRef<R(Args...)> {
 public:
  template <typename F, typename = std::enable_if_t<!std::is_same_v<std::decay_t<F>, FunctionRef>>>
  FunctionRef(F&& f) : obj_(const_cast<void*>(static_cast<const void*>(&f))),
                       call_([](void* o, Args... a) -> R { return (*static_cast<std::remove_reference_t<F>*>(o))(std::forward<Args>(a)...); }) {}
  R operator()(Args... a) const { return call_(obj_, std::forward<Args>(a)...); }

 private:
  void* obj_;
  R (*call_)(void*, Args...);
};

class ThreadPool {
 public:
  using Fn = FunctionRef<void(int64_t begin, int64_t end, int thread)>;

  explicit ThreadPool(int n_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return n_threads_; }
  // Runs fn over [0, n) split into size() contiguous slices; the caller runs slice 0.
  void run(int64_t n, Fn fn);
  // Slice t of [0, n) among `parts` parts.
  static void slice(int64_t n, int parts, int t, int64_t* begin, int64_t* end) {
    *begin = n * t / parts;
    *end = n * (t + 1) / parts;
  }

 private:
  void worker(int t);

  int n_threads_;
  std::vector<std::thread> threads_;
  const Fn* fn_ = nullptr;  // the job of the current run, read by the workers
  int64_t n_ = 0;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<bool> stop_{false};
};

}  // namespace hw
