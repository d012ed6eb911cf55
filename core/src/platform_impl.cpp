// See platform_impl.h.
#include "platform_impl.h"

#include <nlohmann/json.hpp>

#include <exception>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "bulk.h"
#include "clock.h"
#include "directory.h"
#include "csv.h"
#include "journal.h"
#include "plugin_host.h"
#include "regions.h"
#include "scan.h"
#include "subject_index.h"
#include "time_service.h"
#include "xlsx.h"
#include "xinjian/digest.h"
#include "xinjian/list_policy.h"

namespace xj {
namespace {

// The parameters' text as ScanRowsOf and ExecRowsOf take it: text values in place (a draw
// binds a pool file of tens of MB: it is not copied), the others converted into `owned`.
struct BoundParams {
  std::vector<std::string> owned;
  TextParams text;
};
BoundParams Bind(const SqlParams& params) {
  BoundParams b;
  b.owned.reserve(params.size());  // no reallocation: `text` points into it
  b.text.reserve(params.size());
  for (const SqlValue& v : params) {
    if (v.is_null()) {
      b.text.push_back(nullptr);
    } else if (const auto* s = std::get_if<std::string>(&v.variant())) {
      b.text.push_back(s);
    } else {
      b.owned.push_back(v.ToText());
      b.text.push_back(&b.owned.back());
    }
  }
  return b;
}

class ScanRowView final : public SqlRow {
 public:
  explicit ScanRowView(const ScanRow& r) : r_(r) {}
  int size() const override { return static_cast<int>(r_.values.size()); }
  bool IsNull(int column) const override { return r_.null.at(static_cast<std::size_t>(column)); }
  std::string_view View(int column) const override { return r_.values.at(static_cast<std::size_t>(column)); }

 private:
  const ScanRow& r_;
};

Status ReadOnly() {
  return Status::Error(StatusCode::kFailedPrecondition, "只读访问不能写入；写入须在工作单元中进行（RunInTransaction）",
                       "a read cannot write; writes belong in a unit of work (RunInTransaction)");
}

bool IsIdentifier(const std::string& s) {
  if (s.empty() || s.size() > 63) return false;
  if (!(s[0] == '_' || (s[0] >= 'a' && s[0] <= 'z'))) return false;
  for (char c : s)
    if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  return true;
}

class BulkAdapter final : public SqlBulkWriter {
 public:
  BulkAdapter(std::unique_ptr<RowSink> sink, std::size_t columns) : sink_(std::move(sink)), columns_(columns) {}
  Status Add(const std::vector<SqlValue>& row) override {
    if (row.size() != columns_)
      return Status::Error(StatusCode::kInvalidArgument,
                           "批量写入的行有 " + std::to_string(row.size()) + " 个值，应为 " + std::to_string(columns_),
                           "a bulk row has " + std::to_string(row.size()) + " values, expected " + std::to_string(columns_));
    Row cells;
    cells.reserve(row.size());
    for (const SqlValue& v : row) cells.push_back(v.is_null() ? Cell() : Cell(v.ToText()));
    return sink_->Add(cells);
  }
  Status Finish() override { return sink_->Finish(); }

