#pragma once
// What the domain persists, behind one small interface. Two implementations: MemoryStore
// (nothing on disk; the broker's in-memory index is the state) and, from the storage
// issue on, a RocksDB store with one WriteBatch per request.
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/errors.hpp"

namespace eb::storage {

struct Ok {};
using Status = Result<Ok>;

struct QueueRecord {
  std::string name;
  std::map<std::string, std::string> attributes;  // settable attributes as strings
  std::map<std::string, std::string> tags;
  Millis created = 0;
  Millis modified = 0;
};

// A message as the store sees it: views into the broker's data, valid during the call.
struct MessageRecordView {
  std::uint64_t seq = 0;
  std::string_view message_id;
  std::string_view body;
  std::string_view encoded_attributes;
  Millis sent = 0;
  Millis visible_at = 0;
  std::uint32_t receive_count = 0;
  Millis first_receive = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // False for stores that keep nothing: the broker then skips building message records.
  virtual bool persists_messages() const = 0;

  virtual Status put_queue(const QueueRecord& record) = 0;
  virtual Status delete_queue(std::string_view name) = 0;
  virtual std::vector<QueueRecord> load_queues() const = 0;

  virtual Status put_message(std::string_view queue, const MessageRecordView& record) = 0;
  virtual Status delete_message(std::string_view queue, std::uint64_t seq) = 0;
};

// Keeps queue records in a map (so a restart inside one process, as tests do, can reload
// them) and nothing about messages. Thread-safe.
class MemoryStore final : public Store {
 public:
  bool persists_messages() const override { return false; }
  Status put_queue(const QueueRecord& record) override;
  Status delete_queue(std::string_view name) override;
  std::vector<QueueRecord> load_queues() const override;
  Status put_message(std::string_view, const MessageRecordView&) override { return Ok{}; }
  Status delete_message(std::string_view, std::uint64_t) override { return Ok{}; }

 private:
  mutable std::mutex mu_;
  std::map<std::string, QueueRecord, std::less<>> queues_;
};

}  // namespace eb::storage
