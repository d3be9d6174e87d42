// TensorFlow's protobuf messages that the checkpoint and graph readers share, decoded with
// base/proto_wire.h. Field numbers are those of tensorflow/core/framework/types.proto,
// tensor_shape.proto and tensorflow/core/protobuf/tensor_bundle.proto.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/model_info.h"

namespace trail::model {

// TF's DataType enum (DT_FLOAT = 1, ...; reference types are +100) as a DType. Types trail cannot
// turn into numbers (string, resource, variant, quantized, float8, int4) are kOther; `name` gets
// DTypeName or TF's own lower-case name ("string", "qint8", "dtype_77" for an unknown value).
DType DTypeFromTf(uint64_t tf_enum, std::string* name);

// TF's DataType enum value for its name in protobuf text ("DT_FLOAT" = 1, "DT_HALF_REF" = 119);
// false for a name TF's types.proto does not have.
bool TfDataTypeFromName(std::string_view name, uint64_t* value);

// A TensorShapeProto: dims (-1 where unknown), or `known` false for unknown_rank. False when the
// bytes are malformed or a dimension is below -1.
bool ParseTensorShape(std::string_view bytes, std::vector<int64_t>* dims, bool* known);

// The element count of `dims` (1 for a scalar); false on overflow past 2^63 or an unknown (-1)
// dimension.
bool ElementCount(const std::vector<int64_t>& dims, uint64_t* elements);

// BundleHeaderProto: the value of the index's "" key.
struct BundleHeader {
  int64_t num_shards = 0;
  bool big_endian = false;
  int64_t version = 0;  // VersionDef.producer
};
bool ParseBundleHeader(std::string_view bytes, BundleHeader* header);

// BundleEntryProto: where one tensor's values lie.
struct BundleEntry {
  uint64_t dtype = 0;  // TF DataType enum
  std::vector<int64_t> shape;
  bool shape_known = true;
  int64_t shard_id = 0;
  int64_t offset = 0;
  int64_t size = 0;
  uint32_t crc32c = 0;  // masked CRC32C of the stored bytes
  // A partitioned variable's TensorSliceProtos (raw): its parts, each stored under its own key
  // (tf_partition.h). Empty for an ordinary tensor.
  std::vector<std::string> slices;
};
bool ParseBundleEntry(std::string_view bytes, BundleEntry* entry);

}  // namespace trail::model
