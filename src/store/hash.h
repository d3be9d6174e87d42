// The store names chunks, files and trees by SHA-256 (base/sha256.h); these names keep the
// store's code and its callers reading `store::Sha256Of` as they always have.
#pragma once

#include "base/sha256.h"

namespace trail::store {

using trail::Sha256;
using trail::Sha256Digest;
using trail::Sha256Of;
using trail::ToHex;

}  // namespace trail::store
