#include "model/keras_weights.h"

#include <unistd.h>

#include <cstring>
#include <limits>
#include <mutex>

namespace trail::model {
namespace {

void Add(KerasWeights* out, Hdf5Dataset dataset, std::string name, std::string layer, bool parameter) {
  TensorInfo t = dataset.tensor;
  t.name = std::move(name);
  t.is_parameter = parameter;
  out->owner[t.name] = std::move(layer);
  out->tensors.push_back(std::move(t));
  out->datasets.push_back(std::move(dataset));
}

std::string Under(const std::string& group, const std::string& name) {
  return group == "/" ? "/" + name : group + "/" + name;
}

// The datasets a group's weight_names attribute lists (or, without one, all its datasets).
Status ReadListedWeights(Hdf5File& h5, const std::string& group, const std::string& prefix, const std::string& layer,
                         bool parameter, KerasWeights* out) {
  TRAIL_ASSIGN_OR_RETURN(std::optional<std::vector<std::string>> names, h5.StringListAttribute(group, "weight_names"));
  if (!names.has_value()) {
    TRAIL_ASSIGN_OR_RETURN(std::vector<Hdf5Dataset> all, h5.ListDatasets(group));
    for (Hdf5Dataset& d : all) {
      std::string name = prefix + d.path.substr(group == "/" ? 1 : group.size() + 1);
      Add(out, std::move(d), std::move(name), layer, parameter);
    }
    return Status::Ok();
  }
  for (const std::string& weight : *names) {
    auto dataset = h5.Describe(Under(group, weight));
    if (!dataset.ok()) {
      if (dataset.status().code() == Code::kNotFound) {
        return Corrupt(h5.display() + ": " + group + " lists weight " + weight + " but holds no such dataset");
      }
      return dataset.status();
    }
    Add(out, std::move(*dataset), prefix + weight, layer, parameter);
  }
  return Status::Ok();
}

}  // namespace

Status ReadKeras2Weights(Hdf5File& h5, const std::string& root, KerasWeights* out) {
  TRAIL_ASSIGN_OR_RETURN(std::optional<std::vector<std::string>> layers, h5.StringListAttribute(root, "layer_names"));
  if (!layers.has_value()) return Corrupt(h5.display() + ": " + root + " has no layer_names");
  for (const std::string& layer : *layers) {
    const std::string group = Under(root, layer);
    if (!h5.HasGroup(group)) {
      return Corrupt(h5.display() + ": layer_names lists " + layer + " but " + root + " holds no such group");
    }
    TRAIL_RETURN_IF_ERROR(ReadListedWeights(h5, group, "", layer, true, out));
  }
  if (h5.HasGroup("/optimizer_weights")) {
    TRAIL_RETURN_IF_ERROR(ReadListedWeights(h5, "/optimizer_weights", "optimizer_weights/", "", false, out));
  }
  return Status::Ok();
}

Status ReadKeras3Weights(Hdf5File& h5, KerasWeights* out) {
  TRAIL_ASSIGN_OR_RETURN(std::vector<Hdf5Dataset> all, h5.ListDatasets("/"));
  for (Hdf5Dataset& d : all) {
    std::string name = d.path.substr(1);
    // "layers/<layer>/..." (Keras 3) or "_layer_checkpoint_dependencies/<layer>/..." (Keras 2.13's
    // first .keras files) belong to a top-level layer; the rest (optimizer/vars, metrics) are state.
    std::string layer;
    for (const std::string top : {"layers/", "_layer_checkpoint_dependencies/"}) {
      if (name.compare(0, top.size(), top) == 0) {
        const size_t end = name.find('/', top.size());
        if (end != std::string::npos) layer = name.substr(top.size(), end - top.size());
      }
    }
    const bool parameter = !layer.empty() || name.compare(0, 5, "vars/") == 0;
    Add(out, std::move(d), std::move(name), std::move(layer), parameter);
  }
  return Status::Ok();
}

Status ReadAllDatasets(Hdf5File& h5, KerasWeights* out) {
  TRAIL_ASSIGN_OR_RETURN(std::vector<Hdf5Dataset> all, h5.ListDatasets("/"));
  for (Hdf5Dataset& d : all) {
    std::string name = d.path.substr(1);
    Add(out, std::move(d), std::move(name), "", true);
  }
  return Status::Ok();
}

StatusOr<std::string> ReadHdf5InChild(const std::string& path, const std::string& display, const Hdf5Read& read) {
  const std::string name = display.empty() ? path : display;
  TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<Hdf5Child> child, Hdf5Child::Start(name, [&](Hdf5ChildWriter& out) -> Status {
                           TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<Hdf5File> h5, Hdf5File::Open(path, display));
                           ChildMessageWriter message;
                           TRAIL_RETURN_IF_ERROR(read(*h5, message));
                           out.Write(message.bytes());
                           return Status::Ok();
                         }));
  return child->ReadAll(kHdf5MaxAnswerBytes);
}

