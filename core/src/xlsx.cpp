// Platform::WriteXlsx of the host: libxlsxwriter (Debian 12: 1.1.4, which writes to a file
// only), in constant-memory mode, into a temporary file that is read back and removed, on a
// thread of its own (see WriteXlsxWorkbook).
#include "xlsx.h"

#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <system_error>
#include <thread>
#include <vector>

#include "xinjian/text.h"

namespace xj {
namespace {

Status Refuse(const std::string& zh, const std::string& en) {
  return Status::Error(StatusCode::kInvalidArgument, zh, en);
}

// The text a worksheet cell can hold: valid UTF-8 (else U+FFFD), CR LF and a lone CR as LF,
// other C0 controls but tab and LF as U+FFFD (XML 1.0 cannot carry them).
std::string CellText(const std::string& in) {
  const std::string text = opendata::ValidUtf8(in);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\r') {
      out.push_back('\n');
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else if (c < 0x20 && c != '\t' && c != '\n') {
      out += "\xEF\xBF\xBD";
    } else if (c == 0xEF && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xBF &&
               (static_cast<unsigned char>(text[i + 2]) == 0xBE || static_cast<unsigned char>(text[i + 2]) == 0xBF)) {
      out += "\xEF\xBF\xBD";
      i += 2;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

// A column's width in Excel's units: the widest text of the header and the first rows, CJK
// counted double, between 8 and 60.
double Width(std::size_t col, const opendata::Table& table, const std::vector<std::string>& header) {
  auto width_of = [](const std::string& s) {
    std::size_t w = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
      const unsigned char c = static_cast<unsigned char>(s[i]);
      if ((c & 0xC0) == 0x80) continue;
      w += c >= 0xE0 ? 2 : 1;  // three- and four-byte characters: CJK, full width
    }
    return w;
  };
  std::size_t w = width_of(header[col]);
  const std::size_t sample = std::min<std::size_t>(table.rows.size(), 1000);
  for (std::size_t r = 0; r < sample; ++r) w = std::max(w, width_of(table.rows[r][col]));
  return static_cast<double>(std::clamp<std::size_t>(w + 2, 8, 60));
}

struct WorkbookCloser {
  void operator()(lxw_workbook* wb) const {
    if (wb != nullptr) workbook_close(wb);
  }
};

Result<std::string> Write(const opendata::Table& table, const opendata::XlsxOptions& options) {
  const std::string& name = options.sheet_name;
  if (name.empty() || utf8::CodePointCount(name) > 31 || !utf8::IsValid(name) || utf8::HasControlChar(name) ||
      name.find_first_of("[]:*?/\\") != std::string::npos || name.front() == '\'' || name.back() == '\'')
    return Refuse("工作表名称须为 1 至 31 个字符，不含 [ ] : * ? / \\", "a sheet name has 1 to 31 characters, none of [ ] : * ? / \\");
  constexpr std::size_t kMaxRows = 1048575;  // a sheet's 1,048,576 rows, less the header
  if (table.rows.size() > kMaxRows)
    return Refuse("行数超过一个工作表的上限 1048575", "more rows than a sheet holds (1,048,575)");
  constexpr std::size_t kMaxCell = 32767;  // characters in a cell
  for (std::size_t r = 0; r < table.rows.size(); ++r)
    for (std::size_t c = 0; c < table.columns.size(); ++c)
      if (utf8::CodePointCount(table.rows[r][c]) > kMaxCell)
        return Refuse("第 " + std::to_string(r + 1) + " 行第 " + std::to_string(c + 1) + " 列超过 32767 个字符",
                      "row " + std::to_string(r + 1) + ", column " + std::to_string(c + 1) +
                          " holds more than 32,767 characters");

  std::error_code ec;
  const std::filesystem::path dir = std::filesystem::temp_directory_path(ec);
  if (ec) return Status::Error(StatusCode::kUnavailable, "没有临时目录", "no temporary folder");
  std::string path = (dir / "xinjian-xlsx-XXXXXX").string();
  const int fd = ::mkstemp(path.data());
  if (fd < 0) return Status::Error(StatusCode::kUnavailable, "无法创建临时文件", "cannot create a temporary file");
  ::close(fd);
  struct Remove {
    std::string path;
    ~Remove() {
      std::error_code e;
      std::filesystem::remove(path, e);
    }
  } remove{path};

  std::string tmpdir = dir.string();
  lxw_workbook_options wo{};
  wo.constant_memory = LXW_TRUE;
  wo.tmpdir = tmpdir.data();
  wo.use_zip64 = LXW_FALSE;
  std::unique_ptr<lxw_workbook, WorkbookCloser> wb(workbook_new_opt(path.c_str(), &wo));
  if (!wb) return Status::Error(StatusCode::kUnavailable, "无法创建 Excel 文件", "cannot create the Excel workbook");
  lxw_doc_properties props{};
  std::string title = CellText(options.title);
  if (!title.empty()) props.title = title.data();
  // The workbook's time: the data's, so that the same table gives the same bytes.
  props.created = static_cast<time_t>(options.created_us > 0 ? options.created_us / 1000000 : 315532800);
  workbook_set_properties(wb.get(), &props);
  lxw_worksheet* ws = workbook_add_worksheet(wb.get(), name.c_str());
  if (ws == nullptr)
    return Refuse("工作表名称无效：" + name, "invalid sheet name: " + name);
  lxw_format* bold = workbook_add_format(wb.get());
  format_set_bold(bold);

  std::vector<std::string> header;
  for (const auto& c : table.columns) header.push_back(CellText(opendata::HeaderText(c)));
  const auto cols = static_cast<lxw_col_t>(table.columns.size());
  for (lxw_col_t c = 0; c < cols; ++c)
    if (worksheet_set_column(ws, c, c, Width(c, table, header), nullptr) != LXW_NO_ERROR)
      return Status::Error(StatusCode::kInternal, "Excel 列宽设置失败", "setting an Excel column width failed");
  worksheet_freeze_panes(ws, 1, 0);
  if (worksheet_autofilter(ws, 0, 0, static_cast<lxw_row_t>(table.rows.size()), cols - 1) != LXW_NO_ERROR)
    return Status::Error(StatusCode::kInternal, "Excel 筛选设置失败", "setting the Excel filter failed");
  auto write = [&](lxw_row_t r, lxw_col_t c, const std::string& text, lxw_format* f) -> Status {
    if (text.empty()) return Status::Ok();
    const lxw_error e = worksheet_write_string(ws, r, c, text.c_str(), f);
    if (e == LXW_NO_ERROR) return Status::Ok();
    return Status::Error(StatusCode::kInternal, std::string("Excel 写入失败：") + lxw_strerror(e),
                         std::string("writing the Excel cell failed: ") + lxw_strerror(e));
  };
  for (lxw_col_t c = 0; c < cols; ++c)
    if (Status st = write(0, c, header[c], bold); !st.ok()) return st;
  for (std::size_t r = 0; r < table.rows.size(); ++r)
    for (lxw_col_t c = 0; c < cols; ++c)
      if (Status st = write(static_cast<lxw_row_t>(r + 1), c, CellText(table.rows[r][c]), nullptr); !st.ok())
        return st;
  const lxw_error closed = workbook_close(wb.release());
  if (closed != LXW_NO_ERROR)
    return Status::Error(StatusCode::kUnavailable, std::string("无法写出 Excel 文件：") + lxw_strerror(closed),
                         std::string("cannot write the Excel workbook: ") + lxw_strerror(closed));
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error(StatusCode::kUnavailable, "无法读回 Excel 文件", "cannot read the Excel workbook back");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return bytes;
}

}  // namespace

Result<std::string> WriteXlsxWorkbook(const opendata::Table& table, const opendata::XlsxOptions& options) {
  if (Status st = opendata::CheckTable(table); !st.ok()) return st;
  // libxlsxwriter and its minizip keep large buffers on the stack (zipOpen3 alone more than
  // 64 KiB), more than a web server's worker thread may have (CivetWeb's crashed there): the
  // workbook is written on a thread of its own, with the default stack, and joined.
  std::optional<Result<std::string>> out;
  try {
    std::thread writer([&] {
      try {
        out.emplace(Write(table, options));
      } catch (const std::exception& e) {
        out.emplace(Status::Error(StatusCode::kInternal, std::string("Excel 文件写入失败：") + e.what(),
                                  std::string("writing the Excel workbook failed: ") + e.what()));
      }
    });
    writer.join();
  } catch (const std::system_error& e) {
    return Status::Error(StatusCode::kUnavailable, std::string("无法启动 Excel 写入线程：") + e.what(),
                         std::string("cannot start the Excel writer's thread: ") + e.what());
  }
  return std::move(*out);
}

}  // namespace xj
