// TZif reader (RFC 8536) with the POSIX TZ footer rule; ISO 8601 times. See tz.h.
#include "tz.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>

#include "civil.h"
#include "quote.h"

namespace xj {
namespace {

using std::chrono::sys_seconds;

constexpr std::size_t kMaxZoneNameBytes = 64;
constexpr std::size_t kMaxTzifBytes = 512 * 1024;
constexpr int kFirstYear = 1900;

Status Invalid(const std::string& zh, const std::string& en) {
  return Status::Error(StatusCode::kInvalidArgument, zh, en);
}

using sched_detail::Quote;

Status CheckZoneName(std::string_view name) {
  const std::string q = Quote(name);
  if (name.empty()) return Invalid("时区名称为空", "the time zone name is empty");
  if (name.size() > kMaxZoneNameBytes)
    return Invalid("时区名称过长（最多 64 字节）", "the time zone name is longer than 64 bytes");
  if (name.front() == '/' || name.back() == '/')
    return Invalid("时区名称 " + q + " 不能以 / 开头或结尾", "time zone name " + q + " must not begin or end with /");
  std::size_t part_start = 0;
  for (std::size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '/') {
      const std::string_view part = name.substr(part_start, i - part_start);
      if (part.empty() || part.front() == '.' || part.front() == '-')
        return Invalid("时区名称 " + q + " 格式不正确（应如 Asia/Shanghai）",
                       "time zone name " + q + " is malformed (expected a name like Asia/Shanghai)");
      part_start = i + 1;
      continue;
    }
    const char c = name[i];
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '-' || c == '+' || c == '.';
    if (!ok)
      return Invalid("时区名称 " + q + " 含有不允许的字符（只允许字母、数字和 / _ - + .）",
                     "time zone name " + q + " has a character outside letters, digits and / _ - + .");
  }
  return Status::Ok();
}

std::string ZoneDir() {
  const char* dir = std::getenv("TZDIR");
  return dir != nullptr && *dir != '\0' ? std::string(dir) : std::string("/usr/share/zoneinfo");
}

// ---------------------------------------------------------------------------------------
// The POSIX TZ rule of a TZif footer, e.g. "EST5EDT,M3.2.0,M11.1.0" or "<+0330>-3:30".

struct RuleDay {
  char kind = 'M';  // 'J': Julian day 1..365 without 29 Feb; 'N': zero-based day 0..365; 'M': Mm.w.d
  int a = 0, b = 0, c = 0;
  std::int32_t time = 7200;  // local time of day of the change, seconds (may be < 0 or > 24 h)
};

struct PosixRule {
  std::int32_t std_offset = 0;  // UTC offsets (east positive), not POSIX's west-positive values
  bool has_dst = false;
  std::int32_t dst_offset = 0;
  RuleDay start, end;
};

class RuleParser {
 public:
  explicit RuleParser(std::string_view s) : s_(s) {}

  std::optional<PosixRule> Parse() {
    PosixRule r;
    std::int32_t west = 0;
    if (!Name() || !Offset(&west, 24)) return std::nullopt;
    r.std_offset = -west;
    if (AtEnd()) return r;
    if (!Name()) return std::nullopt;
    r.has_dst = true;
    r.dst_offset = r.std_offset + 3600;
    if (!AtEnd() && s_[p_] != ',') {
      if (!Offset(&west, 24)) return std::nullopt;
      r.dst_offset = -west;
    }
    // A zone with daylight saving time and no rule takes the US rule (POSIX's default);
    // TZif footers always state it.
    r.start = RuleDay{'M', 3, 2, 0, 7200};
    r.end = RuleDay{'M', 11, 1, 0, 7200};
    if (AtEnd()) return r;
    if (!Eat(',') || !Day(&r.start) || !Eat(',') || !Day(&r.end) || !AtEnd()) return std::nullopt;
    return r;
  }

