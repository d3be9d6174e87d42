// The two layouts Keras gives its weights in an HDF5 file, read into ModelInfo tensors, and the
// ModelFile both Keras readers return. libhdf5 runs in HDF5 child processes (hdf5_child.h): the
// readers gather what they need in one child (ReadHdf5InChild) and send it back encoded; each
// tensor's values stream from a child of their own.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "model/hdf5_child.h"
#include "model/hdf5_file.h"
#include "model/model_file.h"

namespace trail::model {

// Tensors read from an HDF5 file, in the order the layout gives them, with the datasets that hold
// their values and the top-level layer each belongs to ("" for none).
struct KerasWeights {
  std::vector<TensorInfo> tensors;
  std::vector<Hdf5Dataset> datasets;
  std::map<std::string, std::string> owner;  // tensor name -> layer name
};

// Keras 2 (keras.saving.legacy.hdf5_format): `root` ("/model_weights", or "/" for a save_weights
// file) holds `layer_names`, each layer's group its `weight_names`; /optimizer_weights the
// optimizer's, listed as "optimizer_weights/<name>" with is_parameter false. Tensors are named by
// their weight names ("dense/kernel:0"). A layer without weight_names has its datasets listed.
Status ReadKeras2Weights(Hdf5File& h5, const std::string& root, KerasWeights* out);

// Keras 3 (saving_lib's H5IOStore): layers/<name>/vars/<i> (nested layers below), optimizer/vars/<i>
// (is_parameter false), any other group's vars likewise not parameters. Tensors are named by
// their paths ("layers/dense/vars/0").
Status ReadKeras3Weights(Hdf5File& h5, KerasWeights* out);

// Every dataset of a plain HDF5 file, named by its path without the leading '/'.
Status ReadAllDatasets(Hdf5File& h5, KerasWeights* out);

// The most a child's answer about a file may hold: the string attributes a reader gathers (each
// capped at kHdf5MaxAttributeBytes) and the dataset list.
inline constexpr uint64_t kHdf5MaxAnswerBytes = 6 * kHdf5MaxAttributeBytes;

// Opens `path` with libhdf5 in a child, runs `read` there on it and returns the bytes `read`
// encoded; `display` names the file in errors (empty: `path`). One child for the whole read.
using Hdf5Read = std::function<Status(Hdf5File& h5, ChildMessageWriter& out)>;
StatusOr<std::string> ReadHdf5InChild(const std::string& path, const std::string& display, const Hdf5Read& read);

// KerasWeights through a child's answer. Decode checks what it reads (counts, dtypes, shapes
// against elements and bytes) and is false on anything malformed.
void EncodeKerasWeights(const KerasWeights& weights, ChildMessageWriter& out);
bool DecodeKerasWeights(ChildMessageReader& in, KerasWeights* weights);

// A ModelFile over an HDF5 file at `path` (named `display` in errors). Values come from a child
// that opens the file, checks each dataset still has the listed dtype and shape, and streams the
// values of the requested tensor and of those after it, in order, so that a pass over all tensors
// forks once; a request out of that order starts another child. Streams must not outlive the
// ModelFile. `remove_after`, when set, is a file removed when the ModelFile closes: the .keras
// reader's extracted temp file.
class Hdf5ModelFile : public ModelFile {
 public:
  Hdf5ModelFile(std::string path, std::string display, std::vector<Hdf5Dataset> datasets,
                std::string remove_after = "");
  ~Hdf5ModelFile() override;
  StatusOr<std::unique_ptr<ValueStream>> OpenTensor(size_t index) override;

 private:
  struct Sequence;
  size_t NextWithValues(size_t index) const;
  StatusOr<std::shared_ptr<Sequence>> StartSequence(size_t start);

  std::string path_;
  std::string display_;
  std::vector<Hdf5Dataset> datasets_;
  std::string remove_after_;
  std::mutex mutex_;  // guards sequence_ and the state of every sequence
  std::shared_ptr<Sequence> sequence_;
};

}  // namespace trail::model
