#pragma once
// One AWS account's resources and the API services that act on them: queues, topics, event
// buses with their archives, connections, endpoints and partner sources, and schedules. Every
// account has its own set over its own key space of the daemon's one store
// (storage::AccountEngine); the event log, the outbox, the SNS signing key, the plugins and
// STS are daemon-wide. Accounts holds them all: the default account (--account-id) from the
// start, any other from the first request signed for it (docs/architecture.md, "Accounts").
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "api/events/events_service.hpp"
#include "api/scheduler/scheduler_service.hpp"
#include "api/sns/sns_service.hpp"
#include "api/sqs/sqs_service.hpp"
#include "config/settings.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/signing.hpp"
#include "eventlog/event_log.hpp"
#include "events/api_destination_delivery.hpp"
#include "events/archives.hpp"
#include "events/connections.hpp"
#include "events/endpoints.hpp"
#include "events/event_buses.hpp"
#include "events/partner_sources.hpp"
#include "events/scheduler.hpp"
#include "sns/endpoint_delivery.hpp"
#include "sns/topics.hpp"
#include "sqs/queues.hpp"
#include "storage/account_engine.hpp"

namespace eb::app {

// What every account's services share; all of it outlives the accounts.
struct AccountShared {
  const config::Settings& settings;
  const Clock& clock;
  Timers& timers;
  storage::Engine& engine;  // the daemon's store; each account sees its own key space of it
  eventlog::EventLog& events;
  std::shared_ptr<const MessageSigner> signer;
  sns::EndpointDeliveries& deliveries;  // the outbox and HTTP(S) retries of SNS
  eb::events::HttpSender& http_sender;  // API destinations
};

class Account {
 public:
  // `is_default`: the account of --account-id, whose records keep the layout a data dir had
  // before accounts existed.
  Account(const AccountShared& shared, std::string id, bool is_default);
  Account(const Account&) = delete;
  Account& operator=(const Account&) = delete;

  const std::string& id() const { return id_; }
  // Loads what the store holds for this account; the error says which part failed.
  Result<void> recover();
  // After recover() (and the recovery of the accounts they may deliver into): resumes the
  // EventBridge deliveries a previous run left unfinished. Returns how many.
  Result<std::size_t> resume_deliveries();
  void set_base_url(const std::string& base_url);
  // This account's API service that `signing_name` names ("sqs", "sns", "events",
  // "scheduler"), or null.
  api::aws::Service* service(std::string_view signing_name);
  // Answers parked long polls; the daemon is stopping.
  void shutdown() { queues.shutdown(); }

 private:
  std::string id_;
  storage::AccountEngine engine_;

 public:
  // The domain services, in dependency order (each is built from those before it).
  sqs::Queues queues;
  // API destinations and the credentials they send; their deliveries outlive the buses.
  eb::events::Connections connections;
  eb::events::ApiDestinationDeliveries api_destinations;
  sns::Topics topics;
  eb::events::EventBuses buses;
  eb::events::Archives archives;  // reads the event log, replays through buses
  eb::events::Scheduler scheduler;
  eb::events::Endpoints endpoints;
  eb::events::PartnerSources partner_sources;
  // The API services over them.
  api::sqs::SqsService sqs;
  api::sns::SnsService sns;
  api::events::EventsService events_api;
  api::scheduler::SchedulerService scheduler_api;
};

// Every account of the daemon. Thread-safe: requests look accounts up concurrently, and the
// first request for a new account creates it.
class Accounts {
 public:
  explicit Accounts(const AccountShared& shared);
  Accounts(const Accounts&) = delete;
  Accounts& operator=(const Accounts&) = delete;

  Account& default_account() { return *default_; }
  const std::string& default_id() const { return default_->id(); }
  // The account `id` if it exists.
  Account* find(std::string_view id);
  // Whether any account besides the default exists (lock-free: on every request).
  bool has_others() const { return has_others_.load(std::memory_order_acquire); }
  // The account `id`, created (recorded in the store, recovered, its deliveries resumed) if it
  // is new. Fails only when the store refuses the record.
  Result<Account*> get_or_create(std::string_view id);
  // At start: builds every account the store lists and recovers them all, then resumes their
  // deliveries. The error names the account and the part that failed.
  Result<void> recover();
  // After listen: the base of the URLs in SNS messages and Scheduler targets, for every account
  // now and to come.
  void set_base_url(const std::string& base_url);
  // Visits every account, without holding the registry's lock.
  void for_each(const std::function<void(Account&)>& visit);

 private:
  Result<void> record(std::string_view id);
  // Gives `account` the resolvers through which its deliveries reach the other accounts.
  void connect(Account& account);
  Result<void> resume(Account& account);
  // The default account, then the others in id order (accounts are never removed, so the
  // pointers stay valid after the lock is released).
  std::vector<Account*> all() const;

  const AccountShared shared_;
  std::unique_ptr<Account> default_;
  mutable std::shared_mutex mu_;
  std::map<std::string, std::unique_ptr<Account>, std::less<>> others_;
  std::atomic<bool> has_others_{false};
  std::string base_url_;
};

}  // namespace eb::app