 private:
  std::unique_ptr<RowSink> sink_;
  std::size_t columns_;
};

class DatabaseSql final : public Sql {
 public:
  // `single`: the Sql of Platform::ReadSingle: one Query, run as a read by itself.
  DatabaseSql(Database& db, bool writable, bool single = false) : db_(db), writable_(writable), single_(single) {}
  SqlDialect dialect() const override {
    return db_.dialect() == Dialect::kSqlite ? SqlDialect::kSqlite : SqlDialect::kPostgresql;
  }
  Status Query(std::string_view sql, const SqlParams& params, const SqlRowFn& fn) override {
    const BoundParams bound = Bind(params);
    auto each = [&](const ScanRow& r) {
      ScanRowView view(r);
      return fn(view);
    };
    if (!single_) return ScanRowsOf(db_, std::string(sql), bound.text, each);
    if (queried_)
      return Status::Error(StatusCode::kFailedPrecondition, "单语句读取（ReadSingle）只能执行一条查询；多条查询请用 Read",
                           "a single-statement read (ReadSingle) runs one query; use Read for more");
    queried_ = true;
    return ScanRowsAlone(db_, std::string(sql), bound.text, each);
  }
  Result<std::int64_t> Exec(std::string_view sql, const SqlParams& params) override {
    if (!writable_) return ReadOnly();
    const BoundParams bound = Bind(params);
    return ExecRowsOf(db_, std::string(sql), bound.text);
  }
  Result<std::unique_ptr<SqlBulkWriter>> BulkInsert(const std::string& table, const std::vector<std::string>& columns) override {
    if (!writable_) return ReadOnly();
    if (!IsIdentifier(table))
      return Status::Error(StatusCode::kInvalidArgument, "表名不合规：" + table, "not a valid table name: " + table);
    if (columns.empty())
      return Status::Error(StatusCode::kInvalidArgument, "批量写入至少需要一列", "a bulk insert needs at least one column");
    for (const std::string& c : columns)
      if (!IsIdentifier(c))
        return Status::Error(StatusCode::kInvalidArgument, "列名不合规：" + c, "not a valid column name: " + c);
    try {
      Result<std::unique_ptr<RowSink>> sink = RowSink::Create(db_, table, columns);
      if (!sink.ok()) return sink.status();
      return std::unique_ptr<SqlBulkWriter>(std::make_unique<BulkAdapter>(std::move(sink).value(), columns.size()));
    } catch (const std::exception& e) {
      return DbError(e, "批量写入准备失败", "cannot prepare a bulk insert");
    }
  }

 private:
  Database& db_;
  bool writable_;
  bool single_;
  bool queried_ = false;
};

// A plugin's read callback, its exception turned into kInternal.
Status CallRead(const ReadFn& fn, Sql& sql) {
  try {
    return fn(sql);
  } catch (const std::exception& e) {
    return Status::Error(StatusCode::kInternal, std::string("读取时抛出异常：") + e.what(),
                         std::string("a read threw: ") + e.what());
  }
}

bool IsHex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

class Unit final : public UnitOfWork {
 public:
  Unit(Database& db, const Principal& principal, std::int64_t now) : sql_(db, true), principal_(principal), now_(now) {}
  Sql& sql() override { return sql_; }
  const Principal& principal() const override { return principal_; }
  std::int64_t now_us() const override { return now_; }
  Status Audit(const AuditChange& change) override {
    if (Status st = CheckAuditChange(change); !st.ok()) return st;
    audit_.push_back(AuditEntry{change.action, change.entity, change.key, change.before_digest, change.after_digest, ""});
    return Status::Ok();
  }
  Status Publish(const std::string& topic, const std::string& key, const std::string& payload_json) override {
    if (Status st = CheckEvent(topic, payload_json); !st.ok()) return st;
    events_.push_back(OutboxEvent{topic, key, payload_json});
    return Status::Ok();
  }
  const std::vector<AuditEntry>& audit() const { return audit_; }
  const std::vector<OutboxEvent>& events() const { return events_; }

