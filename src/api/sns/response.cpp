#include "api/sns/response.hpp"

#include "api/aws/error_table.hpp"
#include "api/aws/xml_writer.hpp"

namespace eb::api::sns {
namespace {

// One response document: the envelope on construction, ResponseMetadata on finish().
class Document {
 public:
  enum class Wrapper { kNone, kResult };

  Document(std::string_view action, std::string_view request_id, Wrapper wrapper)
      : xml_(body_), request_id_(request_id), has_result_(wrapper == Wrapper::kResult) {
    xml_.declaration().open(std::string(action) + "Response", kXmlNamespace);
    if (has_result_) xml_.open(std::string(action) + "Result");
  }

  aws::XmlWriter& xml() { return xml_; }

  std::string finish() {
    if (has_result_) xml_.close();
    xml_.open("ResponseMetadata").element("RequestId", request_id_).close();
    xml_.close();
    return std::move(body_);
  }

 private:
  std::string body_;
  aws::XmlWriter xml_;
  std::string_view request_id_;
  bool has_result_;
};

// Optional members are left out when empty, as AWS does (NextToken on the last page, the
// SequenceNumber of a standard topic's message).
void optional_element(aws::XmlWriter& xml, std::string_view tag, std::string_view value) {
  if (!value.empty()) xml.element(tag, value);
}

void write_map(aws::XmlWriter& xml, std::string_view member, const eb::AttributeMap& map) {
  xml.open(member);
  for (const auto& [key, value] : map) {
    xml.open("entry").element("key", key).element("value", value).close();
  }
  xml.close();
}

}  // namespace

std::string encode_no_result(std::string_view action, std::string_view request_id) {
  return Document(action, request_id, Document::Wrapper::kNone).finish();
}

std::string encode_empty_result(std::string_view action, std::string_view request_id) {
  Document doc(action, request_id, Document::Wrapper::kNone);
  doc.xml().empty_element(std::string(action) + "Result");
  return doc.finish();
}

std::string encode_single(std::string_view action, std::string_view request_id,
                          std::string_view member, std::string_view value) {
  Document doc(action, request_id, Document::Wrapper::kResult);
  doc.xml().element(member, value);
  return doc.finish();
}

std::string encode_list_topics(std::string_view request_id, const eb::sns::ListTopicsOutput& out) {
  Document doc("ListTopics", request_id, Document::Wrapper::kResult);
  aws::XmlWriter& xml = doc.xml();
  xml.open("Topics");
  for (const auto& arn : out.topic_arns) xml.open("member").element("TopicArn", arn).close();
  xml.close();
  optional_element(xml, "NextToken", out.next_token);
  return doc.finish();
}

std::string encode_list_subscriptions(std::string_view action, std::string_view request_id,
                                      const eb::sns::ListSubscriptionsOutput& out) {
  Document doc(action, request_id, Document::Wrapper::kResult);
  aws::XmlWriter& xml = doc.xml();
  xml.open("Subscriptions");
  for (const auto& s : out.subscriptions) {
    xml.open("member")
        .element("SubscriptionArn", s.subscription_arn)
        .element("Owner", s.owner)
        .element("Protocol", s.protocol)
        .element("Endpoint", s.endpoint)
        .element("TopicArn", s.topic_arn)
        .close();
  }
  xml.close();
  optional_element(xml, "NextToken", out.next_token);
  return doc.finish();
}

std::string encode_attributes(std::string_view action, std::string_view request_id,
                              const eb::AttributeMap& attributes) {
  return encode_map(action, request_id, "Attributes", attributes);
}

std::string encode_map(std::string_view action, std::string_view request_id,
                       std::string_view member, const eb::AttributeMap& map) {
  Document doc(action, request_id, Document::Wrapper::kResult);
  write_map(doc.xml(), member, map);
  return doc.finish();
}

std::string encode_publish(std::string_view request_id, const eb::sns::PublishOutput& out) {
  Document doc("Publish", request_id, Document::Wrapper::kResult);
  doc.xml().element("MessageId", out.message_id);
  optional_element(doc.xml(), "SequenceNumber", out.sequence_number);
  return doc.finish();
}

std::string encode_publish_batch(std::string_view request_id,
                                 const BatchOutput<eb::sns::PublishOutput>& out) {
  Document doc("PublishBatch", request_id, Document::Wrapper::kResult);
  aws::XmlWriter& xml = doc.xml();
  xml.open("Successful");
  for (const auto& [id, result] : out.successful) {
    xml.open("member").element("Id", id).element("MessageId", result.message_id);
    optional_element(xml, "SequenceNumber", result.sequence_number);
    xml.close();
  }
  xml.close();
  xml.open("Failed");
  for (const auto& failure : out.failed) {
    xml.open("member")
        .element("Id", failure.id)
        .element("Code", aws::sns_wire_error(failure.error.code).query_code)
        .element("Message", failure.error.message)
        .element("SenderFault", failure.sender_fault ? "true" : "false")
        .close();
  }
  xml.close();
  return doc.finish();
}

std::string encode_list_tags(std::string_view request_id, const eb::TagMap& tags) {
  Document doc("ListTagsForResource", request_id, Document::Wrapper::kResult);
  aws::XmlWriter& xml = doc.xml();
  xml.open("Tags");
  for (const auto& [key, value] : tags) {
    xml.open("member").element("Key", key).element("Value", value).close();
  }
  xml.close();
  return doc.finish();
}

std::string encode_list_platform_applications(std::string_view request_id,
                                              const eb::sns::ListPlatformApplicationsOutput& out) {
  Document doc("ListPlatformApplications", request_id, Document::Wrapper::kResult);
  aws::XmlWriter& xml = doc.xml();
  xml.open("PlatformApplications");
  for (const auto& app : out.applications) {
    xml.open("member").element("PlatformApplicationArn", app.arn);
    write_map(xml, "Attributes", app.attributes);
    xml.close();
  }
  xml.close();
  optional_element(xml, "NextToken", out.next_token);
  return doc.finish();
}

std::string encode_list_endpoints(std::string_view request_id,
                                  const eb::sns::ListEndpointsOutput& out) {
  Document doc("ListEndpointsByPlatformApplication", request_id, Document::Wrapper::kResult);
  aws::XmlWriter& xml = doc.xml();
  xml.open("Endpoints");
  for (const auto& endpoint : out.endpoints) {
    xml.open("member").element("EndpointArn", endpoint.arn);
    write_map(xml, "Attributes", endpoint.attributes);
    xml.close();
  }
  xml.close();
  optional_element(xml, "NextToken", out.next_token);
  return doc.finish();
}

std::string encode_list_phone_numbers_opted_out(std::string_view request_id,
                                                const eb::sns::ListPhoneNumbersOutput& out) {
  Document doc("ListPhoneNumbersOptedOut", request_id, Document::Wrapper::kResult);
  aws::XmlWriter& xml = doc.xml();
  xml.open("phoneNumbers");
  for (const auto& number : out.phone_numbers) xml.element("member", number);
  xml.close();
  optional_element(xml, "nextToken", out.next_token);
  return doc.finish();
}

std::string encode_list_sandbox_numbers(std::string_view request_id,
                                        const eb::sns::ListSandboxPhoneNumbersOutput& out) {
  Document doc("ListSMSSandboxPhoneNumbers", request_id, Document::Wrapper::kResult);
  aws::XmlWriter& xml = doc.xml();
  xml.open("PhoneNumbers");
  for (const auto& number : out.phone_numbers) {
    xml.open("member")
        .element("PhoneNumber", number.phone_number)
        .element("Status", number.status)
        .close();
  }
  xml.close();
  optional_element(xml, "NextToken", out.next_token);
  return doc.finish();
}

std::string encode_list_origination_numbers(std::string_view request_id) {
  Document doc("ListOriginationNumbers", request_id, Document::Wrapper::kResult);
  doc.xml().empty_element("PhoneNumbers");
  return doc.finish();
}

}  // namespace eb::api::sns
