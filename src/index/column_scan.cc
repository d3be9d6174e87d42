// Listing and counting runs over in-memory columns (query/column_filter.h): each field a query
// names is read once into an array by rowid (one index range scan), kept until the index changes,
// and a condition or sort then costs a pass over those arrays instead of a correlated subquery
// per run. Queries outside what columns evaluate go to the SQL in run_index.cc, which gives the
// same rows (run_index_test compares the two).
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "base/files.h"
#include "index/run_index.h"
#include "query/column_filter.h"

namespace trail::index {

using query::Column;
using query::ColumnSpec;

// At most this many columns stay loaded (about 1 MB each per 100,000 runs); more start over.
constexpr size_t kMaxCachedColumns = 64;

struct RunIndex::ColumnCache {
  int64_t data_version = -1;
  int64_t total_changes = -1;
  int64_t max_rowid = -1;
  // Where the index stands (run_index.cc Sync): its lineage (empty: none yet, no columns kept)
  // and its sequence number in it name the folder its columns are kept in; a kept column of the
  // same lineage and a sequence number from journal_from on can be brought up to date.
  std::string folder;
  std::string lineage;
  int64_t seq = 0;
  int64_t journal_from = 0;
  std::unordered_map<std::string, std::shared_ptr<const Column>> columns;
};

struct RunIndex::ColumnMatches {
  std::vector<int64_t> rowids;         // in rowid order
  std::shared_ptr<const Column> sort;  // null: the default order (started_ts)
  bool descending = true;
  std::shared_ptr<const Column> number;
};

// Here, where ColumnCache is complete.
RunIndex::RunIndex(std::unique_ptr<Database> db, std::string path) : db_(std::move(db)), path_(std::move(path)) {}
RunIndex::~RunIndex() = default;

namespace {

// The data version of the connection: changes when any connection (this one included) commits.
StatusOr<std::pair<int64_t, int64_t>> Stamp(Database& db) {
  TRAIL_ASSIGN_OR_RETURN(Statement st, db.Prepare("PRAGMA data_version"));
  TRAIL_ASSIGN_OR_RETURN(bool row, st.Step());
  return std::make_pair(row ? st.Int(0) : 0, static_cast<int64_t>(sqlite3_total_changes64(db.raw())));
}

struct ColumnArrays {
  std::vector<double> value;
  std::vector<uint8_t> present;
};

// A text column's arrays: each distinct value once in `blob`, followed by a NUL (the pattern
// matchers read C strings).
struct TextArrays {
  std::vector<uint32_t> code;
  std::vector<uint8_t> present;
  std::string blob;
};

// Which rows to read: all of them, or (since_seq >= 0) those the journal says changed after
// that sync (run_index.cc), to bring an earlier column up to date.
struct RowsToRead {
  int64_t since_seq = -1;
  std::vector<int64_t> changed;  // the changed rowids, when since_seq >= 0
};

// The statement reading `spec`'s rows (rowid, value[, text]), restricted to the changed runs.
// Every spec's SQL starts "SELECT <its run column>, ..." (query/column_filter.cc).
StatusOr<Statement> RowsStatement(Database& db, const ColumnSpec& spec, const RowsToRead& rows) {
  std::string sql = spec.sql;
  if (rows.since_seq >= 0) {
    constexpr std::string_view kSelect = "SELECT ";
    const size_t comma = sql.find(',');
    if (sql.compare(0, kSelect.size(), kSelect) != 0 || comma == std::string::npos)
      return Internal("a column's SQL has no run column: " + sql);
    const std::string run = sql.substr(kSelect.size(), comma - kSelect.size());
    sql += (sql.find(" WHERE ") == std::string::npos ? " WHERE " : " AND ") + run +
           " IN (SELECT run FROM changes WHERE seq > ?)";
  }
  TRAIL_ASSIGN_OR_RETURN(Statement st, db.Prepare(sql));
  int bind = 1;
  if (!spec.key.empty()) st.BindText(bind++, spec.key);
  if (rows.since_seq >= 0) st.BindInt(bind, rows.since_seq);
  return st;
}

// Reads a numeric column, or brings `base` up to date (its rows copied, the changed ones read
// again).
StatusOr<std::shared_ptr<const Column>> LoadNumbers(Database& db, const ColumnSpec& spec, int64_t max_rowid,
                                                    const Column* base, const RowsToRead& rows) {
  auto col = std::make_shared<Column>();
  const size_t n = static_cast<size_t>(max_rowid + 1);
  auto arrays = std::make_shared<ColumnArrays>();
  arrays->value.assign(n, 0.0);
  arrays->present.assign(n, 0);
  double* value = arrays->value.data();
  uint8_t* present = arrays->present.data();
  if (base != nullptr) {
    const size_t keep = std::min(n, base->rows);
    std::memcpy(value, base->value, keep * sizeof(double));
    std::memcpy(present, base->present, keep);
    col->any_text = base->any_text;  // perhaps no longer so: the caller then uses the SQL, as correct
    for (int64_t r : rows.changed) {
      if (r >= 0 && r <= max_rowid) present[r] = 0, value[r] = 0;
    }
  }
  col->value = value;
  col->present = present;
  col->rows = n;
  col->storage = arrays;
  TRAIL_ASSIGN_OR_RETURN(Statement st, RowsStatement(db, spec, rows));
  for (;;) {
    TRAIL_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    const int64_t rowid = st.Int(0);
    if (rowid < 0 || rowid > max_rowid) continue;  // not a run (the index holds none such)
    const size_t i = static_cast<size_t>(rowid);
    const int type = st.Type(1);
    if (spec.natural) {
      const bool has_text = !st.IsNull(2);
      if (type == SQLITE_NULL) {
        if (has_text) {
          present[i] = 1;
          col->any_text = true;
        }
        continue;
      }
    } else if (type == SQLITE_NULL) {
      continue;
    }
    if (type == SQLITE_TEXT || type == SQLITE_BLOB) {
      col->any_text = true;  // compares as text in SQL: the caller falls back to it
      continue;
    }
    present[i] = 1;
    value[i] = st.Double(1);
  }
  return std::shared_ptr<const Column>(std::move(col));
}

// Reads strings[] off a blob of NUL-terminated values; false unless it holds exactly `count`.
bool ReadStrings(const char* blob, size_t size, size_t count, Column* col) {
  col->strings.reserve(count);
  for (size_t at = 0; at < size;) {
    const void* nul = std::memchr(blob + at, '\0', size - at);
    if (nul == nullptr) return false;
    const size_t len = static_cast<size_t>(static_cast<const char*>(nul) - (blob + at));
    col->strings.emplace_back(blob + at, len);
    at += len + 1;
  }
  return col->strings.size() == count;
}

// Finds a std::string key by a string_view without making a string of it.
struct TextHash {
  using is_transparent = void;
  size_t operator()(std::string_view v) const { return std::hash<std::string_view>()(v); }
};

// Reads a text column (each run's value, coded by its rank among the distinct values), or
// brings `base` up to date.
StatusOr<std::shared_ptr<const Column>> LoadText(Database& db, const ColumnSpec& spec, int64_t max_rowid,
                                                 const Column* base, const RowsToRead& rows) {
  auto col = std::make_shared<Column>();
  const size_t n = static_cast<size_t>(max_rowid + 1);
  auto arrays = std::make_shared<TextArrays>();
  arrays->code.assign(n, 0);
  arrays->present.assign(n, 0);
  // Codes in order of first appearance (base's, which are ranks already, first); ranked once
  // all are known.
  std::unordered_map<std::string, uint32_t, TextHash, std::equal_to<>> codes;
  std::vector<const std::string*> distinct;
  size_t ranked = 0;
  if (base != nullptr) {
    for (std::string_view v : base->strings) {
      auto it = codes.emplace(std::string(v), static_cast<uint32_t>(codes.size())).first;
      distinct.push_back(&it->first);
    }
    ranked = distinct.size();
    const size_t keep = std::min(n, base->rows);
    std::memcpy(arrays->code.data(), base->code, keep * sizeof(uint32_t));
    std::memcpy(arrays->present.data(), base->present, keep);
    col->mixed = base->mixed;
    for (int64_t r : rows.changed) {
      if (r >= 0 && r <= max_rowid) arrays->present[r] = 0, arrays->code[r] = 0;
    }
  }
  TRAIL_ASSIGN_OR_RETURN(Statement st, RowsStatement(db, spec, rows));
  for (;;) {
    TRAIL_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    const int64_t rowid = st.Int(0);
    if (rowid < 0 || rowid > max_rowid) continue;
    const int type = st.Type(1);
    if (type == SQLITE_NULL) continue;
    const std::string_view value = st.TextView(1);
    // A number or blob compares by SQLite's type order, and a NUL inside the text is read
    // differently by = (all bytes) and LIKE (up to the NUL): both are left to the SQL.
    if (type != SQLITE_TEXT || value.find('\0') != std::string_view::npos) {
      col->mixed = true;
      continue;
    }
    auto it = codes.find(value);
    if (it == codes.end()) {
      it = codes.emplace(std::string(value), static_cast<uint32_t>(codes.size())).first;
      distinct.push_back(&it->first);
    }
    const size_t i = static_cast<size_t>(rowid);
    arrays->present[i] = 1;
    arrays->code[i] = it->second;
  }
  std::vector<uint32_t> order(distinct.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  if (distinct.size() > ranked)  // new values: all ranked again
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return *distinct[a] < *distinct[b]; });
  std::vector<uint32_t> rank(distinct.size());
  for (uint32_t r = 0; r < order.size(); ++r) {
    rank[order[r]] = r;
    arrays->blob += *distinct[order[r]];
    arrays->blob += '\0';
  }
  if (distinct.size() > ranked) {
    for (size_t i = 0; i < n; ++i) {
      if (arrays->present[i]) arrays->code[i] = rank[arrays->code[i]];
    }
  }
  col->code = arrays->code.data();
  col->present = arrays->present.data();
  col->rows = n;
  (void)ReadStrings(arrays->blob.data(), arrays->blob.size(), distinct.size(), col.get());
  col->storage = std::move(arrays);
  return std::shared_ptr<const Column>(std::move(col));
}

StatusOr<std::shared_ptr<const Column>> Load(Database& db, const ColumnSpec& spec, int64_t max_rowid,
                                             const Column* base = nullptr, const RowsToRead& rows = {}) {
  return spec.text ? LoadText(db, spec, max_rowid, base, rows) : LoadNumbers(db, spec, max_rowid, base, rows);
}

// ---- Columns kept on disk -------------------------------------------------------------------
// A CLI command is one process: without these, every query that needs columns would read each
// field of every run again (0.2-0.3 s per field at 1,000,000 runs). A column read once is written
// to <index>.columns/<lineage>-<sequence number>/<hash of its SQL>, and any process of the same
// index state (run_index.cc: a new number for every change) reads it back in a few milliseconds.
// After a change (a run recorded, runs pulled), the column of an earlier state is brought up to
// date from the
// index's journal of changed rows instead of read whole again. It is a cache of this machine's
// own making: a file that does not check out (size, header, lineage, SQL) is ignored and made
// again; nothing is lost when the folder goes.

constexpr std::string_view kColumnMagic = "trail-column 4\n";

// The header's flags byte.
constexpr uint8_t kAnyText = 1, kMixed = 2, kTextColumn = 4;

// A lineage as Sync makes them (RandomUid: letters and digits): anything else keeps no columns,
// so that it never becomes part of a path.
bool OurLineage(const std::string& lineage) {
  if (lineage.empty() || lineage.size() > 64) return false;
  for (char c : lineage) {
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// The folder of one state of the index: its lineage and sequence number, zero-padded so that
// names sort in the order of the states.
std::string StateFolder(const std::string& lineage, int64_t seq) {
  char number[24];
  std::snprintf(number, sizeof number, "%012lld", static_cast<long long>(seq));
  return lineage + "-" + number;
}

std::string ColumnFileName(const std::string& spec_id) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a, 64 bits: stable across builds, unlike std::hash
  for (unsigned char c : spec_id) h = (h ^ c) * 1099511628211ull;
  char name[32];
  std::snprintf(name, sizeof name, "%016llx.col", static_cast<unsigned long long>(h));
  return name;
}

template <typename T>
void Append(std::string& out, const T& v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

// The header's size, padded so that the values that follow it are aligned for doubles in a file
// mapped at a page boundary.
size_t HeaderSize(size_t lineage_size, size_t id_size) {
  const size_t head = kColumnMagic.size() + 2 * sizeof(int64_t) + 1 + 1 + lineage_size + sizeof(uint32_t) + id_size;
  return (head + alignof(double) - 1) / alignof(double) * alignof(double);
}

// magic, rows - 1 (int64), the sequence number (int64), flags (byte), the lineage's size (byte)
// and text, the SQL's size (uint32) and text, padding; then for a numeric column the values
// (doubles) and the presence bytes, one of each per rowid; for a text column the blob's size and
// the number of distinct values (uint64 each), the codes (uint32) and presence bytes by rowid,
// and the blob (the distinct values in order, each ended by a NUL). Host byte order: a cache of
// this machine's.
std::string EncodeColumn(const std::string& spec_id, int64_t max_rowid, const std::string& lineage, int64_t seq,
                         const Column& col) {
  std::string out(kColumnMagic);
  Append(out, max_rowid);
  Append(out, seq);
  const bool text = col.code != nullptr;
  Append(out,
         static_cast<uint8_t>((col.any_text ? kAnyText : 0) | (col.mixed ? kMixed : 0) | (text ? kTextColumn : 0)));
  Append(out, static_cast<uint8_t>(lineage.size()));
  out += lineage;
  Append(out, static_cast<uint32_t>(spec_id.size()));
  out += spec_id;
  out.resize(HeaderSize(lineage.size(), spec_id.size()), '\0');
  if (!text) {
    out.append(reinterpret_cast<const char*>(col.value), col.rows * sizeof(double));
    out.append(reinterpret_cast<const char*>(col.present), col.rows);
    return out;
  }
  uint64_t blob_size = 0;
  for (std::string_view v : col.strings) blob_size += v.size() + 1;
  Append(out, blob_size);
  Append(out, static_cast<uint64_t>(col.strings.size()));
  out.append(reinterpret_cast<const char*>(col.code), col.rows * sizeof(uint32_t));
  out.append(reinterpret_cast<const char*>(col.present), col.rows);
  for (std::string_view v : col.strings) {
    out += v;
    out += '\0';
  }
  return out;
}

// A kept column's file, mapped, and what its header says.
struct KeptFile {
  std::shared_ptr<const Column> column;
  int64_t max_rowid = -1;
  int64_t seq = 0;
  std::string lineage;
};

// Maps a kept column (read-only, shared with the page cache: no copy, nothing to zero): nullopt
// unless the file is what EncodeColumn wrote for this column.
std::optional<KeptFile> MapColumnFile(const std::string& path, const ColumnSpec& spec) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return std::nullopt;
  struct stat st;
  void* base = MAP_FAILED;
  size_t size = 0;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    size = static_cast<size_t>(st.st_size);
    base = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  }
  ::close(fd);  // the mapping stays
  if (base == MAP_FAILED) return std::nullopt;
  std::shared_ptr<const void> mapping(base, [size](const void* p) { ::munmap(const_cast<void*>(p), size); });
  const char* bytes = static_cast<const char*>(base);
  KeptFile out;
  // The fixed part first, then each length checked against the size before it is used.
  size_t at = kColumnMagic.size() + 2 * sizeof(int64_t) + 2;
  if (size < at || std::string_view(bytes, kColumnMagic.size()) != kColumnMagic) return std::nullopt;
  std::memcpy(&out.max_rowid, bytes + kColumnMagic.size(), sizeof(int64_t));
  std::memcpy(&out.seq, bytes + kColumnMagic.size() + sizeof(int64_t), sizeof(int64_t));
  const auto flags = static_cast<uint8_t>(bytes[at - 2]);
  const auto lineage_size = static_cast<uint8_t>(bytes[at - 1]);
  if (size < at + lineage_size + sizeof(uint32_t)) return std::nullopt;
  out.lineage.assign(bytes + at, lineage_size);
  at += lineage_size;
  uint32_t id_size = 0;
  std::memcpy(&id_size, bytes + at, sizeof id_size);
  at += sizeof id_size;
  if ((flags & ~(kAnyText | kMixed | kTextColumn)) != 0 || ((flags & kTextColumn) != 0) != spec.text ||
      id_size != spec.id.size() || size < at + id_size || std::string_view(bytes + at, id_size) != spec.id ||
      out.max_rowid < -1 || out.max_rowid >= (int64_t{1} << 40))
    return std::nullopt;
  const size_t n = static_cast<size_t>(out.max_rowid + 1);
  const size_t head = HeaderSize(lineage_size, id_size);
  const size_t body = spec.text ? 2 * sizeof(uint64_t) + n * (sizeof(uint32_t) + 1) : n * (sizeof(double) + 1);
  // A text column's blob follows its fixed part: any size from there.
  if (size < head + body || (!spec.text && size != head + body)) return std::nullopt;
  auto col = std::make_shared<Column>();
  col->any_text = (flags & kAnyText) != 0;
  col->mixed = (flags & kMixed) != 0;
  col->rows = n;
  if (!spec.text) {
    col->value = reinterpret_cast<const double*>(bytes + head);
    col->present = reinterpret_cast<const uint8_t*>(bytes + head + n * sizeof(double));
  } else {
    uint64_t blob_size = 0, count = 0;
    std::memcpy(&blob_size, bytes + head, sizeof blob_size);
    std::memcpy(&count, bytes + head + sizeof blob_size, sizeof count);
    if (blob_size != size - head - body || count > blob_size) return std::nullopt;
    col->code = reinterpret_cast<const uint32_t*>(bytes + head + 2 * sizeof(uint64_t));
    col->present = reinterpret_cast<const uint8_t*>(bytes + head + 2 * sizeof(uint64_t) + n * sizeof(uint32_t));
    // The codes index the strings (and a filter's answers for them): each must be one of them.
    for (size_t i = 0; i < n; ++i) {
      if (col->present[i] != 0 && col->code[i] >= count) return std::nullopt;
    }
    if (!ReadStrings(bytes + head + body, static_cast<size_t>(blob_size), static_cast<size_t>(count), col.get()))
      return std::nullopt;
  }
  col->storage = std::move(mapping);
  out.column = std::move(col);
  return out;
}

// The folders of earlier states of `lineage` under `dir` that columns may catch up from, the
// latest first: those from `journal_from` on (the journal holds every change since) and before
// `current`.
std::vector<std::string> EarlierStates(const std::string& dir, const std::string& lineage, int64_t journal_from,
                                       const std::string& current) {
  std::vector<std::string> names;
  for (const std::string& name : ListDirectory(dir)) {
    if (name.size() == current.size() && name.compare(0, lineage.size() + 1, lineage + "-") == 0 && name < current &&
        name >= StateFolder(lineage, journal_from))
      names.push_back(name);
  }
  std::sort(names.rbegin(), names.rend());
  return names;
}

}  // namespace