 private:
  DatabaseSql sql_;
  const Principal& principal_;
  std::int64_t now_;
  std::vector<AuditEntry> audit_;
  std::vector<OutboxEvent> events_;
};

thread_local int t_unit_depth = 0;
struct DepthGuard {
  DepthGuard() { ++t_unit_depth; }
  ~DepthGuard() { --t_unit_depth; }
};

Status Nested() { return NestedUnitError(); }
Status NoDatabase() {
  return Status::Error(StatusCode::kFailedPrecondition, "没有打开数据库", "no database is open");
}
Status Anonymous() {
  return Status::Error(StatusCode::kUnauthenticated, "未登录的访问者不能写入", "an anonymous caller cannot write");
}

Status CallUnit(const UnitOfWorkFn& fn, UnitOfWork& uow) {
  try {
    return fn(uow);
  } catch (const std::exception& e) {
    return Status::Error(StatusCode::kInternal, std::string("工作单元抛出异常：") + e.what(),
                         std::string("a unit of work threw: ") + e.what());
  } catch (...) {
    return Status::Error(StatusCode::kInternal, "工作单元抛出未知异常", "a unit of work threw an unknown exception");
  }
}

std::string ActorOf(const Principal& p) { return p.id.empty() ? std::string("anonymous") : p.id; }

// `fn` as a unit of work in the transaction open on `db`, then its audit records and events.
Status RunUnit(Database& db, const Principal& principal, std::int64_t now_us, const UnitOfWorkFn& fn) {
  DepthGuard depth;
  Unit uow(db, principal, now_us);
  if (Status st = CallUnit(fn, uow); !st.ok()) return st;
  if (uow.audit().empty() && uow.events().empty()) return Status::Ok();
  return AppendJournal(db, ActorOf(principal), now_us, uow.audit(), uow.events());
}


}  // namespace

std::unique_ptr<Sql> MakeSql(Database& db, bool writable) { return std::make_unique<DatabaseSql>(db, writable); }

bool InUnitOfWork() { return t_unit_depth > 0; }

Status NestedUnitError() {
  return Status::Error(StatusCode::kFailedPrecondition,
                       "工作单元内不能再开始工作单元或只读访问；请使用已有的 UnitOfWork",
                       "a unit of work (or a read) cannot start inside another; use the UnitOfWork you were given");
}

Status CheckAuditChange(const AuditChange& c) {
  if (c.action.empty() || c.entity.empty() || c.key.empty())
    return Status::Error(StatusCode::kInvalidArgument, "审计记录须有动作、实体和编号",
                         "an audit record needs an action, an entity and a key");
  if ((!c.before_digest.empty() && !IsHex64(c.before_digest)) || (!c.after_digest.empty() && !IsHex64(c.after_digest)))
    return Status::Error(StatusCode::kInvalidArgument, "审计摘要须为空或 64 位小写十六进制（SHA-256）",
                         "an audit digest must be empty or 64 lower-case hex characters (SHA-256)");
  return Status::Ok();
}

Status CheckEvent(const std::string& topic, const std::string& payload_json) {
  if (topic.empty()) return Status::Error(StatusCode::kInvalidArgument, "事件主题为空", "an event topic is empty");
  nlohmann::json j = nlohmann::json::parse(payload_json, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return Status::Error(StatusCode::kInvalidArgument, "事件内容须为 JSON 对象（主题 " + topic + "）",
                         "an event payload must be a JSON object (topic " + topic + ")");
  return Status::Ok();
}

PlatformImpl::PlatformImpl() = default;
PlatformImpl::~PlatformImpl() {
  if (db_ != nullptr) RunDetachHooks();
}

Status PlatformImpl::AtDetach(std::function<void()> fn) {
  if (!fn) return Status::Error(StatusCode::kInvalidArgument, "回调为空", "the hook is empty");
  std::lock_guard<std::mutex> lock(detach_mu_);
  detach_hooks_.push_back(std::move(fn));
  return Status::Ok();
}

void PlatformImpl::RunDetachHooks() {
  std::vector<std::function<void()>> hooks;
  {
    std::lock_guard<std::mutex> lock(detach_mu_);
    hooks.swap(detach_hooks_);
  }
  for (auto it = hooks.rbegin(); it != hooks.rend(); ++it) (*it)();
}

void PlatformImpl::Attach(Database* db) {
  bool detaching = false;
  {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    if (db == db_) return;
    detaching = db_ != nullptr;
  }
  // The hooks first, with the database still attached (and without the platform's lock: they
  // run units of work).
  if (detaching) RunDetachHooks();
  std::lock_guard<std::recursive_mutex> lock(mu_);
  if (db != db_) {
    std::unique_lock<std::shared_mutex> index_lock(index_mu_);
    index_.reset();
  }
  db_ = db;
}

std::int64_t PlatformImpl::NowMicros() const {
  const std::int64_t fixed = fixed_now_us_.load();
  return fixed != 0 ? fixed : ::xj::NowMicros();
}

const Sampler* PlatformImpl::FindSampler(const std::string& algorithm) const {
  return plugins_ == nullptr ? nullptr : plugins_->FindSampler(algorithm);
}

const EntropySource* PlatformImpl::FindEntropySource(const std::string& name) const {
  return plugins_ == nullptr ? nullptr : plugins_->FindEntropySource(name);
}

std::vector<std::string> PlatformImpl::SamplerNames() const {
  std::vector<std::string> out;
  if (plugins_ != nullptr)
    for (const auto& [name, s] : plugins_->samplers()) out.push_back(name);
  return out;
}

std::vector<std::string> PlatformImpl::EntropySourceNames() const {
  std::vector<std::string> out;
  if (plugins_ != nullptr)
    for (const auto& [name, s] : plugins_->entropy_sources()) out.push_back(name);
  return out;
}

const Scorer* PlatformImpl::FindScorer(const std::string& name) const {
  return plugins_ == nullptr ? nullptr : plugins_->FindScorer(name);
}

std::vector<std::string> PlatformImpl::ScorerNames() const {
  std::vector<std::string> out;
  if (plugins_ != nullptr)
    for (const auto& [name, s] : plugins_->scorers()) out.push_back(name);
  return out;
}

Result<std::int64_t> PlatformImpl::SetRiskClasses(UnitOfWork& uow, const std::vector<RiskClassChange>& changes) {
  // Checked first, so that a bad entry writes nothing.
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const RiskClassChange& c = changes[i];
    const std::string& k = c.risk_class;
    if (!(k.empty() || (k.size() == 1 && k[0] >= 'A' && k[0] <= 'D')))
      return Status::Error(StatusCode::kInvalidArgument,
                           "第 " + std::to_string(i + 1) + " 项（" + c.uscc + "）的风险分类须为 A、B、C、D 或空，实际为 “" + k + "”",
                           "entry " + std::to_string(i + 1) + " (" + c.uscc + "): a risk class is A, B, C, D or empty, got '" +
                               k + "'");
    if (!seen.insert(c.uscc).second)
      return Status::Error(StatusCode::kInvalidArgument, "统一社会信用代码 " + c.uscc + " 出现两次",
                           "the USCC " + c.uscc + " is given twice");
  }
  const KindSpec& spec = SpecOf(DirectoryKind::kSubjects);
  std::string select = "SELECT ";
  std::size_t risk_col = 0;
  for (std::size_t i = 0; i < spec.columns.size(); ++i) {
    if (i) select += ", ";
    select += spec.columns[i].db_column;
    if (std::string_view(spec.columns[i].db_column) == "risk_class") risk_col = i;
  }
  select += ", digest FROM subjects WHERE uscc = ?";
  Sql& sql = uow.sql();
  std::int64_t changed = 0;
  for (const RiskClassChange& c : changes) {
    Row row;
    std::string stored_digest;
    bool found = false;
    Status st = sql.Query(select, {c.uscc}, [&](const SqlRow& r) {
      found = true;
      for (std::size_t i = 0; i < spec.columns.size(); ++i)
        row.push_back(r.IsNull(static_cast<int>(i)) ? Cell() : Cell(r.Text(static_cast<int>(i))));
      stored_digest = r.Text(static_cast<int>(spec.columns.size()));
      return false;
    });
    if (!st.ok()) return st;
    if (!found)
      return Status::Error(StatusCode::kNotFound, "名录中没有统一社会信用代码为 " + c.uscc + " 的检查对象",
                           "no subject with the USCC " + c.uscc + " in the directory");
    const Cell wanted = c.risk_class.empty() ? Cell() : Cell(c.risk_class);
    if (row[risk_col] == wanted) continue;
    const std::string before = stored_digest.empty() ? RowDigest(DirectoryKind::kSubjects, row) : stored_digest;
    row[risk_col] = wanted;
    const std::string after = RowDigest(DirectoryKind::kSubjects, row);
    auto n = sql.Exec("UPDATE subjects SET risk_class = ?, digest = ?, updated_at_us = ? WHERE uscc = ?",
                      {Nullable(c.risk_class), after, uow.now_us(), c.uscc});
    if (!n.ok()) return n.status();
    if (Status a = uow.Audit({"directory.subject.classify", "subject", c.uscc, before, after}); !a.ok()) return a;
    ++changed;
  }
  return changed;
}

const ListPolicy* PlatformImpl::FindListPolicy(const std::string& code) const {
  return plugins_ == nullptr ? nullptr : plugins_->FindListPolicy(code);
}

std::vector<std::string> PlatformImpl::ListPolicyNames() const {
  std::vector<std::string> out;
  if (plugins_ != nullptr)
    for (const auto& [code, p] : plugins_->list_policies()) out.push_back(code);
  return out;
}

Result<std::int64_t> PlatformImpl::SetListings(UnitOfWork& uow, const std::vector<ListingsChange>& changes) {
  // Checked first, so that a bad entry writes nothing; each set normalised (sorted, unique).
  std::set<std::string_view> seen;
  std::vector<std::string> wanted(changes.size());
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const ListingsChange& c = changes[i];
    const std::string entry = std::to_string(i + 1);
    if (c.listings.size() > 32)
      return Status::Error(StatusCode::kInvalidArgument, "第 " + entry + " 项（" + c.uscc + "）的名单超过 32 个",
                           "entry " + entry + " (" + c.uscc + ") has more than 32 listings");
    std::set<std::string> codes;
    for (const std::string& code : c.listings) {
      bool ok = !code.empty() && code.size() <= 48 && code[0] >= 'a' && code[0] <= 'z';
      for (char ch : code) ok = ok && ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_');
      if (!ok)
        return Status::Error(StatusCode::kInvalidArgument,
                             "第 " + entry + " 项（" + c.uscc + "）的名单代码 “" + code.substr(0, 60) + "” 格式无效",
                             "entry " + entry + " (" + c.uscc + "): the list code '" + code.substr(0, 60) +
                                 "' is not [a-z][a-z0-9_]* of at most 48 characters");
      codes.insert(code);
    }
    if (!seen.insert(c.uscc).second)
      return Status::Error(StatusCode::kInvalidArgument, "统一社会信用代码 " + c.uscc + " 出现两次",
                           "the USCC " + c.uscc + " is given twice");
    for (const std::string& code : codes) wanted[i] += (wanted[i].empty() ? "" : ";") + code;
  }
  Sql& sql = uow.sql();
  std::int64_t changed = 0;
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const std::string& uscc = changes[i].uscc;
    std::optional<std::string> stored;
    Status st = sql.Query("SELECT listings FROM subjects WHERE uscc = ?", {uscc}, [&](const SqlRow& r) {
      stored = r.Text(0);
      return false;
    });
    if (!st.ok()) return st;
    if (!stored)
      return Status::Error(StatusCode::kNotFound, "名录中没有统一社会信用代码为 " + uscc + " 的检查对象",
                           "no subject with the USCC " + uscc + " in the directory");
    if (*stored == wanted[i]) continue;
    auto n = sql.Exec("UPDATE subjects SET listings = ?, updated_at_us = ? WHERE uscc = ?", {wanted[i], uow.now_us(), uscc});
    if (!n.ok()) return n.status();
    const std::string before = digest::Sha256Hex("listings\n" + uscc + "\n" + *stored);
    const std::string after = digest::Sha256Hex("listings\n" + uscc + "\n" + wanted[i]);
    if (Status a = uow.Audit({"directory.subject.listings", "subject", uscc, before, after}); !a.ok()) return a;
    std::string payload = "{\"uscc\": \"" + uscc + "\", \"listings\": [";
    bool first = true;
    for (auto code : SplitStoredList(wanted[i])) {
      payload += (first ? "\"" : ", \"") + std::string(code) + "\"";
      first = false;
    }
    payload += "]}";
    if (Status e = uow.Publish("directory.subject.listings", uscc, payload); !e.ok()) return e;
    ++changed;
  }
  return changed;
}

