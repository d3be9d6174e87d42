// Test-only: writes TensorFlow checkpoints, MetaGraphDefs and SavedModels by the published formats,
// independently of the readers: LevelDB tables through leveldb::TableBuilder with Snappy blocks
// (as TF's BundleWriter writes its index), protos with base/test_proto_writer.h by the field
// numbers of tensorflow/core/protobuf/{tensor_bundle,meta_graph,saved_model}.proto and
// tensorflow/core/framework/{types,tensor_shape,graph,node_def,attr_value,function}.proto.
#pragma once

#include <leveldb/env.h>
#include <leveldb/options.h>
#include <leveldb/table_builder.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/crc32c.h"
#include "base/test_proto_writer.h"

namespace trail::testing::tf {

using namespace trail::testing::proto;

// TF DataType values (types.proto).
enum TfType : int {
  kDtFloat = 1,
  kDtDouble = 2,
  kDtInt32 = 3,
  kDtUint8 = 4,
  kDtInt16 = 5,
  kDtInt8 = 6,
  kDtString = 7,
  kDtInt64 = 9,
  kDtBool = 10,
  kDtBfloat16 = 14,
  kDtHalf = 19,
  kDtResource = 20,
};

// Writes a LevelDB table holding `entries` (a std::map, so in the bytewise order tables need).
inline bool WriteTable(const std::string& path, const std::map<std::string, std::string>& entries) {
  leveldb::WritableFile* raw = nullptr;
  if (!leveldb::Env::Default()->NewWritableFile(path, &raw).ok()) return false;
  std::unique_ptr<leveldb::WritableFile> file(raw);
  leveldb::Options options;
  options.compression = leveldb::kSnappyCompression;
  options.block_size = 256;  // several data blocks even for small tests
  leveldb::TableBuilder builder(options, file.get());
  for (const auto& [key, value] : entries) builder.Add(key, value);
  return builder.Finish().ok() && file->Close().ok();
}

// TensorShapeProto: repeated Dim dim = 2 { int64 size = 1 }; bool unknown_rank = 3.
inline std::string Shape(const std::vector<int64_t>& dims) {
  std::string out;
  for (int64_t d : dims) out += BytesField(2, VarintField(1, static_cast<uint64_t>(d)));
  return out;
}

// BundleHeaderProto: num_shards = 1, endianness = 2, version = 3 (VersionDef producer = 1).
inline std::string BundleHeader(int num_shards, bool big_endian = false) {
  return VarintField(1, num_shards) + (big_endian ? VarintField(2, 1) : "") + BytesField(3, VarintField(1, 1));
}

// BundleEntryProto: dtype 1, shape 2, shard_id 3, offset 4, size 5, crc32c 6 (fixed32), slices 7.
inline std::string BundleEntry(int dtype, const std::vector<int64_t>& dims, int shard, uint64_t offset, uint64_t size,
                               uint32_t masked_crc, int slices = 0) {
  std::string out = VarintField(1, dtype) + BytesField(2, Shape(dims));
  if (shard != 0) out += VarintField(3, shard);
  if (offset != 0) out += VarintField(4, offset);
  out += VarintField(5, size);
  out += Key(6, 5) + LittleEndian(masked_crc, 4);
  for (int i = 0; i < slices; ++i) out += BytesField(7, "");
  return out;
}

struct Tensor {
  std::string name;
  int dtype = kDtFloat;
  std::vector<int64_t> shape;
  std::string bytes;  // the stored values
  int shard = 0;
};

inline std::string ShardName(const std::string& prefix, int shard, int num_shards) {
  char suffix[40];
  std::snprintf(suffix, sizeof suffix, ".data-%05d-of-%05d", shard, num_shards);
  return prefix + suffix;
}

// Writes PREFIX.index and PREFIX.data-*-of-* as TF's BundleWriter does: each shard the
// concatenation of its tensors' bytes, each entry's CRC32C masked. `extra` adds raw index entries.
inline bool WriteBundle(const std::string& prefix, const std::vector<Tensor>& tensors, int num_shards = 1,
                        const std::map<std::string, std::string>& extra = {}) {
  std::map<std::string, std::string> index = extra;
  index[""] = BundleHeader(num_shards);
  std::vector<std::string> shards(static_cast<size_t>(num_shards));
  for (const Tensor& t : tensors) {
    std::string& shard = shards.at(static_cast<size_t>(t.shard));
    index[t.name] = BundleEntry(t.dtype, t.shape, t.shard, shard.size(), t.bytes.size(), MaskCrc(Crc32c(t.bytes)));
    shard += t.bytes;
  }
  for (int i = 0; i < num_shards; ++i) {
    std::ofstream(ShardName(prefix, i, num_shards), std::ios::binary) << shards[static_cast<size_t>(i)];
  }
  return WriteTable(prefix + ".index", index);
}

// --- partitioned variables (BundleWriter::AddSlice) ---

// OrderedCode (tensorflow/core/lib/strings/ordered_code.cc), written from its format description:
// an unsigned number is a length byte and its big-endian bytes without leading zeros; a string
// has 00 escaped as 00 ff and ff as ff 00, then 00 01; a signed number of n bytes (the fewest
// that hold it in [-2^(7n-1), 2^(7n-1))) is its two's complement in 8n bits with the top n bits
// flipped (so a non-negative one starts with n ones and a zero, a negative one n zeros and a one).
inline std::string OrderedNumber(uint64_t v) {
  std::string digits;
  for (; v > 0; v >>= 8) digits.insert(digits.begin(), static_cast<char>(v & 0xff));
  return static_cast<char>(digits.size()) + digits;
}
inline std::string OrderedString(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\0') {
      out += std::string("\0\xff", 2);
    } else if (c == '\xff') {
      out += std::string("\xff\0", 2);
    } else {
      out += c;
    }
  }
  return out + std::string("\0\1", 2);
}
inline std::string OrderedSigned(int64_t v) {
  int n = 1;
  while (n < 10 && !(v >= -(__int128{1} << (7 * n - 1)) && v < (__int128{1} << (7 * n - 1)))) ++n;
  unsigned __int128 bits = static_cast<unsigned __int128>(static_cast<__int128>(v));
  bits &= (static_cast<unsigned __int128>(1) << (8 * n)) - 1;
  bits ^= ((static_cast<unsigned __int128>(1) << n) - 1) << (7 * n);
  std::string out;
  for (int i = n - 1; i >= 0; --i) out += static_cast<char>(static_cast<unsigned>(bits >> (8 * i)) & 0xff);
  return out;
}

