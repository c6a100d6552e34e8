#include "eventlog/event_log.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "eventlog/event_log_fixture.hpp"

namespace eb::eventlog {
namespace {

using Seqs = std::vector<std::uint64_t>;

TEST_F(EventLogTest, SendsGetConsecutiveSeqsAndKeepEverything) {
  MessageAttributes attrs{{"color", {"String", "blue", {}}}};
  EXPECT_EQ(send("plain text", attrs), 1u);
  EXPECT_EQ(send(envelope("e1", "order.created")), 2u);
  EXPECT_EQ(log_->visible_through(), 2u);
  auto page = log_->read(0, 10, {});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->events.size(), 2u);
  const Event& plain = page->events[0];
  EXPECT_EQ(plain.body, "plain text");
  EXPECT_EQ(plain.source_arn, kQueueArn);
  EXPECT_EQ(plain.message_id, "message-id");
  EXPECT_EQ(plain.timestamp, clock_.now_ms());
  EXPECT_EQ(plain.attributes, attrs);
  EXPECT_FALSE(plain.envelope);
  EXPECT_TRUE(plain.stream.empty());
  ASSERT_TRUE(page->events[1].envelope);
  EXPECT_EQ(page->events[1].envelope->type, "order.created");
  EXPECT_FALSE(page->next);
}

TEST_F(EventLogTest, ReadersNeverSeePastALateCommit) {
  storage::Batch first_batch;
  storage::Batch second_batch;
  auto first = stage("first", nullptr, first_batch);
  auto second = stage("second", nullptr, second_batch);
  EXPECT_EQ(first.first_seq, 1u);
  EXPECT_EQ(second.first_seq, 2u);
  ASSERT_TRUE(engine_.write(second_batch));
  log_->finish(second, true);
  // Seq 2 is on disk but seq 1 may still commit: a tail reading after 0 must wait.
  EXPECT_EQ(log_->visible_through(), 0u);
  EXPECT_EQ(seqs(), Seqs{});
  ASSERT_TRUE(engine_.write(first_batch));
  log_->finish(first, true);
  EXPECT_EQ(log_->visible_through(), 2u);
  EXPECT_EQ(seqs(), (Seqs{1, 2}));
}

TEST_F(EventLogTest, AFailedWriteLeavesAGapAndReleasesTheWatermark) {
  storage::Batch failed_batch;
  auto failed = stage("lost", nullptr, failed_batch);
  EXPECT_EQ(send("kept"), 2u);
  EXPECT_EQ(log_->visible_through(), 0u);
  log_->finish(failed, false);
  EXPECT_EQ(log_->visible_through(), 2u);
  EXPECT_EQ(seqs(), Seqs{2});
  EXPECT_EQ(send("next"), 3u);  // seqs are never reused
}

TEST_F(EventLogTest, FiltersUseSourceTypeCorrelationAndStream) {
  send(envelope("a", "order.created", "c1"));
  send(envelope("b", "order.paid", "c1", "a"), {}, "arn:aws:sqs:us-east-1:000000000000:other");
  send(envelope("c", "order.created", "c2"));
  send("not an envelope", {{"aggregateId", {"String", "order-1", {}}}});
  EventFilter by_type{.type = "order.created"};
  EXPECT_EQ(seqs(by_type), (Seqs{1, 3}));
  EventFilter by_correlation{.correlation_id = "c1"};
  EXPECT_EQ(seqs(by_correlation), (Seqs{1, 2}));
  EventFilter by_arn{.source = std::string(kQueueArn)};
  EXPECT_EQ(seqs(by_arn), (Seqs{1, 3, 4}));
  EventFilter by_envelope_source{.source = "order-service"};
  EXPECT_EQ(seqs(by_envelope_source), (Seqs{1, 2, 3}));
  EventFilter by_stream{.stream = "order-1"};
  EXPECT_EQ(seqs(by_stream), Seqs{4});
  EventFilter combined{.source = std::string(kQueueArn), .correlation_id = "c1"};
  EXPECT_EQ(seqs(combined), Seqs{1});
  EventFilter none{.type = "nothing"};
  EXPECT_EQ(seqs(none), Seqs{});
  EXPECT_EQ(seqs(by_type, 1), Seqs{3});
}

TEST_F(EventLogTest, ValuesWithZeroBytesDoNotCollide) {
  send("x", {}, std::string("a\0b", 3));
  send("y", {}, std::string("a", 1));
  send("z", {}, std::string("a\x01", 2));
  EXPECT_EQ(seqs(EventFilter{.source = std::string("a\0b", 3)}), Seqs{1});
  EXPECT_EQ(seqs(EventFilter{.source = "a"}), Seqs{2});
  EXPECT_EQ(seqs(EventFilter{.source = std::string("a\x01", 2)}), Seqs{3});
}

TEST_F(EventLogTest, PagingAndLimits) {
  for (int i = 0; i < 25; ++i) send("m" + std::to_string(i));
  auto first = log_->read(0, 10, {});
  ASSERT_TRUE(first);
  EXPECT_EQ(first->events.size(), 10u);
  ASSERT_TRUE(first->next);
  EXPECT_EQ(*first->next, 10u);
  auto last = log_->read(20, 10, {});
  ASSERT_TRUE(last);
  EXPECT_EQ(last->events.size(), 5u);
  EXPECT_FALSE(last->next);
  EXPECT_EQ(last->scanned_through, 25u);
  auto zero = log_->read(0, 0, {});  // clamped up to 1
  ASSERT_TRUE(zero);
  EXPECT_EQ(zero->events.size(), 1u);
  auto past = log_->read(1000, 5, {});
  ASSERT_TRUE(past);
  EXPECT_TRUE(past->events.empty());
  EXPECT_EQ(past->scanned_through, 1000u);
}

TEST_F(EventLogTest, HugeLimitsAreClamped) {
  for (int i = 0; i < 1100; ++i) send("m");
  auto page = log_->read(0, 1'000'000, {});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->events.size(), kMaxPageSize);
  EXPECT_EQ(page->next, std::optional<std::uint64_t>(1000));
}

