#include "model/tf_partition.h"

#include <algorithm>
#include <numeric>

#include "base/crc32c.h"
#include "base/proto_wire.h"

namespace trail::model {
namespace {

// Pairwise overlap checks of parts split along several dimensions stop here; TensorFlow's
// partitioners make a few to a few hundred parts.
constexpr size_t kMaxCheckedParts = 4096;

// OrderedCode's increasing unsigned number: a length byte, then the big-endian bytes without
// leading zeros (0 is the single byte 0).
void PutOrderedNumber(uint64_t value, std::string* out) {
  unsigned char bytes[8];
  int n = 0;
  for (; value > 0; value >>= 8) bytes[n++] = static_cast<unsigned char>(value & 0xff);
  out->push_back(static_cast<char>(n));
  while (n > 0) out->push_back(static_cast<char>(bytes[--n]));
}

// OrderedCode's string: 0x00 escaped as 00 ff, 0xff as ff 00, then the separator 00 01.
void PutOrderedString(std::string_view s, std::string* out) {
  for (char c : s) {
    out->push_back(c);
    if (c == '\0') out->push_back('\xff');
    if (c == '\xff') out->push_back('\0');
  }
  out->append("\0\1", 2);
}

// OrderedCode's increasing signed number: the sign bit (1 for >= 0), then as many bits equal to
// the sign as there are bytes after the first, a delimiter bit, and the value's two's complement
// in the remaining bits, big-endian. n bytes hold [-2^(7n-1), 2^(7n-1)), n up to 10.
void PutOrderedSigned(int64_t value, std::string* out) {
  const uint64_t magnitude = static_cast<uint64_t>(value < 0 ? ~value : value);
  int bits = 1;  // the value's bits plus the sign
  while (bits < 64 && (magnitude >> (bits - 1)) != 0) ++bits;
  const int length = std::min(10, (bits + 6) / 7);  // 7 payload-or-header bits per byte
  // The value sign-extended to 10 bytes, big-endian; its last `length` bytes are kept.
  unsigned char buf[10];
  const uint64_t raw = static_cast<uint64_t>(value);
  buf[0] = buf[1] = value < 0 ? 0xff : 0x00;
  for (int i = 0; i < 8; ++i) buf[2 + i] = static_cast<unsigned char>(raw >> (56 - 8 * i));
  unsigned char* first = buf + 10 - length;
  // XOR with `length` one-bits: a non-negative value's leading bits are zeros, so they become
  // the sign and size bits (ones) followed by its first zero; a negative value's are ones, so
  // they become zeros followed by its first one, which is the header's inverse as specified.
  unsigned char header[2] = {0, 0};
  for (int i = 0; i < length; ++i) header[i / 8] |= static_cast<unsigned char>(0x80 >> (i % 8));
  first[0] ^= header[0];
  if (length > 1) first[1] ^= header[1];
  out->append(reinterpret_cast<const char*>(first), static_cast<size_t>(length));
}

std::string ShapeText(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

// A part's extent along dimension d, resolved against the full shape: [begin, end).
struct Range {
  uint64_t begin = 0;
  uint64_t end = 0;
};

class PartitionStream : public ValueStream {
 public:
  PartitionStream(std::shared_ptr<const PartitionPlan> plan, std::string what)
      : plan_(std::move(plan)), what_(std::move(what)), crcs_(plan_->parts.size(), 0) {}

  StatusOr<size_t> Read(char* buf, size_t capacity) override {
    const PartitionPlan& plan = *plan_;
    while (left_ > 0) {
      const PartitionPlan::Part& part = plan.parts[part_];
      if (in_run_ < part.run_bytes) {
        size_t n = static_cast<size_t>(std::min<uint64_t>(capacity, part.run_bytes - in_run_));
        n -= n % plan.width;  // whole elements, so each can be swapped
        if (n == 0) return InvalidArgument(what_ + ": a read buffer smaller than one element");
        TRAIL_RETURN_IF_ERROR(part.shard->ReadAt(part.offset + outer_ * part.run_bytes + in_run_, n, buf));
        // A part's runs are read in the order they lie in its shard, so its CRC runs along.
        crcs_[part_] = Crc32cExtend(crcs_[part_], buf, n);
        if (plan.swap > 1) {
          for (size_t i = 0; i + plan.swap <= n; i += plan.swap) std::reverse(buf + i, buf + i + plan.swap);
        }
        in_run_ += n;
        left_ -= n;
        return n;
      }
      in_run_ = 0;
      if (++part_ == plan.parts.size()) {
        part_ = 0;
        ++outer_;
      }
    }
    if (!checked_) {
      checked_ = true;
      for (size_t k = 0; plan.swap == 1 && k < plan.parts.size(); ++k) {
        if (MaskCrc(crcs_[k]) != plan.parts[k].masked_crc)
          return Corrupt(what_ + ": slice " + std::to_string(k) + "'s values do not match the index's CRC32C");
      }
    }
    return size_t{0};
  }

 private:
  std::shared_ptr<const PartitionPlan> plan_;
  std::string what_;
  std::vector<uint32_t> crcs_;
  uint64_t left_ = plan_->total_bytes;
  uint64_t outer_ = 0;
  size_t part_ = 0;
  uint64_t in_run_ = 0;
  bool checked_ = false;
};

}  // namespace

bool ParseTensorSlice(std::string_view bytes, std::vector<SliceExtent>* extents) {
  extents->clear();
  WireReader reader(bytes);
  WireField field;
  while (reader.Next(field)) {
    if (field.number != 1 || field.type != WireType::kLengthDelimited) continue;
    SliceExtent extent;
    WireReader inner(field.bytes);
    WireField f;
    while (inner.Next(f)) {
      if (f.type != WireType::kVarint) continue;
      if (f.number == 1) extent.start = static_cast<int64_t>(f.value);
      if (f.number == 2) extent.length = static_cast<int64_t>(f.value);
    }
    if (!inner.ok() || extent.start < 0 || extent.length < -1) return false;
    extents->push_back(extent);
  }
  return reader.ok();
}

std::string TfSliceKey(std::string_view name, const std::vector<SliceExtent>& extents) {
  std::string key;
  PutOrderedNumber(0, &key);
  PutOrderedString(name, &key);
  PutOrderedNumber(extents.size(), &key);
  for (const SliceExtent& e : extents) {
    PutOrderedSigned(e.start, &key);
    PutOrderedSigned(e.length, &key);
  }
  return key;
}

std::string SliceText(const std::vector<SliceExtent>& extents) {
  std::string out = "[";
  for (size_t i = 0; i < extents.size(); ++i) {
    out += i ? ", " : "";
    const SliceExtent& e = extents[i];
    out += e.length < 0 ? ":" : std::to_string(e.start) + ":" + std::to_string(e.start + e.length);
  }
  return out + "]";
}

Status PlanPartition(const std::string& what, const std::vector<int64_t>& shape, size_t width, size_t swap,
                     const std::vector<SlicePart>& parts, PartitionPlan* plan, std::string* unsupported) {
  const size_t rank = shape.size();
  uint64_t total = 1;
  for (int64_t d : shape) total *= static_cast<uint64_t>(d);  // checked by the caller: at most 2^63
  // Every part inside the full shape; which dimensions are split.
  std::vector<std::vector<Range>> ranges(parts.size());
  std::vector<bool> split(rank, false);
  for (size_t k = 0; k < parts.size(); ++k) {
    const SlicePart& part = parts[k];
    const std::string slice = "slice " + SliceText(part.extents);
    if (part.extents.size() != rank) {
      return Corrupt(what + ": " + slice + " has rank " + std::to_string(part.extents.size()) + ", the variable " +
                     std::to_string(rank));
    }
    for (size_t d = 0; d < rank; ++d) {
      const uint64_t dim = static_cast<uint64_t>(shape[d]);
      const SliceExtent& e = part.extents[d];
      const uint64_t start = static_cast<uint64_t>(e.start);
      if (start > dim || (e.length >= 0 && static_cast<uint64_t>(e.length) > dim - start)) {
        return Corrupt(what + ": " + slice + " lies past the full shape " + ShapeText(shape));
      }
      const uint64_t end = e.length < 0 ? dim : start + static_cast<uint64_t>(e.length);
      ranges[k].push_back({start, end});
      if (start != 0 || end != dim) split[d] = true;
    }
  }
  const size_t split_count = static_cast<size_t>(std::count(split.begin(), split.end(), true));
  if (split_count > 1) {
    // Not assembled, but still checked: parts that overlap or leave a gap are a damaged bundle.
    if (parts.size() > kMaxCheckedParts) {
      *unsupported = std::to_string(parts.size()) + " slices along several dimensions";
      return Status::Ok();
    }
    uint64_t covered = 0;
    for (size_t a = 0; a < parts.size(); ++a) {
      uint64_t elements = 1;
      for (const Range& r : ranges[a]) elements *= r.end - r.begin;
      covered += elements;
      for (size_t b = a + 1; b < parts.size(); ++b) {
        bool overlap = true;
        for (size_t d = 0; d < rank && overlap; ++d) {
          overlap = ranges[a][d].begin < ranges[b][d].end && ranges[b][d].begin < ranges[a][d].end;
        }
        if (overlap && elements > 0) {
          return Corrupt(what + ": slices " + SliceText(parts[a].extents) + " and " + SliceText(parts[b].extents) +
                         " overlap");
        }
      }
    }
    if (covered != total) {
      return Corrupt(what + ": its slices hold " + std::to_string(covered) + " of its " + std::to_string(total) +
                     " elements (a slice is missing)");
    }
    *unsupported = "slices along more than one dimension";
    return Status::Ok();
  }
  // Split along one dimension (or not at all: then one part is the whole variable).
  const size_t axis =
      split_count == 1 ? static_cast<size_t>(std::find(split.begin(), split.end(), true) - split.begin()) : 0;
  std::vector<size_t> order(parts.size());
  std::iota(order.begin(), order.end(), size_t{0});
  if (rank > 0) {
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return ranges[a][axis].begin < ranges[b][axis].begin; });
  }
  const uint64_t axis_dim = rank > 0 ? static_cast<uint64_t>(shape[axis]) : 1;
  uint64_t outer = 1, inner = 1;
  for (size_t d = 0; d < rank; ++d) {
    if (d < axis) outer *= static_cast<uint64_t>(shape[d]);
    if (d > axis) inner *= static_cast<uint64_t>(shape[d]);
  }
  plan->parts.clear();
  uint64_t next = 0;  // the first index along the axis that no part holds yet
  for (size_t k : order) {
    const Range r = rank > 0 ? ranges[k][axis] : Range{0, 1};
    const std::string slice = "slice " + SliceText(parts[k].extents);
    if (r.begin < next) return Corrupt(what + ": " + slice + " overlaps another slice");
    if (r.begin > next) {
      return Corrupt(what + ": no slice holds [" + std::to_string(next) + ", " + std::to_string(r.begin) +
                     ") of dimension " + std::to_string(axis) + " (a slice is missing)");
    }
    next = r.end;
    if (r.end == r.begin) continue;
    PartitionPlan::Part part;
    part.shard = parts[k].shard;
    part.offset = parts[k].offset;
    part.run_bytes = (r.end - r.begin) * inner * width;
    part.masked_crc = parts[k].masked_crc;
    plan->parts.push_back(part);
  }
  if (next != axis_dim && total > 0) {
    return Corrupt(what + ": no slice holds [" + std::to_string(next) + ", " + std::to_string(axis_dim) +
                   ") of dimension " + std::to_string(axis) + " (a slice is missing)");
  }
  plan->outer = outer;
  plan->width = width;
  plan->swap = swap;
  plan->total_bytes = total * width;
  if (plan->total_bytes == 0) plan->parts.clear();
  return Status::Ok();
}

std::unique_ptr<ValueStream> MakePartitionStream(std::shared_ptr<const PartitionPlan> plan, std::string what) {
  return std::make_unique<PartitionStream>(std::move(plan), std::move(what));
}

}  // namespace trail::model
