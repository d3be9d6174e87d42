// SeriesCache: parsed series kept by content id, bounded in bytes, least recently used first out.
// Keys are content ids (a git blob id, a store oid), so an entry can never be stale and is never
// invalidated; only memory pressure removes it. A value handed out stays alive as long as its
// holder keeps the shared_ptr, whether or not it has been evicted since.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

namespace trail::metrics {

// Safe from any thread: one mutex around the bookkeeping (never held while parsing).
template <class T>
class SeriesCache {
 public:
  explicit SeriesCache(size_t capacity_bytes) : capacity_(capacity_bytes) {}
  SeriesCache(const SeriesCache&) = delete;
  SeriesCache& operator=(const SeriesCache&) = delete;

  // The value for `key`, now the most recently used; nullptr when absent.
  std::shared_ptr<const T> Find(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = index_.find(key);
    if (it == index_.end()) {
      ++misses_;
      return nullptr;
    }
    ++hits_;
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->value;
  }

  // Keeps `value` (which takes `bytes` of memory) under `key`, evicting the least recently used
  // entries until everything fits. A value bigger than the whole capacity is not kept. Two
  // threads that parsed the same content at once both insert: the second replaces the first
  // (they are equal, being parsed from the same bytes).
  void Insert(const std::string& key, std::shared_ptr<const T> value, size_t bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = index_.find(key); it != index_.end()) Erase(it->second);
    if (bytes > capacity_) return;
    lru_.push_front(Entry{key, std::move(value), bytes});
    index_.emplace(key, lru_.begin());
    bytes_ += bytes;
    Shrink();
  }

  void SetCapacity(size_t capacity_bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    capacity_ = capacity_bytes;
    Shrink();
  }

  struct Stats {
    size_t entries, bytes, capacity;
    uint64_t hits, misses, evictions;
  };
  Stats stats() const {
    std::lock_guard<std::mutex> lock(mu_);
    return Stats{index_.size(), bytes_, capacity_, hits_, misses_, evictions_};
  }

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const T> value;
    size_t bytes;
  };
  using Iter = typename std::list<Entry>::iterator;

  void Erase(Iter it) {
    bytes_ -= it->bytes;
    index_.erase(it->key);
    lru_.erase(it);
  }
  void Shrink() {
    while (bytes_ > capacity_ && !lru_.empty()) {
      Erase(std::prev(lru_.end()));
      ++evictions_;
    }
  }

  mutable std::mutex mu_;
  size_t capacity_;
  size_t bytes_ = 0;
  uint64_t hits_ = 0, misses_ = 0, evictions_ = 0;
  std::list<Entry> lru_;  // most recently used first
  std::unordered_map<std::string, Iter> index_;
};

}  // namespace trail::metrics