const RegionCodes& PlatformImpl::Regions() const { return BuiltinRegionCodes(); }

namespace {

// The SDK's TableReader (xinjian/table_reader.h) over the importer's CsvReader (csv.h).
class HostTableReader final : public TableReader {
 public:
  explicit HostTableReader(std::unique_ptr<CsvReader> csv) : csv_(std::move(csv)) {}
  Result<bool> Next(std::vector<std::string>* fields) override { return csv_->Next(fields); }
  std::uint64_t record_line() const override { return csv_->record_line(); }
  std::string encoding() const override { return csv_->encoding() == Encoding::kGb18030 ? "gb18030" : "utf-8"; }

 private:
  std::unique_ptr<CsvReader> csv_;
};

}  // namespace

Result<std::unique_ptr<TableReader>> OpenHostTable(const std::string& path, const TableReaderOptions& options) {
  Result<Encoding> enc = ParseEncoding(options.encoding);
  if (!enc.ok()) return enc.status();
  if (options.max_file_bytes > 0) {
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(path, ec);
    if (!ec && size > options.max_file_bytes)
      return Status::Error(StatusCode::kInvalidArgument,
                           "文件 " + path + " 超过 " + std::to_string(options.max_file_bytes) + " 字节",
                           "the file " + path + " is larger than " + std::to_string(options.max_file_bytes) + " bytes");
  }
  CsvOptions o;
  o.encoding = enc.value();
  o.max_record_bytes = options.max_record_bytes;
  o.max_fields = options.max_fields;
  Result<std::unique_ptr<CsvReader>> csv = CsvReader::Open(path, o);
  if (!csv.ok()) return csv.status();
  return std::unique_ptr<TableReader>(std::make_unique<HostTableReader>(std::move(csv).value()));
}