std::string RunIndex::KeptColumnsDir() const { return path_ + ".columns"; }

std::shared_ptr<const Column> RunIndex::ReadKeptColumn(const ColumnSpec& spec) {
  if (columns_->folder.empty()) return nullptr;
  const std::string path = JoinPath(JoinPath(KeptColumnsDir(), columns_->folder), ColumnFileName(spec.id));
  std::optional<KeptFile> kept = MapColumnFile(path, spec);
  if (!kept || kept->max_rowid != columns_->max_rowid || kept->seq != columns_->seq ||
      kept->lineage != columns_->lineage)
    return nullptr;
  return kept->column;
}

StatusOr<std::shared_ptr<const Column>> RunIndex::CatchUpKeptColumn(const ColumnSpec& spec) {
  if (columns_->folder.empty()) return std::shared_ptr<const Column>();
  std::optional<KeptFile> best;
  // The latest state that kept this column: the fewest rows to read again.
  for (const std::string& name :
       EarlierStates(KeptColumnsDir(), columns_->lineage, columns_->journal_from, columns_->folder)) {
    std::optional<KeptFile> kept =
        MapColumnFile(JoinPath(JoinPath(KeptColumnsDir(), name), ColumnFileName(spec.id)), spec);
    if (!kept) continue;
    if (kept->lineage == columns_->lineage && kept->seq >= columns_->journal_from && kept->seq < columns_->seq)
      best = std::move(kept);
    break;
  }
  if (!best) return std::shared_ptr<const Column>();
  RowsToRead rows;
  rows.since_seq = best->seq;
  TRAIL_ASSIGN_OR_RETURN(Statement changed, db_->Prepare("SELECT DISTINCT run FROM changes WHERE seq > ?"));
  changed.BindInt(1, best->seq);
  for (;;) {
    TRAIL_ASSIGN_OR_RETURN(bool row, changed.Step());
    if (!row) break;
    rows.changed.push_back(changed.Int(0));
  }
  return Load(*db_, spec, columns_->max_rowid, best->column.get(), rows);
}

