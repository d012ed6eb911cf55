#include "importer.h"

#include <pthread.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <soci/soci.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <mutex>
#include <thread>
#include <map>
#include <set>
#include <unordered_map>

#include "hash.h"
#include "identifiers.h"
#include "journal.h"
#include "text.h"

namespace xj {
namespace {

using Values = std::vector<std::optional<std::string>>;

// A record source yields records as values aligned with the kind's columns.
class RecordSource {
 public:
  virtual ~RecordSource() = default;
  // true: a record; false: end. A non-OK status is a malformed record (the source has
  // moved past it) unless fatal() is then true.
  virtual Result<bool> Next(Values* values) = 0;
  virtual std::uint64_t line() const = 0;
  virtual std::uint64_t bytes() const = 0;
  virtual std::uint64_t total() const = 0;
  bool fatal() const { return fatal_; }
  std::vector<std::string> warnings;
  std::string encoding;

 protected:
  bool fatal_ = false;
};

Status Fatal(const std::string& zh, const std::string& en) {
  return Status::Error(StatusCode::kInvalidArgument, zh, en);
}

// Maps header names to spec columns; reports unknown and duplicate columns.
Status MapHeader(const KindSpec& spec, const std::vector<std::string>& names, std::vector<int>* map,
                 std::vector<std::string>* warnings) {
  map->assign(names.size(), -1);
  std::vector<bool> seen(spec.columns.size(), false);
  std::vector<std::string> unknown;
  for (std::size_t i = 0; i < names.size(); ++i) {
    std::string n(text::Trim(names[i]));
    for (char& ch : n) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    int found = -1;
    for (std::size_t c = 0; c < spec.columns.size(); ++c)
      if (n == spec.columns[c].name) found = static_cast<int>(c);
    if (found < 0) {
      if (!n.empty()) unknown.push_back(n.size() > 40 ? n.substr(0, 40) + "…" : n);
      continue;
    }
    if (seen[found]) return Fatal("表头中列 '" + n + "' 重复", "column '" + n + "' appears twice in the header");
    seen[found] = true;
    (*map)[i] = found;
  }
  std::string missing;
  for (std::size_t c = 0; c < spec.columns.size(); ++c)
    if (spec.columns[c].required && !seen[c]) missing += (missing.empty() ? "" : ", ") + std::string(spec.columns[c].name);
  if (!missing.empty())
    return Fatal("缺少必需的列：" + missing, "missing required column(s): " + missing);
  if (!unknown.empty()) {
    std::string list;
    for (auto& u : unknown) list += (list.empty() ? "" : ", ") + u;
    warnings->push_back("忽略未知的列：" + list + " / ignored unknown column(s): " + list);
  }
  return Status::Ok();
}

class CsvSource final : public RecordSource {
 public:
  static Result<std::unique_ptr<CsvSource>> Open(const KindSpec& spec, const std::string& path, Encoding enc) {
    CsvOptions o;
    o.encoding = enc;
    auto r = CsvReader::Open(path, o);
    if (!r.ok()) return r.status();
    std::unique_ptr<CsvSource> s(new CsvSource(spec, std::move(r.value())));
    std::vector<std::string> header;
    Result<bool> h = s->reader_->Next(&header);
    if (!h.ok()) return Fatal("无法读取表头：" + h.status().message(), "cannot read the header: " + h.status().message());
    if (!h.value()) return Fatal("文件为空（没有表头）", "the file is empty (no header row)");
    if (Status st = MapHeader(spec, header, &s->map_, &s->warnings); !st.ok()) return st;
    s->encoding = s->reader_->encoding() == Encoding::kGb18030 ? "gb18030" : "utf-8";
    return s;
  }
  Result<bool> Next(Values* values) override {
    for (;;) {
      Result<bool> r = reader_->Next(&fields_);
      if (!r.ok() || !r.value()) return r;
      if (fields_.size() == 1 && fields_[0].empty()) continue;  // blank line
      if (fields_.size() != map_.size())
        return Status::Error(StatusCode::kInvalidArgument,
                             "第 " + std::to_string(line()) + " 行有 " + std::to_string(fields_.size()) + " 列，表头有 " +
                                 std::to_string(map_.size()) + " 列",
                             "line " + std::to_string(line()) + " has " + std::to_string(fields_.size()) +
                                 " fields, the header has " + std::to_string(map_.size()));
      values->assign(spec_.columns.size(), std::nullopt);
      for (std::size_t i = 0; i < fields_.size(); ++i)
        if (map_[i] >= 0) (*values)[map_[i]] = std::move(fields_[i]);
      return true;
    }
  }
  std::uint64_t line() const override { return reader_->record_line(); }
  std::uint64_t bytes() const override { return reader_->bytes_read(); }
  std::uint64_t total() const override { return reader_->total_bytes(); }

