#include "support/world.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/ip/tcp.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

#include "api/admin/admin_api.hpp"
#include "api/admin/buses_api.hpp"
#include "api/admin/queues_api.hpp"
#include "api/admin/topics_api.hpp"
#include "api/aws/dispatcher.hpp"
#include "api/sts/identity.hpp"
#include "api/sts/sts_service.hpp"
#include "app/account.hpp"
#include "app/replay_targets.hpp"
#include "config/settings.hpp"
#include "core/manual_clock.hpp"
#include "core/signing.hpp"
#include "eventlog/event_log.hpp"
#include "eventlog/replay.hpp"
#include "sns/endpoint_delivery.hpp"
#include "storage/memory_engine.hpp"

namespace eb::fuzz {
namespace {

// Outbound HTTP fails at once, as a request that could not be started does: the targets stay on
// one thread and never touch the network.
class NoPoster final : public sns::HttpPoster {
 public:
  void post(const std::string& /*url*/, Headers /*headers*/, std::string /*body*/,
            Done done) override {
    done(0, "fuzzing: no outbound HTTP");
  }
};

class NoSender final : public eb::events::HttpSender {
 public:
  void send(eb::events::HttpRequestSpec /*request*/, Done done) override {
    done(eb::events::HttpResponse{.status = 0, .error = "fuzzing: no outbound HTTP"});
  }
};

// An RSA key takes 50-300 ms: made once for the process. A signer is immutable once made, so
// sharing it leaks nothing from one input to the next.
std::shared_ptr<const MessageSigner> shared_signer() {
  static const std::shared_ptr<const MessageSigner> signer = [] {
    auto made = MessageSigner::generate("sns.fuzz.local");
    if (!made) {
      std::fprintf(stderr, "fuzz: no signing key: %s\n", made.error().message.c_str());
      std::abort();
    }
    return std::make_shared<const MessageSigner>(std::move(*made));
  }();
  return signer;
}

config::Settings in_memory_settings() {
  config::Settings settings;
  settings.in_memory = true;
  return settings;
}

}  // namespace

struct World::Parts {
  config::Settings settings = in_memory_settings();
  ManualClock clock;
  storage::MemoryEngine engine;
  eventlog::EventLog events{engine, clock, clock};
  NoPoster poster;
  NoSender sender;
  sns::EndpointDeliveries deliveries{clock, clock, poster};
  app::Accounts accounts{app::AccountShared{.settings = settings,
                                            .clock = clock,
                                            .timers = clock,
                                            .engine = engine,
                                            .events = events,
                                            .signer = shared_signer(),
                                            .deliveries = deliveries,
                                            .http_sender = sender}};
  app::Account& home = accounts.default_account();
  eventlog::Replays replays{events, engine, clock, clock,
                            app::replay_target(home.queues, &home.topics)};
  api::admin::QueuesApi queues_api{home.queues};
  api::admin::TopicsApi topics_api{home.topics};
  api::admin::BusesApi buses_api{home.buses};
  api::admin::AdminApi admin{"fuzz", &events, &replays, &deliveries};
  api::sts::Identity identity{clock, settings.account_id};
  api::sts::StsService sts{identity};
  api::aws::Dispatcher dispatcher{admin};

  Parts() {
    // Warnings about failed deliveries would be most of a run's time and output.
    static const bool quiet = [] {
      if (std::getenv("EB_FUZZ_TRACE") == nullptr) spdlog::set_level(spdlog::level::off);
      return true;
    }();
    (void)quiet;
    check(events.recover());
    check(accounts.recover());
    accounts.set_base_url("http://localhost:4566");
    admin.set_serving(true);
    dispatcher.add_service(home.sqs);
    dispatcher.add_service(home.sns);
    dispatcher.add_service(home.events_api);
    dispatcher.add_service(home.scheduler_api);
    dispatcher.add_service(sts);
    admin.add_routes(queues_api, {api::admin::QueuesApi::kPrefix});
    admin.add_routes(
        topics_api, {api::admin::TopicsApi::kPrefix, api::admin::TopicsApi::kFilterPoliciesPrefix});
    admin.add_routes(buses_api,
                     {api::admin::BusesApi::kPrefix, api::admin::BusesApi::kPatternsPrefix});
  }

  static void check(const Result<void>& done) {
    if (done) return;
    std::fprintf(stderr, "fuzz: the world did not start: %s\n", done.error().message.c_str());
    std::abort();
  }
};

World::World() : parts_(std::make_unique<Parts>()) {}
World::~World() = default;

app::Account& World::home() { return parts_->home; }

net::Respond World::collect() {
  ++requests_;
  return [this](net::HttpResponse&& response) { responses_.push_back(std::move(response)); };
}

void World::handle(net::HttpRequest&& request) {
  static const boost::asio::ip::tcp::endpoint peer(boost::asio::ip::address_v4::loopback(), 40000);
  parts_->dispatcher.handle(std::move(request), peer, collect());
}

void World::handle(std::string_view signing_name, api::aws::AwsRequest&& request) {
  api::aws::Service* service = parts_->home.service(signing_name);
  if (service == nullptr) return;
  service->handle(std::move(request), collect());
}

api::aws::AwsRequest World::aws_request(api::aws::Protocol protocol, boost::beast::http::verb verb,
                                        std::string_view target, std::string_view body) {
  api::aws::AwsRequest request;
  request.protocol = protocol;
  request.request_id = "fuzz";
  request.host = "localhost:4566";
  request.region = "us-east-1";
  request.account_id = config::Settings{}.account_id;
  request.http.method(verb);
  request.http.target(target);
  request.http.body() = std::string(body);
  if (verb == boost::beast::http::verb::trace) {
    // Beast refuses to frame a TRACE with a body (an exception); its parser, which is what
    // the server has, reads one as any other request.
    request.http.content_length(body.size());
  } else {
    request.http.prepare_payload();
  }
  return request;
}

void World::finish() {
  parts_->home.shutdown();
  // EB_FUZZ_TRACE=1: every answer on stderr, to see how far a seed gets.
  static const bool trace = std::getenv("EB_FUZZ_TRACE") != nullptr;
  for (const net::HttpResponse& response : responses_) {
    if (trace) {
      std::fprintf(stderr, "%d %.300s\n", response.result_int(), response.body().c_str());
    }
    if (response.result_int() == 500) {
      std::fprintf(stderr, "fuzz: a request was answered 500:\n%s\n", response.body().c_str());
      std::abort();
    }
  }
  if (responses_.size() != requests_) {
    std::fprintf(stderr, "fuzz: %zu requests got %zu answers\n", requests_, responses_.size());
    std::abort();
  }
}

}  // namespace eb::fuzz