// A slice: (start, length) per dimension, length -1 for the whole dimension (start 0).
using Extents = std::vector<std::pair<int64_t, int64_t>>;

// TensorSliceProto as TensorSlice::AsProto writes it: an empty Extent for a whole dimension.
inline std::string SliceProto(const Extents& extents) {
  std::string out;
  for (const auto& [start, length] : extents) {
    out += BytesField(1, length < 0 ? "" : VarintField(1, start) + VarintField(2, length));
  }
  return out;
}

// checkpoint::EncodeTensorNameSlice: OrderedCode of 0, the name, the rank, then start and length
// of each dimension (0 and -1 for a whole one).
inline std::string SliceKey(const std::string& name, const Extents& extents) {
  std::string key = OrderedNumber(0) + OrderedString(name) + OrderedNumber(extents.size());
  for (const auto& [start, length] : extents) key += OrderedSigned(start) + OrderedSigned(length);
  return key;
}

struct SliceOf {
  Extents extents;
  std::string bytes;  // the slice's values, in the slice's own C order
  int shard = 0;
};

struct Partitioned {
  std::string name;
  int dtype = kDtFloat;
  std::vector<int64_t> shape;
  std::vector<SliceOf> slices;
};

// The full entry AddSlice writes: dtype, full shape and one TensorSliceProto per slice; no
// shard, offset or size.
inline std::string PartitionedEntry(const Partitioned& p) {
  std::string out = VarintField(1, p.dtype) + BytesField(2, Shape(p.shape));
  for (const SliceOf& s : p.slices) out += BytesField(7, SliceProto(s.extents));
  return out;
}