void EncodeKerasWeights(const KerasWeights& weights, ChildMessageWriter& out) {
  out.U64(weights.tensors.size());
  for (size_t i = 0; i < weights.tensors.size(); ++i) {
    const TensorInfo& t = weights.tensors[i];
    out.String(weights.datasets[i].path);
    out.String(t.name);
    auto owner = weights.owner.find(t.name);
    out.String(owner == weights.owner.end() ? "" : owner->second);
    out.U64(static_cast<uint64_t>(t.dtype));
    out.String(t.dtype_name);
    out.U64(t.shape.size());
    for (int64_t d : t.shape) out.U64(static_cast<uint64_t>(d));
    out.U64(t.elements);
    out.U64(t.bytes);
    out.U64(t.is_parameter);
  }
}

bool DecodeKerasWeights(ChildMessageReader& in, KerasWeights* weights) {
  uint64_t count = 0;
  if (!in.U64(&count) || count > kHdf5MaxObjects) return false;
  for (uint64_t i = 0; i < count; ++i) {
    Hdf5Dataset dataset;
    TensorInfo& t = dataset.tensor;
    std::string name, owner;
    uint64_t dtype = 0, rank = 0, parameter = 0;
    if (!in.String(&dataset.path) || !in.String(&name) || !in.String(&owner) || !in.U64(&dtype) ||
        dtype > static_cast<uint64_t>(DType::kOther) || !in.String(&t.dtype_name) || !in.U64(&rank) || rank > 32) {
      return false;
    }
    t.dtype = static_cast<DType>(dtype);
    uint64_t product = 1;
    for (uint64_t k = 0; k < rank; ++k) {
      uint64_t d = 0;
      if (!in.U64(&d) || d > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
      if (d != 0 && product > std::numeric_limits<uint64_t>::max() / d) return false;
      product *= d;
      t.shape.push_back(static_cast<int64_t>(d));
    }
    if (!in.U64(&t.elements) || !in.U64(&t.bytes) || !in.U64(&parameter) || parameter > 1) return false;
    const size_t width = DTypeSize(t.dtype);
    if (t.elements != product ||
        (width != 0 && (t.elements > std::numeric_limits<uint64_t>::max() / width || t.bytes != t.elements * width))) {
      return false;
    }
    Add(weights, std::move(dataset), std::move(name), std::move(owner), parameter == 1);
  }
  return true;
}

// One child streaming the values of tensors start, start+1, ... (those with values) back to back,
// each exactly its bytes: a checksum pass over thousands of tensors forks once, not thousands of
// times. A stream that stops early breaks the sequence; the next OpenTensor starts another.
struct Hdf5ModelFile::Sequence {
  std::unique_ptr<Hdf5Child> child;
  size_t next = 0;    // the tensor whose values the child sends next
  bool busy = false;  // a stream is reading from it
  bool broken = false;
  std::string frame;  // the last frame read, shared by the sequence's streams (one at a time)
};

Hdf5ModelFile::Hdf5ModelFile(std::string path, std::string display, std::vector<Hdf5Dataset> datasets,
                             std::string remove_after)
    : path_(std::move(path)),
      display_(std::move(display)),
      datasets_(std::move(datasets)),
      remove_after_(std::move(remove_after)) {}

Hdf5ModelFile::~Hdf5ModelFile() {
  sequence_.reset();  // kills its child, which holds the file open
  if (!remove_after_.empty()) ::unlink(remove_after_.c_str());
}

namespace {

// A tensor's values read from a sequence's child: exactly `bytes` of them. Frames never straddle
// two tensors (the child writes each tensor's values on their own), so none of the next tensor's
// is read here.
class ChildValueStream : public ValueStream {
 public:
  using Done = std::function<void(bool complete)>;
  // `frame` is the sequence's buffer, kept at a frame's size across streams; its bytes belong to
  // the stream before.
  ChildValueStream(Hdf5Child* child, std::string* frame, uint64_t bytes, std::string what, Done done)
      : child_(child),
        frame_(*frame),
        left_(bytes),
        what_(std::move(what)),
        done_(std::move(done)),
        pos_(frame->size()) {}
  ~ChildValueStream() override {
    if (done_) done_(false);
  }

  StatusOr<size_t> Read(char* buf, size_t capacity) override {
    while (pos_ == frame_.size()) {
      if (left_ == 0) {
        if (done_) std::exchange(done_, nullptr)(true);
        return size_t{0};
      }
      pos_ = 0;
      auto more = child_->Next(&frame_);
      if (!more.ok()) return Fail(more.status());
      if (!*more) return Fail(Corrupt(what_ + ": its values end early"));
      if (frame_.size() > left_) return Fail(Corrupt(what_ + ": the HDF5 library sent more values than it holds"));
      left_ -= frame_.size();
    }
    const size_t n = std::min(capacity, frame_.size() - pos_);
    std::memcpy(buf, frame_.data() + pos_, n);
    pos_ += n;
    // Done as soon as the last byte is out, for a reader that stops there without asking again.
    if (left_ == 0 && pos_ == frame_.size() && done_) std::exchange(done_, nullptr)(true);
    return n;
  }

 private:
  Status Fail(Status s) {
    frame_.clear();
    pos_ = 0;
    if (done_) std::exchange(done_, nullptr)(false);
    return s;
  }

  Hdf5Child* child_;    // owned by the sequence, which outlives this stream (done_ holds it)
  std::string& frame_;  // likewise
  uint64_t left_;       // bytes the child has still to send
  std::string what_;
  Done done_;
  size_t pos_;
};

}  // namespace

size_t Hdf5ModelFile::NextWithValues(size_t index) const {
  while (index < info_.tensors.size() && DTypeSize(info_.tensors[index].dtype) == 0) ++index;
  return index;
}

StatusOr<std::shared_ptr<Hdf5ModelFile::Sequence>> Hdf5ModelFile::StartSequence(size_t start) {
  const std::string display = display_.empty() ? path_ : display_;
  std::vector<size_t> order;
  for (size_t i = NextWithValues(start); i < datasets_.size(); i = NextWithValues(i + 1)) order.push_back(i);
  auto sequence = std::make_shared<Sequence>();
  sequence->next = start;
  TRAIL_ASSIGN_OR_RETURN(sequence->child, Hdf5Child::Start(display, [&](Hdf5ChildWriter& out) -> Status {
                           TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<Hdf5File> h5, Hdf5File::Open(path_, display_));
                           std::vector<char> buf(kHdf5FrameBytes);
                           for (size_t i : order) {
                             const Hdf5Dataset& listed = datasets_[i];
                             const std::string what = display + ": dataset " + listed.path;
                             auto described = h5->Describe(listed.path);
                             // Listed a moment ago by another child: missing now means changed or damaged past reading.
                             if (!described.ok() && described.status().code() == Code::kNotFound)
                               return Corrupt(what + ": no longer found (the file changed or is damaged)");
                             TRAIL_ASSIGN_OR_RETURN(Hdf5Dataset now, std::move(described));
                             if (now.tensor.dtype != listed.tensor.dtype || now.tensor.shape != listed.tensor.shape)
                               return Corrupt(what + ": changed since the file was opened");
                             TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<ValueStream> values, h5->OpenValues(now));
                             for (;;) {
                               TRAIL_ASSIGN_OR_RETURN(size_t got, values->Read(buf.data(), buf.size()));
                               if (got == 0) break;
                               if (!out.Write(buf.data(), got)) return Status::Ok();  // the parent stopped reading
                             }
                           }
                           return Status::Ok();
                         }));
  return sequence;
}

