// STUB (the contract for the UI work): the browse helper replaces every function here.
#include "trail/browse.h"

namespace trail::api {

StatusOr<std::vector<CodeEntry>> ListCodeFiles(Project&, const std::string&, int64_t, bool*) {
  return Internal("ListCodeFiles: not implemented yet");
}
StatusOr<std::string> ReadCodeFile(Project&, const std::string&, const std::string&, int64_t, bool*) {
  return Internal("ReadCodeFile: not implemented yet");
}
StatusOr<StoredObject> StatStoredObject(Project&, const std::string&) {
  return Internal("StatStoredObject: not implemented yet");
}
Status ReadStoredObject(Project&, const std::string&, const std::function<Status(std::string_view)>&) {
  return Internal("ReadStoredObject: not implemented yet");
}
StatusOr<std::vector<StoredFolderEntry>> ListStoredFolder(Project&, const std::string&) {
  return Internal("ListStoredFolder: not implemented yet");
}

}  // namespace trail::api
