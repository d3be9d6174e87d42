#include "recording/file_metric_names.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>

namespace trail {
namespace {

std::vector<std::string_view> Components(std::string_view path) {
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    size_t slash = path.find('/');
    if (slash != 0) parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return parts;
}

// The number of leading components every id in `ids` shares.
size_t CommonParentDepth(const std::vector<std::vector<std::string_view>>& ids) {
  size_t depth = ids.empty() ? 0 : ids[0].size();
  for (const auto& id : ids) {
    size_t same = 0;
    while (same < depth && same < id.size() && id[same] == ids[0][same]) ++same;
    depth = same;
  }
  return depth;
}

}  // namespace

std::vector<std::string> DistinguishingPrefixes(const std::vector<NamedSource>& sources) {
  // Which sources share a name with another one.
  std::unordered_map<std::string_view, size_t> first_owner;
  std::vector<bool> collides(sources.size(), false);
  for (size_t i = 0; i < sources.size(); ++i) {
    for (const std::string& key : sources[i].keys) {
      auto [it, inserted] = first_owner.emplace(key, i);
      if (!inserted && it->second != i) collides[i] = collides[it->second] = true;
    }
  }
  std::vector<std::vector<std::string_view>> colliding_ids;
  for (size_t i = 0; i < sources.size(); ++i) {
    if (collides[i]) colliding_ids.push_back(Components(sources[i].id));
  }
  const size_t parent = CommonParentDepth(colliding_ids);
  std::vector<std::string> prefixes(sources.size());
  for (size_t i = 0; i < sources.size(); ++i) {
    if (!collides[i]) continue;
    std::vector<std::string_view> parts = Components(sources[i].id);
    for (size_t c = parent; c < parts.size(); ++c) {
      prefixes[i].append(parts[c]);
      prefixes[i].push_back('/');
    }
  }
  return prefixes;
}

}  // namespace trail
