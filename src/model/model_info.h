// What trail reads from a model file: its format and framework, every tensor (name, dtype, shape,
// size, a checksum of its values), the architecture where the file holds one (layers, graph ops,
// inputs and outputs, signatures) and the Table 1 functions (activations, losses, optimizers) found
// in it. Every reader in this folder fills one ModelInfo; ToJson gives the shape that
// `trail model inspect --format json` prints and (without the tensor list) the run record keeps
// under `artifacts[].model` (docs/models.md).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/yaml.h"  // Json

namespace trail::model {

// Element types, named as NumPy names them. kOther is a type trail cannot convert to numbers
// (strings, quantized types, resources): it is listed with the file's own name in
// TensorInfo::dtype_name, counted in bytes, but has no element size, no values and no checksum.
enum class DType {
  kBool,
  kInt8,
  kUInt8,
  kInt16,
  kUInt16,
  kInt32,
  kUInt32,
  kInt64,
  kUInt64,
  kFloat16,
  kBFloat16,
  kFloat32,
  kFloat64,
  kComplex64,
  kComplex128,
  kOther,
};

// "float32", "bfloat16", "bool", ...; "other" for kOther.
std::string_view DTypeName(DType dtype);
// Bytes per element; 0 for kOther.
size_t DTypeSize(DType dtype);

struct TensorInfo {
  std::string name;  // as the file names it: "dense/kernel", "layer1.0.weight", an ONNX initializer
  DType dtype = DType::kOther;
  std::string dtype_name;      // DTypeName(dtype), or the file's own name for kOther ("string", "qint8")
  std::vector<int64_t> shape;  // empty for a scalar
  uint64_t elements = 0;       // product of shape (1 for a scalar)
  uint64_t bytes = 0;          // stored size of the values (elements * DTypeSize when known)
  // Lower-case hex of the first 16 bytes of SHA-256 over the values as little-endian bytes in C
  // (row-major) order, so the same values give the same checksum in every format. Empty until
  // ComputeChecksums (values.h) fills it, and for kOther.
  std::string checksum;
  // False for what is not a model parameter: optimizer slots (TF "/.OPTIMIZER_SLOT/", Keras
  // "optimizer_weights"), the global step, save counters. Such tensors are listed but not counted
  // in ModelInfo::parameters.
  bool is_parameter = true;
};

// An input or output of the model or of a signature. A dimension of -1 is unknown (a batch size).
struct TensorSpec {
  std::string name;
  std::string dtype;  // DTypeName, or the file's own name
  std::vector<int64_t> shape;
  bool shape_known = true;  // false when the file gives no shape at all (unknown rank)
};

// A SavedModel / MetaGraph signature ("serving_default": inputs to outputs).
struct Signature {
  std::string key;
  std::string method;  // "tensorflow/serving/predict", ...
  std::vector<TensorSpec> inputs;
  std::vector<TensorSpec> outputs;
};

// A layer of a model that has layers (Keras), in model order.
struct Layer {
  std::string name;         // "dense_1"
  std::string type;         // the class name: "Dense", "Conv2D"
  uint64_t parameters = 0;  // elements of the layer's weights, 0 where unknown
  Json config;              // the layer's config as the file has it (null when none); diff compares it
};

// A Table 1 function as the model file names it. The recording layer maps (kind, spelling) to the
// canonical (category, name) of context/'s function table; this layer only reports what it read.
struct FoundFunction {
  std::string kind;      // "activation", "loss", "optimizer", "regularization"
  std::string spelling;  // as written: "relu", "categorical_crossentropy", "Adam", "ApplyAdam"
  std::string where;     // "layer dense_1", "training_config", "op ApplyAdam (3 nodes)"
};

struct ModelInfo {
  // One of: "tf-checkpoint-v2", "tf-checkpoint-v1", "tf-meta-graph", "tf-graph-def", "tf-saved-model",
  // "keras-h5", "keras-v3", "onnx", "safetensors", "pytorch", "torchscript", "npy", "npz".
  std::string format;
  std::string framework;            // "tensorflow", "keras", "onnx", "pytorch", "numpy"; "" if the file does not say
  std::string framework_version;    // as the file says it ("2.15.0"); "" when it does not
  std::string producer;             // who wrote it where the file says ("pytorch 2.1.0" for ONNX); "" otherwise
  std::vector<TensorInfo> tensors;  // in the file's order
  uint64_t parameters = 0;          // sum of elements over tensors with is_parameter
  uint64_t tensor_bytes = 0;        // sum of bytes over all tensors
  std::vector<Layer> layers;        // empty where the file has no layers
  std::map<std::string, uint64_t> op_counts;  // layer class or graph op -> how many (architecture summary)
  std::vector<TensorSpec> inputs;
  std::vector<TensorSpec> outputs;
  std::vector<Signature> signatures;
  std::vector<FoundFunction> functions;  // one per (kind, spelling), in the order first found
  // The architecture as the file holds it, for diffs of config values (a Keras model_config, ONNX
  // opset imports and graph attributes): null when none.
  Json architecture;
  // Things a reader skipped or could not read without failing the whole file ("3 tensors of dtype
  // string have no checksum"), one line each.
  std::vector<std::string> notes;
};

// Fills parameters and tensor_bytes from tensors.
void Totals(ModelInfo& info);

// Adds a function once per (kind, spelling).
void AddFunction(ModelInfo& info, std::string kind, std::string spelling, std::string where);

// The JSON shape of docs/models.md. `with_tensors` adds the tensor list (inspect); without it, the
// summary a run record keeps: format, framework, framework_version, producer, parameters,
// tensors (the count), tensor_bytes, layers (count), ops (the 20 most frequent), inputs, outputs,
// signatures, functions.
Json ToJson(const ModelInfo& info, bool with_tensors);

}  // namespace trail::model
