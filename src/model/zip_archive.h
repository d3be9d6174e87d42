// A zip archive read through libzip (Debian's libzip-dev): the container of .keras, torch.save
// and .npz files. Members are streamed, never inflated whole unless small and asked for with a
// cap; the cap counts the bytes actually inflated, so a zip bomb's declared sizes cannot lie
// past it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/model_file.h"
#include "trail/status.h"

typedef struct zip zip_t;

namespace trail::model {

struct ZipMember {
  std::string name;  // as stored; untrusted: compare, never use as a path
  uint64_t index = 0;
  uint64_t size = 0;  // uncompressed size as the central directory declares it
  uint64_t compressed_size = 0;
  bool stored = false;  // no compression
};

class ZipArchive {
 public:
  ~ZipArchive();
  ZipArchive(ZipArchive&&) noexcept;
  ZipArchive& operator=(ZipArchive&&) noexcept;

  // Corrupt "PATH: not a readable zip archive (...)" for a damaged archive.
  static StatusOr<ZipArchive> Open(const std::string& path);

  const std::string& path() const { return path_; }
  const std::vector<ZipMember>& members() const { return members_; }
  // The member named exactly `name`, or nullptr.
  const ZipMember* Find(const std::string& name) const;

  // The whole member, refused (Corrupt naming it) when it declares or inflates to more than
  // `max_bytes`, or inflates to other than its declared size.
  StatusOr<std::string> ReadMember(const ZipMember& member, uint64_t max_bytes) const;
  // A stream of the member's bytes from `offset` (skipped by reading for deflated members) for
  // `length` bytes; Corrupt when the member ends early. `byte_swap_width` as in MakeRangeStream.
  // The archive must outlive the stream.
  StatusOr<std::unique_ptr<ValueStream>> OpenMember(const ZipMember& member, uint64_t offset, uint64_t length,
                                                    size_t byte_swap_width = 1) const;
  // A stream of the whole member that, once its declared bytes are read, checks the member ends
  // there: Corrupt "PATH: NAME inflates past its declared size (a zip bomb?)" when it does not (a
  // lying central directory; libzip stops at the declared size without complaint).
  StatusOr<std::unique_ptr<ValueStream>> OpenWholeMember(const ZipMember& member) const;

 private:
  ZipArchive() = default;
  zip_t* zip_ = nullptr;
  std::string path_;
  std::vector<ZipMember> members_;
};

}  // namespace trail::model
