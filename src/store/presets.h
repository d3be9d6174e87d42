// Which chunker preset a file gets, from its name (docs/formats/store.md, "Chunking").
#pragma once

#include <string_view>

#include "store/chunker.h"

namespace trail::store {

// True for model files: checkpoints, saved models, weights (*.ckpt*, *.pt, *.h5, ...).
bool IsModelFileName(std::string_view name);

// kCheckpointChunking for model files, kDatasetChunking for everything else.
ChunkerParams ChunkingFor(std::string_view path);

}  // namespace trail::store
