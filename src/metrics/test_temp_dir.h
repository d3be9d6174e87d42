// Test-only: the shared scratch directory (util/test_temp_dir.h), under this layer's name.
#pragma once

#include "base/test_temp_dir.h"

namespace trail::metrics::testutil {
using TempDir = trail::testing::TempDir;
}  // namespace trail::metrics::testutil