TEST_F(EventLogTest, MessagesJoinStreamsByAttributeThenEnvelope) {
  send(envelope("e1", "order.created", "", "", R"({"aggregateId":"order-1"})"));
  send("plain", {{"aggregateId", {"String", "order-1", {}}}});
  send(R"({"id":"e3","type":"order.paid","aggregateId":"order-2","data":{}})",
       {{"aggregateId", {"String", "order-1", {}}}});  // the attribute wins
  send(envelope("e4", "x", "", "", R"({"aggregateId":"order-2"})"));
  // A replayed copy is logged but does not extend the stream a second time.
  send(envelope("e1", "order.created", "", "", R"({"aggregateId":"order-1"})"),
       {{std::string(kReplayAttribute), {"String", "r1", {}}}});
  auto one = log_->read_stream("order-1", 0, 100);
  ASSERT_TRUE(one);
  ASSERT_EQ(one->events.size(), 3u);
  for (std::int64_t v = 0; v < 3; ++v) EXPECT_EQ(one->events[v].stream_version, v);
  EXPECT_EQ(one->events[2].seq, 3u);
  auto two = log_->read_stream("order-2", 0, 100);
  ASSERT_TRUE(two);
  ASSERT_EQ(two->events.size(), 1u);
  EXPECT_EQ(two->events[0].seq, 4u);
  EXPECT_EQ(log_->stream_head("order-1"), 2);
  EXPECT_EQ(log_->visible_through(), 5u);
}

TEST_F(EventLogTest, AppendChecksTheExpectedVersion) {
  auto first = append("s", ExpectedVersion::no_stream(),
                      {envelope("a", "t.created"), envelope("b", "t.changed")});
  EXPECT_EQ(first.outcome, AppendResult::Outcome::kAppended);
  EXPECT_EQ(first.first_version, 0);
  EXPECT_EQ(first.last_version, 1);
  EXPECT_EQ(first.positions, (Seqs{1, 2}));

  auto again = append("s", ExpectedVersion::no_stream(), {envelope("c", "t.changed")});
  EXPECT_EQ(again.outcome, AppendResult::Outcome::kWrongExpectedVersion);
  EXPECT_EQ(again.current_version, 1);
  auto stale = append("s", ExpectedVersion::exact(0), {envelope("c", "t.changed")});
  EXPECT_EQ(stale.outcome, AppendResult::Outcome::kWrongExpectedVersion);
  EXPECT_EQ(stale.current_version, 1);
  auto missing = append("other", ExpectedVersion::exact(0), {envelope("c", "t.changed")});
  EXPECT_EQ(missing.outcome, AppendResult::Outcome::kWrongExpectedVersion);
  EXPECT_EQ(missing.current_version, -1);

  auto exact = append("s", ExpectedVersion::exact(1), {envelope("c", "t.changed")});
  EXPECT_EQ(exact.outcome, AppendResult::Outcome::kAppended);
  EXPECT_EQ(exact.first_version, 2);
  auto any = append("s", ExpectedVersion::any(), {envelope("d", "t.changed")});
  EXPECT_EQ(any.first_version, 3);
  EXPECT_EQ(any.positions, Seqs{4});

  auto page = log_->read(0, 10, {});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->events.size(), 4u);
  EXPECT_EQ(page->events[0].source_arn, "eventbroker:streams/s");
  EXPECT_EQ(page->events[0].stream, "s");
}

