// The native API's error shape and its mapping of every domain error.
#include "api/admin/responses.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace eb::api::admin {
namespace {
namespace http = boost::beast::http;

struct Row {
  Errc code;
  http::status status;
  std::string_view wire;
};

TEST(AdminResponses, ErrorShapeCarriesCodeMessageAndExtraMembers) {
  auto res = error_response(http::status::conflict, "WrongExpectedVersion", "at \"3\"",
                            R"("currentVersion":3)");
  EXPECT_EQ(res.result(), http::status::conflict);
  EXPECT_EQ(res[http::field::content_type], "application/json");
  EXPECT_EQ(res[http::field::cache_control], "no-store");
  EXPECT_EQ(res.body(),
            R"({"error":{"code":"WrongExpectedVersion","message":"at \"3\"","currentVersion":3},)"
            R"("currentVersion":3})");
}

TEST(AdminResponses, DomainErrorsMapToNativeCodes) {
  const Row rows[] = {
      {Errc::kResourceNotFound, http::status::not_found, "NotFound"},
      {Errc::kMalformedRequest, http::status::bad_request, "MalformedJson"},
      {Errc::kQueueDoesNotExist, http::status::bad_request, "InvalidTarget"},
      {Errc::kInvalidAddress, http::status::bad_request, "InvalidTarget"},
      {Errc::kUnsupportedOperation, http::status::bad_request, "InvalidTarget"},
      {Errc::kInvalidParameterValue, http::status::bad_request, "ValidationError"},
      {Errc::kMissingParameter, http::status::bad_request, "ValidationError"},
      {Errc::kInvalidAttributeName, http::status::bad_request, "ValidationError"},
      {Errc::kInvalidAttributeValue, http::status::bad_request, "ValidationError"},
      {Errc::kInvalidMessageContents, http::status::bad_request, "ValidationError"},
      {Errc::kOverLimit, http::status::too_many_requests, "LimitExceeded"},
      {Errc::kRequestThrottled, http::status::too_many_requests, "LimitExceeded"},
      {Errc::kServiceUnavailable, http::status::service_unavailable, "ServiceUnavailable"},
      {Errc::kInternalError, http::status::internal_server_error, "InternalError"},
      {Errc::kNotFound, http::status::internal_server_error, "InternalError"},
      {Errc::kInvalidState, http::status::internal_server_error, "InternalError"},
  };
  for (const Row& row : rows) {
    auto res = domain_error(Error{row.code, "why"});
    EXPECT_EQ(res.result(), row.status) << static_cast<int>(row.code);
    EXPECT_EQ(res.body(), fmt::format(R"({{"error":{{"code":"{}","message":"why"}}}})", row.wire))
        << static_cast<int>(row.code);
  }
}

TEST(AdminResponses, NotFoundNamesWhatWasMissing) {
  auto res = domain_error(Error{Errc::kResourceNotFound, "no stream s"}, "StreamNotFound");
  EXPECT_EQ(res.result(), http::status::not_found);
  EXPECT_EQ(res.body(), R"({"error":{"code":"StreamNotFound","message":"no stream s"}})");
  // Only a missing resource takes the caller's code.
  EXPECT_EQ(domain_error(Error{Errc::kMalformedRequest, "x"}, "StreamNotFound").result(),
            http::status::bad_request);
}

TEST(AdminResponses, EveryCodeGetsAnErrorBodyNeverASuccess) {
  for (int c = 0; c <= static_cast<int>(Errc::kInvalidState); ++c) {
    auto res = domain_error(Error{static_cast<Errc>(c), "m"});
    EXPECT_GE(static_cast<int>(res.result()), 400) << c;
    EXPECT_TRUE(res.body().starts_with(R"({"error":{"code":")")) << c;
  }
}

}  // namespace
}  // namespace eb::api::admin
