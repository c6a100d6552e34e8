#include "app/account.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <mutex>
#include <vector>

#include "app/bus_archive.hpp"
#include "app/topic_archive.hpp"
#include "events/dead_letter.hpp"

namespace eb::app {

namespace {

// Meta keys listing the accounts other than the default: "account/" + id -> "". The second
// is the first key past them.
constexpr std::string_view kAccountKeyPrefix = "account/";
constexpr std::string_view kAccountKeyEnd = "account0";

// The part of an account that failed to load, for the error's message.
Result<void> loaded(Result<void> result, std::string_view what) {
  if (!result)
    return fail(result.error().code, fmt::format("{}: {}", what, result.error().message));
  return {};
}

}  // namespace

Account::Account(const AccountShared& shared, std::string id, bool is_default)
    : id_(std::move(id)),
      engine_(shared.engine, is_default ? std::string() : id_),
      queues(shared.clock, shared.timers, engine_,
             sqs::QueuesOptions{.region = shared.settings.region, .account_id = id_},
             &shared.events),
      connections(shared.clock, engine_, {.region = shared.settings.region, .account_id = id_}),
      api_destinations(shared.clock, shared.timers, shared.http_sender, connections),
      topics(shared.clock, engine_, queues, shared.signer, shared.deliveries,
             sns::TopicsOptions{.sign_sqs_envelopes = shared.settings.sns_sign_sqs_envelopes},
             &shared.events),
      buses(shared.clock, shared.timers, engine_, queues,
            {.region = shared.settings.region, .account_id = id_}, &shared.events),
      archives(shared.clock, shared.timers, engine_, buses),
      scheduler(shared.clock, shared.timers, engine_, queues, buses,
                {.region = shared.settings.region, .account_id = id_}),
      endpoints(shared.clock, engine_, {.region = shared.settings.region, .account_id = id_}),
      partner_sources(shared.clock, engine_, {.region = shared.settings.region, .account_id = id_}),
      sqs(queues, [this](std::string& body) { topics.document_signer().complete(body); }),
      sns(topics),
      events_api(api::events::Domains{.buses = buses,
                                      .archives = archives,
                                      .endpoints = endpoints,
                                      .partner_sources = partner_sources,
                                      .connections = connections}),
      scheduler_api(scheduler) {
  buses.set_target_services(
      {.topics = &topics, .outbox = &shared.deliveries, .api_destinations = &api_destinations});
  buses.set_event_sources(&partner_sources);
  scheduler.set_target_services({.topics = &topics, .outbox = &shared.deliveries});
  api_destinations.set_dead_letter([this](const eb::events::DeadLetterEvent& letter) {
    return eb::events::send_dead_letter(queues, id_, letter);
  });
  api_destinations.set_record([&deliveries = shared.deliveries](sns::OutboxRecord record) {
    deliveries.record(std::move(record));
  });
  archives.set_reader(bus_event_reader(shared.events));
  topics.set_archive_reader(topic_archive_reader(shared.events));
}

Result<void> Account::recover() {
  // Queues first: topics, buses and schedules deliver into them; connections before the
  // deliveries that use them are resumed.
  EB_TRY(loaded(queues.recover(), "SQS queues"));
  EB_TRY(loaded(topics.recover(), "SNS topics"));
  EB_TRY(loaded(buses.recover(), "EventBridge buses"));
  EB_TRY(loaded(scheduler.recover(), "EventBridge schedules"));
  EB_TRY(loaded(archives.recover(), "EventBridge archives"));
  EB_TRY(loaded(endpoints.recover(), "EventBridge endpoints"));
  EB_TRY(loaded(partner_sources.recover(), "EventBridge partner event sources"));
  EB_TRY(loaded(connections.recover(), "EventBridge connections"));
  return {};
}

Result<std::size_t> Account::resume_deliveries() { return buses.resume_deliveries(); }

void Account::set_base_url(const std::string& base_url) {
  topics.set_base_url(base_url);
  scheduler.set_base_url(base_url);
}

api::aws::Service* Account::service(std::string_view signing_name) {
  if (signing_name == sqs.signing_name()) return &sqs;
  if (signing_name == sns.signing_name()) return &sns;
  if (signing_name == events_api.signing_name()) return &events_api;
  if (signing_name == scheduler_api.signing_name()) return &scheduler_api;
  return nullptr;
}

Accounts::Accounts(const AccountShared& shared)
    : shared_(shared),
      default_(std::make_unique<Account>(shared_, shared.settings.account_id, true)) {
  connect(*default_);
}

void Accounts::connect(Account& account) {
  account.queues.set_other_accounts([this](std::string_view id) -> sqs::Queues* {
    Account* other = find(id);
    return other != nullptr ? &other->queues : nullptr;
  });
  account.buses.set_other_accounts([this](std::string_view id) -> eb::events::EventBuses* {
    Account* other = find(id);
    return other != nullptr ? &other->buses : nullptr;
  });
}

Result<void> Accounts::resume(Account& account) {
  auto resumed = account.resume_deliveries();
  if (!resumed) {
    return fail(resumed.error().code,
                fmt::format("account {}: {}", account.id(), resumed.error().message));
  }
  if (*resumed > 0) {
    spdlog::info("account {}: resumed {} EventBridge deliveries a previous run had not finished",
                 account.id(), *resumed);
  }
  return {};
}

Account* Accounts::find(std::string_view id) {
  if (id == default_->id()) return default_.get();
  std::shared_lock lock(mu_);
  auto it = others_.find(id);
  return it == others_.end() ? nullptr : it->second.get();
}

Result<void> Accounts::record(std::string_view id) {
  storage::Batch batch;
  batch.put(storage::Family::kMeta, fmt::format("{}{}", kAccountKeyPrefix, id), std::string());
  return shared_.engine.write(batch);
}

Result<Account*> Accounts::get_or_create(std::string_view id) {
  if (Account* found = find(id)) return found;
  Account* created = nullptr;
  {
    std::unique_lock lock(mu_);
    if (auto it = others_.find(id); it != others_.end()) return it->second.get();
    EB_TRY(record(id));
    auto account = std::make_unique<Account>(shared_, std::string(id), false);
    connect(*account);
    // Its key space is empty, unless the id was once an account's whose listing was lost;
    // either way this loads what there is.
    EB_TRY(loaded(account->recover(), fmt::format("account {}", id)));
    if (!base_url_.empty()) account->set_base_url(base_url_);
    created = account.get();
    others_.emplace(std::string(id), std::move(account));
    has_others_.store(true, std::memory_order_release);
  }
  spdlog::info("account {}: created on its first request", id);
  // Outside the lock: a delivery into another account looks that account up (find()).
  EB_TRY(resume(*created));
  return created;
}

Result<void> Accounts::recover() {
  std::vector<std::string> ids;
  EB_TRY(shared_.engine.scan(storage::Family::kMeta, kAccountKeyPrefix, kAccountKeyEnd,
                             [&](std::string_view key, std::string_view) {
                               ids.emplace_back(key.substr(kAccountKeyPrefix.size()));
                               return true;
                             }));
  {
    std::unique_lock lock(mu_);
    for (const std::string& id : ids) {
      if (id == default_->id()) continue;  // the default account's records are unprefixed
      auto account = std::make_unique<Account>(shared_, id, false);
      connect(*account);
      others_.emplace(id, std::move(account));
    }
    has_others_.store(!others_.empty(), std::memory_order_release);
  }
  // Every account is loaded before any delivery resumes: they cross accounts. Outside the lock,
  // as a delivery into another account looks it up (find()).
  for (Account* account : all()) {
    EB_TRY(loaded(account->recover(), fmt::format("account {}", account->id())));
  }
  for (Account* account : all()) EB_TRY(resume(*account));
  return {};
}

void Accounts::set_base_url(const std::string& base_url) {
  {
    // An account created from now on takes it; those before are in all().
    std::unique_lock lock(mu_);
    base_url_ = base_url;
  }
  for (Account* account : all()) account->set_base_url(base_url);
}

void Accounts::for_each(const std::function<void(Account&)>& visit) {
  for (Account* account : all()) visit(*account);
}

std::vector<Account*> Accounts::all() const {
  std::vector<Account*> accounts{default_.get()};
  std::shared_lock lock(mu_);
  for (const auto& [id, account] : others_) accounts.push_back(account.get());
  return accounts;
}

}  // namespace eb::app
