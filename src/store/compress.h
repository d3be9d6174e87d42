// zstd compression of chunks, and a quick probe that says whether it is worth trying.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "trail/status.h"

namespace trail::store {

// True when `chunk` looks compressible enough to store compressed. Compresses at most 16 KiB
// (four 4 KiB samples spread over the chunk) at zstd level 1 and asks for a 10% saving, so it
// costs tens of microseconds and turns down random bytes and dense float32 weights, whose
// mantissas do not compress, before a full-size compression is wasted on them.
bool WorthCompressing(std::string_view chunk);

// zstd frame of `data`, with the content size in the header. Errors are zstd failing (Internal).
StatusOr<std::string> Compress(std::string_view data, int level = 3);

// Inverse of Compress. `expected_size` is the size recorded for the chunk; a frame that does not
// decode to exactly that many bytes is Corrupt, as is anything that is not a zstd frame.
// Allocates `expected_size` bytes, so callers must not take it from untrusted input unchecked.
StatusOr<std::string> Decompress(std::string_view frame, size_t expected_size);

}  // namespace trail::store