Result<std::unique_ptr<TableReader>> PlatformImpl::OpenTable(const std::string& path,
                                                             const TableReaderOptions& options) {
  return OpenHostTable(path, options);
}

Result<std::string> PlatformImpl::WriteXlsx(const opendata::Table& table, const opendata::XlsxOptions& options) {
  return WriteXlsxWorkbook(table, options);
}

Result<SubjectIndexLease> PlatformImpl::Subjects() {
  // The database's lock first (a unit of work on this thread holds it already: the reads
  // below then run inside its transaction), then the index's.
  std::lock_guard<std::recursive_mutex> lock(mu_);
  if (db_ == nullptr) return NoDatabase();
  try {
    // Nothing committed since the index's audit position: share it at once, so readers do not
    // wait for each other. Otherwise load or catch up alone (waiting for the leases held).
    std::int64_t head = -1;
    if (Status st = ScanRows(*db_, "SELECT seq FROM audit_head WHERE id = 1", {},
                             [&](const ScanRow& r) {
                               head = std::stoll(std::string(r.values[0]));
                               return false;
                             });
        !st.ok())
      return st;
    {
      std::shared_lock<std::shared_mutex> shared(index_mu_);
      if (index_ != nullptr && index_->audit_seq() == head) return SubjectIndexLease(index_.get(), std::move(shared));
    }
    {
      std::unique_lock<std::shared_mutex> index_lock(index_mu_);
      if (index_ == nullptr) {
        Result<std::unique_ptr<SubjectIndex>> loaded = SubjectIndexBuilder::Load(*db_);
        if (!loaded.ok()) return loaded.status();
        index_ = std::move(loaded).value();
      } else if (Status st = SubjectIndexBuilder::CatchUp(*index_, *db_); !st.ok()) {
        return st;
      }
    }
  } catch (const std::exception& e) {
    return DbError(e, "读取检查对象名录失败", "reading the subject directory failed");
  }
  // Still under the database's lock: nobody attaches another database or catches up between.
  std::shared_lock<std::shared_mutex> shared(index_mu_);
  return SubjectIndexLease(index_.get(), std::move(shared));
}