TEST_F(EventLogTest, ReappendingTheSameIdsIsIdempotent) {
  auto first = append("s", ExpectedVersion::no_stream(),
                      {envelope("a", "t.created"), envelope("b", "t.changed")});
  auto retry = append("s", ExpectedVersion::no_stream(),
                      {envelope("a", "t.created"), envelope("b", "t.changed")});
  EXPECT_EQ(retry.outcome, AppendResult::Outcome::kAlreadyAppended);
  EXPECT_EQ(retry.first_version, first.first_version);
  EXPECT_EQ(retry.last_version, first.last_version);
  EXPECT_EQ(retry.positions, first.positions);
  EXPECT_EQ(log_->visible_through(), 2u);

  auto partial = append("s", ExpectedVersion::any(),
                        {envelope("b", "t.changed"), envelope("new", "t.changed")});
  EXPECT_EQ(partial.outcome, AppendResult::Outcome::kDuplicateEvent);
  EXPECT_EQ(partial.duplicate_ids, std::vector<std::string>{"b"});
  EXPECT_EQ(log_->visible_through(), 2u);
  // The same id in another stream is a different event.
  EXPECT_EQ(append("t", ExpectedVersion::any(), {envelope("a", "t.created")}).outcome,
            AppendResult::Outcome::kAppended);
}

TEST_F(EventLogTest, AppendRejectsBadInput) {
  auto expect_invalid = [&](const std::string& stream, std::vector<std::string> events,
                            std::string_view fragment) {
    auto r = log_->append(stream, ExpectedVersion::any(), events);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find(fragment), std::string::npos) << r.error().message;
  };
  expect_invalid("", {envelope("a", "t")}, "streamId");
  expect_invalid(std::string(300, 's'), {envelope("a", "t")}, "streamId");
  expect_invalid("bad\xff", {envelope("a", "t")}, "UTF-8");
  expect_invalid("s", {}, "at least one");
  expect_invalid("s", {envelope("a", "t"), R"({"id":"b","data":1})"}, "events[1].type");
  expect_invalid("s", {envelope("a", "t"), envelope("a", "t")}, "twice");
  expect_invalid("s", std::vector<std::string>(kMaxAppendEvents + 1, envelope("a", "t")),
                 "at most");
  auto negative = log_->append("s", ExpectedVersion::exact(-5), {envelope("a", "t")});
  EXPECT_FALSE(negative);
  EXPECT_EQ(log_->visible_through(), 0u);
  EXPECT_FALSE(log_->stream_head("s"));
}

TEST_F(EventLogTest, AFailedAppendWriteChangesNothing) {
  append("s", ExpectedVersion::any(), {envelope("a", "t")});
  engine_.fail_writes(true);
  auto r = log_->append("s", ExpectedVersion::exact(0), {envelope("b", "t")});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kServiceUnavailable);
  EXPECT_EQ(log_->stream_head("s"), 0);
  auto fresh = log_->append("new", ExpectedVersion::any(), {envelope("b", "t")});
  ASSERT_FALSE(fresh);
  EXPECT_FALSE(log_->stream_head("new"));
  engine_.fail_writes(false);
  auto ok = append("s", ExpectedVersion::exact(0), {envelope("b", "t")});
  EXPECT_EQ(ok.first_version, 1);
  EXPECT_EQ(ok.positions, Seqs{4});  // seqs 2 and 3 were reserved by the failed appends
  EXPECT_EQ(log_->visible_through(), 4u);
}

