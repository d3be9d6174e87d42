// The runs listing's paging cursor: opaque to clients, it holds the offset of the next row and a
// fingerprint of the query it continues (where, sort, order, archived), so that a cursor handed to
// a different query is refused rather than silently paging through the wrong listing.
#pragma once

#include <cstdint>
#include <string>

#include "trail/runs.h"
#include "trail/status.h"

namespace trail::server {

// A 64-bit FNV-1a digest of the query's text fields (not its offset or limit).
uint64_t QueryFingerprint(const api::RunQuery& query);
// "<offset>.<fingerprint, 16 hex digits>".
std::string EncodeCursor(const api::RunQuery& query, int64_t next_offset);
// The offset the cursor continues at. InvalidArgument for a malformed cursor, or one that
// another query made.
StatusOr<int64_t> DecodeCursor(const std::string& cursor, const api::RunQuery& query);

}  // namespace trail::server