 private:
  CsvSource(const KindSpec& spec, std::unique_ptr<CsvReader> r) : spec_(spec), reader_(std::move(r)) {}
  const KindSpec& spec_;
  std::unique_ptr<CsvReader> reader_;
  std::vector<int> map_;
  std::vector<std::string> fields_;
};

// JSON: an array of objects (read whole; at most kMaxJsonArrayBytes) or JSON Lines
// (streamed, one object per line).
class JsonSource final : public RecordSource {
 public:
  static constexpr std::uint64_t kMaxJsonArrayBytes = 256ull << 20;
  static constexpr std::size_t kMaxLineBytes = 1 << 20;

  static Result<std::unique_ptr<JsonSource>> Open(const KindSpec& spec, const std::string& path) {
    std::unique_ptr<JsonSource> s(new JsonSource(spec));
    s->in_.open(path, std::ios::binary);
    if (!s->in_) return Status::Error(StatusCode::kUnavailable, "无法读取文件 " + path, "cannot read " + path);
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) s->total_ = static_cast<std::uint64_t>(st.st_size);
    s->encoding = "utf-8";
    // Skip a BOM and whitespace to see whether this is an array.
    char bom[3];
    s->in_.read(bom, 3);
    if (!(s->in_.gcount() == 3 && bom[0] == '\xEF' && bom[1] == '\xBB' && bom[2] == '\xBF')) {
      s->in_.clear();
      s->in_.seekg(0);
    }
    int c;
    while ((c = s->in_.peek()) != EOF && std::isspace(c)) s->in_.get();
    if (c == '[') {
      if (s->total_ > kMaxJsonArrayBytes)
        return Fatal("JSON 数组文件超过 256 MiB，请改用 JSON Lines（每行一个对象）",
                     "a JSON array file over 256 MiB; use JSON Lines (one object per line) instead");
      std::string all((std::istreambuf_iterator<char>(s->in_)), std::istreambuf_iterator<char>());
      if (!text::IsValidUtf8(all)) return Fatal("JSON 文件不是有效的 UTF-8", "the JSON file is not valid UTF-8");
      try {
        s->array_ = nlohmann::json::parse(all);
      } catch (const std::exception& e) {
        return Fatal(std::string("JSON 格式错误：") + e.what(), std::string("malformed JSON: ") + e.what());
      }
      s->is_array_ = true;
      s->bytes_ = s->total_;
    }
    return s;
  }

  Result<bool> Next(Values* values) override {
    nlohmann::json obj;
    if (is_array_) {
      if (index_ >= array_.size()) return false;
      line_ = index_ + 1;
      obj = std::move(array_[index_++]);
    } else {
      std::string l;
      for (;;) {
        if (!ReadLine(&l)) return false;
        if (!text::Trim(l).empty()) break;
      }
      if (l.size() > kMaxLineBytes)
        return Err("记录超过 1 MiB", "record longer than 1 MiB");
      if (!text::IsValidUtf8(l)) return Err("不是有效的 UTF-8", "not valid UTF-8");
      try {
        obj = nlohmann::json::parse(l);
      } catch (const std::exception& e) {
        return Err(std::string("JSON 格式错误：") + e.what(), std::string("malformed JSON: ") + e.what());
      }
    }
    if (!obj.is_object()) return Err("记录不是 JSON 对象", "the record is not a JSON object");
    values->assign(spec_.columns.size(), std::nullopt);
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      int col = -1;
      for (std::size_t c = 0; c < spec_.columns.size(); ++c)
        if (it.key() == spec_.columns[c].name) col = static_cast<int>(c);
      if (col < 0) {
        if (unknown_.insert(it.key().substr(0, 40)).second && unknown_.size() <= 20)
          warnings.push_back("忽略未知的字段：" + it.key().substr(0, 40) + " / ignored unknown field: " + it.key().substr(0, 40));
        continue;
      }
      const nlohmann::json& v = it.value();
      std::string s;
      if (v.is_string()) {
        s = v.get<std::string>();
      } else if (v.is_boolean()) {
        s = v.get<bool>() ? "1" : "0";
      } else if (v.is_number_integer() || v.is_number_unsigned()) {
        s = v.dump();
      } else if (v.is_number_float()) {
        s = v.dump();
      } else if (v.is_null()) {
        s.clear();
      } else if (v.is_array()) {
        for (const auto& e : v) {
          if (!e.is_string()) return Err("字段 " + it.key() + " 的数组只能包含字符串", "the array of field " + it.key() + " may only hold strings");
          s += (s.empty() ? "" : ";") + e.get<std::string>();
        }
      } else {
        return Err("字段 " + it.key() + " 不能是对象", "field " + it.key() + " cannot be an object");
      }
      (*values)[col] = std::move(s);
    }
    for (std::size_t c = 0; c < spec_.columns.size(); ++c)
      if (spec_.columns[c].required && !(*values)[c]) (*values)[c] = std::string();
    return true;
  }
  std::uint64_t line() const override { return line_; }
  std::uint64_t bytes() const override { return bytes_; }
  std::uint64_t total() const override { return total_; }

