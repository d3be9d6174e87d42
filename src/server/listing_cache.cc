#include "listing_cache.h"

namespace trail::server {

void ListingCache::MoveTo(const std::string& tip) {
  if (tip == tip_) return;
  tip_ = tip;
  keys_.reset();
  counts_.clear();
}

std::optional<Json> ListingCache::Keys(const std::string& tip) {
  std::lock_guard<std::mutex> lock(mu_);
  if (tip != tip_) return std::nullopt;
  return keys_;
}

void ListingCache::PutKeys(const std::string& tip, const Json& keys) {
  std::lock_guard<std::mutex> lock(mu_);
  MoveTo(tip);
  keys_ = keys;
}

std::optional<int64_t> ListingCache::Count(const std::string& tip, const std::string& where, bool archived) {
  std::lock_guard<std::mutex> lock(mu_);
  if (tip != tip_) return std::nullopt;
  auto it = counts_.find({where, archived});
  if (it == counts_.end()) return std::nullopt;
  return it->second;
}

void ListingCache::PutCount(const std::string& tip, const std::string& where, bool archived, int64_t count) {
  std::lock_guard<std::mutex> lock(mu_);
  MoveTo(tip);
  if (counts_.size() >= kMaxCounts) counts_.clear();
  counts_[{where, archived}] = count;
}

}  // namespace trail::server
