// The text form of a stored file's id, as pointer files and records write it: "sha256:<hex>",
// the git-lfs oid.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/hash.h"

namespace trail::store {

// "sha256:<64 hex digits>"
std::string OidString(const Sha256Digest& id);
// Accepts "sha256:<hex>" or a bare 64-digit hex id; nullopt for anything else.
std::optional<Sha256Digest> ParseOid(std::string_view text);

}  // namespace trail::store