StatusOr<bool> RunIndex::ColumnsKept(const ListQuery& q) {
  TRAIL_ASSIGN_OR_RETURN(std::string lineage, Meta("lineage"));
  TRAIL_ASSIGN_OR_RETURN(std::string seq, Meta("seq"));
  if (!OurLineage(lineage)) return false;
  std::vector<ColumnSpec> specs{query::RunsColumn(), query::ArchivedColumn(), query::NumberColumn()};
  if (!q.where.empty()) {
    TRAIL_ASSIGN_OR_RETURN(auto filter, query::PlanColumnFilter(q.where));
    if (!filter) return false;
    specs.insert(specs.end(), filter->columns().begin(), filter->columns().end());
  }
  if (!q.sort.empty()) {
    TRAIL_ASSIGN_OR_RETURN(auto sort, query::PlanColumnSort(q.sort, q.descending));
    if (!sort) return false;
    specs.push_back(sort->column);
  } else {
    specs.push_back(query::StartedColumn());
  }
  const std::string dir = JoinPath(KeptColumnsDir(), StateFolder(lineage, std::strtoll(seq.c_str(), nullptr, 10)));
  for (const ColumnSpec& spec : specs) {
    if (!PathExists(JoinPath(dir, ColumnFileName(spec.id)))) return false;
  }
  return true;
}