 private:
  bool AtEnd() const { return p_ >= s_.size(); }
  bool Eat(char c) {
    if (AtEnd() || s_[p_] != c) return false;
    ++p_;
    return true;
  }
  bool Name() {
    if (Eat('<')) {
      const std::size_t close = s_.find('>', p_);
      if (close == std::string_view::npos || close == p_) return false;
      p_ = close + 1;
      return true;
    }
    const std::size_t begin = p_;
    while (!AtEnd() && ((s_[p_] >= 'A' && s_[p_] <= 'Z') || (s_[p_] >= 'a' && s_[p_] <= 'z'))) ++p_;
    return p_ - begin >= 3;
  }
  bool Number(int* out, int max_digits) {
    const std::size_t begin = p_;
    int v = 0;
    while (!AtEnd() && s_[p_] >= '0' && s_[p_] <= '9' && p_ - begin < static_cast<std::size_t>(max_digits))
      v = v * 10 + (s_[p_++] - '0');
    if (p_ == begin) return false;
    *out = v;
    return true;
  }
  // [+-]hh[:mm[:ss]] with hh <= max_hours; the value as written (seconds).
  bool Offset(std::int32_t* out, int max_hours) {
    int sign = 1;
    if (Eat('-'))
      sign = -1;
    else
      Eat('+');
    int h = 0, m = 0, sec = 0;
    if (!Number(&h, 3) || h > max_hours) return false;
    if (Eat(':') && (!Number(&m, 2) || m > 59 || (Eat(':') && (!Number(&sec, 2) || sec > 59)))) return false;
    *out = sign * (h * 3600 + m * 60 + sec);
    return true;
  }
  bool Day(RuleDay* d) {
    if (Eat('J')) {
      d->kind = 'J';
      if (!Number(&d->a, 3) || d->a < 1 || d->a > 365) return false;
    } else if (Eat('M')) {
      d->kind = 'M';
      if (!Number(&d->a, 2) || d->a < 1 || d->a > 12 || !Eat('.') || !Number(&d->b, 1) || d->b < 1 || d->b > 5 ||
          !Eat('.') || !Number(&d->c, 1) || d->c > 6)
        return false;
    } else {
      d->kind = 'N';
      if (!Number(&d->a, 3) || d->a > 365) return false;
    }
    d->time = 7200;
    if (Eat('/')) return Offset(&d->time, 167);
    return true;
  }

  std::string_view s_;
  std::size_t p_ = 0;
};

// The local time (seconds since 1970 of the wall clock in force before the change) at which
// rule day `d` happens in `year`.
std::int64_t RuleLocal(const RuleDay& d, std::int64_t year) {
  std::int64_t day = 0;
  if (d.kind == 'J') {
    day = civil::DaysFromCivil(year, 1, 1) + d.a - 1 + (civil::IsLeap(year) && d.a >= 60 ? 1 : 0);
  } else if (d.kind == 'N') {
    day = civil::DaysFromCivil(year, 1, 1) + d.a;
  } else {
    const std::int64_t first = civil::DaysFromCivil(year, d.a, 1);
    std::int64_t day_of = first + ((d.c - civil::WeekdayFromDays(first)) % 7 + 7) % 7 + 7 * (d.b - 1);
    while (day_of >= first + civil::DaysInMonth(year, d.a)) day_of -= 7;  // week 5 = the last one
    day = day_of;
  }
  return day * civil::kSecondsPerDay + d.time;
}

// Reads big-endian fields of a TZif file.
class Bytes {
 public:
  explicit Bytes(std::string_view d) : d_(d) {}
  bool Has(std::size_t n) const { return d_.size() - p_ >= n; }
  std::size_t pos() const { return p_; }
  void Skip(std::size_t n) { p_ += n; }
  std::uint8_t U8() { return static_cast<std::uint8_t>(d_[p_++]); }
  std::uint32_t U32() {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | U8();
    return v;
  }
  std::int64_t I64() {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | U8();
    return static_cast<std::int64_t>(v);
  }
  std::string_view Rest() const { return d_.substr(p_); }

