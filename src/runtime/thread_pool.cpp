#include "runtime/thread_pool.h"

namespace hw {

ThreadPool::ThreadPool(int n_threads) : n_threads_(n_threads < 1 ? 1 : n_threads) {
  for (int t = 1; t < n_threads_; ++t) threads_.emplace_back([this, t] { worker(t); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true);
  generation_.fetch_add(1);
  generation_.notify_all();
  for (auto& th : threads_) th.join();
}

void ThreadPool::run(int64_t n, Fn fn) {
  if (n_threads_ == 1) {
    fn(0, n, 0);
    return;
  }
  fn_ = &fn;
  n_ = n;
  pending_.store(n_threads_ - 1);
  generation_.fetch_add(1, std::memory_order_release);
  generation_.notify_all();
  int64_t b, e;
  slice(n, n_threads_, 0, &b, &e);
  fn(b, e, 0);
  // Spin briefly, then sleep until every worker has finished its slice.
  for (int spin = 0; pending_.load(std::memory_order_acquire) != 0; ++spin) {
    if (spin > 20000) {
      int p = pending_.load(std::memory_order_acquire);
      if (p != 0) pending_.wait(p);
    }
  }
}

void ThreadPool::worker(int t) {
  uint64_t seen = 0;
  for (;;) {
    for (int spin = 0; generation_.load(std::memory_order_acquire) == seen; ++spin)
      if (spin > 20000) generation_.wait(seen);
    seen = generation_.load(std::memory_order_acquire);
    if (stop_.load()) return;
    int64_t b, e;
    slice(n_, n_threads_, t, &b, &e);
    (*fn_)(b, e, t);
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) pending_.notify_one();
  }
}

}  // namespace hw
