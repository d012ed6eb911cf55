// event-feed: a built-in plugin that appends every core event to a file as one JSON line
//   {"id":..,"topic":"..","key":"..","at_us":..,"payload":{..}}
// (JSON Lines, UTF-8, keys in this order). Configuration: plugins.event-feed.path; when it is
// empty the subscriber accepts every event and writes nothing.
//
// Delivery is at least once, so the feed is idempotent: when it first opens the file it
// reads the id of the last complete line and from then on skips every event whose id is not
// greater than the last id written. A line cut short by a crash (no final newline) is
// removed first, then written again when the event is redelivered. Each line is written with
// one write() on an O_APPEND descriptor and made durable with fdatasync() before OnEvent
// returns OK, so an event the dispatcher counts as delivered is on disk.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>
#include <xinjian/config.h>
#include <xinjian/plugin.h>

namespace {

xj::Status IoError(const std::string& what_zh, const std::string& what_en, const std::string& path, int err) {
  return xj::Status::Error(xj::StatusCode::kUnavailable, what_zh + " " + path + "：" + std::strerror(err),
                           what_en + " " + path + ": " + std::strerror(err));
}

class EventFeed final : public xj::EventSubscriber {
 public:
  explicit EventFeed(std::string path) : path_(std::move(path)) {}
  ~EventFeed() override {
    if (fd_ >= 0) ::close(fd_);
  }
  EventFeed(const EventFeed&) = delete;
  EventFeed& operator=(const EventFeed&) = delete;

  std::string TopicPrefix() const override { return ""; }

  xj::Status OnEvent(const xj::Event& event) override {
    if (path_.empty()) return xj::Status::Ok();
    try {
      if (fd_ < 0) {
        if (auto st = Open(); !st.ok()) return st;
      }
      if (has_last_id_ && event.id <= last_id_) return xj::Status::Ok();  // a redelivery
      return Append(event);
    } catch (const std::exception& e) {  // never let an exception cross into the host
      return xj::Status::Error(xj::StatusCode::kInternal, std::string("event-feed 内部错误：") + e.what(),
                               std::string("event-feed internal error: ") + e.what());
    }
  }

 private:
  // Opens (creating) the file, drops a trailing partial line and reads the last id.
  xj::Status Open() {
    int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return IoError("无法打开事件输出文件", "cannot open the event feed file", path_, errno);
    auto fail = [&](xj::Status st) {
      ::close(fd);
      return st;
    };
    struct stat sb {};
    if (::fstat(fd, &sb) != 0) return fail(IoError("无法读取文件信息", "cannot stat", path_, errno));
    off_t size = sb.st_size;
    has_last_id_ = false;

    if (size > 0) {
      off_t last_newline = -1;
      if (auto st = FindLastNewline(fd, size, &last_newline); !st.ok()) return fail(st);
      if (last_newline != size - 1) {
        // A line without its newline is the remnant of an interrupted write: remove it.
        const off_t keep = last_newline + 1;
        if (::ftruncate(fd, keep) != 0 || ::fdatasync(fd) != 0) {
          return fail(IoError("无法截去不完整的末行", "cannot truncate the incomplete last line of", path_, errno));
        }
        size = keep;
      }
    }
    if (size > 0) {
      // The last complete line lies between the newline before it and the final newline.
      off_t prev = -1;
      if (auto st = FindLastNewline(fd, size - 1, &prev); !st.ok()) return fail(st);
      std::string line(static_cast<std::size_t>(size - 1 - (prev + 1)), '\0');
      if (!ReadAt(fd, prev + 1, &line)) return fail(IoError("无法读取", "cannot read", path_, errno));
      auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (!j.is_object() || !j.contains("id") || !j["id"].is_number_integer()) {
        return fail(xj::Status::Error(xj::StatusCode::kFailedPrecondition,
                                      "事件输出文件 " + path_ + " 的最后一行不是带整数 id 的事件 JSON，拒绝追加",
                                      "the last line of the event feed file " + path_ +
                                          " is not an event JSON object with an integer id; refusing to append"));
      }
      last_id_ = j["id"].get<std::int64_t>();
      has_last_id_ = true;
    }
    fd_ = fd;
    return xj::Status::Ok();
  }