 private:
  std::string_view d_;
  std::size_t p_ = 0;
};

struct TzifHeader {
  char version = 0;
  std::uint32_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;
};

bool ReadHeader(Bytes& b, TzifHeader* h) {
  if (!b.Has(44)) return false;
  if (b.U8() != 'T' || b.U8() != 'Z' || b.U8() != 'i' || b.U8() != 'f') return false;
  h->version = static_cast<char>(b.U8());
  b.Skip(15);
  h->isutcnt = b.U32();
  h->isstdcnt = b.U32();
  h->leapcnt = b.U32();
  h->timecnt = b.U32();
  h->typecnt = b.U32();
  h->charcnt = b.U32();
  return true;
}

}  // namespace

Result<TimeZone> TimeZone::FromTzif(std::string_view name, std::string_view data) {
  const std::string q = Quote(name);
  auto bad = [&](const std::string& zh, const std::string& en) {
    return Invalid("时区文件 " + q + " 无法使用：" + zh, "time zone file " + q + " is not usable: " + en);
  };
  if (data.size() > kMaxTzifBytes) return bad("文件过大", "the file is too large");
  Bytes b(data);
  TzifHeader h;
  if (!ReadHeader(b, &h)) return bad("不是 TZif 格式", "not in TZif format");
  const bool v2 = h.version >= '2';
  if (h.version != 0 && (h.version < '2' || h.version > '4'))
    return bad("不支持的 TZif 版本", "unsupported TZif version");
  std::size_t time_size = 4;
  if (v2) {
    const std::size_t v1 = h.timecnt * 5ull + h.typecnt * 6ull + h.charcnt + h.leapcnt * 8ull + h.isstdcnt + h.isutcnt;
    if (!b.Has(v1)) return bad("文件被截断", "the file is truncated");
    b.Skip(v1);
    if (!ReadHeader(b, &h)) return bad("缺少第二个 TZif 头", "the second TZif header is missing");
    time_size = 8;
  }
  if (h.leapcnt != 0)
    return bad("含闰秒的时区（right/…）不受支持", "zones with leap seconds (right/...) are not supported");
  if (h.typecnt == 0 || h.typecnt > 256 || h.timecnt > 100000 || h.charcnt > 100000)
    return bad("计数字段不合理", "implausible counts in the header");
  const std::size_t body = h.timecnt * (time_size + 1) + h.typecnt * 6ull + h.charcnt + h.isstdcnt + h.isutcnt;
  if (!b.Has(body)) return bad("文件被截断", "the file is truncated");

  std::vector<std::int64_t> times(h.timecnt);
  for (auto& t : times) t = time_size == 8 ? b.I64() : static_cast<std::int32_t>(b.U32());
  std::vector<std::uint8_t> idx(h.timecnt);
  for (auto& i : idx) i = b.U8();
  std::vector<std::int32_t> utoff(h.typecnt);
  for (auto& o : utoff) {
    o = static_cast<std::int32_t>(b.U32());
    b.Skip(2);  // isdst, desigidx
    if (o <= -25 * 3600 || o >= 26 * 3600) return bad("UTC 偏移超出范围", "a UTC offset is out of range");
  }
  b.Skip(h.charcnt + h.isstdcnt + h.isutcnt);
  for (std::size_t i = 0; i < times.size(); ++i) {
    if (idx[i] >= h.typecnt) return bad("时间类型索引越界", "a local time type index is out of range");
    if (i > 0 && times[i] <= times[i - 1]) return bad("转换时刻未按升序排列", "transition times are not ascending");
  }

  TimeZone z;
  z.name_ = std::string(name);
  z.initial_offset_ = utoff[0];
  std::int32_t current = z.initial_offset_;
  for (std::size_t i = 0; i < times.size(); ++i) {
    if (utoff[idx[i]] == current) continue;  // a change of abbreviation or isdst only
    current = utoff[idx[i]];
    z.at_.push_back(times[i]);
    z.offset_.push_back(current);
  }

  // The footer: "\n" POSIX-TZ "\n" (version 2 and later).
  if (v2) {
    std::string_view rest = b.Rest();
    if (rest.size() < 2 || rest.front() != '\n') return bad("缺少 TZ 规则尾部", "the TZ string footer is missing");
    const std::size_t end = rest.find('\n', 1);
    if (end == std::string_view::npos) return bad("TZ 规则尾部未结束", "the TZ string footer is not terminated");
    const std::string_view tz = rest.substr(1, end - 1);
    if (!tz.empty()) {
      std::optional<PosixRule> rule = RuleParser(tz).Parse();
      if (!rule) return bad("无法解析 TZ 规则 " + Quote(tz), "cannot parse the TZ rule " + Quote(tz));
      if (!rule->has_dst) {
        if (z.at_.empty())
          z.initial_offset_ = rule->std_offset;
        else if (z.offset_.back() != rule->std_offset) {
          // The rule starts after the last transition: a change to its offset at that instant.
          // (zic never writes this; kept for hand-made files.)
          z.at_.push_back(times.back() + 1);
          z.offset_.push_back(rule->std_offset);
        }
      } else {
        const std::int64_t last_at = z.at_.empty() ? std::numeric_limits<std::int64_t>::min() : times.back();
        const std::int64_t first_year =
            z.at_.empty() ? kFirstYear - 1 : civil::CivilFromDays(civil::FloorDiv(last_at, civil::kSecondsPerDay)).year;
        struct Change {
          std::int64_t at;
          std::int32_t offset;
        };
        std::vector<Change> changes;
        for (std::int64_t y = first_year; y <= kTimeZoneLastYear + 1; ++y) {
          changes.push_back({RuleLocal(rule->start, y) - rule->std_offset, rule->dst_offset});
          changes.push_back({RuleLocal(rule->end, y) - rule->dst_offset, rule->std_offset});
        }
        std::stable_sort(changes.begin(), changes.end(), [](const Change& a, const Change& c) { return a.at < c.at; });
        std::int32_t cur = z.offset_.empty() ? z.initial_offset_ : z.offset_.back();
        if (z.at_.empty()) {
          // No stored transition: the rule holds from the start. Take the offset in force
          // before the first change of the rule as the initial one.
          cur = z.initial_offset_ =
              changes.empty() ? rule->std_offset
                              : (changes.front().offset == rule->std_offset ? rule->dst_offset : rule->std_offset);
        }
        for (std::size_t i = 0; i < changes.size(); ++i) {
          if (changes[i].at <= last_at) continue;
          if (i + 1 < changes.size() && changes[i + 1].at == changes[i].at) continue;  // the later one wins
          if (changes[i].offset == cur) continue;
          cur = changes[i].offset;
          z.at_.push_back(changes[i].at);
          z.offset_.push_back(cur);
        }
      }
    }
  }
  return z;
}

