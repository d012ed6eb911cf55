// The measures catalogue and the memoranda in the database (docs/punishment.md, "Measures" and
// "Memoranda"): an import validates the whole file first and writes nothing when any entry is
// wrong; a measure or memorandum whose canonical form did not change is left alone (no audit, no
// event), so importing the same file again changes nothing.
#include <xinjian/digest.h>

#include <nlohmann/json.hpp>

#include "punishment.h"

#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace xj::punishment {

using nlohmann::json;

Settings& CurrentSettings() {
  static Settings s;
  return s;
}

Result<CivilDate> Today(Platform& platform) { return platform.Time().LocalDate(platform.NowMicros()); }

Status Bump(UnitOfWork& uow, const std::string& what, const std::string& ref) {
  auto u = uow.sql().Exec("UPDATE punishment_state SET seq = seq + 1 WHERE id = 1");
  if (!u.ok()) return u.status();
  auto seq = uow.sql().QueryInt("SELECT seq FROM punishment_state WHERE id = 1");
  if (!seq.ok()) return seq.status();
  auto n = uow.sql().Exec("INSERT INTO punishment_changes (seq, what, ref, at_us) VALUES (?, ?, ?, ?)",
                          {seq.value(), what, ref, uow.now_us()});
  return n.ok() ? Status::Ok() : n.status();
}

namespace {

std::vector<std::string> JsonList(std::string_view text) {
  std::vector<std::string> out;
  json j = json::parse(text, nullptr, false);
  if (j.is_array())
    for (const auto& x : j)
      if (x.is_string()) out.push_back(x.get<std::string>());
  return out;
}

Result<std::set<std::string>> Departments(Sql& sql) {
  std::set<std::string> out;
  Status st = sql.Query("SELECT code FROM departments", {}, [&](const SqlRow& r) {
    out.insert(r.Text(0));
    return true;
  });
  if (!st.ok()) return st;
  return out;
}

CatalogueWorld WorldOf(Platform& platform, const std::set<std::string>& departments,
                       const std::map<std::string, Measure>* measures) {
  CatalogueWorld w;
  w.list_policy = [&platform](const std::string& code) { return platform.FindListPolicy(code); };
  w.department_exists = [&departments](const std::string& d) { return departments.count(d) > 0; };
  w.measure = [measures](const std::string& code) -> const Measure* {
    if (measures == nullptr) return nullptr;
    auto it = measures->find(code);
    return it == measures->end() ? nullptr : &it->second;
  };
  return w;
}

}  // namespace

Result<std::map<std::string, Measure>> LoadMeasures(Sql& sql) {
  std::map<std::string, Measure> out;
  Status st = sql.Query(
      "SELECT code, name_zh, name_en, kind, department, legal_basis, lists, actions, effect, published_on "
      "FROM punishment_measures ORDER BY code",
      {}, [&](const SqlRow& r) {
        Measure m;
        m.code = r.Text(0);
        m.name_zh = r.Text(1);
        m.name_en = r.Text(2);
        m.kind = r.Text(3);
        m.department = r.Text(4);
        m.legal_basis = r.Text(5);
        m.lists = JsonList(r.View(6));
        m.actions = JsonList(r.View(7));
        m.effect = r.Text(8);
        m.published_on = r.Text(9);
        out.emplace(m.code, std::move(m));
        return true;
      });
  if (!st.ok()) return st;
  return out;
}

Result<std::vector<Memorandum>> LoadMemoranda(Sql& sql) {
  std::vector<Memorandum> out;
  Status st = sql.Query("SELECT code, title, departments, signed_on, entries FROM punishment_memoranda ORDER BY code",
                        {}, [&](const SqlRow& r) {
                          Memorandum m;
                          m.code = r.Text(0);
                          m.title = r.Text(1);
                          m.departments = JsonList(r.View(2));
                          m.signed_on = r.Text(3);
                          json e = json::parse(r.View(4), nullptr, false);
                          if (e.is_array())
                            for (const auto& x : e) {
                              MemorandumEntry me;
                              me.list = x.value("list", "");
                              if (x.contains("measures") && x["measures"].is_array())
                                for (const auto& c : x["measures"])
                                  if (c.is_string()) me.measures.push_back(c.get<std::string>());
                              m.entries.push_back(std::move(me));
                            }
                          out.push_back(std::move(m));
                          return true;
                        });
  if (!st.ok()) return st;
  return out;
}