const TimeService& PlatformImpl::Time() const { return HostTime(); }

Result<const WorkingDays*> PlatformImpl::Calendar() const { return HostWorkingDays(config_); }

Result<SqlDialect> PlatformImpl::Dialect() const {
  if (db_ == nullptr) return NoDatabase();
  return db_->dialect() == ::xj::Dialect::kSqlite ? SqlDialect::kSqlite : SqlDialect::kPostgresql;
}

Status PlatformImpl::RunInCallerTransaction(const Principal& principal, std::int64_t now_us, const UnitOfWorkFn& fn) {
  if (db_ == nullptr) return NoDatabase();
  if (t_unit_depth > 0) return Nested();
  if (!principal.authenticated) return Anonymous();
  return RunUnit(*db_, principal, now_us, fn);
}

// A connection of the pool for the lease's lifetime (none when the pool is empty).
class PlatformImpl::PoolLease {
 public:
  explicit PoolLease(PlatformImpl& p) : p_(p) {
    std::unique_lock<std::mutex> lock(p_.pool_mu_);
    if (p_.pool_.empty()) return;
    p_.pool_cv_.wait(lock, [&] { return !p_.pool_free_.empty(); });
    db_ = p_.pool_free_.back();
    p_.pool_free_.pop_back();
    ++p_.pool_out_;
    lock.unlock();
    // A connection the server dropped is connected again before anyone uses it (when that
    // fails, the call fails with the server's message, and the next one tries again).
    (void)db_->ReviveIfBroken();
  }
  ~PoolLease() {
    if (db_ == nullptr) return;
    {
      std::lock_guard<std::mutex> lock(p_.pool_mu_);
      p_.pool_free_.push_back(db_);
      --p_.pool_out_;
    }
    p_.pool_cv_.notify_all();
  }
  PoolLease(const PoolLease&) = delete;
  PoolLease& operator=(const PoolLease&) = delete;
  Database* get() const { return db_; }