// Writes a bundle holding `tensors` and the partitioned variables `partitioned`, each slice an
// ordinary entry under its SliceKey. `extra` adds raw index entries (and replaces written ones).
inline bool WritePartitionedBundle(const std::string& prefix, std::vector<Tensor> tensors,
                                   const std::vector<Partitioned>& partitioned, int num_shards = 1,
                                   std::map<std::string, std::string> extra = {}) {
  for (const Partitioned& p : partitioned) {
    for (const SliceOf& s : p.slices) {
      std::vector<int64_t> dims;
      for (size_t d = 0; d < s.extents.size(); ++d) {
        dims.push_back(s.extents[d].second < 0 ? p.shape.at(d) : s.extents[d].second);
      }
      tensors.push_back({SliceKey(p.name, s.extents), p.dtype, dims, s.bytes, s.shard});
    }
    if (extra.count(p.name) == 0) extra[p.name] = PartitionedEntry(p);
  }
  std::map<std::string, std::string> index;
  std::vector<std::string> shards(static_cast<size_t>(num_shards));
  for (const Tensor& t : tensors) {
    std::string& shard = shards.at(static_cast<size_t>(t.shard));
    index[t.name] = BundleEntry(t.dtype, t.shape, t.shard, shard.size(), t.bytes.size(), MaskCrc(Crc32c(t.bytes)));
    shard += t.bytes;
  }
  for (auto& [key, value] : extra) index[key] = value;
  index[""] = BundleHeader(num_shards);
  for (int i = 0; i < num_shards; ++i) {
    std::ofstream(ShardName(prefix, i, num_shards), std::ios::binary) << shards[static_cast<size_t>(i)];
  }
  return WriteTable(prefix + ".index", index);
}

// --- V1 checkpoints (saved_tensor_slice.proto) ---

// TensorSliceProto: extent = 1 (Extent: start = 1, length = 2). Empty: the whole tensor.
inline std::string Slice(const std::vector<std::pair<int64_t, int64_t>>& extents = {}) {
  std::string out;
  for (const auto& [start, length] : extents) out += BytesField(1, VarintField(1, start) + VarintField(2, length));
  return out;
}

struct V1Meta {
  std::string name;
  int dtype = kDtFloat;
  std::vector<int64_t> shape;
  std::string slice;  // Slice(): whole
};

// The "" entry: SavedTensorSlices { meta = 1: SavedTensorSliceMeta { tensor = 1: SavedSliceMeta
// { name = 1, shape = 2, type = 3, slice = 4 }, versions = 2 } }.
inline std::string V1MetaEntry(const std::vector<V1Meta>& tensors) {
  std::string meta;
  for (const V1Meta& t : tensors) {
    meta += BytesField(
        1, BytesField(1, t.name) + BytesField(2, Shape(t.shape)) + VarintField(3, t.dtype) + BytesField(4, t.slice));
  }
  meta += BytesField(2, VarintField(1, 1));
  return BytesField(1, meta);
}

// A data entry: SavedTensorSlices { data = 2: SavedSlice { name = 1, slice = 2, data = 3 } }, with
// `tensor_proto` a TensorProto (dtype = 1, tensor_shape = 2, float_val = 5, int64_val = 10, ...).
inline std::string V1DataEntry(const std::string& name, const std::string& slice, const std::string& tensor_proto) {
  return BytesField(2, BytesField(1, name) + BytesField(2, slice) + BytesField(3, tensor_proto));
}

// The key TF gives a slice: OrderedCode of (0, name, rank, starts and lengths); for a whole slice
// of a tensor this simplification keeps the property readers rely on: it sorts after "" and
// starts with a 0 byte.
inline std::string V1Key(const std::string& name) { return std::string(1, '\0') + name + std::string("\0\1", 2); }

