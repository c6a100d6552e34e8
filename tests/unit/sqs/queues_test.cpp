// Queue management, batches, redrive and move tasks through the Queues facade.
#include "sqs/queues_fixture.hpp"

namespace eb::sqs::testing {
namespace {

const std::string kArnPrefix = "arn:aws:sqs:us-east-1:000000000000:";

TEST_P(QueuesTest, CreateIsIdempotentAndDetectsConflicts) {
  create("q", {{"VisibilityTimeout", "45"}});
  EXPECT_TRUE(queues_.create_queue({"q", {{"VisibilityTimeout", "45"}}, {}}));
  EXPECT_TRUE(queues_.create_queue({"q", {}, {}}));
  auto conflict = queues_.create_queue({"q", {{"VisibilityTimeout", "46"}}, {}});
  ASSERT_FALSE(conflict);
  EXPECT_EQ(conflict.error().code, Errc::kQueueNameExists);
}

TEST_P(QueuesTest, QueueNameRules) {
  for (const std::string& bad :
       std::vector<std::string>{"", "has space", std::string(81, 'a'), "dot.name", "x.fifo"}) {
    auto r = queues_.create_queue({bad, {}, {}});
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Errc::kInvalidParameterValue) << bad;
  }
  EXPECT_TRUE(queues_.create_queue({std::string(80, 'a'), {}, {}}));
  EXPECT_TRUE(queues_.create_queue({"A-b_9", {}, {}}));
}

TEST_P(QueuesTest, AttributeValidation) {
  auto unknown = queues_.create_queue({"q", {{"Bogus", "1"}}, {}});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, Errc::kInvalidAttributeName);
  for (auto [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"VisibilityTimeout", "43201"},
                                                        {"VisibilityTimeout", "-1"},
                                                        {"VisibilityTimeout", "abc"},
                                                        {"MaximumMessageSize", "1023"},
                                                        {"MaximumMessageSize", "1048577"},
                                                        {"MessageRetentionPeriod", "59"},
                                                        {"MessageRetentionPeriod", "1209601"},
                                                        {"DelaySeconds", "901"},
                                                        {"ReceiveMessageWaitTimeSeconds", "21"}}) {
    auto r = queues_.create_queue({"q", {{name, value}}, {}});
    ASSERT_FALSE(r) << name << "=" << value;
    EXPECT_EQ(r.error().code, Errc::kInvalidAttributeValue) << name << "=" << value;
  }
}