 private:
  explicit JsonSource(const KindSpec& spec) : spec_(spec) {}
  Status Err(const std::string& zh, const std::string& en) {
    return Status::Error(StatusCode::kInvalidArgument, "第 " + std::to_string(line_) + " 条记录：" + zh,
                         "record " + std::to_string(line_) + ": " + en);
  }
  // Reads one line; a line over the limit is consumed but cut (and then rejected).
  bool ReadLine(std::string* l) {
    l->clear();
    if (!in_.good() || in_.peek() == EOF) return false;
    ++line_;
    int c;
    while ((c = in_.get()) != EOF) {
      ++bytes_;
      if (c == '\n') break;
      if (l->size() <= kMaxLineBytes) l->push_back(static_cast<char>(c));
    }
    if (!l->empty() && l->back() == '\r') l->pop_back();
    return true;
  }
  const KindSpec& spec_;
  std::ifstream in_;
  nlohmann::json array_;
  bool is_array_ = false;
  std::size_t index_ = 0;
  std::uint64_t line_ = 0, bytes_ = 0, total_ = 0;
  std::set<std::string> unknown_;
};

bool LooksLikeJson(const std::string& path, const std::string& format) {
  if (format == "json") return true;
  if (format == "csv") return false;
  auto ends = [&](const char* suf) {
    std::string s = suf;
    return path.size() >= s.size() && path.compare(path.size() - s.size(), s.size(), s) == 0;
  };
  if (ends(".json") || ends(".jsonl") || ends(".ndjson")) return true;
  if (ends(".csv") || ends(".txt")) return false;
  // A pipe (a FIFO, /dev/stdin) is read once: sniffing would eat its first bytes, so it is CSV
  // unless --format says json.
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) return false;
  std::ifstream in(path, std::ios::binary);
  char buf[64] = {};
  in.read(buf, sizeof buf);
  std::string_view s(buf, static_cast<std::size_t>(in.gcount()));
  if (s.substr(0, 3) == "\xEF\xBB\xBF") s.remove_prefix(3);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s[0]))) s.remove_prefix(1);
  return !s.empty() && (s[0] == '[' || s[0] == '{');
}

// The rejects file: line, column, value, reason_zh, reason_en. Created on the first reject.
class RejectsWriter {
 public:
  explicit RejectsWriter(std::string path) : path_(std::move(path)) {}
  Status Add(std::uint64_t line, const FieldError& e) {
    if (path_.empty()) return Status::Ok();
    if (!out_.is_open()) {
      out_.open(path_, std::ios::binary | std::ios::trunc);
      if (!out_) return Status::Error(StatusCode::kUnavailable, "无法写入拒绝文件 " + path_, "cannot write the rejects file " + path_);
      out_ << "\xEF\xBB\xBF";  // BOM, so that Excel reads the Chinese text as UTF-8
      buf_.clear();
      AppendCsvRecord(&buf_, {"line", "column", "value", "reason_zh", "reason_en"});
    }
    std::string v = e.value;
    if (v.size() > 200) v = v.substr(0, 200) + "…(" + std::to_string(e.value.size()) + " bytes)";
    if (!text::IsValidUtf8(v)) v = "(invalid UTF-8)";
    AppendCsvRecord(&buf_, {std::to_string(line), e.column, v, e.zh, e.en}, /*neutralise_formulas=*/true);
    if (buf_.size() > (1 << 16)) return Flush();
    return Status::Ok();
  }
  Status Flush() {
    if (!out_.is_open()) return Status::Ok();
    out_ << buf_;
    buf_.clear();
    out_.flush();
    if (!out_) return Status::Error(StatusCode::kUnavailable, "写入拒绝文件失败", "writing the rejects file failed");
    return Status::Ok();
  }