void RunIndex::KeepColumn(const ColumnSpec& spec, const Column& col) {
  if (columns_->folder.empty()) return;
  const std::string dir = JoinPath(KeptColumnsDir(), columns_->folder);
  if (!IsDirectory(dir)) {
    // A new state. Of the others, only the latest copy of each column in this lineage, from a
    // state the journal still covers, is of use (to catch up from); the rest goes (best effort,
    // as all here).
    const std::vector<std::string> earlier =
        EarlierStates(KeptColumnsDir(), columns_->lineage, columns_->journal_from, columns_->folder);
    for (const std::string& name : ListDirectory(KeptColumnsDir())) {
      if (std::find(earlier.begin(), earlier.end(), name) == earlier.end())
        (void)RemoveAll(JoinPath(KeptColumnsDir(), name));
    }
    // Up to kept_bytes_ of them, the latest states first: a cache must not fill the disk.
    std::unordered_set<std::string> latest;
    uint64_t bytes = 0;
    for (const std::string& name : earlier) {
      const std::string folder = JoinPath(KeptColumnsDir(), name);
      bool kept_any = false;
      for (const std::string& file : ListDirectory(folder)) {
        const std::string path = JoinPath(folder, file);
        struct stat st;
        const uint64_t size = ::lstat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
        if (bytes + size <= kept_bytes_ && latest.insert(file).second) {
          bytes += size;
          kept_any = true;
        } else {
          (void)RemoveAll(path);
        }
      }
      if (!kept_any) (void)RemoveAll(folder);
    }
    if (!MakeDirs(dir).ok()) return;
  }
  // No fsync: a cache. A torn file fails MapColumnFile's size check and is made again.
  (void)WriteFileAtomic(JoinPath(dir, ColumnFileName(spec.id)),
                        EncodeColumn(spec.id, columns_->max_rowid, columns_->lineage, columns_->seq, col), false);
}

