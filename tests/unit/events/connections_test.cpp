#include "events/connections.hpp"

#include <gtest/gtest.h>

#include <string>

#include "core/encoding.hpp"
#include "core/manual_clock.hpp"
#include "events/http_invocation.hpp"
#include "storage/memory_engine.hpp"

namespace eb::events {
namespace {

class ConnectionsTest : public ::testing::Test {
 protected:
  ManualClock clock_{1'709'208'000'000};  // 2024-02-29T12:00:00Z
  storage::MemoryEngine store_{false};
  Connections connections_{clock_, store_};

  void SetUp() override { ASSERT_TRUE(connections_.recover()); }

  static ConnectionInput basic(std::string name, std::string user = "user",
                               std::string password = "hunter2") {
    ConnectionInput in;
    in.name = std::move(name);
    in.authorization_type = std::string(kAuthBasic);
    in.auth = ConnectionAuthInput{.basic = BasicAuthInput{std::move(user), std::move(password)}};
    return in;
  }

  static ConnectionInput api_key(std::string name) {
    ConnectionInput in;
    in.name = std::move(name);
    in.authorization_type = std::string(kAuthApiKey);
    in.auth = ConnectionAuthInput{.api_key = ApiKeyAuthInput{"x-api-key", "s3cret"}};
    return in;
  }

  Connection create(const ConnectionInput& in) {
    auto created = connections_.create_connection(in);
    EXPECT_TRUE(created) << (created ? "" : created.error().message);
    return created ? *created : Connection{};
  }

  ApiDestination destination(const std::string& name, const std::string& connection_arn,
                             std::string endpoint = "https://example.com/hook") {
    ApiDestinationInput in;
    in.name = name;
    in.connection_arn = connection_arn;
    in.invocation_endpoint = std::move(endpoint);
    in.http_method = "POST";
    auto created = connections_.create_api_destination(in);
    EXPECT_TRUE(created) << (created ? "" : created.error().message);
    return created ? *created : ApiDestination{};
  }

