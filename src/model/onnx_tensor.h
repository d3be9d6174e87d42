// ONNX TensorProto (onnx/onnx.proto): an initializer's name, dims, data type and where its
// values lie: raw_data (little-endian, C order), a typed repeated field (float_data,
// double_data: fixed-width, read as a range; int32_data, int64_data, uint64_data: varints,
// converted while streaming), or external_data (a file beside the model, resolved by onnx.cc).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "model/model_file.h"
#include "model/onnx_wire.h"
#include "model/random_file.h"

namespace trail::model {

struct OnnxValues {
  enum class Encoding { kNone, kRange, kVarint };
  Encoding encoding = Encoding::kNone;
  uint64_t offset = 0;  // in the model file, or (external) in the external file
  uint64_t length = 0;
  bool external = false;
  std::string location;     // external_data "location"
  bool has_length = false;  // external_data gave "length"
};

struct OnnxTensor {
  TensorInfo info;
  OnnxValues values;
  std::string unread;  // why the values cannot be read (kOther), "" when they can
};

// Maps TensorProto.DataType to trail's dtype; false (with `name` "onnx type N" or the ONNX name)
// for strings and types trail cannot convert.
bool OnnxDType(uint64_t data_type, DType* dtype, std::string* name);

// Reads the TensorProto in `field` (length-delimited) of `file`. Corrupt naming `what` when
// malformed: dims that overflow, data that does not hold the dims' elements.
StatusOr<OnnxTensor> ReadOnnxTensor(const RandomFile& file, const OnnxField& field, const std::string& what);

// A stream of `count` varints at [offset, offset + length) of `file`, each written as `width`
// little-endian bytes (the low bytes of its two's complement value).
std::unique_ptr<ValueStream> MakeVarintStream(const RandomFile* file, uint64_t offset, uint64_t length, size_t width,
                                              std::string what);

}  // namespace trail::model