TEST_F(EventLogTest, ConcurrentAppendsWithTheSameExpectedVersionConflict) {
  append("s", ExpectedVersion::no_stream(), {envelope("seed", "t")});
  constexpr int kThreads = 8;
  constexpr int kRounds = 50;
  std::atomic<int> appended{0};
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < kRounds; ++round) {
        auto head = log_->stream_head("s").value_or(-1);
        auto r =
            log_->append("s", ExpectedVersion::exact(head),
                         {envelope("t" + std::to_string(t) + "-" + std::to_string(round), "t")});
        if (!r) continue;
        if (r->outcome == AppendResult::Outcome::kAppended) ++appended;
        if (r->outcome == AppendResult::Outcome::kWrongExpectedVersion) ++conflicts;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(appended + conflicts, kThreads * kRounds);
  EXPECT_EQ(log_->stream_head("s"), appended.load());
  auto page = log_->read_stream("s", 0, 1000);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->events.size(), static_cast<std::size_t>(appended + 1));
  for (std::size_t v = 0; v < page->events.size(); ++v) {
    EXPECT_EQ(page->events[v].stream_version, static_cast<std::int64_t>(v));
  }
}

TEST_F(EventLogTest, StreamReadsPageByVersion) {
  for (int i = 0; i < 5; ++i) {
    append("s", ExpectedVersion::any(), {envelope("e" + std::to_string(i), "t")});
    send("noise");
  }
  auto page = log_->read_stream("s", 1, 2);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->events.size(), 2u);
  EXPECT_EQ(page->events[0].stream_version, 1);
  EXPECT_EQ(page->events[1].stream_version, 2);
  EXPECT_EQ(page->next, std::optional<std::int64_t>(3));
  auto rest = log_->read_stream("s", 3, 100);
  ASSERT_TRUE(rest);
  EXPECT_EQ(rest->events.size(), 2u);
  EXPECT_FALSE(rest->next);
  auto past = log_->read_stream("s", 99, 100);
  ASSERT_TRUE(past);
  EXPECT_TRUE(past->events.empty());
  auto unknown = log_->read_stream("nope", 0, 10);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, Errc::kResourceNotFound);
}

TEST_F(EventLogTest, StateFoldsTheOrderProjection) {
  append("order-1", ExpectedVersion::no_stream(),
         {envelope("1", "order.created", "", "", R"({"orderId":"order-1","totalAmount":10})"),
          envelope("2", "order.paid", "", "", R"({"paymentId":"pay-1"})")});
  auto s = log_->state("order-1");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->projection, "order");
  EXPECT_EQ(s->version, 1);
  EXPECT_EQ(s->state_json,
            R"({"orderId":"order-1","totalAmount":10,"status":"paid","paymentId":"pay-1"})");
  append("order-1", ExpectedVersion::exact(1),
         {envelope("3", "order.shipped", "", "", R"({"trackingNumber":"TRK"})")});
  s = log_->state("order-1");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->version, 2);
  EXPECT_NE(s->state_json.find(R"("status":"shipped")"), std::string::npos);
  EXPECT_NE(s->state_json.find(R"("trackingNumber":"TRK")"), std::string::npos);

  append("cart", ExpectedVersion::any(),
         {envelope("1", "cart.created", "", "", R"({"items":1})"),
          envelope("2", "cart.changed", "", "", R"({"items":2,"note":"x"})")});
  auto merged = log_->state("cart");
  ASSERT_TRUE(merged);
  EXPECT_EQ(merged->projection, "merge");
  EXPECT_EQ(merged->state_json, R"({"items":2,"note":"x"})");
  EXPECT_FALSE(log_->state("none"));
}

TEST_F(EventLogTest, TraceBuildsTheCausationTree) {
  send(envelope("root", "order.created", "flow"));
  send(envelope("child1", "inventory.reserved", "flow", "root"));
  send(envelope("other", "x", "another-flow", "root"));
  send(envelope("child2", "payment.processed", "flow", "root"));
  send(envelope("grandchild", "order.paid", "flow", "child2"));
  send(envelope("orphan", "x", "flow", "not-in-log"));
  send(envelope("self", "x", "flow", "self"));  // its own cause: not a cycle, a root
  auto trace = log_->trace("flow");
  ASSERT_TRUE(trace);
  ASSERT_EQ(trace->nodes.size(), 6u);
  ASSERT_EQ(trace->roots.size(), 3u);
  const auto& root = trace->nodes[trace->roots[0]];
  EXPECT_EQ(root.event.envelope->id, "root");
  ASSERT_EQ(root.children.size(), 2u);
  EXPECT_EQ(trace->nodes[root.children[0]].event.envelope->id, "child1");
  const auto& child2 = trace->nodes[root.children[1]];
  EXPECT_EQ(child2.event.envelope->id, "child2");
  ASSERT_EQ(child2.children.size(), 1u);
  EXPECT_EQ(trace->nodes[child2.children[0]].event.envelope->id, "grandchild");
  EXPECT_EQ(trace->nodes[trace->roots[1]].event.envelope->id, "orphan");
  EXPECT_EQ(trace->nodes[trace->roots[2]].event.envelope->id, "self");
  auto empty = log_->trace("unknown");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->nodes.empty());
}

