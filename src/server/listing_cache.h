// Answers that depend only on the runs branch's tip, kept until it moves: the column chooser's
// keys and the count of each filter's runs. Both read every row of a big index (a GROUP BY over
// millions of key rows, a filter evaluated on every run: 100-200 ms at 100,000 runs), while the
// table asks for them on every page load and every refresh a live run causes. Keyed by the tip,
// so an answer can never be stale; bounded, so a stream of distinct filters cannot grow it.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "trail/json.h"

namespace trail::server {

class ListingCache {
 public:
  std::optional<Json> Keys(const std::string& tip);
  void PutKeys(const std::string& tip, const Json& keys);

  std::optional<int64_t> Count(const std::string& tip, const std::string& where, bool archived);
  void PutCount(const std::string& tip, const std::string& where, bool archived, int64_t count);

 private:
  static constexpr size_t kMaxCounts = 256;
  void MoveTo(const std::string& tip);  // forgets everything of another tip; mu_ held

  std::mutex mu_;
  std::string tip_;
  std::optional<Json> keys_;
  std::map<std::pair<std::string, bool>, int64_t> counts_;
};

}  // namespace trail::server
