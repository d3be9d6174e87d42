#include "store/oid.h"

#include "store/pack.h"

namespace trail::store {

std::string OidString(const Sha256Digest& id) { return "sha256:" + ToHex(id); }

std::optional<Sha256Digest> ParseOid(std::string_view text) {
  if (text.rfind("sha256:", 0) == 0) text.remove_prefix(7);
  return ParseHexId(text);
}

}  // namespace trail::store
