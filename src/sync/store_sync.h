// Store packs to and from a remote, for `trail push / fetch / pull`. How packs move (ordering,
// verification, resuming) is the store's: store/pack_transfer.h. The runs that go with them
// travel through Git: sync/runs_sync.h.
#pragma once

#include "store/pack_transfer.h"

namespace trail {

using SyncOptions = store::PackTransferOptions;
using SyncResult = store::PackTransferResult;
using store::FetchPacks;
using store::PushPacks;

}  // namespace trail
