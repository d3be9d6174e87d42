// STUB: to be written (issue 17). See readers.h for what it reads.
#include "model/readers.h"

namespace trail::model {

ModelFileOr OpenKerasH5(const std::string& path) {
  return Internal(path + ": this model format is not implemented yet");
}

}  // namespace trail::model