StatusOr<std::optional<RunIndex::ColumnMatches>> RunIndex::MatchByColumns(const std::string& where,
                                                                          bool include_archived,
                                                                          const std::string& sort, bool descending) {
  using Result = std::optional<ColumnMatches>;
  std::optional<query::ColumnFilter> filter;
  if (!where.empty()) {
    TRAIL_ASSIGN_OR_RETURN(filter, query::PlanColumnFilter(where));
    if (!filter) return Result();
  }
  std::optional<query::ColumnSort> sort_plan;
  if (!sort.empty()) {
    TRAIL_ASSIGN_OR_RETURN(sort_plan, query::PlanColumnSort(sort, descending));
    if (!sort_plan) return Result();
  }

  if (!columns_) columns_ = std::make_unique<ColumnCache>();
  TRAIL_ASSIGN_OR_RETURN(auto stamp, Stamp(*db_));
  if (stamp.first != columns_->data_version || stamp.second != columns_->total_changes ||
      columns_->columns.size() > kMaxCachedColumns) {
    columns_->columns.clear();
    columns_->data_version = stamp.first;
    columns_->total_changes = stamp.second;
    TRAIL_ASSIGN_OR_RETURN(Statement st, db_->Prepare("SELECT coalesce(max(rowid), -1) FROM runs"));
    TRAIL_ASSIGN_OR_RETURN(bool row, st.Step());
    columns_->max_rowid = row ? st.Int(0) : -1;
    st.Reset();
    TRAIL_ASSIGN_OR_RETURN(columns_->lineage, Meta("lineage"));
    TRAIL_ASSIGN_OR_RETURN(std::string seq, Meta("seq"));
    TRAIL_ASSIGN_OR_RETURN(std::string journal_from, Meta("journal_from"));
    columns_->seq = std::strtoll(seq.c_str(), nullptr, 10);
    columns_->journal_from = std::strtoll(journal_from.c_str(), nullptr, 10);
    if (!OurLineage(columns_->lineage)) columns_->lineage.clear();
    columns_->folder = columns_->lineage.empty() ? "" : StateFolder(columns_->lineage, columns_->seq);
    // Rowids are assigned densely as runs are indexed; a sparse one would waste the arrays.
    // (Count reads every run: only past the floor.)
    if (columns_->max_rowid > (1 << 20) && columns_->max_rowid > 4 * Count()) return Result();
  }
  auto column = [&](const ColumnSpec& spec) -> StatusOr<std::shared_ptr<const Column>> {
    auto it = columns_->columns.find(spec.id);
    if (it != columns_->columns.end()) return it->second;
    std::shared_ptr<const Column> loaded = ReadKeptColumn(spec);
    if (loaded) {
      ++columns_from_disk_;
    } else {
      TRAIL_ASSIGN_OR_RETURN(loaded, CatchUpKeptColumn(spec));
      if (loaded) {
        ++columns_caught_up_;
      } else {
        TRAIL_ASSIGN_OR_RETURN(loaded, Load(*db_, spec, columns_->max_rowid));
      }
      KeepColumn(spec, *loaded);
    }
    columns_->columns[spec.id] = loaded;
    return loaded;
  };

  TRAIL_ASSIGN_OR_RETURN(auto runs, column(query::RunsColumn()));
  TRAIL_ASSIGN_OR_RETURN(auto archived, column(query::ArchivedColumn()));
  ColumnMatches out;
  TRAIL_ASSIGN_OR_RETURN(out.number, column(query::NumberColumn()));
  if (sort_plan) {
    TRAIL_ASSIGN_OR_RETURN(out.sort, column(sort_plan->column));
    out.descending = sort_plan->descending;
  } else {
    TRAIL_ASSIGN_OR_RETURN(out.sort, column(query::StartedColumn()));
    out.descending = true;
  }
  if (out.sort->any_text || out.sort->mixed || out.number->any_text || archived->any_text) return Result();
  std::vector<std::shared_ptr<const Column>> held;
  std::vector<const Column*> loaded;
  if (filter) {
    for (const ColumnSpec& spec : filter->columns()) {
      TRAIL_ASSIGN_OR_RETURN(auto c, column(spec));
      if ((c->any_text && !spec.natural) || c->mixed) return Result();
      held.push_back(c);
      loaded.push_back(c.get());
    }
    filter->Bind(loaded);
  }
  for (int64_t rowid = 0; rowid <= columns_->max_rowid; ++rowid) {
    if (!runs->Has(rowid)) continue;
    if (!include_archived && !(archived->Has(rowid) && archived->value[static_cast<size_t>(rowid)] == 0)) continue;
    if (filter && !filter->Matches(rowid)) continue;
    out.rowids.push_back(rowid);
  }
  ++queries_by_columns_;
  return Result(std::move(out));
}