TEST_F(EventLogTest, ARestartContinuesSeqsAndStreams) {
  send("a");
  append("s", ExpectedVersion::any(), {envelope("x", "t"), envelope("y", "t")});
  restart();
  EXPECT_EQ(log_->visible_through(), 3u);
  EXPECT_EQ(log_->stream_head("s"), 1);
  EXPECT_EQ(send("b"), 4u);
  auto next = append("s", ExpectedVersion::exact(1), {envelope("z", "t")});
  EXPECT_EQ(next.first_version, 2);
  auto retry = append("s", ExpectedVersion::no_stream(), {envelope("x", "t"), envelope("y", "t")});
  EXPECT_EQ(retry.outcome, AppendResult::Outcome::kAlreadyAppended);
  EXPECT_EQ(retry.positions, (Seqs{2, 3}));
}

TEST_F(EventLogTest, RecoveryReportsUnreadableStorage) {
  send(envelope("a", "t"));
  FlakyReadEngine engine(engine_);
  engine.fail_reads = true;
  EventLog log(engine, clock_, clock_);
  auto recovered = log.recover();
  ASSERT_FALSE(recovered);
  EXPECT_EQ(recovered.error().code, Errc::kInternalError);
  EXPECT_EQ(recovered.error().message, "event log: cannot read the last event: corrupt block");

  engine.fail_reads = false;
  ASSERT_TRUE(log.recover());
  EXPECT_EQ(log.visible_through(), 1u);
}

TEST_F(EventLogTest, ListenersRunOnATimerAfterCommits) {
  int calls = 0;
  auto id = log_->subscribe([&] { ++calls; });
  send("a");
  send("b");
  EXPECT_EQ(calls, 0);  // never inside finish()
  clock_.advance(0);
  EXPECT_EQ(calls, 1);  // both commits reported at once
  storage::Batch batch;
  auto pending = stage("c", nullptr, batch);
  clock_.advance(0);
  EXPECT_EQ(calls, 1);
  ASSERT_TRUE(engine_.write(batch));
  log_->finish(pending, true);
  clock_.advance(0);
  EXPECT_EQ(calls, 2);
  log_->unsubscribe(id);
  send("d");
  clock_.advance(0);
  EXPECT_EQ(calls, 2);
}

class RetentionTest : public EventLogTest {};

