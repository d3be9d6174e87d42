#include "model/zip_archive.h"

#include <zip.h>

#include <algorithm>
#include <utility>
#include <vector>

namespace trail::model {

ZipArchive::~ZipArchive() {
  if (zip_ != nullptr) zip_discard(zip_);
}

ZipArchive::ZipArchive(ZipArchive&& other) noexcept
    : zip_(std::exchange(other.zip_, nullptr)), path_(std::move(other.path_)), members_(std::move(other.members_)) {}

ZipArchive& ZipArchive::operator=(ZipArchive&& other) noexcept {
  if (this != &other) {
    if (zip_ != nullptr) zip_discard(zip_);
    zip_ = std::exchange(other.zip_, nullptr);
    path_ = std::move(other.path_);
    members_ = std::move(other.members_);
  }
  return *this;
}

StatusOr<ZipArchive> ZipArchive::Open(const std::string& path) {
  int error_code = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_RDONLY, &error_code);
  if (z == nullptr) {
    zip_error_t error;
    zip_error_init_with_code(&error, error_code);
    std::string why = zip_error_strerror(&error);
    zip_error_fini(&error);
    if (error_code == ZIP_ER_NOENT) return NotFound(path + ": no such file");
    return Corrupt(path + ": not a readable zip archive (" + why + ")");
  }
  ZipArchive archive;
  archive.zip_ = z;
  archive.path_ = path;
  const zip_int64_t count = zip_get_num_entries(z, 0);
  for (zip_int64_t i = 0; i < count; ++i) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(z, static_cast<zip_uint64_t>(i), 0, &st) != 0 || st.name == nullptr) {
      return Corrupt(path + ": zip member " + std::to_string(i) + " is unreadable (" + zip_strerror(z) + ")");
    }
    ZipMember m;
    m.name = st.name;
    m.index = static_cast<uint64_t>(i);
    m.size = (st.valid & ZIP_STAT_SIZE) ? st.size : 0;
    m.compressed_size = (st.valid & ZIP_STAT_COMP_SIZE) ? st.comp_size : 0;
    m.stored = (st.valid & ZIP_STAT_COMP_METHOD) && st.comp_method == ZIP_CM_STORE;
    archive.members_.push_back(std::move(m));
  }
  return archive;
}

const ZipMember* ZipArchive::Find(const std::string& name) const {
  for (const ZipMember& m : members_) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

namespace {

class MemberStream : public ValueStream {
 public:
  // `past_end`, when set, is the error for a member with bytes past `length` (checked at the end).
  MemberStream(zip_file_t* file, std::string what, uint64_t skip, uint64_t length, size_t swap,
               std::string past_end = "")
      : file_(file), what_(std::move(what)), skip_(skip), left_(length), swap_(swap), past_end_(std::move(past_end)) {}
  ~MemberStream() override { zip_fclose(file_); }

  StatusOr<size_t> Read(char* buf, size_t capacity) override {
    while (skip_ > 0) {  // deflated members cannot seek: read and drop
      const size_t n = static_cast<size_t>(std::min<uint64_t>(skip_, capacity));
      TRAIL_ASSIGN_OR_RETURN(size_t got, ReadSome(buf, n));
      if (got == 0) return Corrupt(what_ + ": ends before the tensor's data");
      skip_ -= got;
    }
    if (left_ == 0 && !past_end_.empty() && capacity > 0) {
      TRAIL_ASSIGN_OR_RETURN(size_t more, ReadSome(buf, 1));
      if (more > 0) return Corrupt(past_end_);
    }
    size_t want = static_cast<size_t>(std::min<uint64_t>(capacity, left_));
    if (swap_ > 1) want -= want % swap_;
    size_t filled = 0;
    while (filled < want) {  // whole elements, so each can be swapped
      TRAIL_ASSIGN_OR_RETURN(size_t got, ReadSome(buf + filled, want - filled));
      if (got == 0) return Corrupt(what_ + ": ends before the tensor's data does");
      filled += got;
      if (swap_ <= 1) break;
    }
    if (swap_ > 1) {
      for (size_t i = 0; i + swap_ <= filled; i += swap_) std::reverse(buf + i, buf + i + swap_);
    }
    left_ -= filled;
    return filled;
  }

 private:
  StatusOr<size_t> ReadSome(char* buf, size_t n) {
    const zip_int64_t got = zip_fread(file_, buf, n);
    if (got < 0) return Corrupt(what_ + ": " + zip_file_strerror(file_));
    return static_cast<size_t>(got);
  }

  zip_file_t* file_;
  std::string what_;
  uint64_t skip_;
  uint64_t left_;
  size_t swap_;
  std::string past_end_;
};

}  // namespace

StatusOr<std::string> ZipArchive::ReadMember(const ZipMember& member, uint64_t max_bytes) const {
  const std::string what = path_ + ": member " + member.name;
  if (member.size > max_bytes) {
    return Corrupt(what + " declares " + std::to_string(member.size) + " bytes, over the " + std::to_string(max_bytes) +
                   " trail reads");
  }
  zip_file_t* file = zip_fopen_index(zip_, member.index, 0);
  if (file == nullptr) return Corrupt(what + ": " + zip_strerror(zip_));
  std::string out;
  std::vector<char> buf(64 * 1024);
  for (;;) {
    const zip_int64_t got = zip_fread(file, buf.data(), buf.size());
    if (got < 0) {
      std::string why = zip_file_strerror(file);
      zip_fclose(file);
      return Corrupt(what + ": " + why);
    }
    if (got == 0) break;
    if (out.size() + static_cast<uint64_t>(got) > max_bytes) {
      zip_fclose(file);
      return Corrupt(what + " inflates to more than " + std::to_string(max_bytes) + " bytes");
    }
    out.append(buf.data(), static_cast<size_t>(got));
  }
  zip_fclose(file);
  if (out.size() != member.size) {
    return Corrupt(what + " inflates to " + std::to_string(out.size()) + " bytes, not the " +
                   std::to_string(member.size) + " it declares");
  }
  return out;
}

StatusOr<std::unique_ptr<ValueStream>> ZipArchive::OpenMember(const ZipMember& member, uint64_t offset, uint64_t length,
                                                              size_t byte_swap_width) const {
  const std::string what = path_ + ": member " + member.name;
  if (offset > member.size || length > member.size - offset) {
    return Corrupt(what + ": the tensor's " + std::to_string(length) + " bytes at " + std::to_string(offset) +
                   " lie past its " + std::to_string(member.size) + " bytes");
  }
  zip_file_t* file = zip_fopen_index(zip_, member.index, 0);
  if (file == nullptr) return Corrupt(what + ": " + zip_strerror(zip_));
  uint64_t skip = offset;
  if (offset > 0 && member.stored && zip_fseek(file, static_cast<zip_int64_t>(offset), SEEK_SET) == 0) skip = 0;
  return std::unique_ptr<ValueStream>(std::make_unique<MemberStream>(file, what, skip, length, byte_swap_width));
}

StatusOr<std::unique_ptr<ValueStream>> ZipArchive::OpenWholeMember(const ZipMember& member) const {
  zip_file_t* file = zip_fopen_index(zip_, member.index, 0);
  if (file == nullptr) return Corrupt(path_ + ": member " + member.name + ": " + zip_strerror(zip_));
  return std::unique_ptr<ValueStream>(
      std::make_unique<MemberStream>(file, path_ + ": member " + member.name, 0, member.size, 1,
                                     path_ + ": " + member.name + " inflates past its declared size (a zip bomb?)"));
}

}  // namespace trail::model
