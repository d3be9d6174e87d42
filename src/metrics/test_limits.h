// The non-finite values the metrics tests feed in: one definition for every test file, so
// that a unity build (CMAKE_UNITY_BUILD) can put these files in one translation unit.
#pragma once

#include <limits>

namespace trail::metrics {

inline constexpr double kInf = std::numeric_limits<double>::infinity();
inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace trail::metrics
