#include "model/model_info.h"

#include <algorithm>

namespace trail::model {

std::string_view DTypeName(DType dtype) {
  switch (dtype) {
    case DType::kBool:
      return "bool";
    case DType::kInt8:
      return "int8";
    case DType::kUInt8:
      return "uint8";
    case DType::kInt16:
      return "int16";
    case DType::kUInt16:
      return "uint16";
    case DType::kInt32:
      return "int32";
    case DType::kUInt32:
      return "uint32";
    case DType::kInt64:
      return "int64";
    case DType::kUInt64:
      return "uint64";
    case DType::kFloat16:
      return "float16";
    case DType::kBFloat16:
      return "bfloat16";
    case DType::kFloat32:
      return "float32";
    case DType::kFloat64:
      return "float64";
    case DType::kComplex64:
      return "complex64";
    case DType::kComplex128:
      return "complex128";
    case DType::kOther:
      return "other";
  }
  return "other";
}

size_t DTypeSize(DType dtype) {
  switch (dtype) {
    case DType::kBool:
    case DType::kInt8:
    case DType::kUInt8:
      return 1;
    case DType::kInt16:
    case DType::kUInt16:
    case DType::kFloat16:
    case DType::kBFloat16:
      return 2;
    case DType::kInt32:
    case DType::kUInt32:
    case DType::kFloat32:
      return 4;
    case DType::kInt64:
    case DType::kUInt64:
    case DType::kFloat64:
    case DType::kComplex64:
      return 8;
    case DType::kComplex128:
      return 16;
    case DType::kOther:
      return 0;
  }
  return 0;
}

void Totals(ModelInfo& info) {
  info.parameters = 0;
  info.tensor_bytes = 0;
  for (const TensorInfo& t : info.tensors) {
    if (t.is_parameter) info.parameters += t.elements;
    info.tensor_bytes += t.bytes;
  }
}

void AddFunction(ModelInfo& info, std::string kind, std::string spelling, std::string where) {
  for (const FoundFunction& f : info.functions) {
    if (f.kind == kind && f.spelling == spelling) return;
  }
  info.functions.push_back({std::move(kind), std::move(spelling), std::move(where)});
}

namespace {

Json SpecJson(const TensorSpec& spec) {
  Json j = Json::object();
  j["name"] = spec.name;
  j["dtype"] = spec.dtype;
  j["shape"] = spec.shape_known ? Json(spec.shape) : Json(nullptr);
  return j;
}

Json InfoSpecsJson(const std::vector<TensorSpec>& specs) {
  Json j = Json::array();
  for (const TensorSpec& s : specs) j.push_back(SpecJson(s));
  return j;
}

}  // namespace

Json ToJson(const ModelInfo& info, bool with_tensors) {
  Json j = Json::object();
  j["format"] = info.format;
  j["framework"] = info.framework;
  if (!info.framework_version.empty()) j["framework_version"] = info.framework_version;
  if (!info.producer.empty()) j["producer"] = info.producer;
  j["parameters"] = info.parameters;
  j["tensors"] = info.tensors.size();
  j["tensor_bytes"] = info.tensor_bytes;
  if (!info.layers.empty()) j["layers"] = info.layers.size();
  if (!info.op_counts.empty()) {
    std::vector<std::pair<std::string, uint64_t>> ops(info.op_counts.begin(), info.op_counts.end());
    std::stable_sort(ops.begin(), ops.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    const size_t keep = with_tensors ? ops.size() : std::min<size_t>(ops.size(), 20);
    Json o = Json::object();
    for (size_t i = 0; i < keep; ++i) o[ops[i].first] = ops[i].second;
    j["ops"] = o;
  }
  if (!info.inputs.empty()) j["inputs"] = InfoSpecsJson(info.inputs);
  if (!info.outputs.empty()) j["outputs"] = InfoSpecsJson(info.outputs);
  if (!info.signatures.empty()) {
    Json sigs = Json::array();
    for (const Signature& s : info.signatures) {
      sigs.push_back({{"key", s.key},
                      {"method", s.method},
                      {"inputs", InfoSpecsJson(s.inputs)},
                      {"outputs", InfoSpecsJson(s.outputs)}});
    }
    j["signatures"] = sigs;
  }
  if (!info.functions.empty()) {
    Json fs = Json::array();
    for (const FoundFunction& f : info.functions)
      fs.push_back({{"kind", f.kind}, {"name", f.spelling}, {"where", f.where}});
    j["functions"] = fs;
  }
  if (with_tensors) {
    if (!info.layers.empty()) {
      Json ls = Json::array();
      for (const Layer& l : info.layers)
        ls.push_back({{"name", l.name}, {"type", l.type}, {"parameters", l.parameters}});
      j["layer_list"] = ls;
    }
    Json ts = Json::array();
    for (const TensorInfo& t : info.tensors) {
      Json tj = {
          {"name", t.name}, {"dtype", t.dtype_name}, {"shape", t.shape}, {"elements", t.elements}, {"bytes", t.bytes}};
      if (!t.checksum.empty()) tj["checksum"] = t.checksum;
      if (!t.is_parameter) tj["parameter"] = false;
      ts.push_back(tj);
    }
    j["tensor_list"] = ts;
    if (!info.notes.empty()) j["notes"] = info.notes;
  }
  return j;
}

}  // namespace trail::model