  template <class T>
  static std::string error_of(const Result<T>& r) {
    return r ? std::string("(no error)") : r.error().message;
  }
};

TEST_F(ConnectionsTest, ACreatedConnectionIsAuthorizedAndDescribedWithoutItsSecret) {
  auto in = basic("crm");
  in.description = "the CRM";
  in.auth->invocation_http =
      ConnectionHttpParameters{.headers = {{"x-tenant", "acme", false}, {"x-token", "t0k", true}}};
  const Connection created = create(in);
  EXPECT_TRUE(created.arn.starts_with("arn:aws:events:us-east-1:000000000000:connection/crm/"));
  EXPECT_EQ(created.arn.size(),
            std::string("arn:aws:events:us-east-1:000000000000:connection/crm/").size() + 36);
  EXPECT_EQ(created.state, "AUTHORIZED");
  EXPECT_EQ(created.created, 1'709'208'000'000);
  EXPECT_EQ(created.last_authorized, created.created);

  auto described = connections_.describe_connection("crm");
  ASSERT_TRUE(described);
  EXPECT_EQ(described->description, "the CRM");
  EXPECT_EQ(described->auth.username, "user");
  EXPECT_EQ(described->auth.password, "");
  EXPECT_EQ(described->auth.invocation_http.headers[0].value, "acme");
  EXPECT_EQ(described->auth.invocation_http.headers[1].value, "");
  EXPECT_TRUE(described->secret_arn.starts_with(
      "arn:aws:secretsmanager:us-east-1:000000000000:secret:events!connection/crm/"));
  EXPECT_TRUE(described->secret_arn.find(created.arn.substr(created.arn.rfind('/') + 1) + "-") !=
              std::string::npos);
}

TEST_F(ConnectionsTest, CreateChecksNamesTypesAndParametersWithAwsWording) {
  auto long_name = basic(std::string(65, 'a'));
  EXPECT_EQ(error_of(connections_.create_connection(long_name)),
            "1 validation error detected: Value '" + std::string(65, 'a') +
                "' at 'name' failed to satisfy constraint: Member must have length less than or "
                "equal to 64");
  EXPECT_EQ(error_of(connections_.create_connection(basic("a b"))),
            "1 validation error detected: Value 'a b' at 'name' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+");
  auto bad_type = basic("c");
  bad_type.authorization_type = "DIGEST";
  EXPECT_EQ(error_of(connections_.create_connection(bad_type)),
            "1 validation error detected: Value 'DIGEST' at 'authorizationType' failed to satisfy "
            "constraint: Member must satisfy enum value set: [BASIC, OAUTH_CLIENT_CREDENTIALS, "
            "API_KEY]");
  auto mismatched = basic("c");
  mismatched.authorization_type = std::string(kAuthApiKey);
  EXPECT_EQ(error_of(connections_.create_connection(mismatched)),
            "Only ApiKeyAuthParameters may be specified for AuthorizationType API_KEY.");
  auto missing = basic("c");
  missing.auth = ConnectionAuthInput{};
  EXPECT_EQ(error_of(connections_.create_connection(missing)),
            "BasicAuthParameters must be specified for AuthorizationType BASIC.");
  // A secret's value is never echoed.
  EXPECT_EQ(error_of(connections_.create_connection(basic("c", "user", "a:b"))),
            "1 validation error detected: Value at 'authParameters.basicAuthParameters.password' "
            "failed to satisfy constraint: Member must satisfy regular expression pattern: "
            "^[ \\t]*[^\\x00-\\x1F:\\x7F]+([ \\t]+[^\\x00-\\x1F:\\x7F]+)*[ \\t]*$");
  create(basic("c"));
  auto again = connections_.create_connection(basic("c"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::kResourceAlreadyExists);
  EXPECT_EQ(again.error().message, "Connection c already exists.");
}

TEST_F(ConnectionsTest, OAuthNeedsAnHttpsEndpointAndAKnownMethod) {
  ConnectionInput in;
  in.name = "oauth";
  in.authorization_type = std::string(kAuthOAuth);
  in.auth = ConnectionAuthInput{.oauth = OAuthInput{.client_id = "id",
                                                    .client_secret = "secret",
                                                    .authorization_endpoint = "http://a/token",
                                                    .http_method = "POST"}};
  auto plain_http = connections_.create_connection(in);
  ASSERT_FALSE(plain_http);
  EXPECT_EQ(plain_http.error().code, Errc::kValidationError);
  in.auth->oauth->authorization_endpoint = "https://auth.example.com/token";
  in.auth->oauth->http_method = "PATCH";
  EXPECT_EQ(error_of(connections_.create_connection(in)),
            "1 validation error detected: Value 'PATCH' at "
            "'authParameters.oAuthParameters.httpMethod' failed to satisfy constraint: Member "
            "must satisfy enum value set: [GET, POST, PUT]");
  in.auth->oauth->http_method = "POST";
  EXPECT_EQ(create(in).state, "AUTHORIZED");
}

TEST_F(ConnectionsTest, UnknownConnectionsAreNotFound) {
  auto described = connections_.describe_connection("nope");
  ASSERT_FALSE(described);
  EXPECT_EQ(described.error().code, Errc::kResourceNotFound);
  EXPECT_EQ(described.error().message, "Connection 'nope' does not exist.");
  EXPECT_FALSE(connections_.delete_connection("nope"));
  EXPECT_FALSE(connections_.deauthorize_connection("nope"));
  ConnectionInput update;
  update.name = "nope";
  EXPECT_EQ(error_of(connections_.update_connection(update)), "Connection 'nope' does not exist.");
}

TEST_F(ConnectionsTest, DeauthorizingDropsTheSecretAndAnUpdateAuthorizesAgain) {
  const Connection c = create(basic("crm"));
  const ApiDestination d = destination("hook", c.arn);
  EXPECT_EQ(d.state, "ACTIVE");
  clock_.advance(5'000);
  auto deauthorized = connections_.deauthorize_connection("crm");
  ASSERT_TRUE(deauthorized);
  EXPECT_EQ(deauthorized->state, "DEAUTHORIZED");
  EXPECT_EQ(deauthorized->modified, c.created + 5'000);
  EXPECT_EQ(connections_.describe_api_destination("hook")->state, "INACTIVE");
  auto resolved = connections_.resolve(d.arn);
  ASSERT_TRUE(resolved);
  EXPECT_EQ(resolved->connection.auth.password, "");

  // A description alone does not give the secret back.
  ConnectionInput describe_only;
  describe_only.name = "crm";
  describe_only.description = "new";
  EXPECT_EQ(connections_.update_connection(describe_only)->state, "DEAUTHORIZED");

  clock_.advance(5'000);
  ConnectionInput update;
  update.name = "crm";
  update.auth = ConnectionAuthInput{.basic = BasicAuthInput{.password = "new-password"}};
  auto updated = connections_.update_connection(update);
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ(updated->state, "AUTHORIZED");
  EXPECT_EQ(updated->last_authorized, c.created + 10'000);
  EXPECT_EQ(updated->description, "new");
  EXPECT_EQ(connections_.describe_api_destination("hook")->state, "ACTIVE");
  EXPECT_EQ(connections_.resolve(d.arn)->connection.auth.password, "new-password");
}

TEST_F(ConnectionsTest, ChangingTheTypeNeedsTheNewTypesCredentials) {
  create(basic("crm"));
  ConnectionInput update;
  update.name = "crm";
  update.authorization_type = std::string(kAuthApiKey);
  update.auth = ConnectionAuthInput{.api_key = ApiKeyAuthInput{"x-key", "v"}};
  auto updated = connections_.update_connection(update);
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ(updated->authorization_type, "API_KEY");
  EXPECT_EQ(updated->auth.username, "");
  EXPECT_EQ(updated->auth.api_key_name, "x-key");
}

TEST_F(ConnectionsTest, ApiDestinationsAreCheckedAndFollowTheirConnection) {
  const Connection c = create(api_key("crm"));
  ApiDestinationInput in;
  in.name = "hook";
  in.connection_arn = c.arn + "x";
  in.invocation_endpoint = "https://example.com/*";
  in.http_method = "POST";
  auto unknown = connections_.create_api_destination(in);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, Errc::kResourceNotFound);
  in.connection_arn = c.arn;
  in.http_method = "CONNECT";
  EXPECT_EQ(error_of(connections_.create_api_destination(in)),
            "1 validation error detected: Value 'CONNECT' at 'httpMethod' failed to satisfy "
            "constraint: Member must satisfy enum value set: [POST, GET, HEAD, OPTIONS, PUT, "
            "PATCH, DELETE]");
  in.http_method = "PUT";
  in.invocation_rate_limit_per_second = 301;
  EXPECT_EQ(error_of(connections_.create_api_destination(in)),
            "1 validation error detected: Value '301' at 'invocationRateLimitPerSecond' failed to "
            "satisfy constraint: Member must have value less than or equal to 300");
  in.invocation_rate_limit_per_second = 0;
  EXPECT_EQ(error_of(connections_.create_api_destination(in)),
            "1 validation error detected: Value '0' at 'invocationRateLimitPerSecond' failed to "
            "satisfy constraint: Member must have value greater than or equal to 1");
  in.invocation_rate_limit_per_second.reset();
  in.invocation_endpoint = "https://example.com/" + std::string(2048, 'a');
  EXPECT_FALSE(connections_.create_api_destination(in));
  in.invocation_endpoint = "https://example.com/*";
  auto created = connections_.create_api_destination(in);
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_TRUE(
      created->arn.starts_with("arn:aws:events:us-east-1:000000000000:api-destination/hook/"));
  EXPECT_EQ(created->invocation_rate_limit_per_second, 300);
  EXPECT_EQ(error_of(connections_.create_api_destination(in)),
            "An api-destination 'hook' already exists.");

  ApiDestinationInput update;
  update.name = "hook";
  update.invocation_rate_limit_per_second = 10;
  update.description = "slow";
  auto updated = connections_.update_api_destination(update);
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->invocation_rate_limit_per_second, 10);
  EXPECT_EQ(updated->http_method, "PUT");

  // Deleting the connection leaves the destination, inactive.
  ASSERT_TRUE(connections_.delete_connection("crm"));
  EXPECT_EQ(connections_.describe_api_destination("hook")->state, "INACTIVE");
  EXPECT_FALSE(connections_.resolve(created->arn));
  ASSERT_TRUE(connections_.delete_api_destination("hook"));
  EXPECT_EQ(error_of(connections_.describe_api_destination("hook")),
            "An api-destination 'hook' does not exist.");
  EXPECT_FALSE(connections_.delete_api_destination("hook"));
}

TEST_F(ConnectionsTest, ListsFilterAndPage) {
  const Connection a = create(basic("a-1"));
  create(basic("a-2"));
  create(basic("b-1"));
  ASSERT_TRUE(connections_.deauthorize_connection("a-2"));
  ListConnectionsInput in;
  in.list.name_prefix = "a-";
  in.list.limit = 1;
  auto first = connections_.list_connections(in);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->items.size(), 1u);
  EXPECT_EQ(first->items[0].name, "a-1");
  EXPECT_EQ(first->items[0].auth.password, "");
  in.list.next_token = first->next_token;
  auto second = connections_.list_connections(in);
  ASSERT_TRUE(second);
  ASSERT_EQ(second->items.size(), 1u);
  EXPECT_EQ(second->items[0].name, "a-2");
  EXPECT_EQ(second->next_token, "");
  ListConnectionsInput deauthorized;
  deauthorized.state = "DEAUTHORIZED";
  EXPECT_EQ(connections_.list_connections(deauthorized)->items.size(), 1u);
  deauthorized.state = "GONE";
  EXPECT_FALSE(connections_.list_connections(deauthorized));
  ListConnectionsInput too_many;
  too_many.list.limit = 101;
  EXPECT_EQ(error_of(connections_.list_connections(too_many)),
            "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: "
            "Member must have value less than or equal to 100");

  destination("d1", a.arn);
  const Connection other = create(basic("other"));
  destination("d2", other.arn);
  ListApiDestinationsInput by_connection;
  by_connection.connection_arn = other.arn;
  auto listed = connections_.list_api_destinations(by_connection);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->items.size(), 1u);
  EXPECT_EQ(listed->items[0].name, "d2");
  EXPECT_EQ(listed->items[0].state, "ACTIVE");
}

TEST_F(ConnectionsTest, EverythingSurvivesARestart) {
  auto in = basic("crm");
  in.auth->invocation_http = ConnectionHttpParameters{.query_strings = {{"k", "v", true}}};
  const Connection c = create(in);
  ASSERT_TRUE(connections_.deauthorize_connection("crm"));
  const Connection live = create(api_key("live"));
  const ApiDestination d = destination("hook", live.arn);

  Connections restarted{clock_, store_};
  ASSERT_TRUE(restarted.recover());
  auto described = restarted.describe_connection("crm");
  ASSERT_TRUE(described);
  EXPECT_EQ(described->arn, c.arn);
  EXPECT_EQ(described->secret_arn, c.secret_arn);
  EXPECT_EQ(described->state, "DEAUTHORIZED");
  auto resolved = restarted.resolve(d.arn);
  ASSERT_TRUE(resolved);
  EXPECT_EQ(resolved->destination.state, "ACTIVE");
  EXPECT_EQ(resolved->destination.created, d.created);
  EXPECT_EQ(resolved->connection.auth.api_key_value, "s3cret");
  auto restored = restarted.resolve(d.arn);
  ASSERT_TRUE(restored);
  EXPECT_EQ(restarted.list_connections({})->items.size(), 2u);
  EXPECT_EQ(restarted.describe_connection("crm")->auth.invocation_http.query_strings[0].key, "k");
}

// ---- Requests -----------------------------------------------------------------------------

class InvocationTest : public ::testing::Test {
 protected:
  ApiDestination destination_{.name = "hook",
                              .invocation_endpoint = "https://api.example.com/orders/*/items/*",
                              .http_method = "PUT"};
  Connection connection_{.name = "crm", .authorization_type = std::string(kAuthApiKey)};

  void SetUp() override {
    connection_.auth.api_key_name = "x-api-key";
    connection_.auth.api_key_value = "k3y";
  }

  static std::string header(const HttpRequestSpec& r, std::string_view name) {
    for (const auto& [n, v] : r.headers) {
      if (n == name) return v;
    }
    return "(none)";
  }
};

TEST_F(InvocationTest, PathWildcardsQueryStringsAndHeadersAreMerged) {
  connection_.auth.invocation_http.query_strings = {{"tenant", "acme corp", true}};
  connection_.auth.invocation_http.headers = {{"x-source", "connection", false}};
  TargetHttpParameters target{.path_parameter_values = {"order/1", "7"},
                              .header_parameters = {{"x-source", "target"}, {"x-trace", "abc"}},
                              .query_string_parameters = {{"tenant", "other"}, {"q", "a&b"}}};
  auto r = build_invocation(destination_, connection_, target, R"({"a":1})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->method, "PUT");
  EXPECT_EQ(r->url, "https://api.example.com/orders/order%2F1/items/7?q=a%26b&tenant=acme%20corp");
  EXPECT_EQ(header(*r, "Content-Type"), "application/json; charset=utf-8");
  EXPECT_EQ(header(*r, "x-source"), "connection");  // the connection's values win
  EXPECT_EQ(header(*r, "x-trace"), "abc");
  EXPECT_EQ(header(*r, "x-api-key"), "k3y");
  EXPECT_EQ(r->body, R"({"a":1})");

  connection_.auth.invocation_http.body = {{"tenant", "acme", true}};
  auto merged = build_invocation(destination_, connection_, target, R"({"a":[1],"tenant":"x"})");
  ASSERT_TRUE(merged);
  EXPECT_EQ(merged->body, R"({"a":[1],"tenant":"acme"})");
  auto not_object = build_invocation(destination_, connection_, target, "[1]");
  ASSERT_TRUE(not_object);
  EXPECT_EQ(not_object->body, "[1]");

  TargetHttpParameters too_few{.path_parameter_values = {"1"}};
  auto missing = build_invocation(destination_, connection_, too_few, "{}");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::kValidationError);
}

TEST_F(InvocationTest, BasicAndOAuthAuthorize) {
  destination_.invocation_endpoint = "https://api.example.com/in?fixed=1";
  connection_.authorization_type = std::string(kAuthBasic);
  connection_.auth.username = "user";
  connection_.auth.password = "pass";
  auto basic = build_invocation(destination_, connection_, {}, "{}");
  ASSERT_TRUE(basic);
  EXPECT_EQ(basic->url, "https://api.example.com/in?fixed=1");
  EXPECT_EQ(header(*basic, "Authorization"), "Basic " + base64_encode("user:pass"));

  connection_.authorization_type = std::string(kAuthOAuth);
  EXPECT_FALSE(build_invocation(destination_, connection_, {}, "{}"));
  auto oauth = build_invocation(destination_, connection_, {}, "{}", "tok");
  ASSERT_TRUE(oauth);
  EXPECT_EQ(header(*oauth, "Authorization"), "Bearer tok");
}

TEST_F(InvocationTest, TheTokenRequestCarriesTheClientCredentials) {
  EXPECT_FALSE(build_token_request(connection_));
  connection_.authorization_type = std::string(kAuthOAuth);
  ConnectionAuth& a = connection_.auth;
  a.client_id = "id";
  a.client_secret = "secret";
  a.authorization_endpoint = "https://auth.example.com/oauth2/token";
  a.oauth_http_method = "POST";
  a.oauth_http.body = {{"scope", "events write", false}};
  a.oauth_http.query_strings = {{"audience", "api", false}};
  a.oauth_http.headers = {{"x-client", "eb", false}};
  auto post = build_token_request(connection_);
  ASSERT_TRUE(post) << post.error().message;
  EXPECT_EQ(post->method, "POST");
  EXPECT_EQ(post->url, "https://auth.example.com/oauth2/token?audience=api");
  EXPECT_EQ(header(*post, "Authorization"), "Basic " + base64_encode("id:secret"));
  EXPECT_EQ(header(*post, "Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(header(*post, "x-client"), "eb");
  EXPECT_EQ(post->body, "grant_type=client_credentials&scope=events%20write");

  a.oauth_http_method = "GET";
  auto get = build_token_request(connection_);
  ASSERT_TRUE(get);
  EXPECT_EQ(get->url,
            "https://auth.example.com/oauth2/token?audience=api&grant_type=client_credentials&"
            "scope=events%20write");
  EXPECT_EQ(get->body, "");

  auto token = parse_token_response(R"({"access_token":"abc","expires_in":3600})");
  ASSERT_TRUE(token);
  EXPECT_EQ(token->access_token, "abc");
  EXPECT_EQ(token->expires_in_seconds, 3600);
  EXPECT_EQ(parse_token_response(R"({"access_token":"a","expires_in":"60"})")->expires_in_seconds,
            60);
  EXPECT_EQ(parse_token_response(R"({"access_token":"a"})")->expires_in_seconds, std::nullopt);
  EXPECT_EQ(parse_token_response(R"({"access_token":"a","expires_in":"soon"})")->expires_in_seconds,
            std::nullopt);
  EXPECT_EQ(parse_token_response(R"({"access_token":"a","expires_in":-5})")->expires_in_seconds,
            std::nullopt);
  EXPECT_FALSE(parse_token_response(R"({"error":"invalid_client"})"));
  EXPECT_FALSE(parse_token_response("not json"));
}

}  // namespace
}  // namespace eb::events