StatusOr<std::unique_ptr<ValueStream>> Hdf5ModelFile::OpenTensor(size_t index) {
  const TensorInfo& t = info_.tensors.at(index);
  if (DTypeSize(t.dtype) == 0) return FailedPrecondition(t.name + ": dtype " + t.dtype_name + " has no values to read");
  std::shared_ptr<Sequence> sequence;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (sequence_ != nullptr && !sequence_->busy && !sequence_->broken && sequence_->next == index) {
      sequence = sequence_;
    } else {
      // Out of order, or a stream still open on the current one: a new child from here on.
      TRAIL_ASSIGN_OR_RETURN(sequence, StartSequence(index));
      sequence_ = sequence;
    }
    sequence->busy = true;
  }
  const std::string what = (display_.empty() ? path_ : display_) + ": dataset " + datasets_.at(index).path;
  const size_t following = NextWithValues(index + 1);
  auto done = [this, sequence, following](bool complete) {
    std::lock_guard<std::mutex> lock(mutex_);
    sequence->busy = false;
    if (complete) {
      sequence->next = following;
    } else {
      sequence->broken = true;
    }
  };
  return std::unique_ptr<ValueStream>(
      std::make_unique<ChildValueStream>(sequence->child.get(), &sequence->frame, t.bytes, what, std::move(done)));
}

}  // namespace trail::model