Result<const TimeZone*> TimeZone::Find(std::string_view name) {
  if (Status s = CheckZoneName(name); !s.ok()) return s;
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<const TimeZone>, std::less<>> cache;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(name);
    if (it != cache.end()) return it->second.get();
  }
  const std::string q = Quote(name);
  const std::string path = ZoneDir() + "/" + std::string(name);
  std::error_code ec;
  std::ifstream in;
  if (std::filesystem::is_regular_file(path, ec)) in.open(path, std::ios::binary);
  if (!in.is_open()) {
    std::ifstream probe(ZoneDir() + "/UTC", std::ios::binary);
    if (!probe)
      return Status::Error(StatusCode::kUnavailable, "无法读取时区数据库 " + ZoneDir() + "（请安装 tzdata）",
                           "cannot read the time zone database " + ZoneDir() + " (install tzdata)");
    return Status::Error(StatusCode::kNotFound, "未知的时区 " + q + "（应为 IANA 名称，如 Asia/Shanghai）",
                         "unknown time zone " + q + " (expected an IANA name such as Asia/Shanghai)");
  }
  std::string data;
  data.resize(kMaxTzifBytes + 1);
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  if (in.bad())
    return Status::Error(StatusCode::kUnavailable, "无法读取时区文件 " + path, "cannot read time zone file " + path);
  data.resize(static_cast<std::size_t>(in.gcount()));
  Result<TimeZone> z = FromTzif(name, data);
  if (!z.ok()) {
    // A folder such as "America" or a file that is not TZif.
    if (data.empty() || data.compare(0, 4, "TZif") != 0)
      return Status::Error(StatusCode::kNotFound, "未知的时区 " + q + "（应为 IANA 名称，如 Asia/Shanghai）",
                           "unknown time zone " + q + " (expected an IANA name such as Asia/Shanghai)");
    return z.status();
  }
  std::lock_guard<std::mutex> lock(mu);
  auto [it, fresh] = cache.emplace(std::string(name), std::make_unique<const TimeZone>(std::move(z).value()));
  return it->second.get();
}

