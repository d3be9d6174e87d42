#include "metrics/protocol_line.h"

#include <gtest/gtest.h>

#include <cmath>

namespace trail::metrics {
namespace {

TEST(ProtocolLineTest, StepTimeKeyValueAndNonFiniteSpellings) {
  std::string out;
  AppendProtocolLine(&out, 3, 1764150000.1234, "\"val loss\"", 0.25);
  AppendProtocolLine(&out, std::nullopt, 1764150000.5, "\"x\"", std::nan(""));
  AppendProtocolLine(&out, -1, 1764150001.0, "\"y\"", -INFINITY);
  EXPECT_EQ(out,
            "{\"step\":3,\"time\":1764150000.123,\"val loss\":0.25}\n"
            "{\"time\":1764150000.5,\"x\":NaN}\n"
            "{\"step\":-1,\"time\":1764150001,\"y\":-Infinity}\n");
}

}  // namespace
}  // namespace trail::metrics