 private:
  PlatformImpl& p_;
  Database* db_ = nullptr;
};

void PlatformImpl::SetPool(std::vector<std::unique_ptr<Database>> pool) {
  std::vector<std::unique_ptr<Database>> old;
  {
    std::unique_lock<std::mutex> lock(pool_mu_);
    pool_cv_.wait(lock, [&] { return pool_out_ == 0; });
    old = std::move(pool_);
    pool_ = std::move(pool);
    pool_free_.clear();
    for (auto& db : pool_) pool_free_.push_back(db.get());
    pool_writes_ = !pool_.empty() && pool_.front()->dialect() == ::xj::Dialect::kPostgresql;
  }
  pool_cv_.notify_all();
}

std::size_t PlatformImpl::pool_size() const {
  std::lock_guard<std::mutex> lock(pool_mu_);
  return pool_.size();
}

Status PlatformImpl::RunInTransaction(const Principal& principal, const UnitOfWorkFn& fn) {
  if (t_unit_depth > 0) return Nested();
  if (!principal.authenticated) {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    if (db_ == nullptr) return NoDatabase();
    return Anonymous();
  }
  if (pool_writes_.load()) {
    PoolLease lease(*this);
    if (lease.get() != nullptr) return TransactOn(*lease.get(), principal, fn);
  }
  std::lock_guard<std::recursive_mutex> lock(mu_);
  if (db_ == nullptr) return NoDatabase();
  return TransactOn(*db_, principal, fn);
}

Status PlatformImpl::TransactOn(Database& db, const Principal& principal, const UnitOfWorkFn& fn) {
  WriteTransaction tx(db);
  if (Status st = tx.Begin(); !st.ok()) return st;
  const std::int64_t now = NowMicros();
  if (Status st = RunUnit(db, principal, now, fn); !st.ok()) {
    tx.Rollback();
    return st;
  }
  if (Status st = tx.Commit(); !st.ok()) {
    tx.Rollback();
    return Status::Error(StatusCode::kInternal, "提交失败，未保存任何改动：" + st.message(),
                         "the commit failed; nothing was kept: " + st.message());
  }
  return Status::Ok();
}

Status PlatformImpl::ReadInCallerTransaction(const ReadFn& fn) {
  if (t_unit_depth > 0) return Nested();
  std::lock_guard<std::recursive_mutex> lock(mu_);
  if (db_ == nullptr) return NoDatabase();
  DepthGuard depth;
  DatabaseSql sql(*db_, false);
  return CallRead(fn, sql);
}

Status PlatformImpl::Read(const ReadFn& fn) { return ReadWith(fn, false); }
Status PlatformImpl::ReadSingle(const ReadFn& fn) { return ReadWith(fn, true); }

Status PlatformImpl::ReadWith(const ReadFn& fn, bool single) {
  if (t_unit_depth > 0) return Nested();
  auto on = [&](Database& db) { return single ? ReadSingleOn(db, fn) : ReadOn(db, fn); };
  {
    PoolLease lease(*this);
    if (lease.get() != nullptr) return on(*lease.get());
  }
  std::lock_guard<std::recursive_mutex> lock(mu_);
  if (db_ == nullptr) return NoDatabase();
  return on(*db_);
}