std::int32_t TimeZone::OffsetAt(sys_seconds t) const {
  const auto it = std::upper_bound(at_.begin(), at_.end(), t.time_since_epoch().count());
  return it == at_.begin() ? initial_offset_ : offset_[static_cast<std::size_t>(it - at_.begin() - 1)];
}

TimeZone::Resolution TimeZone::Resolve(LocalSeconds local) const {
  // Offsets stay within ±26 h, so only transitions within two days can matter.
  constexpr std::int64_t kWindow = 2 * civil::kSecondsPerDay;
  const auto lo = static_cast<std::size_t>(std::lower_bound(at_.begin(), at_.end(), local - kWindow) - at_.begin());
  const auto hi = static_cast<std::size_t>(std::upper_bound(at_.begin(), at_.end(), local + kWindow) - at_.begin());
  auto before = [&](std::size_t i) { return i == 0 ? initial_offset_ : offset_[i - 1]; };

  std::int64_t found[2];
  int n = 0;
  auto consider = [&](std::int32_t off) {
    const std::int64_t u = local - off;
    if (OffsetAt(sys_seconds{std::chrono::seconds{u}}) != off) return;
    for (int k = 0; k < n; ++k)
      if (found[k] == u) return;
    if (n < 2) {
      found[n++] = u;
    } else {
      found[1] = std::max(found[1], u);  // three readings of one wall time: keep first and last
    }
  };
  consider(before(lo));
  for (std::size_t i = lo; i < hi; ++i) consider(offset_[i]);

  Resolution r;
  if (n >= 1) {
    if (n == 2 && found[1] < found[0]) std::swap(found[0], found[1]);
    r.kind = n == 1 ? Resolution::Kind::kUnique : Resolution::Kind::kRepeated;
    r.first = sys_seconds{std::chrono::seconds{found[0]}};
    r.second = sys_seconds{std::chrono::seconds{n == 2 ? found[1] : found[0]}};
    return r;
  }
  // Skipped: the clock jumped from before(i) to offset_[i] at at_[i] over this reading.
  r.kind = Resolution::Kind::kSkipped;
  r.first = r.second = sys_seconds{std::chrono::seconds{local - before(lo)}};
  for (std::size_t i = lo; i < hi; ++i) {
    if (at_[i] + before(i) <= local && local < at_[i] + offset_[i]) {
      r.first = r.second = sys_seconds{std::chrono::seconds{at_[i]}};
      break;
    }
  }
  return r;
}