TEST_P(QueuesTest, GetAttributesAllHasDefaults) {
  create("q");
  auto all = queues_.get_queue_attributes("q", {"All"});
  ASSERT_TRUE(all);
  EXPECT_EQ(all->at("VisibilityTimeout"), "30");
  EXPECT_EQ(all->at("MaximumMessageSize"), "1048576");
  EXPECT_EQ(all->at("MessageRetentionPeriod"), "345600");
  EXPECT_EQ(all->at("DelaySeconds"), "0");
  EXPECT_EQ(all->at("ReceiveMessageWaitTimeSeconds"), "0");
  EXPECT_EQ(all->at("QueueArn"), kArnPrefix + "q");
  EXPECT_EQ(all->at("ApproximateNumberOfMessages"), "0");
  EXPECT_FALSE(all->contains("RedrivePolicy"));
  auto bad = queues_.get_queue_attributes("q", {"Nope"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::kInvalidAttributeName);
}

TEST_P(QueuesTest, SetAttributesUpdatesAndValidates) {
  create("q");
  ASSERT_TRUE(queues_.set_queue_attributes("q", {{"VisibilityTimeout", "5"}}));
  EXPECT_EQ(attribute("q", "VisibilityTimeout"), "5");
  EXPECT_FALSE(queues_.set_queue_attributes("q", {{"FifoQueue", "true"}}));
  EXPECT_FALSE(queues_.set_queue_attributes("q", {{"DelaySeconds", "1000"}}));
}

TEST_P(QueuesTest, MissingQueue) {
  auto r = queues_.send_message("nope", {"m"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kQueueDoesNotExist);
  EXPECT_FALSE(queues_.delete_queue("nope"));
  create("q");
  ASSERT_TRUE(queues_.delete_queue("q"));
  EXPECT_FALSE(queues_.get_queue("q"));
}

TEST_P(QueuesTest, ListQueuesPrefixAndPaging) {
  for (auto n : {"a1", "a2", "a3", "b1"}) create(n);
  auto all = queues_.list_queues({});
  ASSERT_TRUE(all);
  EXPECT_EQ(all->names, (std::vector<std::string>{"a1", "a2", "a3", "b1"}));
  auto first = queues_.list_queues({"a", 2, ""});
  ASSERT_TRUE(first);
  EXPECT_EQ(first->names, (std::vector<std::string>{"a1", "a2"}));
  ASSERT_FALSE(first->next_token.empty());
  auto second = queues_.list_queues({"a", 2, first->next_token});
  ASSERT_TRUE(second);
  EXPECT_EQ(second->names, (std::vector<std::string>{"a3"}));
  EXPECT_TRUE(second->next_token.empty());
  EXPECT_FALSE(queues_.list_queues({"", 1001, ""}));
  EXPECT_FALSE(queues_.list_queues({"", 0, ""}));
}

TEST_P(QueuesTest, BatchLimits) {
  create("q");
  auto empty = queues_.send_message_batch("q", {});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, Errc::kEmptyBatchRequest);

  std::vector<BatchEntry<SendInput>> eleven;
  for (int i = 0; i < 11; ++i) eleven.push_back({"e" + std::to_string(i), {"m"}});
  auto too_many = queues_.send_message_batch("q", eleven);
  ASSERT_FALSE(too_many);
  EXPECT_EQ(too_many.error().code, Errc::kTooManyEntriesInBatchRequest);

  auto dup = queues_.send_message_batch("q", {{"x", {"m"}}, {"x", {"n"}}});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, Errc::kBatchEntryIdsNotDistinct);

  auto bad_id = queues_.send_message_batch("q", {{"bad id", {"m"}}});
  ASSERT_FALSE(bad_id);
  EXPECT_EQ(bad_id.error().code, Errc::kInvalidBatchEntryId);

  std::vector<BatchEntry<SendInput>> big;
  for (int i = 0; i < 2; ++i) big.push_back({"e" + std::to_string(i), {std::string(600'000, 'x')}});
  auto too_long = queues_.send_message_batch("q", big);
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().code, Errc::kBatchRequestTooLong);
}

TEST_P(QueuesTest, BatchPartialFailure) {
  create("q");
  SendInput bad{"m"};
  bad.delay_seconds = 1000;
  auto r = queues_.send_message_batch("q", {{"ok", {"m"}}, {"bad", bad}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->successful.size(), 1u);
  EXPECT_EQ(r->successful[0].first, "ok");
  ASSERT_EQ(r->failed.size(), 1u);
  EXPECT_EQ(r->failed[0].id, "bad");
  EXPECT_TRUE(r->failed[0].sender_fault);

  ReceiveInput in;
  in.max_messages = 10;
  auto got = receive("q", in);
  ASSERT_EQ(got.size(), 1u);
  auto del = queues_.delete_message_batch("q", {{"a", got[0].receipt_handle}, {"b", "garbage"}});
  ASSERT_TRUE(del);
  EXPECT_EQ(del->successful.size(), 1u);
  ASSERT_EQ(del->failed.size(), 1u);
  EXPECT_EQ(del->failed[0].error.code, Errc::kReceiptHandleIsInvalid);
}

TEST_P(QueuesTest, DeleteMessageBatchIsOneWrite) {
  create("q");
  for (const char* body : {"a", "b", "c"}) send("q", body);
  ReceiveInput in;
  in.max_messages = 10;
  auto got = receive("q", in);
  ASSERT_EQ(got.size(), 3u);
  const std::size_t before = store_.writes();
  auto del = queues_.delete_message_batch("q", {{"a", got[0].receipt_handle},
                                                {"b", got[1].receipt_handle},
                                                {"bad", "garbage"},
                                                {"c", got[2].receipt_handle}});
  ASSERT_TRUE(del);
  EXPECT_EQ(del->successful.size(), 3u);
  ASSERT_EQ(del->failed.size(), 1u);
  EXPECT_EQ(del->failed[0].id, "bad");
  EXPECT_EQ(store_.writes() - before, GetParam() ? 1u : 0u);  // in memory: nothing to write
  EXPECT_EQ(attribute("q", "ApproximateNumberOfMessagesNotVisible"), "0");
  if (!GetParam()) return;

  // A failed write fails every entry that decoded.
  send("q", "d");
  auto again = receive("q", in);
  ASSERT_EQ(again.size(), 1u);
  store_.fail_writes(true);
  auto failed = queues_.delete_message_batch("q", {{"d", again[0].receipt_handle}});
  store_.fail_writes(false);
  ASSERT_TRUE(failed);
  ASSERT_EQ(failed->failed.size(), 1u);
  EXPECT_EQ(failed->failed[0].error.code, Errc::kServiceUnavailable);
}

TEST_P(QueuesTest, RedriveMovesMessageAfterMaxReceiveCount) {
  create("dlq");
  create("src", {{"RedrivePolicy",
                  R"({"deadLetterTargetArn":")" + kArnPrefix + R"(dlq","maxReceiveCount":"2"})"}});
  EXPECT_EQ(attribute("src", "RedrivePolicy"),
            R"({"deadLetterTargetArn":")" + kArnPrefix + R"(dlq","maxReceiveCount":2})");
  auto sent = send("src", "poison");
  ReceiveInput in;
  in.visibility_timeout = 0;
  EXPECT_EQ(receive("src", in).size(), 1u);
  EXPECT_EQ(receive("src", in).size(), 1u);
  EXPECT_TRUE(receive("src", in).empty());  // the third receive would exceed 2
  EXPECT_EQ(attribute("src", "ApproximateNumberOfMessages"), "0");
  ReceiveInput all;
  all.system_attribute_names = {"All"};
  auto dead = receive("dlq", all);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].message_id, sent.message_id);
  EXPECT_EQ(dead[0].body, "poison");
  std::map<std::string, std::string> attrs(dead[0].attributes.begin(), dead[0].attributes.end());
  EXPECT_EQ(attrs["DeadLetterQueueSourceArn"], kArnPrefix + "src");

  auto sources = queues_.list_dead_letter_source_queues("dlq", {});
  ASSERT_TRUE(sources);
  EXPECT_EQ(sources->names, std::vector<std::string>{"src"});
}

TEST_P(QueuesTest, RedrivePolicyValidation) {
  auto missing =
      queues_.create_queue({"src",
                            {{"RedrivePolicy", R"({"deadLetterTargetArn":")" + kArnPrefix +
                                                   R"(none","maxReceiveCount":3})"}},
                            {}});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::kInvalidParameterValue);
  EXPECT_FALSE(queues_.create_queue({"src", {{"RedrivePolicy", "not json"}}, {}}));
  create("dlq", {{"RedriveAllowPolicy", R"({"redrivePermission":"denyAll"})"}});
  auto denied =
      queues_.create_queue({"src",
                            {{"RedrivePolicy", R"({"deadLetterTargetArn":")" + kArnPrefix +
                                                   R"(dlq","maxReceiveCount":3})"}},
                            {}});
  ASSERT_FALSE(denied);
  ASSERT_TRUE(queues_.set_queue_attributes(
      "dlq", {{"RedriveAllowPolicy", R"({"redrivePermission":"byQueue","sourceQueueArns":[")" +
                                         kArnPrefix + R"(src"]})"}}));
  EXPECT_TRUE(queues_.create_queue({"src",
                                    {{"RedrivePolicy", R"({"deadLetterTargetArn":")" + kArnPrefix +
                                                           R"(dlq","maxReceiveCount":3})"}},
                                    {}}));
  EXPECT_FALSE(queues_.create_queue({"other",
                                     {{"RedrivePolicy", R"({"deadLetterTargetArn":")" + kArnPrefix +
                                                            R"(dlq","maxReceiveCount":3})"}},
                                     {}}));
}