  // Stores in *pos the offset of the last '\n' before `end` (or -1 if none).
  xj::Status FindLastNewline(int fd, off_t end, off_t* pos) {
    constexpr off_t kChunk = 64 * 1024;
    std::string buf;
    while (end > 0) {
      const off_t start = end > kChunk ? end - kChunk : 0;
      buf.assign(static_cast<std::size_t>(end - start), '\0');
      if (!ReadAt(fd, start, &buf)) return IoError("无法读取", "cannot read", path_, errno);
      const auto nl = buf.rfind('\n');
      if (nl != std::string::npos) {
        *pos = start + static_cast<off_t>(nl);
        return xj::Status::Ok();
      }
      end = start;
    }
    *pos = -1;
    return xj::Status::Ok();
  }

  static bool ReadAt(int fd, off_t offset, std::string* buf) {
    std::size_t done = 0;
    while (done < buf->size()) {
      const ssize_t n = ::pread(fd, buf->data() + done, buf->size() - done, offset + static_cast<off_t>(done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        if (n == 0) errno = EIO;
        return false;
      }
      done += static_cast<std::size_t>(n);
    }
    return true;
  }

  xj::Status Append(const xj::Event& event) {
    nlohmann::ordered_json line;
    line["id"] = event.id;
    line["topic"] = event.topic;
    line["key"] = event.key;
    line["at_us"] = event.at_us;
    auto payload = nlohmann::ordered_json::parse(event.payload_json, nullptr, /*allow_exceptions=*/false);
    if (event.payload_json.empty()) {
      line["payload"] = nlohmann::ordered_json::object();
    } else if (payload.is_discarded()) {
      line["payload"] = event.payload_json;  // not JSON: kept verbatim as a string
    } else {
      line["payload"] = std::move(payload);
    }
    const std::string text =
        line.dump(-1, ' ', /*ensure_ascii=*/false, nlohmann::ordered_json::error_handler_t::replace) + "\n";

    struct stat sb {};
    if (::fstat(fd_, &sb) != 0) return IoError("无法读取文件信息", "cannot stat", path_, errno);
    std::size_t done = 0;
    while (done < text.size()) {
      const ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        const int err = n == 0 ? EIO : errno;
        // Leave no partial line behind; the event will be offered again.
        if (::ftruncate(fd_, sb.st_size) != 0) {
          ::close(fd_);
          fd_ = -1;  // reopening repairs the file
        }
        return IoError("无法写入", "cannot write", path_, err);
      }
      done += static_cast<std::size_t>(n);
    }
    if (::fdatasync(fd_) != 0) {
      const int err = errno;
      // The line may or may not be in the file now: reopen and reread the last id next time.
      ::close(fd_);
      fd_ = -1;
      has_last_id_ = false;
      return IoError("无法落盘", "cannot sync", path_, err);
    }
    last_id_ = event.id;
    has_last_id_ = true;
    return xj::Status::Ok();
  }

  const std::string path_;
  int fd_ = -1;
  bool has_last_id_ = false;
  std::int64_t last_id_ = std::numeric_limits<std::int64_t>::min();
};

xj::Status Init(xj::Registrar& registrar) {
  // A path with a control character or longer than PATH_MAX is refused at load, naming the key.
  xj::Result<std::string> path = xj::TypedConfig(registrar).Text("path", "", 4096);
  if (!path.ok()) return path.status();
  return registrar.AddSubscriber("event-feed", std::make_unique<EventFeed>(path.value()));
}

}  // namespace

XJ_PLUGIN(Init)
