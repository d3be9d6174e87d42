// What the TensorFlow graph readers take from a meta graph, whether it is stored in the binary
// wire format (tf_graph.cc) or in protobuf text (tf_graph_text.cc): both fill a
// MetaGraphSummary, which tf_graph.cc turns into a ModelInfo the same way.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "model/model_info.h"
#include "model/random_file.h"
#include "trail/status.h"

namespace trail::model {

struct TfVariable {
  std::string name;
  std::string op;
  std::string dtype;
  std::vector<int64_t> shape;
  bool shape_known = false;
};

// A NodeDef as read: name, op, and the "dtype" and "shape" attrs that Placeholder and variable
// ops carry.
struct TfNodeSummary {
  std::string name;
  std::string op;
  uint64_t dtype = 0;
  std::string dtype_name;  // text format: an enum name TF's DataType does not have
  bool has_dtype = false;
  std::vector<int64_t> shape;
  bool has_shape = false;
  bool shape_known = true;
};

// What one meta graph holds, as read.
struct MetaGraphSummary {
  std::string tf_version;
  std::vector<std::string> tags;
  std::map<std::string, uint64_t> op_counts;
  std::vector<TensorSpec> placeholders;
  std::vector<TfVariable> variables;
  std::vector<Signature> signatures;
  uint64_t cut_nodes = 0;  // nodes read by their first bytes only
};

// Counts a node's op; a top-level (graph_def, not function) Placeholder is an input candidate and
// a variable op a variable.
void AddTfNode(const TfNodeSummary& node, bool top_level, MetaGraphSummary* out);

// Sorts a signature's inputs and outputs by name, and (SortSignatures) signatures by key, so
// both readers list them alike.
void SortSignature(Signature* signature);
void SortSignatures(MetaGraphSummary* graph);

// tf_graph_text.cc. What a text file holds at its top level.
enum class TextGraphKind {
  kSavedModel,  // meta_graphs = 2: a saved_model.pbtxt
  kMetaGraph,   // meta_info_def, graph_def, signature_def: a MetaGraphDef
  kGraphDef,    // node, library, versions: a GraphDef (graph.pbtxt)
};

// Reads a SavedModel in text: the meta graph tagged "serve" (else the first) into `chosen`;
// `count` and `index` say how many there were and which was read. The file is streamed once.
Status ReadTextSavedModel(const RandomFile& file, MetaGraphSummary* chosen, size_t* count, size_t* index);

// Reads a MetaGraphDef or GraphDef in text (a .pbtxt file), deciding which by its top-level fields.
// Corrupt when the file has none of either.
Status ReadTextGraph(const RandomFile& file, MetaGraphSummary* graph, TextGraphKind* kind);

}  // namespace trail::model
