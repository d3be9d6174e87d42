// Decodes serialized tensorflow.Event protos (one TFRecord each) into scalar points.
//
// What counts as a scalar (docs/formats/tensorboard-ingest.md has the full rule):
//   - a Summary.Value holding simple_value (TF1 summaries, tensorboardX, torch.utils.tensorboard);
//   - a Summary.Value holding a numeric tensor of exactly one element (TF2 tf.summary.scalar,
//     Keras' TensorBoard callback), unless the value's plugin, from its metadata or from an earlier
//     value with the same tag, is known to be a plugin other than "scalars".
// Values without a tag are skipped. Everything else (images, histograms, audio, text, non-scalar tensors, graphs,
// file_version, session logs) is skipped without complaint.
//
// The field numbers are those of tensorflow/core/util/event.proto and
// tensorflow/core/framework/{summary,tensor,tensor_shape,types}.proto.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "trail/status.h"

namespace trail::ingest {

struct ScalarEvent {
  std::string_view tag;  // points into the record passed to Decode
  int64_t step;
  double wall_time;  // unix seconds, as the writer stamped the event
  double value;
};

// Keeps what earlier events said about each tag's plugin (writers send a tag's metadata only with
// its first value), so decode one file's records in order with one decoder.
class EventDecoder {
 public:
  // Replaces the contents of `out` with the scalars of `record`, in the order they appear.
  // Corrupt (and `out` unspecified) when `record` is not a well-formed Event message.
  Status Decode(std::string_view record, std::vector<ScalarEvent>& out);

 private:
  struct TransparentHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  enum class PluginKind { kUnknown, kScalar, kOther };

  Status DecodeValue(std::string_view value, int64_t step, double wall_time, std::vector<ScalarEvent>& out);
  PluginKind RememberedKind(std::string_view tag) const;

  // Tag -> whether its plugin reads tensors as scalars, for tags whose metadata named a plugin.
  std::unordered_map<std::string, bool, TransparentHash, std::equal_to<>> tag_is_scalar_;
  std::vector<std::string_view> summaries_;  // reused between calls
};

// Whether `prefix`, the first bytes of an Event, shows a summary before any other payload. For
// records too large to decode, to tell a skipped graph (expected) from skipped summaries (worth a
// warning). False when the prefix ends before the answer.
bool EventPrefixHasSummary(std::string_view prefix);

}  // namespace trail::ingest
