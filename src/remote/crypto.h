// HMAC-SHA256 for request signing, over OpenSSL. SHA-256 itself, streamed or not, and the hex
// encoding are base/sha256.h's.
#pragma once

#include <string>
#include <string_view>

#include "base/sha256.h"  // HexEncode, ToHex, Sha256Of

namespace trail::remote {

// The raw 32-byte HMAC.
std::string HmacSha256(std::string_view key, std::string_view data);
// Lower-case hex, as SigV4 writes every hash.
// SHA-1 in lower-case hex: only for names others chose it for (the AWS SSO cache's files).
std::string Sha1Hex(std::string_view data);
inline std::string Sha256Hex(std::string_view data) { return ToHex(Sha256Of(data)); }

}  // namespace trail::remote
