#include "base/random_id.h"

#include <gtest/gtest.h>

#include <set>

namespace trail {
namespace {

TEST(RandomUidTest, IsThirtyTwoLowercaseHexDigitsAndNeverRepeats) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string uid = RandomUid();
    ASSERT_EQ(uid.size(), 32u) << uid;
    for (char c : uid) ASSERT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << uid;
    ASSERT_TRUE(seen.insert(uid).second) << "repeated " << uid;
  }
}

}  // namespace
}  // namespace trail
