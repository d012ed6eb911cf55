// xinjian import KIND FILE | xinjian gen KIND
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>

#include "cli.h"
#include "database.h"
#include "generator.h"
#include "importer.h"
#include "plugin_host.h"

namespace xj::cli {
extern int g_exit_code;

namespace {
struct ImportArgs {
  std::string kind, file, rejects, encoding = "auto", format = "auto";
  bool json = false;
  std::size_t chunk = 10000;
  bool no_dispatch = false;
  bool create_departments = false;
};
struct GenArgs {
  std::string kind, out, province = "33";
  std::uint64_t count = 1000, seed = 1, subjects = 50000, inspectors = 300;
  std::uint32_t departments = 5;
};

void PrintSummary(const ImportSummary& s, bool json) {
  if (json) {
    nlohmann::json j{{"read", s.read},           {"inserted", s.inserted},
                     {"updated", s.updated},     {"unchanged", s.unchanged},
                     {"rejected", s.rejected},   {"not_carried", s.not_carried},
                     {"departments_created", s.departments_created}};
    std::cout << j.dump() << "\n";
    for (const std::string& d : s.departments_created)
      std::cerr << "注意 / note: 新建部门 " << d << "（省级，辖区不限）/ created department " << d
                << " (province level, unlimited jurisdiction)\n";
    for (const std::string& w : s.warnings) std::cerr << "警告 / warning: " << w << "\n";
    return;
  }
  std::cout << "读取 / read: " << s.read << "\n"
            << "新增 / inserted: " << s.inserted << "\n"
            << "更新 / updated: " << s.updated << "\n"
            << "未变 / unchanged: " << s.unchanged << "\n"
            << "拒绝 / rejected: " << s.rejected << "\n";
  if (!s.not_carried.empty()) {
    std::string cols;
    for (const std::string& c : s.not_carried) cols += (cols.empty() ? "" : ", ") + c;
    std::cout << "文件未包含的列（保留原值）/ columns the file did not carry (stored values kept): " << cols << "\n";
  }
  for (const std::string& d : s.departments_created)
    std::cout << "新建部门 / created department: " << d
              << "（省级，辖区不限；请导入部门名录补全 / province level, unlimited jurisdiction; import the departments to complete it）\n";
  for (const std::string& w : s.warnings) std::cerr << "警告 / warning: " << w << "\n";
}
}  // namespace

void RegisterImportCommands(CLI::App& app, Globals& g) {
  static ImportArgs a;
  auto* imp = app.add_subcommand("import", "导入名录 / import a directory file (CSV or JSON)");
  imp->add_option("kind", a.kind, "subjects|inspectors|items|relations|departments")->required()
      ->check(CLI::IsMember({"subjects", "inspectors", "items", "relations", "departments"}));
  imp->add_option("file", a.file, "CSV 或 JSON 文件 / CSV or JSON file")->required();
  imp->add_option("--rejects", a.rejects, "被拒绝记录写入此 CSV / write rejected records to this CSV");
  imp->add_option("--encoding", a.encoding, "utf-8|gb18030|auto (default auto)");
  imp->add_option("--format", a.format, "csv|json|auto (default: by extension, then content)")
      ->check(CLI::IsMember({"csv", "json", "auto"}));
  imp->add_flag("--json", a.json, "以一个 JSON 对象输出摘要 / print the summary as one JSON object");
  imp->add_option("--chunk-rows", a.chunk, "每块的记录数（一个事务含一块或多块，至多约 1 秒） / records per chunk (a transaction holds one or more whole chunks, about a second at most)")->check(CLI::Range(1, 1000000));
  imp->add_flag("--create-departments", a.create_departments,
                "人员或事项所属部门不存在时新建（省级，辖区不限，记入审计日志）/ create a department that inspectors or items name "
                "but that does not exist (province level, unlimited jurisdiction, recorded in the audit log)");
  imp->add_flag("--no-dispatch", a.no_dispatch, "导入后不投递事件 / do not deliver events to plugins afterwards");
  imp->callback([&g] {
    auto enc = ParseEncoding(a.encoding);
    if (!enc.ok()) {
      PrintError(enc.status().message());
      g_exit_code = kExitUsage;
      return;
    }
    auto db = OpenDatabase(g);
    if (!db) {
      g_exit_code = kExitFailure;
      return;
    }
    ImportOptions o;
    o.kind = ParseDirectoryKind(a.kind).value();
    o.path = a.file;
    o.rejects_path = a.rejects;
    o.encoding = enc.value();
    o.format = a.format;
    o.actor = g.actor;
    o.chunk_rows = a.chunk;
    o.create_departments = a.create_departments;
    ProgressBar bar("导入 / import");
    o.progress = [&](const ImportProgress& p) { bar.Update(p.bytes, p.total_bytes, p.rows); };
    auto sum = ImportFile(*db, o);
    bar.Finish();
    if (!sum.ok()) {
      PrintError(sum.status().message());
      g_exit_code = kExitFailure;
      return;
    }
    PrintSummary(sum.value(), a.json);
    if (sum->rejected > 0 && a.rejects.empty()) {
      for (const std::string& r : sum->sample_rejects) std::cerr << "  " << r << "\n";
      std::cerr << "提示 / hint: 用 --rejects OUT.csv 写出全部被拒绝记录 / use --rejects OUT.csv to write every rejected record\n";
    }
    if (!a.no_dispatch) {
      if (auto host = LoadPlugins(g)) DispatchPending(*db, *host);
    }
  });

  static GenArgs ga;
  auto* gen = app.add_subcommand("gen", "生成演示与测试数据 / generate deterministic realistic data");
  gen->add_option("kind", ga.kind, "subjects|inspectors|items|relations|departments")->required()
      ->check(CLI::IsMember({"subjects", "inspectors", "items", "relations", "departments"}));
  gen->add_option("--count", ga.count, "记录数 / number of records")->check(CLI::Range(0ull, 100000000ull));
  gen->add_option("--seed", ga.seed, "随机种子 / seed");
  gen->add_option("--province", ga.province, "省级代码前两位 / 2-digit province code (default 33)");
  gen->add_option("--departments", ga.departments, "部门数 / departments (default 5)")->check(CLI::Range(1u, 99u));
  gen->add_option("--subjects", ga.subjects, "关系引用的主体数 / subjects relations refer to");
  gen->add_option("--inspectors", ga.inspectors, "关系引用的人员数 / inspectors relations refer to");
  gen->add_option("--out,-o", ga.out, "输出文件（默认标准输出）/ output file (default stdout)");
  gen->callback([] {
    gen::Options o;
    o.count = ga.count;
    o.seed = ga.seed;
    o.province = ga.province;
    o.departments = ga.departments;
    o.subjects = ga.subjects;
    o.inspectors = ga.inspectors;
    Status s;
    if (ga.out.empty()) {
      s = gen::WriteCsv(ga.kind, o, std::cout);
    } else {
      std::ofstream out(ga.out, std::ios::binary | std::ios::trunc);
      if (!out) {
        PrintError("无法写入 / cannot write " + ga.out);
        g_exit_code = kExitFailure;
        return;
      }
      s = gen::WriteCsv(ga.kind, o, out);
      out.flush();
      if (!out) s = Status::Error(StatusCode::kUnavailable, "写入失败 " + ga.out, "write failed " + ga.out);
    }
    if (!s.ok()) {
      PrintError(s.message());
      g_exit_code = kExitFailure;
    }
  });
}

}  // namespace xj::cli