 private:
  std::string path_;
  std::ofstream out_;
  std::string buf_;
};

// Validated records waiting to be written: the stored columns, then digest and
// updated_at_us (set at commit), back to back in one batch. `lines` and `insert_content` are
// indexed by the batch's physical row.
struct Chunk {
  RowBatch rows;
  std::vector<std::uint64_t> lines;
  std::vector<std::uint32_t> absent;  // per row (physical order): bit c = column c not in the record
  bool any_absent = false;
  std::vector<Digest> insert_content;  // AuditContentDigest of the row's audit record if it is an insert
};

// Appends a JSON string literal. Keys are validated (no control characters), so only the
// quote and the backslash need escaping; anything else goes through the full serializer.
void AppendJsonString(std::string* out, std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20) {
      *out += nlohmann::json(std::string(s)).dump();
      return;
    }
  *out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') *out += '\\';
    *out += c;
  }
  *out += '"';
}
std::string JsonEscape(const std::string& s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

// Reading, validating and hashing run on a second thread while this one writes the previous
// chunk: the two halves cost about the same, and the machine has more than one core.
class Importer {
 public:
  Importer(Database& db, const ImportOptions& o) : db_(db), o_(o), spec_(SpecOf(o.kind)), rejects_(o.rejects_path) {}

  Result<ImportSummary> Run() {
    std::unique_ptr<RecordSource> src;
    if (LooksLikeJson(o_.path, o_.format)) {
      auto s = JsonSource::Open(spec_, o_.path);
      if (!s.ok()) return s.status();
      src = std::move(s.value());
    } else {
      auto s = CsvSource::Open(spec_, o_.path, o_.encoding);
      if (!s.ok()) return s.status();
      src = std::move(s.value());
    }
    sum_.encoding = src->encoding;
    total_bytes_ = src->total();
    if (o_.kind == DirectoryKind::kInspectors || o_.kind == DirectoryKind::kItems) {
      if (Status s = LoadDepartments(); !s.ok()) return s;
    }
    UpsertSpec us;
    us.table = spec_.table;
    for (const ColumnSpec& c : spec_.columns) us.columns.push_back(c.db_column);
    us.digest = us.columns.size();
    us.columns.push_back("digest");
    us.columns.push_back("updated_at_us");
    us.key = spec_.key;
    auto up = Upserter::Create(db_, us);
    if (!up.ok()) return up.status();
    upserter_ = std::move(up.value());
    today_ = TodayShanghai();

    std::thread producer([&] {
      pthread_setname_np(pthread_self(), "xj-import-read");
      Produce(*src);
    });
    Status failure;
    // Several chunks may share a transaction (see ImportOptions::commit_interval): each
    // commit rewrites every page the transaction touched, and a chunk of random keys
    // touches most leaves of the key index, so committing 10,000-row chunks one by one
    // spends most of a large import writing the same index pages again.
    WriteTransaction tx(db_);
    auto tx_started = std::chrono::steady_clock::now();
    std::size_t tx_rows = 0;
    auto commit = [&]() -> Status {
      if (!tx.active()) return Status::Ok();
      if (Status s = tx.Commit(); !s.ok()) return s;
      sum_.inserted += tx_sum_.inserted;
      sum_.updated += tx_sum_.updated;
      sum_.unchanged += tx_sum_.unchanged;
      sum_.departments_created.insert(sum_.departments_created.end(), tx_sum_.departments_created.begin(),
                                      tx_sum_.departments_created.end());
      tx_sum_ = ImportSummary();
      tx_rows = 0;
      return Status::Ok();
    };
    for (;;) {
      Chunk chunk;
      {
        std::unique_lock<std::mutex> lock(mu_);
        if (queue_.empty() && tx.active() && failure.ok()) {
          // Do not keep the write lock while waiting for the reader.
          lock.unlock();
          failure = commit();
          lock.lock();
        }
        cv_.wait(lock, [&] { return !queue_.empty() || done_; });
        if (queue_.empty()) break;
        chunk = std::move(queue_.front());
        queue_.pop_front();
      }
      cv_.notify_all();
      if (failure.ok() && !tx.active()) {
        failure = tx.Begin();
        tx_started = std::chrono::steady_clock::now();
      }
      if (failure.ok()) {
        tx_rows += chunk.rows.size();
        failure = Flush(&chunk);
      }
      if (failure.ok() && (tx_rows >= o_.commit_max_rows || std::chrono::steady_clock::now() - tx_started >= o_.commit_interval))
        failure = commit();
      if (!failure.ok()) {
        std::lock_guard<std::mutex> lock(mu_);
        stop_ = true;
        queue_.clear();
        cv_.notify_all();
      }
      if (o_.progress) o_.progress({read_.load(), bytes_.load(), total_bytes_});
    }
    if (failure.ok()) failure = commit();
    if (!failure.ok()) tx.Rollback();
    producer.join();
    if (!failure.ok()) return failure;
    if (!produce_status_.ok()) return produce_status_;
    if (Status s = rejects_.Flush(); !s.ok()) return s;
    sum_.read = read_.load();
    for (std::size_t c = 0; c < spec_.columns.size(); ++c)
      if (absent_count_[c] > 0) sum_.not_carried.push_back(spec_.columns[c].name);
    sum_.warnings.insert(sum_.warnings.begin(), src->warnings.begin(), src->warnings.end());
    return sum_;
  }

 private:
  void Produce(RecordSource& src) {
    Values values;
    Row row;
    const std::size_t ncol = spec_.columns.size() + 2;
    auto fresh = [&] {
      Chunk c;
      c.rows = RowBatch(ncol);
      c.rows.Reserve(o_.chunk_rows, o_.chunk_rows * 256);
      c.lines.reserve(o_.chunk_rows);
      c.insert_content.reserve(o_.chunk_rows);
      c.absent.reserve(o_.chunk_rows);
      return c;
    };
    Chunk chunk = fresh();
    auto push = [&] {
      SortByKey(&chunk.rows);
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return queue_.size() < 2 || stop_; });
      if (stop_) return false;
      queue_.push_back(std::move(chunk));
      chunk = fresh();
      cv_.notify_all();
      return true;
    };
    Status st;
    for (;;) {
      Result<bool> r = src.Next(&values);
      if (!r.ok()) {
        if (src.fatal()) {
          st = r.status();
          break;
        }
        ++read_;
        if (Status s = Reject(src.line(), {}, r.status()); !s.ok()) {
          st = s;
          break;
        }
      } else if (!r.value()) {
        break;
      } else {
        ++read_;
        std::vector<FieldError> errs = ValidateRecord(o_.kind, values, today_, &row);
        if (!errs.empty()) {
          if (Status s = Reject(src.line(), errs); !s.ok()) {
            st = s;
            break;
          }
        } else {
          std::string digest = RowDigest(o_.kind, row);
          // Most rows of an import are new: hash their audit record's content here, on the
          // reader thread, and leave only the short chain step to the writer.
          Digest content = AuditContentDigest(o_.actor, "insert", EntityName(o_.kind), RowKey(o_.kind, row), "", digest);
          row.push_back(std::move(digest));
          row.push_back(std::nullopt);  // updated_at_us, set at commit
          chunk.rows.Add(row);
          chunk.lines.push_back(src.line());
          chunk.insert_content.push_back(content);
          std::uint32_t absent = 0;
          for (std::size_t c = 0; c < spec_.columns.size(); ++c)
            if (!values[c]) {
              absent |= 1u << c;
              ++absent_count_[c];
            }
          chunk.absent.push_back(absent);
          chunk.any_absent = chunk.any_absent || absent != 0;
        }
      }
      bytes_ = src.bytes();
      if (chunk.rows.size() >= o_.chunk_rows && !push()) break;
    }
    bytes_ = src.bytes();
    if (st.ok() && !chunk.rows.empty()) push();
    std::lock_guard<std::mutex> lock(mu_);
    produce_status_ = st;
    done_ = true;
    cv_.notify_all();
  }

  // Orders a chunk by its natural key (stably, so that a key repeated in the file keeps its
  // order): the writer then walks the key index from left to right instead of jumping
  // around it, which keeps the pages it touches in the CPU's caches. Done here, on the
  // reader thread, which has time to spare.
  void SortByKey(RowBatch* rows) const {
    const std::vector<std::size_t>& key = spec_.key;
    std::stable_sort(rows->order().begin(), rows->order().end(), [&](std::uint32_t a, std::uint32_t b) {
      for (std::size_t k : key)
        if (int c = rows->GetPhysical(a, k).compare(rows->GetPhysical(b, k)); c != 0) return c < 0;
      return false;
    });
  }

  Status Reject(std::uint64_t line, std::vector<FieldError> errs, const Status& st = Status::Ok()) {
    std::lock_guard<std::mutex> lock(reject_mu_);
    ++sum_.rejected;
    if (!st.ok()) {
      auto slash = st.message().find(" / ");
      errs = {{"", "", st.message().substr(0, slash), slash == std::string::npos ? "" : st.message().substr(slash + 3)}};
    }
    for (const FieldError& e : errs) {
      if (sum_.sample_rejects.size() < 20)
        sum_.sample_rejects.push_back("第 " + std::to_string(line) + " 行 " + e.column + "：" + e.zh + " / line " +
                                      std::to_string(line) + " " + e.column + ": " + e.en);
      if (Status s = rejects_.Add(line, e); !s.ok()) return s;
    }
    return Status::Ok();
  }

  // Columns a record did not carry keep their stored values, so that a partial re-import
  // never blanks them; only a column that is present and empty clears a field. The rows of
  // the chunk are rebuilt with the merged values and new digests; a row whose merged values
  // break a rule between columns (an item's ratios) is rejected. Inside the transaction, so
  // the stored values read are the ones the write replaces; a key repeated in the chunk
  // merges with its previous row.
  Status MergeAbsent(Chunk* chunk) {
    RowBatch& rows = chunk->rows;
    const std::size_t ncol = spec_.columns.size();
    std::vector<std::string> key_cols, cols;
    for (std::size_t k : spec_.key) key_cols.push_back(spec_.columns[k].db_column);
    for (const ColumnSpec& c : spec_.columns) cols.push_back(c.db_column);
    std::vector<std::vector<std::string>> keys;
    for (std::size_t r = 0; r < rows.size(); ++r) {
      if (!chunk->absent[rows.Physical(r)]) continue;
      std::vector<std::string> k;
      for (std::size_t i : spec_.key) k.emplace_back(rows.Get(r, i));
      keys.push_back(std::move(k));
    }
    auto stored = FetchRowsByKeys(db_, spec_.table, key_cols, cols, keys);
    if (!stored.ok()) return stored.status();
    RowBatch merged(rows.columns());
    merged.Reserve(rows.size(), rows.size() * 256);
    std::vector<std::uint64_t> lines;
    std::vector<Digest> content;
    std::vector<std::uint32_t> absent;
    std::unordered_map<std::string, Row> latest;  // key => its last row in this chunk
    std::vector<std::pair<std::uint64_t, std::vector<FieldError>>> refused;
    Row row(rows.columns());
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const std::size_t p = rows.Physical(r);
      for (std::size_t c = 0; c < rows.columns(); ++c) {
        auto v = rows.At(r, c);
        row[c] = v ? Cell(std::string(*v)) : Cell();
      }
      std::string key;
      for (std::size_t k = 0; k < spec_.key.size(); ++k) key += (k ? "\t" : "") + row[spec_.key[k]].value_or("");
      if (std::uint32_t bits = chunk->absent[p]) {
        const Row* base = nullptr;
        if (auto it = latest.find(key); it != latest.end()) base = &it->second;
        else if (auto st = stored->find(key); st != stored->end()) base = &st->second;
        if (base)
          for (std::size_t c = 0; c < ncol; ++c)
            if (bits & (1u << c)) row[c] = (*base)[c];
        Row data(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(ncol));
        std::vector<FieldError> errs = CheckRecordConsistency(o_.kind, data);
        if (!errs.empty()) {
          refused.emplace_back(chunk->lines[p], std::move(errs));
          continue;
        }
        row[ncol] = RowDigest(o_.kind, data);
      }
      latest[key] = Row(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(ncol));
      merged.Add(row);
      lines.push_back(chunk->lines[p]);
      content.push_back(chunk->insert_content[p]);
      absent.push_back(chunk->absent[p]);
    }
    std::sort(refused.begin(), refused.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [line, errs] : refused)
      if (Status s = Reject(line, std::move(errs)); !s.ok()) return s;
    chunk->rows = std::move(merged);
    chunk->lines = std::move(lines);
    chunk->insert_content = std::move(content);
    chunk->absent = std::move(absent);
    return Status::Ok();
  }

  Status LoadDepartments() {
    try {
      soci::rowset<std::string> rs = (db_.session().prepare << "SELECT code FROM departments");
      for (const std::string& c : rs) departments_.insert(c);
      return Status::Ok();
    } catch (const std::exception& e) {
      return DbError(e, "读取部门失败", "cannot read departments");
    }
  }

  // Reference checks, then inside the open transaction: rows, audit records, one outbox
  // event.
  Status Flush(Chunk* chunk) {
    RowBatch& rows = chunk->rows;
    if (rows.empty()) return Status::Ok();
    std::int64_t now = NowMicros();
    std::vector<OutboxEvent> events;
    // Departments named by inspectors or items that do not exist: a rejected row naming
    // the code, unless the operator asked to create them (--create-departments).
    std::vector<Row> new_departments;
    if ((o_.kind == DirectoryKind::kInspectors || o_.kind == DirectoryKind::kItems) && !o_.create_departments) {
      std::vector<bool> keep(rows.size(), true);
      std::vector<std::pair<std::uint64_t, std::vector<FieldError>>> refused;
      for (std::size_t r = 0; r < rows.size(); ++r) {
        std::string d(rows.Get(r, 2));
        if (departments_.count(d)) continue;
        keep[r] = false;
        refused.emplace_back(chunk->lines[rows.Physical(r)],
                             std::vector<FieldError>{{"department", d,
                                                      "部门 " + d + " 不存在（先导入部门，或使用 --create-departments 创建）",
                                                      "no such department: " + d +
                                                          " (import departments first, or pass --create-departments)"}});
      }
      if (!refused.empty()) {
        std::sort(refused.begin(), refused.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        for (auto& [line, errs] : refused)
          if (Status s = Reject(line, std::move(errs)); !s.ok()) return s;
        rows.Keep(keep);
      }
    }
    if (o_.kind == DirectoryKind::kInspectors || o_.kind == DirectoryKind::kItems) {
      for (std::size_t r = 0; r < rows.size(); ++r) {
        std::string d(rows.Get(r, 2));
        if (departments_.count(d)) continue;
        departments_.insert(d);
        Row dep{d, d, std::string("province"), std::string("")};
        std::string digest = RowDigest(DirectoryKind::kDepartments, dep);
        dep.push_back(digest);
        dep.push_back(std::to_string(now));
        new_departments.push_back(dep);
        tx_sum_.departments_created.push_back(d);
      }
    }
    // Relations refer to an inspector and a subject that must exist.
    if (o_.kind == DirectoryKind::kRelations) {
      std::vector<std::vector<std::string>> ins, subs;
      for (std::size_t r = 0; r < rows.size(); ++r) {
        ins.push_back({std::string(rows.Get(r, 0))});
        subs.push_back({std::string(rows.Get(r, 1))});
      }
      auto have_ins = FetchByKeys(db_, "inspectors", {"id"}, "id", ins);
      if (!have_ins.ok()) return have_ins.status();
      auto have_subs = FetchByKeys(db_, "subjects", {"uscc"}, "uscc", subs);
      if (!have_subs.ok()) return have_subs.status();
      std::vector<bool> keep(rows.size(), true);
      std::vector<std::pair<std::uint64_t, std::vector<FieldError>>> refused;
      for (std::size_t r = 0; r < rows.size(); ++r) {
        std::vector<FieldError> errs;
        if (!have_ins->count(ins[r][0])) errs.push_back({"inspector_id", ins[r][0], "检查人员不存在", "no such inspector"});
        if (!have_subs->count(subs[r][0])) errs.push_back({"uscc", subs[r][0], "检查对象不存在", "no such subject"});
        if (!errs.empty()) {
          keep[r] = false;
          refused.emplace_back(chunk->lines[rows.Physical(r)], std::move(errs));
        }
      }
      // The chunk is in key order; the rejects file is in line order.
      std::sort(refused.begin(), refused.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      for (auto& [line, errs] : refused)
        if (Status s = Reject(line, std::move(errs)); !s.ok()) return s;
      rows.Keep(keep);
    }
    if (chunk->any_absent)
      if (Status s = MergeAbsent(chunk); !s.ok()) return s;
    rows.SetConstant(spec_.columns.size() + 1, std::to_string(now));
    const std::size_t digest_col = spec_.columns.size();

    // Inside the caller's transaction. Audit records are written as the rows are classified (departments first); the writer
    // is opened at the first change, so that a chunk that changes nothing writes nothing.
    std::unique_ptr<AuditWriter> audit;
    auto open_audit = [&]() -> Status {
      if (audit) return Status::Ok();
      auto w = AuditWriter::Begin(db_, o_.actor, now);
      if (!w.ok()) return w.status();
      audit = std::move(w.value());
      return Status::Ok();
    };
    if (!new_departments.empty()) {
      auto sink = RowSink::Create(db_, "departments", {"code", "name", "level", "jurisdiction", "digest", "updated_at_us"}, {"code"});
      if (!sink.ok()) return sink.status();
      for (const Row& d : new_departments)
        if (Status s = sink.value()->Add(d); !s.ok()) return s;
      if (Status s = sink.value()->Finish(); !s.ok()) return s;
      if (Status s = open_audit(); !s.ok()) return s;
      // The audit log says what the summary says: created by an import, at province level,
      // with an unlimited jurisdiction until someone imports the department properly.
      for (const Row& d : new_departments) {
        if (Status s = audit->Add("insert", "department", *d[0], "", *d[4]); !s.ok()) return s;
        if (Status s = audit->Add("department.auto-create", "department",
                                  *d[0] + ": level=province, jurisdiction=unlimited (created by the " +
                                      KindName(o_.kind) + " import, --create-departments)",
                                  "", *d[4]);
            !s.ok())
          return s;
      }
    }
    std::vector<UpsertOutcome> outcomes;
    std::vector<std::string> before;
    if (Status s = upserter_->Run(rows, &outcomes, &before); !s.ok()) return s;
    std::string inserted_json = "[", updated_json = "[";
    std::uint64_t ins = 0, upd = 0, same = 0;
    const char* entity = EntityName(o_.kind);
    const bool single_key = spec_.key.size() == 1;
    std::string joined_key;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (outcomes[i] == UpsertOutcome::kUnchanged) {
        ++same;
        continue;
      }
      if (Status s = open_audit(); !s.ok()) return s;
      if (!single_key) {
        joined_key.clear();
        for (std::size_t k = 0; k < spec_.key.size(); ++k) {
          if (k) joined_key += '\t';
          joined_key += rows.Get(i, spec_.key[k]);
        }
      }
      std::string_view key = single_key ? rows.Get(i, spec_.key[0]) : std::string_view(joined_key);
      std::string& list = outcomes[i] == UpsertOutcome::kInserted ? inserted_json : updated_json;
      if (list.size() > 1) list += ',';
      AppendJsonString(&list, key);
      std::string_view after = rows.Get(i, digest_col);
      if (outcomes[i] == UpsertOutcome::kInserted) {
        ++ins;
        if (Status s = audit->Add("insert", entity, key, "", after, &chunk->insert_content[rows.Physical(i)]); !s.ok())
          return s;
      } else {
        ++upd;
        if (Status s = audit->Add("update", entity, key, before[i], after); !s.ok()) return s;
      }
    }
    if (!new_departments.empty()) {
      std::string codes = "[";
      for (auto& d : new_departments) codes += (codes.size() > 1 ? "," : "") + JsonEscape(*d[0]);
      events.push_back({"directory.departments.changed", "",
                        "{\"kind\":\"departments\",\"inserted\":" + codes + "],\"updated\":[]}"});
    }
    if (ins + upd > 0)
      events.push_back({std::string("directory.") + KindName(o_.kind) + ".changed", "",
                        std::string("{\"kind\":\"") + KindName(o_.kind) + "\",\"inserted\":" + inserted_json +
                            "],\"updated\":" + updated_json + "]}"});
    if (audit) {
      if (Status s = audit->Finish(); !s.ok()) return s;
      if (Status s = AppendJournal(db_, o_.actor, now, {}, events); !s.ok()) return s;
    }
    tx_sum_.inserted += ins;
    tx_sum_.updated += upd;
    tx_sum_.unchanged += same;
    return Status::Ok();
  }

  Database& db_;
  const ImportOptions& o_;
  const KindSpec& spec_;
  RejectsWriter rejects_;
  ImportSummary sum_;
  ImportSummary tx_sum_;  // counts of the chunks in the open transaction
  std::set<std::string> departments_;
  std::vector<std::uint64_t> absent_count_ = std::vector<std::uint64_t>(spec_.columns.size(), 0);
  std::string today_;
  std::unique_ptr<Upserter> upserter_;
  // Producer/consumer hand-over.
  std::mutex mu_, reject_mu_;
  std::condition_variable cv_;
  std::deque<Chunk> queue_;
  bool done_ = false, stop_ = false;
  Status produce_status_;
  std::atomic<std::uint64_t> read_{0}, bytes_{0};
  std::uint64_t total_bytes_ = 0;
};

}  // namespace

Result<ImportSummary> ImportFile(Database& db, const ImportOptions& options) {
  try {
    return Importer(db, options).Run();
  } catch (const std::exception& e) {
    return DbError(e, "导入失败", "import failed");
  }
}

}  // namespace xj
