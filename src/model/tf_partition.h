// Partitioned variables in a V2 checkpoint (tf.compat.v1.get_variable(partitioner=...), sharded
// variables): TF's BundleWriter::AddSlice gives the full variable one BundleEntryProto with its
// dtype, full shape and a TensorSliceProto per part in `slices` (no bytes of its own), and stores
// each part as an ordinary entry under the key checkpoint::EncodeTensorNameSlice(name, slice).
// This file decodes the slices, names their keys, checks that they tile the full shape, and
// streams the assembled variable in C order from the parts' shards.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/model_file.h"
#include "model/random_file.h"
#include "trail/status.h"

namespace trail::model {

// One dimension of a TensorSliceProto (extent = 1: Extent { start = 1, length = 2 }); a missing
// length is the whole dimension, kept as -1 as TF's TensorSlice keeps it.
struct SliceExtent {
  int64_t start = 0;
  int64_t length = -1;
};

// False when the bytes are malformed or an extent has a negative start or a length below -1.
bool ParseTensorSlice(std::string_view bytes, std::vector<SliceExtent>* extents);

// The bundle key of a slice: OrderedCode (tensorflow/core/lib/strings/ordered_code.h) of the
// number 0, the variable's name, the rank, then each extent's start and length as signed numbers.
std::string TfSliceKey(std::string_view name, const std::vector<SliceExtent>& extents);

// "[0:2, :]" for messages: start:end per dimension, ":" for a whole one.
std::string SliceText(const std::vector<SliceExtent>& extents);

// One part of a partitioned variable, its entry already checked against its shard.
struct SlicePart {
  std::vector<SliceExtent> extents;
  const RandomFile* shard = nullptr;  // owned by the bundle, which outlives every plan
  uint64_t offset = 0;
  uint32_t masked_crc = 0;
};

// How a variable split along one dimension is read back in C order: for each index over the
// dimensions before `axis` (`outer` of them), each part in order of its start on `axis` gives a
// contiguous run of its own bytes.
struct PartitionPlan {
  struct Part {
    const RandomFile* shard = nullptr;
    uint64_t offset = 0;
    uint64_t run_bytes = 0;  // its length on `axis` times the elements after `axis`, in bytes
    uint32_t masked_crc = 0;
  };
  uint64_t outer = 1;
  uint64_t total_bytes = 0;
  size_t width = 0;         // bytes per element
  size_t swap = 1;          // big-endian bundles: bytes per swapped unit (then no CRC check)
  std::vector<Part> parts;  // parts with no elements are left out
};

// Checks `parts` against the variable's `shape` and fills `plan`. Corrupt "`what`: ..." when a
// part's rank differs from the shape's, a part lies past the full shape, parts overlap, or part of
// the variable has no slice. Parts split along more than one dimension are not assembled: then
// `plan` stays empty and `*unsupported` says why (the variable is listed without values).
Status PlanPartition(const std::string& what, const std::vector<int64_t>& shape, size_t width, size_t swap,
                     const std::vector<SlicePart>& parts, PartitionPlan* plan, std::string* unsupported);

// Streams the assembled variable; each part's bytes are checked against its CRC32C once read to
// the end (Corrupt "`what`: slice K ...").
std::unique_ptr<ValueStream> MakePartitionStream(std::shared_ptr<const PartitionPlan> plan, std::string what);

}  // namespace trail::model
