#include "api/sts/sts_service.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "api/aws/error_table.hpp"
#include "api/aws/form_reader.hpp"
#include "api/aws/form_tree.hpp"
#include "api/aws/reply.hpp"
#include "api/aws/xml_writer.hpp"

namespace eb::api::sts {
namespace {

constexpr std::string_view kXmlns = "https://sts.amazonaws.com/doc/2011-06-15/";
constexpr std::array<std::string_view, 4> kActions = {"GetCallerIdentity", "AssumeRole",
                                                      "GetSessionToken", "GetAccessKeyInfo"};

// <ActionResponse xmlns><ActionResult>...</ActionResult><ResponseMetadata>...
class Document {
 public:
  Document(std::string_view action, std::string_view request_id)
      : xml_(body_), request_id_(request_id) {
    xml_.open(std::string(action) + "Response", kXmlns).open(std::string(action) + "Result");
  }
  aws::XmlWriter& xml() { return xml_; }
  std::string finish() {
    xml_.close().open("ResponseMetadata").element("RequestId", request_id_).close().close();
    return std::move(body_);
  }

 private:
  std::string body_;
  aws::XmlWriter xml_;
  std::string_view request_id_;
};

// AWS writes Expiration without fractional seconds.
std::string expiration_text(Millis ms) { return utc_timestamp(ms / 1000 * 1000).erase(19, 4); }

void write_credentials(aws::XmlWriter& xml, const Credentials& c) {
  xml.open("Credentials")
      .element("AccessKeyId", c.access_key_id)
      .element("SecretAccessKey", c.secret_access_key)
      .element("SessionToken", c.session_token)
      .element("Expiration", expiration_text(c.expiration))
      .close();
}

Result<std::string> run(Identity& identity, const aws::AwsRequest& request,
                        const aws::FormReader& form) {
  Document doc(request.action, request.request_id);
  aws::XmlWriter& xml = doc.xml();
  if (request.action == "GetCallerIdentity") {
    const CallerIdentity who = identity.caller(request.access_key, request.account_id);
    xml.element("Arn", who.arn).element("UserId", who.user_id).element("Account", who.account);
  } else if (request.action == "AssumeRole") {
    EB_ASSIGN_OR_RETURN(auto out, identity.assume_role(AssumeRoleInput{
                                      .role_arn = form.string("RoleArn"),
                                      .role_session_name = form.string("RoleSessionName"),
                                      .duration_seconds = form.string("DurationSeconds"),
                                      .external_id = form.string("ExternalId"),
                                      .policy = form.string("Policy"),
                                      .serial_number = form.string("SerialNumber"),
                                      .token_code = form.string("TokenCode"),
                                      .source_identity = form.string("SourceIdentity")}));
    write_credentials(xml, out.credentials);
    xml.open("AssumedRoleUser")
        .element("AssumedRoleId", out.assumed_role_id)
        .element("Arn", out.arn)
        .close();
    if (out.source_identity) xml.element("SourceIdentity", *out.source_identity);
  } else if (request.action == "GetSessionToken") {
    EB_ASSIGN_OR_RETURN(auto credentials, identity.session_token(form.string("DurationSeconds")));
    write_credentials(xml, credentials);
  } else {  // GetAccessKeyInfo
    EB_ASSIGN_OR_RETURN(auto account, identity.access_key_account(form.string("AccessKeyId")));
    xml.element("Account", account);
  }
  return doc.finish();
}

}  // namespace

bool StsService::knows_action(std::string_view action) const {
  return std::ranges::find(kActions, action) != kActions.end();
}

void StsService::handle(aws::AwsRequest&& request, net::Respond respond) {
  auto error = [&](const Error& e) {
    respond(aws::sts_xml_error_response(e, request.request_id, request.http.version(),
                                        request.http.keep_alive()));
  };
  if (!knows_action(request.action) || request.protocol != aws::Protocol::kQuery) {
    return error(
        {Errc::kInvalidAction,
         fmt::format("Could not find operation {} for version 2011-06-15", request.action)});
  }
  const auto tree = aws::build_form_tree(request.form);
  auto body = run(identity_, request, aws::FormReader(*tree));
  if (!body) return error(body.error());
  respond(aws::success_response(request, std::move(*body)));
}

}  // namespace eb::api::sts
