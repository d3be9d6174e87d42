// The names inside a store's folder (docs/formats/store.md, "Local layout"), for the code of
// store/ alone: everyone else goes through LocalStore (PackPath, IndexName, LockShared, ...), so
// the layout is spelled here once.
#pragma once

#include <string_view>

namespace trail::store::layout {

inline constexpr const char* kPacksDir = "packs";  // packs/ab/<pack id>.pack
inline constexpr const char* kIndexDir = "index";  // index/<pack id>.idx
inline constexpr std::string_view kPackSuffix = ".pack";
inline constexpr std::string_view kIndexSuffix = ".idx";
inline constexpr const char* kConfigFile = "config";
inline constexpr const char* kLockFile = "lock";
// <final name>.tmp-<pid>: a pack or index being written, or a pack being downloaded.
inline constexpr const char* kTempInfix = ".tmp-";
// Where gc builds replacement packs: inside the store, so a rename moves them into place.
inline constexpr const char* kRepackDir = "gc-rewrite";
// Where repair keeps damaged packs and their indexes.
inline constexpr const char* kDamagedDir = "damaged";

}  // namespace trail::store::layout
