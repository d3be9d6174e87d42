#include "base/random_id.h"

#include <cstdint>
#include <cstdio>
#include <random>

namespace trail {

std::string RandomUid() {
  std::random_device rd;  // getrandom(2) on Linux: no seeding, no state shared between processes
  auto word = [&rd] { return (static_cast<uint64_t>(rd()) << 32) | rd(); };
  const uint64_t high = word(), low = word();
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(high),
                static_cast<unsigned long long>(low));
  return buf;
}

}  // namespace trail
