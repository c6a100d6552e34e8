#pragma once
// One account's view of the daemon's single Engine: the domain services of an account (queues,
// topics, buses...) persist through it as if they had the engine to themselves. The default
// account (empty id) keeps its keys as they are, below kAccountSpace; every other account's
// keys live under kAccountSpace + id + '/', which the view adds on the way in and strips on the
// way out, so accounts never see, scan or erase each other's records. The event log's families
// (kEvents, kIndexes) are daemon-wide and pass through untouched for every account, so a domain
// batch that stages event-log records stays one atomic write.
#include <string>
#include <string_view>
#include <utility>

#include "storage/engine.hpp"

namespace eb::storage {

// Keys at or above this, in an account-scoped family, belong to non-default accounts. No
// default-account key starts with it: keys are ASCII text or start with a queue uid, which is
// never all ones (sqs/queues.cpp).
inline constexpr std::string_view kAccountSpace = "\xff\xff\xff\xff\xff\xff\xff\xff";

// True for the families every account shares (the event log's) rather than owns a part of.
constexpr bool is_daemon_wide(Family family) {
  return family == Family::kEvents || family == Family::kIndexes;
}

// Holds a reference to `base`, which must outlive it, and nothing mutable: thread-safe as the
// base is (any thread, concurrently). One per account, for the daemon's lifetime.
class AccountEngine final : public Engine {
 public:
  // `account_id` empty: the default account. Others must not contain '/' (it ends the prefix,
  // so one id's range could hold another's): std::invalid_argument, a bug in the caller.
  AccountEngine(Engine& base, std::string account_id);

  const std::string& account_id() const { return account_id_; }

  bool durable() const override { return base_.durable(); }
  Result<void> write(const Batch& batch) override;
  Result<std::optional<std::string>> get(Family family, std::string_view key) const override;
  Result<std::vector<std::optional<std::string>>> multi_get(
      Family family, const std::vector<std::string>& keys) const override;
  Result<void> scan(Family family, std::string_view from, std::string_view to, const Visit& visit,
                    bool reverse = false) const override;
  void when_durable(std::function<void()> done) override { base_.when_durable(std::move(done)); }
  EngineStats stats() const override { return base_.stats(); }

 private:
  // Whether `family`'s keys go to the base as given (default account, or a daemon-wide family).
  bool unchanged(Family family) const { return prefix_.empty() || is_daemon_wide(family); }
  std::string scoped(std::string_view key) const;
  // The base range of the account's [begin, end); an empty `end` is the account's end.
  std::pair<std::string, std::string> scoped_range(std::string_view begin,
                                                   std::string_view end) const;
  // Whether `batch` must be rewritten before it reaches the base.
  bool rewrites(const Batch& batch) const;
  Batch scoped_batch(const Batch& batch) const;  // a copy of `batch` as the base must see it

  Engine& base_;
  const std::string account_id_;
  const std::string prefix_;  // empty for the default account
  const std::string end_;     // the first key past the account's: kAccountSpace for the default
};

}  // namespace eb::storage
