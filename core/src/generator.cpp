#include "generator.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <memory>
#include <numeric>
#include <ostream>
#include <string_view>
#include <vector>

#include "identifiers.h"
#include "regions.h"

namespace xj::gen {
namespace {

// ---- randomness ------------------------------------------------------------------------
// splitmix64: tiny, fast and identical on every platform (std:: distributions are not).
constexpr std::uint64_t kGolden = 0x9E3779B97F4A7C15ULL;

constexpr std::uint64_t Mix(std::uint64_t x) {
  x += kGolden;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// Streams: each kind of record draws from its own stream, so that adding a field to one
// kind never changes another.
enum Stream : std::uint64_t {
  kSubjectCore = 1,  // type and region of a subject (they determine its USCC)
  kSubjectDetail = 2,
  kInspector = 3,
  kItem = 4,
  kRelation = 5,
  kOrgCodeKey = 6,
  kRelationPerm = 7,
};

// The generator of one record: depends only on (seed, stream, index).
class Rng {
 public:
  Rng(std::uint64_t seed, std::uint64_t stream, std::uint64_t index) : s_(Mix(Mix(seed ^ Mix(stream)) ^ index)) {}
  std::uint64_t Next() {
    s_ += kGolden;
    std::uint64_t z = s_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n), n < 2^32 (Lemire's multiply-shift; the bias is below 2^-32).
  std::uint32_t Below(std::uint32_t n) { return static_cast<std::uint32_t>(((Next() >> 32) * n) >> 32); }
  std::uint64_t Below64(std::uint64_t n) { return Next() % n; }
  bool PerMille(std::uint32_t p) { return Below(1000) < p; }
  template <typename T, std::size_t N>
  const T& Pick(const T (&a)[N]) {
    return a[Below(static_cast<std::uint32_t>(N))];
  }
  // An index in [0, n) biased towards small values (common surnames, big counties first).
  std::uint32_t Skewed(std::uint32_t n) { return std::min(Below(n), Below(n)); }

 private:
  std::uint64_t s_;
};

// ---- dates ---------------------------------------------------------------------------
// Howard Hinnant's days_from_civil / civil_from_days.
std::int64_t DaysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = static_cast<unsigned>((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void AppendDate(std::string* out, std::int64_t z, bool dashes) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
  // Years 1000-9999 only (the generator uses 1965-2031).
  char buf[10];
  std::size_t n = 0;
  auto two = [&](unsigned v) {
    buf[n++] = static_cast<char>('0' + v / 10);
    buf[n++] = static_cast<char>('0' + v % 10);
  };
  two(static_cast<unsigned>(y / 100));
  two(static_cast<unsigned>(y % 100));
  if (dashes) buf[n++] = '-';
  two(m);
  if (dashes) buf[n++] = '-';
  two(d);
  out->append(buf, n);
}

// A random day in [from, to] (inclusive), as days since 1970-01-01.
std::int64_t RandomDay(Rng& r, std::int64_t from, std::int64_t to) {
  return from + static_cast<std::int64_t>(r.Below(static_cast<std::uint32_t>(to - from + 1)));
}

// ---- output helpers ------------------------------------------------------------------
void AppendUint(std::string* out, std::uint64_t v, int width = 0) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  int len = static_cast<int>(res.ptr - buf);
  for (int i = len; i < width; ++i) out->push_back('0');
  out->append(buf, res.ptr);
}

// A CSV field (quoted only when needed; the generated values normally never need it).
void Field(std::string* out, std::string_view v) {
  bool plain = true;
  for (char c : v) plain &= c != ',' && c != '"' && c != '\r' && c != '\n';
  if (plain) {
    out->append(v);
    return;
  }
  out->push_back('"');
  for (char c : v) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

// Buffers the output and hands it to the stream every ~1 MiB.
class Sink {
 public:
  explicit Sink(std::ostream& os) : os_(os) { buf_.reserve(kFlush + 4096); }
  std::string* buf() { return &buf_; }
  void MaybeFlush() {
    if (buf_.size() >= kFlush) Flush();
  }
  void Flush() {
    os_.write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    buf_.clear();
  }

 private:
  static constexpr std::size_t kFlush = std::size_t{1} << 20;
  std::ostream& os_;
  std::string buf_;
};

// ---- reference data ------------------------------------------------------------------
constexpr std::string_view kDeptCodes[] = {"SCJG", "WJW", "YJGL", "ZJ", "STHJ"};
constexpr std::string_view kDeptNames[] = {"市场监督管理局", "卫生健康委员会", "应急管理局", "住房和城乡建设局",
                                           "生态环境局"};
// The name of a county-level office of the department.
constexpr std::string_view kDeptCountyNames[] = {"市场监督管理局", "卫生健康局", "应急管理局", "住房和城乡建设局",
                                                 "生态环境局"};

// Qualifications per department (items require one, inspectors hold 1-3 of their department's).
const std::vector<std::string_view>& Qualifications(std::uint32_t dept) {
  static const std::vector<std::string_view> kLists[] = {
      {"食品安全", "特种设备", "广告监管", "价格监管", "计量", "产品质量", "药品", "医疗器械"},
      {"卫生监督", "职业卫生", "医疗监管"},
      {"安全生产", "危险化学品", "烟花爆竹"},
      {"建筑施工", "房地产", "物业管理"},
      {"环境监测", "排污许可", "环评监管"},
      {"综合执法", "行政许可"}};
  return kLists[std::min<std::uint32_t>(dept, 5)];
}

constexpr std::string_view kLabels[] = {"食品经营", "特种设备", "直销",       "网络交易", "广告",
                                        "药品零售", "医疗器械", "危险化学品", "出版物",   "二手车"};

struct Industry {
  std::string_view code;
  std::string_view word;   // in a name: 恒达[贸易]有限公司, 象山县张记[小吃店]
  std::string_view label;  // the special library most such subjects are in, or ""
  std::uint32_t weight;
};

// GB/T 4754-2017 classes, with weights roughly like a county's register.
constexpr Industry kEnterpriseIndustries[] = {
    {"C1311", "粮油", "", 2},
    {"C1331", "油脂", "", 1},
    {"C1431", "食品", "", 2},
    {"C1441", "乳业", "", 1},
    {"C1512", "酒业", "", 1},
    {"C1713", "印染", "特种设备", 2},
    {"C1811", "服饰", "", 3},
    {"C1951", "鞋业", "", 2},
    {"C2110", "家具", "", 2},
    {"C2231", "包装", "", 2},
    {"C2311", "印刷", "出版物", 2},
    {"C2614", "化工", "危险化学品", 1},
    {"C2720", "制药", "", 1},
    {"C2929", "塑业", "", 3},
    {"C3311", "钢结构", "特种设备", 2},
    {"C3670", "汽车部件", "特种设备", 3},
    {"C3851", "电器", "", 2},
    {"C3982", "电子", "", 3},
    {"D4411", "热电", "特种设备", 1},
    {"E4701", "建设", "", 3},
    {"E4910", "电气安装", "", 2},
    {"E5011", "装饰工程", "", 3},
    {"F5121", "粮油贸易", "食品经营", 3},
    {"F5132", "服装贸易", "", 3},
    {"F5211", "百货", "", 3},
    {"F5212", "超市", "食品经营", 4},
    {"F5251", "大药房", "药品零售", 2},
    {"F5254", "医疗器械", "医疗器械", 1},
    {"F5261", "汽车销售服务", "", 2},
    {"F5262", "二手车经纪", "二手车", 1},
    {"F5265", "石油", "危险化学品", 1},
    {"F5292", "电子商务", "网络交易", 4},
    {"G5431", "物流", "", 3},
    {"G5920", "仓储", "", 1},
    {"H6110", "酒店管理", "食品经营", 1},
    {"H6210", "餐饮", "食品经营", 4},
    {"H6220", "餐饮管理", "食品经营", 2},
    {"I6450", "网络科技", "网络交易", 2},
    {"I6513", "软件科技", "", 4},
    {"K7010", "房地产开发", "", 2},
    {"K7020", "物业服务", "特种设备", 2},
    {"L7251", "广告", "广告", 2},
    {"L7263", "人力资源", "", 1},
    {"O8040", "美容美发", "", 1},
    {"O8111", "汽车维修", "", 1},
};
constexpr Industry kIndividualIndustries[] = {
    {"F5213", "便利店", "食品经营", 5}, {"F5223", "水果店", "食品经营", 3}, {"F5224", "生鲜店", "食品经营", 2},
    {"F5226", "烟酒店", "食品经营", 2}, {"H6291", "小吃店", "食品经营", 5}, {"H6210", "饭店", "食品经营", 4},
    {"H6220", "快餐店", "食品经营", 3}, {"O8040", "理发店", "", 3},         {"O8111", "汽车修理部", "", 2},
    {"F5232", "服装店", "", 3},         {"F5271", "五金店", "", 2},         {"F5251", "药店", "药品零售", 1},
    {"F5292", "网店", "网络交易", 2},   {"F5262", "二手车行", "二手车", 1},
};
constexpr Industry kIntermediaryIndustries[] = {
    {"L7241", "会计师事务所", "", 2}, {"L7249", "资产评估", "", 2}, {"L7245", "环境科技", "", 2},
    {"M7481", "工程咨询", "", 3},     {"M7483", "勘察测绘", "", 2}, {"M7484", "建筑设计", "", 2},
    {"K7030", "房地产估价", "", 1},
};
constexpr Industry kSocialIndustries[] = {
    {"S9522", "行业协会", "", 3},     {"S9521", "学会", "", 2},       {"P8391", "职业培训学校", "", 2},
    {"Q8514", "养老服务中心", "", 2}, {"S9530", "慈善基金会", "", 1},
};
constexpr Industry kPublicIndustries[] = {
    {"Q8411", "人民医院", "", 2}, {"Q8421", "社区卫生服务中心", "", 3}, {"P8310", "中心幼儿园", "", 3},
    {"P8331", "初级中学", "", 2}, {"R8831", "图书馆", "", 1},
};

constexpr std::string_view kTradeFirst[] = {
    "恒", "宏", "鑫", "华", "盛", "泰", "丰", "隆", "瑞", "祥", "金", "利", "兴", "旺", "嘉", "永", "安",
    "信", "诚", "佳", "新", "博", "创", "达", "远", "天", "海", "中", "东", "宁", "甬", "浙", "汇", "联",
    "正", "德", "富", "凯", "明", "宇", "晨", "腾", "百", "万", "顺", "和", "康", "优", "合", "立"};
constexpr std::string_view kTradeSecond[] = {"达", "源", "华", "盛", "泰", "丰", "隆", "瑞", "祥", "利",
                                             "兴", "旺", "业", "通", "信", "诚", "佳", "美", "辉", "鑫",
                                             "发", "昌", "润", "益", "成", "宝", "祺", "欣", "锦", "程",
                                             "航", "峰", "帆", "晟", "弘", "力", "邦", "科", "维", "特"};
constexpr std::string_view kPlaceWords[] = {
    "城东", "城西", "城南", "城北", "江南", "江北", "文昌", "新华", "解放", "人民", "中山", "建设", "和平", "长春",
    "东风", "胜利", "青年", "朝阳", "光明", "丹东", "丹西", "西周", "石浦", "新桥", "桃源", "白沙", "南山", "北湖",
    "清河", "梅林", "兰亭", "柳溪", "金山", "凤凰", "龙泉", "天河", "花园", "望春", "高桥", "姜山"};
constexpr std::string_view kRoadSuffix[] = {"路", "路", "路", "街", "大道", "中路", "东路", "西路"};
constexpr std::string_view kSurnames[] = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",   "何",
    "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖",   "田",
    "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈",   "姚",
    "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏", "韦", "付", "方",   "白",
    "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "闫", "段", "雷", "侯", "龙", "史", "陶", "黎",   "贺",
    "顾", "毛", "郝", "龚", "邵", "万", "钱", "严", "覃", "武", "戴", "莫", "孔", "向", "汤", "欧阳", "诸葛"};
constexpr std::string_view kGivenChars[] = {
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀",
    "霞", "平", "刚", "桂", "英", "华", "玉", "萍", "红", "建", "文", "辉", "力", "斌", "宇", "浩", "凯", "鹏",
    "俊", "晨", "婷", "雪", "琳", "佳", "欣", "怡", "梅", "鑫", "波", "宁", "帆", "云", "峰", "亮", "林", "燕",
    "倩", "晶", "颖", "丹", "蕾", "琦", "志", "国", "海", "春", "晓", "永", "立", "新", "振", "嘉"};

// Province abbreviations (for certificate numbers) and short names (for company names).
struct ProvinceInfo {
  std::string_view code, abbr, short_name;
};
constexpr ProvinceInfo kProvinces[] = {
    {"11", "京", "北京"}, {"12", "津", "天津"}, {"13", "冀", "河北"},   {"14", "晋", "山西"}, {"15", "蒙", "内蒙古"},
    {"21", "辽", "辽宁"}, {"22", "吉", "吉林"}, {"23", "黑", "黑龙江"}, {"31", "沪", "上海"}, {"32", "苏", "江苏"},
    {"33", "浙", "浙江"}, {"34", "皖", "安徽"}, {"35", "闽", "福建"},   {"36", "赣", "江西"}, {"37", "鲁", "山东"},
    {"41", "豫", "河南"}, {"42", "鄂", "湖北"}, {"43", "湘", "湖南"},   {"44", "粤", "广东"}, {"45", "桂", "广西"},
    {"46", "琼", "海南"}, {"50", "渝", "重庆"}, {"51", "川", "四川"},   {"52", "贵", "贵州"}, {"53", "云", "云南"},
    {"54", "藏", "西藏"}, {"61", "陕", "陕西"}, {"62", "甘", "甘肃"},   {"63", "青", "青海"}, {"64", "宁", "宁夏"},
    {"65", "新", "新疆"}, {"71", "台", "台湾"}, {"81", "港", "香港"},   {"82", "澳", "澳门"}};

const ProvinceInfo* FindProvince(std::string_view code) {
  for (const ProvinceInfo& p : kProvinces)
    if (p.code == code) return &p;
  return nullptr;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Prefecture names that are not names: municipalities and directly administered counties.
bool NoRealPrefecture(std::string_view pref) {
  return pref == "市辖区" || pref == "县" || EndsWith(pref, "直辖县级行政区划");
}

// "宁波市" for a county of Ningbo, "北京市" for a district of Beijing, "" for a county under
// the province directly (济源市).
std::string_view PrefectureName(const Region& r) {
  if (r.prefecture == "市辖区" || r.prefecture == "县") return r.province;
  if (NoRealPrefecture(r.prefecture)) return {};
  return r.prefecture;
}

// "宁波" from "宁波市"; other prefecture names ("延边朝鲜族自治州") are kept whole.
std::string_view ShortPlace(std::string_view name) {
  if (EndsWith(name, "市") && name.size() > 6) return name.substr(0, name.size() - 3);
  return name;
}

// "象山" from "象山县", "海曙" from "海曙区", "景宁" from "景宁畲族自治县".
std::string_view ShortCounty(std::string_view name) {
  if (EndsWith(name, "自治县") || EndsWith(name, "自治旗")) return name.substr(0, 6);
  if (name.size() > 6 && (EndsWith(name, "区") || EndsWith(name, "县") || EndsWith(name, "市") || EndsWith(name, "旗")))
    return name.substr(0, name.size() - 3);
  return name;
}

// ---- per-province context --------------------------------------------------------------
struct Context {
  std::string province;
  const ProvinceInfo* info = nullptr;
  std::vector<const Region*> home;       // counties of the province (without 市辖区 placeholders)
  std::vector<std::uint64_t> cum;        // cumulative weights of `home`
  std::vector<const Region*> other;      // counties elsewhere
  std::vector<std::string> prefectures;  // 4-digit prefixes of the province, sorted
  std::uint64_t org_key = 0;
  std::uint64_t seed = 0;

  const Region* PickHome(Rng& r) const {
    std::uint64_t x = r.Below64(cum.back());
    return home[static_cast<std::size_t>(std::upper_bound(cum.begin(), cum.end(), x) - cum.begin())];
  }
  const Region* PickAny(Rng& r) const {
    if (other.empty() || r.Below(100) < 95) return PickHome(r);
    return other[r.Below(static_cast<std::uint32_t>(other.size()))];
  }
};

Result<Context> MakeContext(const std::string& province, std::uint64_t seed) {
  Context c;
  c.province = province;
  c.seed = seed;
  c.info = FindProvince(province);
  bool digits =
      province.size() == 2 && province[0] >= '0' && province[0] <= '9' && province[1] >= '0' && province[1] <= '9';
  if (digits) {
    for (const Region* r : RegionTable::Builtin().CountiesUnder(""))
      if (r->county != "市辖区") (r->code.compare(0, 2, province) == 0 ? c.home : c.other).push_back(r);
  }
  if (!digits || c.home.empty() || c.info == nullptr) {
    return Status::Error(StatusCode::kInvalidArgument, "省级行政区划代码 '" + province + "' 无效（应为 2 位，如 33）",
                         "invalid province code '" + province + "' (2 digits of GB/T 2260, e.g. 33)");
  }
  std::uint64_t total = 0;
  for (const Region* r : c.home) {
    // Districts are busier than counties; the rest varies by county, fixed by its code.
    std::uint64_t w = 2 + Mix(std::stoull(r->code)) % 7;
    if (EndsWith(r->county, "区")) w *= 3;
    total += w;
    c.cum.push_back(total);
    std::string pref = r->code.substr(0, 4);
    if (c.prefectures.empty() || c.prefectures.back() != pref) c.prefectures.push_back(pref);
  }
  c.org_key = Mix(seed ^ Mix(kOrgCodeKey));
  return c;
}

// The context of the last province used on this thread (SubjectUscc is called in loops).
Result<const Context*> CachedContext(const std::string& province, std::uint64_t seed) {
  thread_local std::unique_ptr<Context> cache;
  if (!cache || cache->province != province || cache->seed != seed) {
    Result<Context> c = MakeContext(province, seed);
    if (!c.ok()) return c.status();
    cache = std::make_unique<Context>(std::move(c).value());
  }
  return static_cast<const Context*>(cache.get());
}

// ---- subjects ---------------------------------------------------------------------------
enum class Type { kEnterprise, kIndividual, kIntermediary, kSocialOrg, kPublicInstitution };
constexpr std::string_view kTypeNames[] = {"enterprise", "individual", "intermediary", "social_org",
                                           "public_institution"};

// A bijection of [0, 31^8): a 40-bit Feistel network with cycle walking. Distinct indexes
// give distinct organisation codes, so USCCs never collide, yet look random.
constexpr std::uint64_t kOrgSpace = 852891037441ULL;  // 31^8
std::uint64_t PermuteOrg(std::uint64_t x, std::uint64_t key) {
  constexpr std::uint64_t kMask = (1ULL << 20) - 1;
  x %= (1ULL << 40);
  do {
    std::uint64_t l = x >> 20, r = x & kMask;
    for (std::uint64_t round = 0; round < 4; ++round) {
      std::uint64_t f = Mix(r ^ key ^ (round * kGolden)) & kMask;
      std::uint64_t nl = r;
      r = l ^ f;
      l = nl;
    }
    x = (l << 20) | r;
  } while (x >= kOrgSpace);
  return x;
}

struct SubjectCore {
  Type type;
  const Region* region;
  char uscc[19];
};

SubjectCore MakeCore(const Context& ctx, std::uint64_t index) {
  Rng r(ctx.seed, kSubjectCore, index);
  SubjectCore s{};
  std::uint32_t t = r.Below(1000);
  s.type = t < 700   ? Type::kEnterprise
           : t < 920 ? Type::kIndividual
           : t < 950 ? Type::kIntermediary
           : t < 980 ? Type::kSocialOrg
                     : Type::kPublicInstitution;
  s.region = ctx.PickAny(r);
  // Positions 1-2: registration authority and category.
  const char* head = "91";
  switch (s.type) {
    case Type::kEnterprise:
      head = r.Below(100) < 97 ? "91" : "93";
      break;  // 93: farmers' cooperatives
    case Type::kIntermediary:
      head = "91";
      break;
    case Type::kIndividual:
      head = "92";
      break;
    case Type::kSocialOrg: {
      std::uint32_t k = r.Below(10);
      head = k < 5 ? "51" : k < 9 ? "52" : "53";
      break;
    }
    case Type::kPublicInstitution:
      head = "12";
      break;
  }
  std::memcpy(s.uscc, head, 2);
  std::memcpy(s.uscc + 2, s.region->code.data(), 6);
  // Positions 9-17: an organisation code (GB 11714: 8 characters and a check character).
  std::uint64_t v = PermuteOrg(index, ctx.org_key);
  int sum = 0;
  static constexpr int kOrgWeights[8] = {3, 7, 9, 10, 5, 8, 4, 2};
  for (int i = 7; i >= 0; --i) {
    char c = ids::kUsccAlphabet[v % 31];
    v /= 31;
    s.uscc[8 + i] = c;
    sum += (c <= '9' ? c - '0' : c - 'A' + 10) * kOrgWeights[i];
  }
  int check = 11 - sum % 11;
  s.uscc[16] = check == 10 ? 'X' : check == 11 ? '0' : static_cast<char>('0' + check);
  s.uscc[17] = ids::UsccCheckChar(std::string_view(s.uscc, 17));
  s.uscc[18] = '\0';
  return s;
}

const Industry& PickIndustry(Rng& r, Type type) {
  auto pick = [&r](const auto& list) -> const Industry& {
    std::uint32_t total = 0;
    for (const Industry& i : list) total += i.weight;
    std::uint32_t x = r.Below(total);
    for (const Industry& i : list) {
      if (x < i.weight) return i;
      x -= i.weight;
    }
    return list[0];
  };
  switch (type) {
    case Type::kEnterprise:
      return pick(kEnterpriseIndustries);
    case Type::kIndividual:
      return pick(kIndividualIndustries);
    case Type::kIntermediary:
      return pick(kIntermediaryIndustries);
    case Type::kSocialOrg:
      return pick(kSocialIndustries);
    case Type::kPublicInstitution:
      break;
  }
  return pick(kPublicIndustries);
}

void AppendTradeName(Rng& r, std::string* out) {
  out->append(r.Pick(kTradeFirst));
  out->append(r.Pick(kTradeSecond));
}

void AppendPersonName(Rng& r, std::string* out) {
  out->append(kSurnames[r.Skewed(static_cast<std::uint32_t>(std::size(kSurnames)))]);
  out->append(r.Pick(kGivenChars));
  if (r.Below(100) < 70) out->append(r.Pick(kGivenChars));
}

// "宁波市海曙区" (prefecture + county), "北京市东城区", "济源市".
// A county-level city stands alone: "慈溪市", not "宁波市慈溪市".
void AppendFullPlace(const Region& reg, std::string* out) {
  if (!EndsWith(reg.county, "市")) out->append(PrefectureName(reg));
  out->append(reg.county);
}

void AppendSubjectName(Rng& r, const Context& ctx, const SubjectCore& s, const Industry& ind, std::string* out) {
  const Region& reg = *s.region;
  std::string_view pref = PrefectureName(reg);
  std::string_view city = pref.empty() ? ShortCounty(reg.county) : ShortPlace(pref);
  switch (s.type) {
    case Type::kEnterprise:
    case Type::kIntermediary: {
      std::uint32_t form = r.Below(100);
      std::uint32_t style = r.Below(100);
      if (ind.word == "会计师事务所") {  // 宁波恒达会计师事务所有限公司
        out->append(city);
        AppendTradeName(r, out);
        out->append(ind.word);
        out->append(form < 70 ? "有限公司" : "（普通合伙）");
        return;
      }
      if (style < 40) {
        AppendFullPlace(reg, out);
        AppendTradeName(r, out);
        out->append(ind.word);
      } else if (style < 80) {
        out->append(city);
        AppendTradeName(r, out);
        out->append(ind.word);
      } else if (style < 92) {
        AppendTradeName(r, out);
        out->append(ind.word);
        out->append("（");
        out->append(city);
        out->append("）");
      } else {
        out->append(reg.code.compare(0, 2, ctx.province) == 0 && ctx.info ? ctx.info->short_name : city);
        AppendTradeName(r, out);
        out->append(ind.word);
        out->append(r.Below(2) ? "集团" : "股份");
      }
      out->append(form < 78 ? "有限公司" : form < 93 ? "有限责任公司" : "股份有限公司");
      if (EndsWith(*out, "股份股份有限公司")) out->erase(out->size() - 18, 6);  // 股份股份 -> 股份
      return;
    }
    case Type::kIndividual: {
      std::uint32_t style = r.Below(100);
      if (pref.empty() || style < 60) {
        out->append(reg.county);
      } else {
        out->append(pref);
        out->append(reg.county);
      }
      if (style % 3 == 0) {  // 张记小吃店
        out->append(kSurnames[r.Skewed(static_cast<std::uint32_t>(std::size(kSurnames)))]);
        out->append("记");
      } else if (style % 3 == 1) {  // 老王水果店
        out->append("老");
        out->append(kSurnames[r.Skewed(static_cast<std::uint32_t>(std::size(kSurnames)))]);
      } else {  // 恒达五金店
        AppendTradeName(r, out);
      }
      out->append(ind.word);
      return;
    }
    case Type::kSocialOrg: {
      AppendFullPlace(reg, out);
      if (ind.word == "行业协会") {
        static constexpr std::string_view kTrades[] = {"餐饮",     "个体劳动者", "物流",    "建筑业",
                                                       "电子商务", "食品",       "汽车维修"};
        out->append(r.Pick(kTrades));
      } else if (ind.word == "学会") {
        static constexpr std::string_view kFields[] = {"计量测试", "质量管理", "食品科学",
                                                       "标准化",   "会计",     "土木建筑"};
        out->append(r.Pick(kFields));
      } else {
        AppendTradeName(r, out);
      }
      out->append(ind.word);
      return;
    }
    case Type::kPublicInstitution: {
      AppendFullPlace(reg, out);
      if (ind.word == "人民医院" || ind.word == "图书馆") {
        if (r.Below(2)) out->append(r.Pick(kPlaceWords));
      } else {
        out->append(r.Pick(kPlaceWords));
      }
      out->append(ind.word);
      return;
    }
  }
}

void AppendAddress(Rng& r, const Region& reg, std::string* out) {
  if (reg.province != PrefectureName(reg)) out->append(reg.province);
  out->append(PrefectureName(reg));  // addresses name the prefecture even for 县级市
  out->append(reg.county);
  out->append(r.Pick(kPlaceWords));
  out->append(r.Below(3) ? "街道" : "镇");
  out->append(r.Pick(kPlaceWords));
  out->append(r.Pick(kRoadSuffix));
  AppendUint(out, 1 + r.Below(999));
  out->append("号");
  if (r.Below(100) < 30) {
    AppendUint(out, 1 + r.Below(30));
    out->append("幢");
    AppendUint(out, (1 + r.Below(18)) * 100 + 1 + r.Below(8));
    out->append("室");
  }
}

void WriteSubject(const Context& ctx, std::uint64_t index, std::string* out, bool with_risk_class) {
  SubjectCore s = MakeCore(ctx, index);
  Rng r(ctx.seed, kSubjectDetail, index);
  const Industry& ind = PickIndustry(r, s.type);
  out->append(s.uscc, 18);
  out->push_back(',');
  std::string name;
  name.reserve(64);
  AppendSubjectName(r, ctx, s, ind, &name);
  Field(out, name);
  out->push_back(',');
  out->append(kTypeNames[static_cast<int>(s.type)]);
  out->push_back(',');
  out->append(s.region->code);
  out->push_back(',');
  out->append(ind.code);
  out->push_back(',');
  static const std::int64_t kFrom = DaysFromCivil(1995, 1, 1), kRecent = DaysFromCivil(2012, 1, 1),
                            kTo = DaysFromCivil(2025, 12, 31);
  AppendDate(out, RandomDay(r, r.Below(2) ? kFrom : kRecent, kTo), true);
  out->push_back(',');
  std::uint32_t st = r.Below(1000);
  out->append(st < 920 ? "active" : st < 940 ? "suspended" : st < 970 ? "revoked" : "deregistered");
  out->push_back(',');
  // The class is drawn either way, so that the other columns are the same with or without it.
  std::uint32_t rc = r.Below(1000);
  if (rc >= 20) {
    std::uint32_t k = r.Below(100);
    if (with_risk_class) out->push_back(k < 50 ? 'A' : k < 80 ? 'B' : k < 95 ? 'C' : 'D');
  }
  if (with_risk_class) out->push_back(',');
  // Labels: the industry's special library most of the time, sometimes one more.
  std::string_view labels[2];
  int n = 0;
  if (!ind.label.empty() && r.Below(100) < 85) labels[n++] = ind.label;
  if ((s.type == Type::kEnterprise || s.type == Type::kIndividual) && r.Below(100) < 6) {
    std::string_view extra = r.Pick(kLabels);
    if (n == 0 || labels[0] != extra) labels[n++] = extra;
  }
  for (int i = 0; i < n; ++i) {
    if (i) out->push_back(';');
    out->append(labels[i]);
  }
  out->push_back(',');
  std::string addr;
  addr.reserve(96);
  AppendAddress(r, *s.region, &addr);
  Field(out, addr);
  out->push_back('\n');
}

// ---- inspectors -------------------------------------------------------------------------
// Department of inspector/item number `index`: round robin over departments + 1 slots,
// department 0 owning two of them (the market regulator has the most officers and items).
std::uint32_t DeptOf(std::uint64_t index, std::uint32_t departments) {
  if (departments <= 1) return 0;
  std::uint64_t slot = index % (departments + 1ULL);
  return slot == departments ? 0 : static_cast<std::uint32_t>(slot);
}
// 0-based sequence number of `index` within its department.
std::uint64_t SeqInDept(std::uint64_t index, std::uint32_t departments) {
  if (departments <= 1) return index;
  std::uint64_t cycle = index / (departments + 1ULL), slot = index % (departments + 1ULL);
  if (slot == 0) return 2 * cycle;
  if (slot == departments) return 2 * cycle + 1;
  return cycle;
}

void AppendUnit(Rng& r, std::uint32_t dept, const Region& reg, std::string* out) {
  std::string_view pref = PrefectureName(reg);
  bool city_level = !pref.empty() && r.Below(100) < 10;
  if (dept >= 5) {
    out->append(city_level ? pref : reg.county);
    out->append(DepartmentName(dept));
    return;
  }
  if (city_level) {  // 宁波市市场监督管理局
    out->append(pref);
    out->append(kDeptNames[dept]);
    return;
  }
  if ((dept == 0 || dept == 4) && !pref.empty()) {  // 宁波市市场监督管理局象山分局
    out->append(pref);
    out->append(kDeptNames[dept]);
    out->append(ShortCounty(reg.county));
    out->append("分局");
    return;
  }
  out->append(reg.county);  // 象山县卫生健康局
  out->append(kDeptCountyNames[dept]);
}

void AppendResidentId(Rng& r, const Region& reg, std::string* out) {
  static const std::int64_t kFrom = DaysFromCivil(1965, 1, 1), kTo = DaysFromCivil(2000, 12, 31);
  char id[19];
  std::memcpy(id, reg.code.data(), 6);
  std::string date;
  AppendDate(&date, RandomDay(r, kFrom, kTo), false);
  std::memcpy(id + 6, date.data(), 8);
  std::uint32_t seq = r.Below(1000);
  id[14] = static_cast<char>('0' + seq / 100);
  id[15] = static_cast<char>('0' + seq / 10 % 10);
  id[16] = static_cast<char>('0' + seq % 10);
  id[17] = ids::ResidentIdCheckChar(std::string_view(id, 17));
  out->append(id, 18);
}

void WriteInspector(const Context& ctx, const Options& o, std::uint64_t index, std::string* out) {
  Rng r(ctx.seed, kInspector, index);
  std::uint32_t dept = DeptOf(index, o.departments);
  out->append(InspectorId(o.seed, o.departments, index));
  out->push_back(',');
  std::string name;
  AppendPersonName(r, &name);
  Field(out, name);
  out->push_back(',');
  out->append(DepartmentCode(dept));
  out->push_back(',');
  const Region& office = *ctx.PickHome(r);
  std::string unit;
  AppendUnit(r, dept, office, &unit);
  Field(out, unit);
  out->push_back(',');
  out->append(office.code);
  out->push_back(',');
  // Certificate: 浙 + prefecture code + 5 digits, unique for up to 100000 officers.
  out->append(ctx.info->abbr);
  out->append(office.code, 0, 4);
  out->append("00");
  AppendUint(out, (index * 7919 + ctx.seed % 100000) % 100000, 5);
  out->push_back(',');
  static const std::int64_t kFutureFrom = DaysFromCivil(2027, 1, 1), kFutureTo = DaysFromCivil(2031, 12, 31),
                            kPastFrom = DaysFromCivil(2023, 1, 1), kPastTo = DaysFromCivil(2025, 12, 31);
  if (r.Below(1000) < 30)
    AppendDate(out, RandomDay(r, kPastFrom, kPastTo), true);
  else
    AppendDate(out, RandomDay(r, kFutureFrom, kFutureTo), true);
  out->push_back(',');
  const auto& quals = Qualifications(dept);
  std::uint32_t nq = 1 + r.Below(std::min<std::uint32_t>(3, static_cast<std::uint32_t>(quals.size())));
  std::uint32_t first = r.Below(static_cast<std::uint32_t>(quals.size()));
  for (std::uint32_t i = 0; i < nq; ++i) {  // consecutive entries (mod size): distinct
    if (i) out->push_back(';');
    out->append(quals[(first + i) % quals.size()]);
  }
  out->push_back(',');
  out->push_back(r.Below(100) < 5 ? '1' : '0');
  out->push_back(',');
  out->append(r.Below(100) < 97 ? "active" : "inactive");
  out->push_back(',');
  const Region& home = r.Below(100) < 70 ? office : *ctx.PickHome(r);
  AppendResidentId(r, home, out);
  out->push_back('\n');
}

// ---- items ------------------------------------------------------------------------------
struct ItemTemplate {
  std::string_view name, legal_basis, target_types, target_label, qualification;
  int min_floor;  // a legal minimum ratio in percent, or 0
};

const std::vector<ItemTemplate>& ItemTemplates(std::uint32_t dept) {
  static const std::vector<ItemTemplate> kLists[] = {
      {{"企业公示信息的检查", "《企业信息公示暂行条例》第十四条", "enterprise", "", "", 3},
       {"食品经营者经营活动的检查", "《中华人民共和国食品安全法》第一百一十条", "enterprise;individual", "食品经营",
        "食品安全", 0},
       {"特种设备使用单位的检查", "《中华人民共和国特种设备安全法》第五十七条", "enterprise;public_institution",
        "特种设备", "特种设备", 0},
       {"特种设备生产单位的检查", "《中华人民共和国特种设备安全法》第五十七条", "enterprise", "特种设备", "特种设备",
        0},
       {"广告发布行为的检查", "《中华人民共和国广告法》第四十九条", "enterprise;individual", "广告", "广告监管", 0},
       {"个体工商户年度报告信息的检查", "《个体工商户年度报告暂行办法》第十三条", "individual", "", "", 0},
       {"直销企业及直销员的检查", "《直销管理条例》第三十五条", "enterprise", "直销", "", 0},
       {"网络交易经营者的检查", "《网络交易监督管理办法》第三十五条", "enterprise;individual", "网络交易", "", 0},
       {"计量器具使用的检查", "《中华人民共和国计量法》第十八条", "enterprise;individual", "", "计量", 0},
       {"产品质量的监督抽查", "《中华人民共和国产品质量法》第十五条", "enterprise", "", "产品质量", 0},
       {"价格行为的检查", "《中华人民共和国价格法》第三十四条", "enterprise;individual", "", "价格监管", 0},
       {"药品零售企业的检查", "《中华人民共和国药品管理法》第九十九条", "enterprise;individual", "药品零售", "药品", 0},
       {"医疗器械经营企业的检查", "《医疗器械监督管理条例》第七十条", "enterprise", "医疗器械", "医疗器械", 0},
       {"二手车交易市场经营者的检查", "《二手车流通管理办法》第二十九条", "enterprise;individual", "二手车", "", 0},
       {"出版物经营单位的检查", "《出版管理条例》第四十九条", "enterprise;individual", "出版物", "", 0}},
      {{"公共场所卫生的检查", "《公共场所卫生管理条例》第十一条", "enterprise;individual", "", "卫生监督", 0},
       {"医疗机构依法执业的检查", "《医疗机构管理条例》第四十条", "public_institution;enterprise", "", "医疗监管", 0},
       {"用人单位职业病防治的检查", "《中华人民共和国职业病防治法》第六十二条", "enterprise", "", "职业卫生", 0},
       {"生活饮用水卫生的检查", "《生活饮用水卫生监督管理办法》第十六条", "enterprise;public_institution", "",
        "卫生监督", 0}},
      {{"危险化学品经营单位的检查", "《危险化学品安全管理条例》第七条", "enterprise", "危险化学品", "危险化学品", 0},
       {"工贸企业安全生产的检查", "《中华人民共和国安全生产法》第六十五条", "enterprise", "", "安全生产", 0},
       {"烟花爆竹经营单位的检查", "《烟花爆竹安全管理条例》第三十一条", "enterprise;individual", "", "烟花爆竹", 0}},
      {{"建筑施工企业安全生产条件的检查", "《建筑施工企业安全生产许可证管理规定》第十九条", "enterprise", "",
        "建筑施工", 0},
       {"房地产开发企业经营行为的检查", "《城市房地产开发经营管理条例》第三十三条", "enterprise", "", "房地产", 0},
       {"物业服务企业的检查", "《物业管理条例》第五条", "enterprise", "", "物业管理", 0}},
      {{"排污单位的检查", "《排污许可管理条例》第二十八条", "enterprise;public_institution", "", "排污许可", 0},
       {"环境影响评价技术服务机构的检查", "《中华人民共和国环境影响评价法》第二十条", "intermediary", "", "环评监管",
        0},
       {"建设项目环境保护设施的检查", "《建设项目环境保护管理条例》第十九条", "enterprise", "", "环境监测", 0}},
      {{"行政许可事项事中事后的检查", "《中华人民共和国行政许可法》第六十一条", "enterprise;individual", "", "行政许可",
        0},
       {"综合行政执法事项的检查", "《中华人民共和国行政处罚法》第五十四条", "enterprise;individual;social_org", "",
        "综合执法", 0}}};
  return kLists[std::min<std::uint32_t>(dept, 5)];
}

void WriteItem(const Options& o, std::uint64_t index, std::string* out) {
  Rng r(o.seed, kItem, index);
  std::uint32_t dept = DeptOf(index, o.departments);
  std::uint64_t seq = SeqInDept(index, o.departments);
  const auto& templates = ItemTemplates(dept);
  const ItemTemplate& t = templates[seq % templates.size()];
  std::uint64_t round = seq / templates.size();
  out->append(DepartmentCode(dept));
  out->append("-2026-");
  AppendUint(out, seq + 1, 3);
  out->push_back(',');
  std::string name(t.name);
  if (round > 0) {
    name += "（专项";
    AppendUint(&name, round);
    name += "）";
  }
  Field(out, name);
  out->push_back(',');
  out->append(DepartmentCode(dept));
  out->push_back(',');
  Field(out, t.legal_basis);
  out->push_back(',');
  bool key = r.Below(100) < 30;
  out->append(key ? "key" : "general");
  out->push_back(',');
  // Ratios in percent (up to 4 decimals); general items always have a maximum.
  static constexpr std::string_view kKeyMin[] = {"5", "10", "10", "20", "15.5"};
  static constexpr std::string_view kKeyMax[] = {"30", "50", "100"};
  static constexpr std::string_view kGeneralMin[] = {"1", "2", "3", "3", "3", "5", "2.5", "3.3333"};
  static constexpr std::string_view kGeneralMax[] = {"10", "15", "20", "20", "30"};
  std::string_view mn = key ? r.Pick(kKeyMin) : r.Pick(kGeneralMin);
  if (t.min_floor > 0 && !key) mn = "3";
  out->append(mn);
  out->push_back(',');
  if (!key)
    out->append(r.Pick(kGeneralMax));
  else if (r.Below(2))
    out->append(r.Pick(kKeyMax));
  out->push_back(',');
  out->push_back(key && r.Below(100) < 60 ? '2' : '1');
  out->push_back(',');
  out->append(t.target_types);
  out->push_back(',');
  out->append(t.target_label);
  out->push_back(',');
  out->append(t.qualification);
  out->push_back('\n');
}

// ---- relations ----------------------------------------------------------------------------
std::uint64_t Gcd(std::uint64_t a, std::uint64_t b) { return std::gcd(a, b); }

void WriteRelation(const Context& ctx, const Options& o, std::uint64_t a, std::uint64_t b, std::uint64_t index,
                   std::string* out) {
  // Subject: a permutation of [0, subjects); inspector: shifted by the round, so that
  // (inspector, subject) pairs never repeat while count <= subjects * inspectors.
  std::uint64_t n = o.subjects;
  std::uint64_t subject = static_cast<std::uint64_t>((static_cast<unsigned __int128>(a) * (index % n) + b) % n);
  std::uint64_t inspector = (Mix(o.seed ^ subject) + index / n) % o.inspectors;
  Rng r(o.seed, kRelation, index);
  out->append(InspectorId(o.seed, o.departments, inspector));
  out->push_back(',');
  SubjectCore s = MakeCore(ctx, subject);
  out->append(s.uscc, 18);
  out->push_back(',');
  struct Kind {
    std::string_view relation;
    std::string_view notes[3];
    std::uint32_t weight;
  };
  static constexpr Kind kKinds[] = {
      {"spouse", {"配偶在该单位任职", "配偶为该单位法定代表人", ""}, 10},
      {"relative", {"近亲属为该单位法定代表人", "兄弟姐妹在该单位担任高级管理人员", "子女在该单位任职"}, 35},
      {"former_employer", {"曾在该单位任职", "入职前曾在该单位工作三年", ""}, 30},
      {"shareholding", {"持有该单位股份", "近亲属持有该单位股份", ""}, 15},
      {"other", {"其他可能影响公正执法的利害关系", "", ""}, 10}};
  std::uint32_t x = r.Below(100);
  const Kind* k = &kKinds[0];
  for (const Kind& kind : kKinds) {
    k = &kind;
    if (x < kind.weight) break;
    x -= kind.weight;
  }
  out->append(k->relation);
  out->push_back(',');
  Field(out, k->notes[r.Below(3)]);
  out->push_back('\n');
}

Status Invalid(const std::string& zh, const std::string& en) {
  return Status::Error(StatusCode::kInvalidArgument, zh, en);
}

}  // namespace

std::string DepartmentCode(std::uint32_t index) {
  if (index < std::size(kDeptCodes)) return std::string(kDeptCodes[index]);
  std::string s = "D";
  AppendUint(&s, index + 1ULL, 2);
  return s;
}

std::string DepartmentName(std::uint32_t index) {
  if (index < std::size(kDeptNames)) return std::string(kDeptNames[index]);
  std::string s = "部门";
  AppendUint(&s, index + 1ULL, 2);
  return s;
}

std::string InspectorId(std::uint64_t seed, std::uint32_t departments, std::uint64_t index) {
  (void)seed;  // ids are sequential per department, the same for every seed
  std::string id = DepartmentCode(DeptOf(index, departments));
  AppendUint(&id, SeqInDept(index, departments) + 1, 6);
  return id;
}

std::string SubjectUscc(std::uint64_t seed, const std::string& province, std::uint64_t index) {
  Result<const Context*> ctx = CachedContext(province, seed);
  if (!ctx.ok()) return std::string();
  SubjectCore s = MakeCore(*ctx.value(), index);
  return std::string(s.uscc, 18);
}

Status WriteCsv(const std::string& kind, const Options& options, std::ostream& out) {
  static constexpr std::string_view kKinds[] = {"subjects", "inspectors", "items", "relations", "departments"};
  if (std::find(std::begin(kKinds), std::end(kKinds), kind) == std::end(kKinds)) {
    return Invalid("未知的数据种类 '" + kind + "'（可用 subjects、inspectors、items、relations、departments）",
                   "unknown kind '" + kind + "' (use subjects, inspectors, items, relations or departments)");
  }
  if (options.departments == 0) return Invalid("部门数必须至少为 1", "departments must be at least 1");
  if (kind == "subjects" && options.count > kOrgSpace) {
    return Invalid("主体数量过大（最多 " + std::to_string(kOrgSpace) + "）",
                   "too many subjects (at most " + std::to_string(kOrgSpace) + ")");
  }
  Result<const Context*> cr = CachedContext(options.province, options.seed);
  if (!cr.ok()) return cr.status();
  // A private copy: the thread-local cache may be replaced by a nested call.
  const Context ctx = *cr.value();
  Sink sink(out);
  std::string* buf = sink.buf();
  if (kind == "subjects") {
    buf->append(options.risk_class ? "uscc,name,type,region,industry,registered_on,status,risk_class,labels,address\n"
                                   : "uscc,name,type,region,industry,registered_on,status,labels,address\n");
    for (std::uint64_t i = 0; i < options.count; ++i) {
      WriteSubject(ctx, i, buf, options.risk_class);
      sink.MaybeFlush();
    }
  } else if (kind == "inspectors") {
    buf->append(
        "id,name,department,unit,office_region,certificate_no,certificate_expires,qualifications,expert,status,"
        "id_number\n");
    for (std::uint64_t i = 0; i < options.count; ++i) {
      WriteInspector(ctx, options, i, buf);
      sink.MaybeFlush();
    }
  } else if (kind == "items") {
    buf->append(
        "code,name,department,legal_basis,class,ratio_min,ratio_max,frequency_per_year,target_types,"
        "target_labels,qualification\n");
    for (std::uint64_t i = 0; i < options.count; ++i) {
      WriteItem(options, i, buf);
      sink.MaybeFlush();
    }
  } else if (kind == "relations") {
    if (options.subjects == 0 || options.inspectors == 0) {
      return Invalid("生成回避关系需要主体数和检查人员数均大于 0", "relations need subjects > 0 and inspectors > 0");
    }
    if (options.subjects > kOrgSpace) {
      return Invalid("主体数量过大", "too many subjects");
    }
    if (static_cast<unsigned __int128>(options.count) >
        static_cast<unsigned __int128>(options.subjects) * options.inspectors) {
      return Invalid("关系数量超过主体数与检查人员数之积", "more relations than subjects times inspectors");
    }
    std::uint64_t n = options.subjects;
    std::uint64_t a = n <= 1 ? 1 : (Mix(options.seed ^ Mix(kRelationPerm)) % n) | 1;
    while (n > 1 && Gcd(a, n) != 1) a = (a + 2) % n == 0 ? 1 : (a + 2) % n;
    std::uint64_t b = n <= 1 ? 0 : Mix(options.seed + kRelationPerm) % n;
    buf->append("inspector_id,uscc,relation,note\n");
    for (std::uint64_t i = 0; i < options.count; ++i) {
      WriteRelation(ctx, options, a, b, i, buf);
      sink.MaybeFlush();
    }
  } else {  // departments: the set inspectors and items refer to (count is not used)
    buf->append("code,name,level,jurisdiction\n");
    for (std::uint32_t i = 0; i < options.departments; ++i) {
      buf->append(DepartmentCode(i));
      buf->push_back(',');
      Field(buf, DepartmentName(i));
      buf->push_back(',');
      if (i < std::size(kDeptCodes)) {
        buf->append("province,");
        buf->append(ctx.province);
      } else {  // further departments are city-level, each over one prefecture
        buf->append("city,");
        buf->append(ctx.prefectures[(i - std::size(kDeptCodes)) % ctx.prefectures.size()]);
      }
      buf->push_back('\n');
    }
  }
  sink.Flush();
  if (!out) return Status::Error(StatusCode::kUnavailable, "写入输出失败", "writing the output failed");
  return Status::Ok();
}

}  // namespace xj::gen
