// The two layouts Keras gives its weights in an HDF5 file, read into ModelInfo tensors, and the
// ModelFile both Keras readers return (values streamed from the HDF5 file by Hdf5File).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

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

// A ModelFile over an open HDF5 file. `remove_after`, when set, is a file removed once the HDF5
// file is closed: the .keras reader's extracted temp file.
class Hdf5ModelFile : public ModelFile {
 public:
  Hdf5ModelFile(std::unique_ptr<Hdf5File> h5, std::vector<Hdf5Dataset> datasets, std::string remove_after = "");
  ~Hdf5ModelFile() override;
  StatusOr<std::unique_ptr<ValueStream>> OpenTensor(size_t index) override;

 private:
  std::unique_ptr<Hdf5File> h5_;
  std::vector<Hdf5Dataset> datasets_;
  std::string remove_after_;
};

}  // namespace trail::model