// --- graphs ---

// AttrValue: s = 2, i = 3, f = 4, b = 5, type = 6, shape = 7.
inline std::string AttrType(int dtype) { return VarintField(6, dtype); }
inline std::string AttrShape(const std::vector<int64_t>& dims) { return BytesField(7, Shape(dims)); }
inline std::string AttrString(const std::string& s) { return BytesField(2, s); }

// NodeDef: name = 1, op = 2, input = 3, device = 4, map<string, AttrValue> attr = 5.
inline std::string Node(const std::string& name, const std::string& op,
                        const std::vector<std::pair<std::string, std::string>>& attrs = {}) {
  std::string out = BytesField(1, name) + BytesField(2, op);
  for (const auto& [key, value] : attrs) out += BytesField(5, BytesField(1, key) + BytesField(2, value));
  return out;
}

// FunctionDef: signature = 1 (OpDef, name = 1), node_def = 3.
inline std::string Function(const std::string& name, const std::vector<std::string>& nodes) {
  std::string out = BytesField(1, BytesField(1, name));
  for (const std::string& n : nodes) out += BytesField(3, n);
  return out;
}

// GraphDef: node = 1, library = 2 (FunctionDefLibrary: function = 1), versions = 4.
inline std::string Graph(const std::vector<std::string>& nodes, const std::vector<std::string>& functions = {}) {
  std::string out;
  for (const std::string& n : nodes) out += BytesField(1, n);
  if (!functions.empty()) {
    std::string library;
    for (const std::string& f : functions) library += BytesField(1, f);
    out += BytesField(2, library);
  }
  return out + BytesField(4, VarintField(1, 27));
}

// MetaInfoDef: meta_graph_version = 1, tags = 4, tensorflow_version = 5, tensorflow_git_version = 6.
inline std::string MetaInfo(const std::string& tf_version, const std::vector<std::string>& tags) {
  std::string out = BytesField(1, "v" + tf_version);
  for (const std::string& t : tags) out += BytesField(4, t);
  return out + BytesField(5, tf_version) + BytesField(6, "v" + tf_version + "-0-gdeadbeef");
}

// TensorInfo: name = 1, dtype = 2, tensor_shape = 3.
inline std::string TensorInfo(const std::string& name, int dtype, const std::vector<int64_t>& dims) {
  return BytesField(1, name) + VarintField(2, dtype) + BytesField(3, Shape(dims));
}

// SignatureDef: map<string, TensorInfo> inputs = 1, outputs = 2; method_name = 3.
inline std::string Signature(const std::vector<std::pair<std::string, std::string>>& inputs,
                             const std::vector<std::pair<std::string, std::string>>& outputs,
                             const std::string& method) {
  std::string out;
  for (const auto& [k, v] : inputs) out += BytesField(1, BytesField(1, k) + BytesField(2, v));
  for (const auto& [k, v] : outputs) out += BytesField(2, BytesField(1, k) + BytesField(2, v));
  return out + BytesField(3, method);
}

// MetaGraphDef: meta_info_def = 1, graph_def = 2, saver_def = 3, signature_def = 5 (map).
inline std::string MetaGraph(const std::string& meta_info, const std::string& graph,
                             const std::vector<std::pair<std::string, std::string>>& signatures = {}) {
  std::string out = BytesField(1, meta_info) + BytesField(2, graph);
  out += BytesField(3, BytesField(1, "save/Const:0"));  // a SaverDef, skipped by readers
  for (const auto& [k, v] : signatures) out += BytesField(5, BytesField(1, k) + BytesField(2, v));
  return out;
}

// SavedModel: saved_model_schema_version = 1, meta_graphs = 2.
inline std::string SavedModel(const std::vector<std::string>& meta_graphs) {
  std::string out = VarintField(1, 1);
  for (const std::string& m : meta_graphs) out += BytesField(2, m);
  return out;
}

}  // namespace trail::testing::tf
