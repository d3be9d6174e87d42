// Random identifiers: the uids of runs and registry records, which must not collide between
// clones that never talked to each other.
#pragma once

#include <string>

namespace trail {

// 128 bits from the operating system's generator (getrandom(2) through std::random_device), as 32
// lowercase hex digits.
std::string RandomUid();

}  // namespace trail
