// RunIndex::CheckAgainst: does the index hold what the branch it names holds?
//
// Sync() trusts the index's own word (`meta.tip`) for what it reflects. A
// file edited by hand or by another program can keep that word and still
// hold other rows; `trail index` uses this to find out, by building a fresh
// index of the same tip in memory and comparing every table, row by row.
#include <string>
#include <vector>

#include "index/run_index.h"

namespace trail::index {
namespace {

// One text per row, in a fixed order, keyed by the record's path rather than
// by rowid (which differs between two builds). quote() keeps types apart.
const std::vector<const char*>& ContentQueries() {
  static const std::vector<const char*> kQueries = {
      "SELECT quote(id)||quote(number)||quote(uid)||quote(name)||quote(status)||quote(user)||quote(started)"
      "||quote(started_ts)||quote(ended)||quote(ended_ts)||quote(duration_s)||quote(exit_code)||quote(command)"
      "||quote(host)||quote(parent)||quote(archived)||quote(branch)||quote(code_commit)||quote(path)"
      " FROM runs ORDER BY path",
      "SELECT quote(r.path)||quote(p.key)||quote(p.text)||quote(p.num) FROM params p"
      " LEFT JOIN runs r ON r.rowid = p.run ORDER BY r.path, p.key, p.text",
      "SELECT quote(r.path)||quote(t.key)||quote(t.value) FROM tags t"
      " LEFT JOIN runs r ON r.rowid = t.run ORDER BY r.path, t.key, t.value",
      "SELECT quote(r.path)||quote(m.key)||quote(m.last)||quote(m.min)||quote(m.max)||quote(m.count)"
      "||quote(m.min_step)||quote(m.max_step)||quote(m.last_step) FROM metrics m"
      " LEFT JOIN runs r ON r.rowid = m.run ORDER BY r.path, m.key, m.last",
      "SELECT quote(r.path)||quote(f.key)||quote(f.text)||quote(f.num) FROM fields f"
      " LEFT JOIN runs r ON r.rowid = f.run ORDER BY r.path, f.key, f.text",
      "SELECT quote(path)||quote(message) FROM problems ORDER BY path",
  };
  return kQueries;
}

// A row's text for a one-line message: newlines out, long values cut.
std::string Shown(std::string row) {
  for (char& c : row) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return row.size() > 160 ? row.substr(0, 160) + "..." : row;
}

// Empty when both databases give the same rows; else the first difference.
StatusOr<std::string> FirstDifference(Database& ours, Database& fresh, const char* sql) {
  TRAIL_ASSIGN_OR_RETURN(Statement a, ours.Prepare(sql));
  TRAIL_ASSIGN_OR_RETURN(Statement b, fresh.Prepare(sql));
  for (;;) {
    TRAIL_ASSIGN_OR_RETURN(bool row_a, a.Step());
    TRAIL_ASSIGN_OR_RETURN(bool row_b, b.Step());
    if (!row_a && !row_b) return std::string();
    if (row_a != row_b)
      return std::string(row_a ? "a row the branch does not have: " : "a row is missing: ") +
             Shown(row_a ? a.Text(0) : b.Text(0));
    if (a.Text(0) != b.Text(0)) return "holds " + Shown(a.Text(0)) + " where the branch has " + Shown(b.Text(0));
  }
}

}  // namespace

Status RunIndex::CheckAgainst(const git::Repo& repo, const std::string& ref) {
  TRAIL_ASSIGN_OR_RETURN(auto fresh, OpenLocked(":memory:"));
  TRAIL_RETURN_IF_ERROR(fresh->Sync(repo, ref));
  TRAIL_ASSIGN_OR_RETURN(std::string tip, Meta("tip"));
  TRAIL_ASSIGN_OR_RETURN(std::string fresh_tip, fresh->Meta("tip"));
  if (tip != fresh_tip) return Corrupt("index: reflects commit '" + tip + "', not the tip of " + ref);
  // One read transaction: a concurrent update cannot show us half of itself.
  TRAIL_RETURN_IF_ERROR(db_->Exec("BEGIN"));
  Status result = Status::Ok();
  for (const char* sql : ContentQueries()) {
    auto diff = FirstDifference(*db_, *fresh->db_, sql);
    if (!diff.ok()) {
      result = diff.status();
      break;
    }
    if (!diff->empty()) {
      result = Corrupt("index: does not match " + ref + " at " + tip.substr(0, 12) + ": " + *diff);
      break;
    }
  }
  (void)db_->Exec("COMMIT");
  return result;
}

}  // namespace trail::index