class MoveTaskTest : public QueuesTest {
 protected:
  void SetUp() override {
    create("dlq");
    create("src", {{"RedrivePolicy",
                    R"({"deadLetterTargetArn":")" + kArnPrefix + R"(dlq","maxReceiveCount":1})"}});
    ReceiveInput in;
    in.visibility_timeout = 0;
    for (int i = 0; i < 5; ++i) send("src", "m" + std::to_string(i));
    in.max_messages = 10;
    ASSERT_EQ(receive("src", in).size(), 5u);
    ASSERT_TRUE(receive("src", in).empty());
    ASSERT_EQ(attribute("dlq", "ApproximateNumberOfMessages"), "5");
  }
};

TEST_P(MoveTaskTest, MovesBackToSourceAtTheGivenRate) {
  auto handle = queues_.start_message_move_task({kArnPrefix + "dlq", "", 2});
  ASSERT_TRUE(handle) << handle.error().message;
  auto again = queues_.start_message_move_task({kArnPrefix + "dlq", "", 2});
  ASSERT_FALSE(again);
  clock_.advance(0);
  EXPECT_EQ(attribute("src", "ApproximateNumberOfMessages"), "2");
  clock_.advance(1'000);
  EXPECT_EQ(attribute("src", "ApproximateNumberOfMessages"), "4");
  clock_.advance(1'000);
  EXPECT_EQ(attribute("src", "ApproximateNumberOfMessages"), "5");
  auto tasks = queues_.list_message_move_tasks(kArnPrefix + "dlq", 10);
  ASSERT_TRUE(tasks);
  ASSERT_EQ(tasks->size(), 1u);
  EXPECT_EQ(tasks->at(0).status, "COMPLETED");
  EXPECT_EQ(tasks->at(0).moved, 5);
  EXPECT_EQ(tasks->at(0).to_move, 5);
}

TEST_P(MoveTaskTest, MovesToDestinationAndCancels) {
  create("dest");
  auto handle = queues_.start_message_move_task({kArnPrefix + "dlq", kArnPrefix + "dest", 1});
  ASSERT_TRUE(handle);
  clock_.advance(0);
  auto moved = queues_.cancel_message_move_task(*handle);
  ASSERT_TRUE(moved);
  EXPECT_EQ(*moved, 1);
  clock_.advance(5'000);
  EXPECT_EQ(attribute("dest", "ApproximateNumberOfMessages"), "1");
  EXPECT_EQ(attribute("dlq", "ApproximateNumberOfMessages"), "4");
  auto tasks = queues_.list_message_move_tasks(kArnPrefix + "dlq", 1);
  ASSERT_TRUE(tasks);
  EXPECT_EQ(tasks->at(0).status, "CANCELLED");
}

TEST_P(MoveTaskTest, RejectsNonDeadLetterSource) {
  auto r = queues_.start_message_move_task({kArnPrefix + "src", "", std::nullopt});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kInvalidParameterValue);
  auto missing = queues_.start_message_move_task({kArnPrefix + "none", "", std::nullopt});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::kResourceNotFound);
}

TEST_P(QueuesTest, TagsAndPermissions) {
  create("q");
  ASSERT_TRUE(queues_.tag_queue("q", {{"env", "dev"}, {"team", "a"}}));
  ASSERT_TRUE(queues_.untag_queue("q", {"team"}));
  EXPECT_EQ(*queues_.list_queue_tags("q"), (TagMap{{"env", "dev"}}));

  ASSERT_TRUE(queues_.add_permission("q", {"p1", {"111122223333"}, {"SendMessage"}}));
  EXPECT_FALSE(queues_.add_permission("q", {"p1", {"111122223333"}, {"SendMessage"}}));
  EXPECT_FALSE(queues_.add_permission("q", {"p2", {"111122223333"}, {"Bogus"}}));
  EXPECT_NE(attribute("q", "Policy").find("\"Sid\":\"p1\""), std::string::npos);
  ASSERT_TRUE(queues_.remove_permission("q", "p1"));
  EXPECT_FALSE(queues_.remove_permission("q", "p1"));
}

TEST_P(QueuesTest, AnotherAccountsQueueIsFoundOnlyWhenAskedFor) {
  storage::MemoryEngine other_store{GetParam()};
  Queues other(clock_, clock_, other_store, QueuesOptions{.account_id = "222222222222"});
  ASSERT_TRUE(other.create_queue({"inbox", {}, {}}));
  const std::string arn = other.queue_arn("inbox");
  create("own");
  EXPECT_EQ(queues_.find_by_arn_any_account(arn), nullptr);  // no resolver yet
  queues_.set_other_accounts(
      [&](std::string_view id) { return id == "222222222222" ? &other : nullptr; });
  EXPECT_EQ(queues_.find_by_arn_any_account(arn), other.find_by_arn(arn));
  EXPECT_NE(queues_.find_by_arn_any_account(arn), nullptr);
  EXPECT_EQ(queues_.find_by_arn_any_account(kArnPrefix + "own"),
            queues_.find_by_arn(kArnPrefix + "own"));
  EXPECT_EQ(queues_.find_by_arn_any_account("arn:aws:sqs:us-east-1:333333333333:inbox"), nullptr);
  EXPECT_EQ(queues_.find_by_arn_any_account("not-an-arn"), nullptr);
  // Redrive stays within the account, as AWS wants it.
  EXPECT_EQ(queues_.find_by_arn(arn), nullptr);
  auto redrive = queues_.create_queue(
      {"src",
       {{"RedrivePolicy", R"({"deadLetterTargetArn":")" + arn + R"(","maxReceiveCount":3})"}},
       {}});
  ASSERT_FALSE(redrive);
  EXPECT_EQ(redrive.error().code, Errc::kInvalidParameterValue);
}

}  // namespace
INSTANTIATE_TEST_SUITE_P(Payloads, QueuesTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "InEngine" : "InMemory"; });
INSTANTIATE_TEST_SUITE_P(Payloads, MoveTaskTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "InEngine" : "InMemory"; });

}  // namespace eb::sqs::testing
