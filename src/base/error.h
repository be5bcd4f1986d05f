// hardwire: the one error type. Every defect in input (a file, a request, a flag)
// is reported as a hw::Error whose message is one line naming the defect.
#pragma once
#include <stdexcept>
#include <string>

namespace hw {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

// Throws hw::Error(msg) when cond is false. A message built by concatenation is
// built before the call even when cond holds: hot paths test and throw themselves.
inline void check(bool cond, const char* msg) {
  if (!cond) throw Error(msg);
}
inline void check(bool cond, const std::string& msg) {
  if (!cond) throw Error(msg);
}

}  // namespace hw