TEST_F(RetentionTest, MaxAgeErasesOldEventsAndTheirIndexes) {
  restart(EventLogOptions{.max_age_ms = 60'000, .trim_interval_ms = 10'000});
  send(envelope("old1", "order.created", "c"), {{"aggregateId", {"String", "s", {}}}});
  send(envelope("old2", "order.paid", "c"), {{"aggregateId", {"String", "s", {}}}});
  clock_.advance(50'000);
  send(envelope("new", "order.created", "c"));
  EXPECT_EQ(seqs(), (Seqs{1, 2, 3}));
  clock_.advance(20'000);  // the trim at t+70s sees seqs 1 and 2 older than 60 s
  EXPECT_EQ(seqs(), Seqs{3});
  EXPECT_EQ(seqs(EventFilter{.correlation_id = "c"}), Seqs{3});
  EXPECT_EQ(seqs(EventFilter{.type = "order.paid"}), Seqs{});
  std::size_t index_entries = 0;
  ASSERT_TRUE(engine_.scan(storage::Family::kIndexes, {}, {}, [&](auto, auto) {
    ++index_entries;
    return true;
  }));
  EXPECT_EQ(index_entries, 4u);  // seq 3: ARN, envelope source, type, correlation
  // The stream lost its events but not its position.
  auto stream = log_->read_stream("s", 0, 10);
  ASSERT_TRUE(stream);
  EXPECT_TRUE(stream->events.empty());
  restart(EventLogOptions{.max_age_ms = 60'000});
  EXPECT_EQ(log_->stream_head("s"), 1);
  send("x", {{"aggregateId", {"String", "s", {}}}});
  auto after = log_->read_stream("s", 0, 10);
  ASSERT_TRUE(after);
  ASSERT_EQ(after->events.size(), 1u);
  EXPECT_EQ(after->events[0].stream_version, 2);
}

TEST_F(RetentionTest, TheSequenceSurvivesTrimmingEverything) {
  restart(EventLogOptions{.max_age_ms = 1'000});
  send("a");
  send("b");
  clock_.advance(5'000);
  auto trimmed = log_->trim();
  ASSERT_TRUE(trimmed);
  EXPECT_EQ(*trimmed, 2u);
  EXPECT_EQ(seqs(), Seqs{});
  restart();
  EXPECT_EQ(send("c"), 3u);
}

TEST_F(RetentionTest, MaxBytesErasesTheOldest) {
  restart(EventLogOptions{.max_total_bytes = 2'000});
  const std::string body(300, 'x');
  for (int i = 0; i < 20; ++i) send(body);
  EXPECT_GT(log_->total_bytes(), 2'000u);
  auto trimmed = log_->trim();
  ASSERT_TRUE(trimmed);
  EXPECT_GT(*trimmed, 0u);
  EXPECT_LE(log_->total_bytes(), 2'000u);
  auto left = seqs();
  ASSERT_FALSE(left.empty());
  EXPECT_EQ(left.back(), 20u);
  EXPECT_EQ(left.front(), 20u - left.size() + 1);
  // A restart measures the same total.
  const auto bytes = log_->total_bytes();
  restart(EventLogOptions{.max_total_bytes = 2'000});
  EXPECT_EQ(log_->total_bytes(), bytes);
}

TEST_F(RetentionTest, ForeverByDefault) {
  send("a");
  clock_.advance(365LL * 24 * 3600 * 1000);
  auto trimmed = log_->trim();
  ASSERT_TRUE(trimmed);
  EXPECT_EQ(*trimmed, 0u);
  EXPECT_EQ(seqs(), Seqs{1});
  EXPECT_EQ(clock_.pending_timers(), 0u);
}

// The snapshot store beside the log: entries upserted and erased by key with the header in
// one write, read back in key order only under the tag they were saved with, dropped whole,
// and kept apart per owner.
TEST_F(EventLogTest, SnapshotsKeepEntriesAndTheirHeaderPerOwner) {
  using Entries = std::vector<std::pair<std::string, std::string>>;
  const auto entries = [&](std::string_view owner) {
    Entries seen;
    EXPECT_TRUE(log_->visit_snapshot(
        owner, [&](std::string_view k, std::string_view v) { seen.emplace_back(k, v); }));
    return seen;
  };
  const auto header = [&](std::string_view owner) {
    auto h = log_->snapshot_header(owner);
    EXPECT_TRUE(h);
    return h.value_or(std::nullopt);
  };
  EXPECT_FALSE(header("saga"));
  EXPECT_EQ(entries("saga"), Entries{});

  ASSERT_TRUE(log_->save_snapshot("saga", {"v1", 7, 3}, {{"b", "2"}, {"a", "1"}, {"c", "3"}}));
  ASSERT_TRUE(log_->save_snapshot("sag", {"v9", 9, 1}, {{"a", "elsewhere"}}));
  ASSERT_TRUE(log_->save_snapshot("saga", {"v2", 12, 2}, {{"b", "22"}, {"c", ""}}));
  const auto saga = header("saga");
  ASSERT_TRUE(saga);
  EXPECT_EQ(saga->tag, "v2");
  EXPECT_EQ(saga->through, 12u);
  EXPECT_EQ(saga->entries, 2u);
  EXPECT_EQ(entries("saga"), (Entries{{"a", "1"}, {"b", "22"}}));

  ASSERT_TRUE(log_->drop_snapshot("saga"));
  EXPECT_FALSE(header("saga"));
  EXPECT_EQ(entries("saga"), Entries{});
  ASSERT_TRUE(header("sag"));
  EXPECT_EQ(header("sag")->tag, "v9");
  EXPECT_EQ(entries("sag"), (Entries{{"a", "elsewhere"}}));
}

}  // namespace
}  // namespace eb::eventlog