Status PlatformImpl::ReadOn(Database& db, const ReadFn& fn) {
  DepthGuard depth;
  const bool pg = db.dialect() == ::xj::Dialect::kPostgresql;
  // One snapshot for the whole read: PostgreSQL REPEATABLE READ; SQLite a deferred BEGIN
  // (its read snapshot starts with the first statement). On PostgreSQL the BEGIN goes with
  // the first statement and the COMMIT is not waited for (Database::DeferBegin, SendCommit):
  // a one-statement read is one round trip instead of three.
  if (pg) {
    db.DeferBegin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  } else if (auto begun = ExecRowsOf(db, "BEGIN", {}); !begun.ok()) {  // a cached statement (scan.h)
    return begun.status();
  }
  DatabaseSql sql(db, false);
  const Status result = CallRead(fn, sql);
  if (pg) {
    if (db.DropDeferredBegin()) return result;  // nothing ran: no transaction to end
    if (Status st = db.SendCommit(); !st.ok() && result.ok()) return st;
    return result;
  }
  if (auto done = ExecRowsOf(db, "COMMIT", {}); !done.ok()) {
    (void)db.ExecScript("ROLLBACK");
    if (result.ok()) return done.status();
  }
  return result;
}

Status PlatformImpl::ReadSingleOn(Database& db, const ReadFn& fn) {
  DepthGuard depth;
  DatabaseSql sql(db, false, true);
  return CallRead(fn, sql);
}

Result<DispatchReport> DispatchWritingEvents(PlatformImpl& platform, const std::map<std::string, WritingSubscriber*>& subscribers,
                                             int max_events) {
  DispatchReport rep;
  Database* db = platform.database();
  if (db == nullptr) return NoDatabase();
  const bool pg = db->dialect() == ::xj::Dialect::kPostgresql;
  for (const auto& [name, sub] : subscribers) {
    const Principal who = Principal::System("subscriber:" + name);
    const std::string prefix = sub->TopicPrefix();
    for (int n = 0; n < max_events; ++n) {
      // One event per transaction: take the position (locked on PostgreSQL), read the next
      // event, let the subscriber write, advance the position, commit. Under the platform's
      // lock: other threads' units and reads use the same connection.
      auto lock = platform.Lock();
      WriteTransaction tx(*db);
      if (Status st = tx.Begin(); !st.ok()) return st;
      const std::string now = std::to_string(platform.NowMicros());
      Result<std::int64_t> ins = ExecRows(*db,
                                          pg ? "INSERT INTO event_positions(subscriber, position, updated_at_us) VALUES (?, 0, ?) "
                                               "ON CONFLICT DO NOTHING"
                                             : "INSERT OR IGNORE INTO event_positions(subscriber, position, updated_at_us) VALUES (?, 0, ?)",
                                          {name, now});
      if (!ins.ok()) return ins.status();
      std::int64_t pos = 0;
      Status st = ScanRows(*db, std::string("SELECT position FROM event_positions WHERE subscriber = ?") + (pg ? " FOR UPDATE" : ""),
                           {name}, [&](const ScanRow& r) {
                             pos = std::stoll(std::string(r.values[0]));
                             return false;
                           });
      if (!st.ok()) return st;
      Result<std::vector<Event>> evs = ReadEvents(*db, pos, prefix, 1);
      if (!evs.ok()) return evs.status();
      if (evs->empty()) break;  // the transaction rolls back: nothing to keep
      const Event& e = evs->front();
      st = platform.RunInCallerTransaction(who, platform.NowMicros(), [&](UnitOfWork& uow) { return sub->OnEvent(e, uow); });
      if (!st.ok()) {
        tx.Rollback();
        rep.failures.push_back(name + ": " + st.message());
        break;
      }
      Result<std::int64_t> up = ExecRows(*db, "UPDATE event_positions SET position = ?, updated_at_us = ? WHERE subscriber = ?",
                                         {std::to_string(e.id), now, name});
      if (!up.ok()) return up.status();
      if (Status c = tx.Commit(); !c.ok()) return c;
      ++rep.delivered;
    }
  }
  return rep;
}

}  // namespace xj