StatusOr<bool> RunIndex::ColumnsWarm() {
  if (!columns_ || columns_->columns.empty()) return false;
  TRAIL_ASSIGN_OR_RETURN(auto stamp, Stamp(*db_));
  return stamp.first == columns_->data_version && stamp.second == columns_->total_changes;
}

StatusOr<std::optional<int64_t>> RunIndex::CountByColumns(const std::string& where, bool include_archived) {
  TRAIL_ASSIGN_OR_RETURN(auto matches, MatchByColumns(where, include_archived, "", false));
  if (!matches) return std::optional<int64_t>();
  return std::optional<int64_t>(static_cast<int64_t>(matches->rowids.size()));
}

StatusOr<bool> RunIndex::ForEachByColumns(const ListQuery& q, const std::function<Status(const RunRow&)>& fn) {
  TRAIL_ASSIGN_OR_RETURN(auto matches, MatchByColumns(q.where, q.include_archived, q.sort, q.descending));
  if (!matches) return false;
  std::vector<int64_t>& rows = matches->rowids;
  const Column& sort = *matches->sort;
  const Column& number = *matches->number;
  const bool desc = matches->descending;
  // CompileOrderBy's order: (v) IS NULL, v ASC|DESC, r.number DESC (for the default order,
  // started_ts DESC, where SQL puts NULL last as well). SQL puts NULL first in ascending order,
  // so a NULL number comes last under DESC.
  auto before = [&](int64_t a, int64_t b) {
    const size_t ia = static_cast<size_t>(a), ib = static_cast<size_t>(b);
    const bool ha = sort.present[ia] != 0, hb = sort.present[ib] != 0;
    if (ha != hb) return ha;
    if (ha && sort.code != nullptr) {  // text: codes are in the strings' order
      const uint32_t ca = sort.code[ia], cb = sort.code[ib];
      if (ca != cb) return desc ? ca > cb : ca < cb;
    } else if (ha) {
      const double va = sort.value[ia], vb = sort.value[ib];
      if (va != vb) return desc ? va > vb : va < vb;
    }
    const bool na = number.present[ia] != 0, nb = number.present[ib] != 0;
    if (na != nb) return na;
    if (na && number.value[ia] != number.value[ib]) return number.value[ia] > number.value[ib];
    return a < b;  // equal keys: SQLite's order is unspecified; rowid keeps ours stable
  };
  const size_t offset = static_cast<size_t>(std::max<int64_t>(0, q.offset));
  if (offset >= rows.size()) return true;
  const size_t end = q.limit < 0 ? rows.size() : std::min(rows.size(), offset + static_cast<size_t>(q.limit));
  if (offset > 0)
    std::nth_element(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(offset), rows.end(), before);
  std::partial_sort(rows.begin() + static_cast<std::ptrdiff_t>(offset), rows.begin() + static_cast<std::ptrdiff_t>(end),
                    rows.end(), before);
  // The page's rows, read by rowid in page order (ids are ours, never user text).
  constexpr size_t kBatch = 500;
  for (size_t from = offset; from < end; from += kBatch) {
    const size_t to = std::min(end, from + kBatch);
    std::string values;
    for (size_t i = from; i < to; ++i) {
      values += (i == from ? "(" : ",(") + std::to_string(rows[i]) + "," + std::to_string(i) + ")";
    }
    int64_t got = 0;
    TRAIL_RETURN_IF_ERROR(StreamRows(std::string("SELECT ") + kRunColumns +
                                         " FROM (SELECT column1 AS rid, column2 AS pos FROM (VALUES " + values +
                                         ")) page CROSS JOIN runs r ON r.rowid = page.rid ORDER BY page.pos",
                                     {}, fn, &got));
  }
  return true;
}

}  // namespace trail::index