std::string FormatIsoTime(sys_seconds t, const TimeZone& zone) {
  const std::int32_t off = zone.OffsetAt(t);
  const std::int64_t local = t.time_since_epoch().count() + off;
  const std::int64_t day = civil::FloorDiv(local, civil::kSecondsPerDay);
  const std::int64_t sod = local - day * civil::kSecondsPerDay;
  const civil::Ymd ymd = civil::CivilFromDays(day);
  const std::int32_t a = off < 0 ? -off : off;
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", static_cast<long long>(ymd.year),
                        ymd.month, ymd.day, static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60),
                        static_cast<int>(sod % 60), off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
  if (a % 60 != 0 && n > 0) std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), ":%02d", a % 60);
  return buf;
}

Result<sys_seconds> ParseIsoTime(std::string_view text, const TimeZone& zone) {
  const std::string q = Quote(text);
  auto bad = [&] {
    return Invalid(
        "时间 " + q + " 格式不正确（应为 ISO 8601，如 2025-03-09T01:30:00+08:00 或 2025-03-09 01:30）",
        "time " + q + " is malformed (expected ISO 8601 such as 2025-03-09T01:30:00+08:00 or 2025-03-09 01:30)");
  };
  if (text.size() > 64) return bad();
  std::size_t p = 0;
  auto digits = [&](int n, int* out) {
    if (p + static_cast<std::size_t>(n) > text.size()) return false;
    int v = 0;
    for (int i = 0; i < n; ++i) {
      const char c = text[p + static_cast<std::size_t>(i)];
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    p += static_cast<std::size_t>(n);
    *out = v;
    return true;
  };
  auto eat = [&](char c) {
    if (p < text.size() && text[p] == c) {
      ++p;
      return true;
    }
    return false;
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!digits(4, &y) || !eat('-') || !digits(2, &mo) || !eat('-') || !digits(2, &d)) return bad();
  bool has_time = false;
  if (p < text.size() && (text[p] == 'T' || text[p] == 't' || text[p] == ' ')) {
    ++p;
    has_time = true;
    if (!digits(2, &h) || !eat(':') || !digits(2, &mi)) return bad();
    if (eat(':')) {
      if (!digits(2, &s)) return bad();
      if (eat('.') || eat(',')) {
        const std::size_t begin = p;
        while (p < text.size() && text[p] >= '0' && text[p] <= '9') ++p;
        if (p == begin) return bad();
      }
    }
  }
  std::optional<std::int32_t> offset;
  if (p < text.size()) {
    if (!has_time) return bad();
    if (text[p] == 'Z' || text[p] == 'z') {
      ++p;
      offset = 0;
    } else if (text[p] == '+' || text[p] == '-') {
      const int sign = text[p++] == '-' ? -1 : 1;
      int oh = 0, om = 0;
      if (!digits(2, &oh)) return bad();
      if (eat(':')) {
        if (!digits(2, &om)) return bad();
      } else if (p < text.size() && !digits(2, &om)) {
        return bad();
      }
      if (oh > 23 || om > 59) return bad();
      offset = sign * (oh * 3600 + om * 60);
    }
    if (p != text.size()) return bad();
  }
  if (y < kFirstYear || y >= kTimeZoneLastYear)
    return Invalid("时间 " + q + " 的年份超出支持范围 1900–2399",
                   "time " + q + ": the year is outside the supported range 1900-2399");
  if (mo < 1 || mo > 12 || d < 1 || d > civil::DaysInMonth(y, mo) || h > 23 || mi > 59 || s > 59)
    return Invalid("时间 " + q + " 不是有效的日期时间", "time " + q + " is not a valid date and time");
  const std::int64_t local = civil::DaysFromCivil(y, mo, d) * civil::kSecondsPerDay + h * 3600 + mi * 60 + s;
  if (offset) return sys_seconds{std::chrono::seconds{local - *offset}};
  return zone.Resolve(local).first;
}

}  // namespace xj