Result<ImportCounts> ImportMeasures(Platform& platform, UnitOfWork& uow, const std::string& file,
                                    const std::string& text) {
  Sql& sql = uow.sql();
  auto departments = Departments(sql);
  if (!departments.ok()) return departments.status();
  std::vector<Measure> measures;
  std::vector<Problem> problems;
  if (!ParseMeasures(text, WorldOf(platform, departments.value(), nullptr), &measures, &problems))
    return ProblemsStatus(file, problems);
  // A measure a memorandum already uses must keep fitting it (its list and its department).
  auto memoranda = LoadMemoranda(sql);
  if (!memoranda.ok()) return memoranda.status();
  for (const Measure& m : measures)
    for (const Memorandum& memo : memoranda.value())
      for (const MemorandumEntry& e : memo.entries)
        for (const std::string& code : e.measures) {
          if (code != m.code) continue;
          const bool list_ok = std::find(m.lists.begin(), m.lists.end(), e.list) != m.lists.end();
          const bool dept_ok =
              std::find(memo.departments.begin(), memo.departments.end(), m.department) != memo.departments.end();
          const ListPolicy* p = platform.FindListPolicy(e.list);
          const bool prop_ok = p != nullptr && CheckProportionate(m.kind, m.effect, p->kind, e.list).ok();
          if (!list_ok || !dept_ok || !prop_ok)
            return Status::Error(
                StatusCode::kConflict,
                "措施 “" + m.code + "” 的修改与备忘录 " + memo.code + "（名单 " + e.list + "）不再相符，未作任何更改",
                "the change of measure '" + m.code + "' no longer fits memorandum " + memo.code + " (list " + e.list +
                    "); nothing was changed");
        }
  ImportCounts counts;
  for (const Measure& m : measures) {
    const std::string canon = m.CanonicalJson();
    const std::string digest = digest::Sha256Hex(canon);
    auto old = sql.QueryText("SELECT digest FROM punishment_measures WHERE code = ?", {m.code});
    if (!old.ok()) return old.status();
    if (old.value() && *old.value() == digest) {
      ++counts.unchanged;
      continue;
    }
    const SqlParams values{
        m.name_zh, m.name_en,      m.kind, m.department, m.legal_basis, json(m.lists).dump(), json(m.actions).dump(),
        m.effect,  m.published_on, digest, uow.now_us(), m.code};
    auto n = old.value()
                 ? sql.Exec(
                       "UPDATE punishment_measures SET name_zh = ?, name_en = ?, kind = ?, department = ?, "
                       "legal_basis = ?, lists = ?, actions = ?, effect = ?, published_on = ?, digest = ?, "
                       "updated_at_us = ? WHERE code = ?",
                       values)
                 : sql.Exec(
                       "INSERT INTO punishment_measures (name_zh, name_en, kind, department, legal_basis, lists, "
                       "actions, effect, published_on, digest, updated_at_us, code) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       values);
    if (!n.ok()) return n.status();
    const std::string action = old.value() ? "update" : "add";
    (old.value() ? counts.updated : counts.added)++;
    if (auto st = uow.Audit(
            {"punishment.measure." + action, "punishment_measure", m.code, old.value() ? *old.value() : "", digest});
        !st.ok())
      return st;
    json ev = json::parse(canon);
    if (auto st = uow.Publish("punishment.measure." + (old.value() ? std::string("updated") : std::string("added")),
                              m.code, ev.dump());
        !st.ok())
      return st;
  }
  if (counts.added + counts.updated > 0)
    if (auto st = Bump(uow, "catalogue", ""); !st.ok()) return st;
  return counts;
}

Result<ImportCounts> ImportMemoranda(Platform& platform, UnitOfWork& uow, const std::string& file,
                                     const std::string& text) {
  Sql& sql = uow.sql();
  auto departments = Departments(sql);
  if (!departments.ok()) return departments.status();
  auto measures = LoadMeasures(sql);
  if (!measures.ok()) return measures.status();
  std::vector<Memorandum> memoranda;
  std::vector<Problem> problems;
  if (!ParseMemoranda(text, WorldOf(platform, departments.value(), &measures.value()), &memoranda, &problems))
    return ProblemsStatus(file, problems);
  ImportCounts counts;
  for (const Memorandum& m : memoranda) {
    const std::string canon = m.CanonicalJson();
    const std::string digest = digest::Sha256Hex(canon);
    auto old = sql.QueryText("SELECT digest FROM punishment_memoranda WHERE code = ?", {m.code});
    if (!old.ok()) return old.status();
    if (old.value() && *old.value() == digest) {
      ++counts.unchanged;
      continue;
    }
    json entries = json::array();
    for (const auto& e : m.entries) entries.push_back({{"list", e.list}, {"measures", e.measures}});
    const SqlParams values{m.title, json(m.departments).dump(), m.signed_on, entries.dump(), digest, uow.now_us(),
                           m.code};
    auto n = old.value()
                 ? sql.Exec(
                       "UPDATE punishment_memoranda SET title = ?, departments = ?, signed_on = ?, entries = ?, "
                       "digest = ?, updated_at_us = ? WHERE code = ?",
                       values)
                 : sql.Exec(
                       "INSERT INTO punishment_memoranda (title, departments, signed_on, entries, digest, "
                       "updated_at_us, code) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       values);
    if (!n.ok()) return n.status();
    auto d = sql.Exec("DELETE FROM punishment_triggers WHERE memorandum = ?", {m.code});
    if (!d.ok()) return d.status();
    for (const auto& e : m.entries)
      for (const auto& code : e.measures) {
        auto t = sql.Exec("INSERT INTO punishment_triggers (memorandum, list, measure) VALUES (?, ?, ?)",
                          {m.code, e.list, code});
        if (!t.ok()) return t.status();
      }
    (old.value() ? counts.updated : counts.added)++;
    if (auto st = uow.Audit({std::string("punishment.memorandum.") + (old.value() ? "update" : "add"),
                             "punishment_memorandum", m.code, old.value() ? *old.value() : "", digest});
        !st.ok())
      return st;
    if (auto st =
            uow.Publish(std::string("punishment.memorandum.") + (old.value() ? "updated" : "added"), m.code, canon);
        !st.ok())
      return st;
  }
  if (counts.added + counts.updated > 0)
    if (auto st = Bump(uow, "catalogue", ""); !st.ok()) return st;
  return counts;
}

Result<std::int64_t> RunRetention(Platform& platform, UnitOfWork& uow, std::int64_t now_us) {
  auto today = platform.Time().LocalDate(now_us);
  if (!today.ok()) return today.status();
  const CivilDate t = today.value();
  auto cutoff_day = CivilDate::FromYmd(t.year() - CurrentSettings().retention_years, t.month(),
                                       t.month() == 2 && t.day() == 29 ? 28 : t.day());
  if (!cutoff_day.ok()) return cutoff_day.status();
  auto cutoff = platform.Time().StartOfDay(cutoff_day.value());
  if (!cutoff.ok()) return cutoff.status();
  auto n = uow.sql().Exec("DELETE FROM punishment_checks WHERE at_us < ?", {cutoff.value()});
  if (!n.ok()) return n.status();
  auto b = uow.sql().Exec("DELETE FROM punishment_check_batches WHERE at_us < ?", {cutoff.value()});
  if (!b.ok()) return b.status();
  auto a = uow.sql().Exec("DELETE FROM punishment_applied WHERE at_us < ?", {cutoff.value()});
  if (!a.ok()) return a.status();
  // The change rows the index reads: a process more than 100,000 changes behind rebuilds in full.
  auto c = uow.sql().Exec(
      "DELETE FROM punishment_changes WHERE seq < (SELECT seq FROM punishment_state WHERE id = 1) - 100000");
  if (!c.ok()) return c.status();
  if (n.value() + b.value() + a.value() > 0) {
    if (auto st =
            uow.Audit({"punishment.checks.retention", "punishment_checks", cutoff_day.value().ToString(), "", ""});
        !st.ok())
      return st;
    json ev{{"before", cutoff_day.value().ToString()},
            {"checks_deleted", n.value()},
            {"batches_deleted", b.value()},
            {"applied_deleted", a.value()}};
    if (auto st = uow.Publish("punishment.checks.retention", cutoff_day.value().ToString(), ev.dump()); !st.ok())
      return st;
  }
  return n.value() + b.value();
}

}  // namespace xj::punishment
