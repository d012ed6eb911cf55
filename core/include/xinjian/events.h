// Events of the durable outbox and the subscriber interface plugins implement.
//
// An event is written in the same database transaction as the change it describes, so it
// exists if and only if the change was committed. Subscribers receive events at least once,
// in commit order, and their position is kept in the database: a crash between a commit and
// the delivery loses nothing; it may deliver an event again, so a subscriber must be
// idempotent (the event id is unique and increasing and can serve to de-duplicate).
#pragma once

#include <cstdint>
#include <string>

#include "xinjian/platform.h"
#include "xinjian/status.h"

namespace xj {

struct Event {
  std::int64_t id = 0;          // unique, increasing in commit order
  std::string topic;            // e.g. "directory.subjects.changed"
  std::string key;              // the entity the event is about, may be empty
  std::string payload_json;     // a JSON object
  std::int64_t at_us = 0;       // commit time, UTC epoch microseconds
};

// Implemented by plugins and registered with Registrar::AddSubscriber.
// OnEvent is called from one dispatcher thread at a time for a given subscriber.
// Returning a non-OK status stops delivery to this subscriber; the same event is offered
// again on the next dispatch.
class EventSubscriber {
 public:
  virtual ~EventSubscriber() = default;
  // Topic prefix this subscriber wants ("" for all, "directory." for the directories).
  virtual std::string TopicPrefix() const = 0;
  virtual Status OnEvent(const Event& event) = 0;
};

// A subscriber that writes (Registrar::AddWritingSubscriber, host API 5): it receives each
// event inside a unit of work (platform.h) run as the system principal
// "subscriber:<name>", and the host advances its position in that same transaction. So
// its writes, audit records and events exist if and only if the event counts as delivered:
// an error (or a crash) rolls both back and the event is offered again later. Delivery is
// one event per transaction, in id order; the same event can still arrive twice only if a
// previous delivery's transaction failed, so OnEvent needs no de-duplication of its own
// writes. This is how one feature reacts to another's events ("the inspection plugin creates
// visits when draw.task.drawn arrives"). OnEvent is called from one thread at a time for a
// given subscriber; do not start another unit of work inside it.
class WritingSubscriber {
 public:
  virtual ~WritingSubscriber() = default;
  virtual std::string TopicPrefix() const = 0;
  virtual Status OnEvent(const Event& event, UnitOfWork& uow) = 0;
};

}  // namespace xj
