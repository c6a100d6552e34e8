#include "app/topic_archive.hpp"

namespace eb::app {

sns::ArchiveReader topic_archive_reader(const eventlog::EventLog& log) {
  return [&log](const std::string& topic_arn, Millis from,
                Millis to) -> Result<std::vector<sns::ArchivedMessage>> {
    std::vector<sns::ArchivedMessage> out;
    eventlog::EventFilter filter;
    filter.source = topic_arn;
    std::uint64_t after = 0;
    while (true) {
      EB_ASSIGN_OR_RETURN(eventlog::EventPage page, log.read(after, 1000, filter));
      for (auto& e : page.events) {
        if (e.source_arn != topic_arn || e.timestamp < from || e.timestamp > to) continue;
        out.push_back({.message_id = std::move(e.message_id),
                       .timestamp = e.timestamp,
                       .message = std::move(e.body),
                       .subject = std::move(e.subject),
                       .attributes = std::move(e.attributes),
                       .group_id = std::move(e.group_id),
                       .deduplication_id = std::move(e.deduplication_id)});
      }
      if (!page.next) return out;
      after = *page.next;
    }
  };
}

}  // namespace eb::app
