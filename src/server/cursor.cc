#include "cursor.h"

#include <cinttypes>
#include <cstdio>
#include <regex>

namespace trail::server {
namespace {

void Mix(uint64_t* h, const std::string& text) {
  for (unsigned char c : text) {
    *h ^= c;
    *h *= 1099511628211ULL;
  }
  *h ^= 0xFF;  // a separator no UTF-8 text holds, so ("ab","c") and ("a","bc") differ
  *h *= 1099511628211ULL;
}

}  // namespace

uint64_t QueryFingerprint(const api::RunQuery& query) {
  uint64_t h = 14695981039346656037ULL;
  Mix(&h, query.where);
  Mix(&h, query.sort);
  Mix(&h, query.descending ? "desc" : "asc");
  Mix(&h, query.include_archived ? "all" : "live");
  return h;
}

std::string EncodeCursor(const api::RunQuery& query, int64_t next_offset) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%" PRId64 ".%016" PRIx64, next_offset, QueryFingerprint(query));
  return buf;
}

StatusOr<int64_t> DecodeCursor(const std::string& cursor, const api::RunQuery& query) {
  static const std::regex kCursor(R"(^([0-9]{1,12})\.([0-9a-f]{16})$)");
  std::smatch m;
  if (!std::regex_match(cursor, m, kCursor)) return InvalidArgument("malformed cursor");
  char buf[20];
  std::snprintf(buf, sizeof(buf), "%016" PRIx64, QueryFingerprint(query));
  if (m[2].str() != buf) return InvalidArgument("the cursor belongs to a different query (where, sort or order)");
  return static_cast<int64_t>(std::strtoll(m[1].str().c_str(), nullptr, 10));
}

}  // namespace trail::server
