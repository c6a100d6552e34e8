#pragma once
// The event log's on-disk shapes: its keys and the EventRecord codec (events.proto). Changing
// anything here changes the format of existing data dirs. Stateless free functions, internal
// to eventlog/: EventLog calls them, and the tests pin the layout through them.
//
// Storage (through storage::Engine):
//   kEvents   seq (u64 BE)                  -> EventRecord (events.proto)
//   kIndexes  'o' source \0 seq             -> ""  (the source ARN and the envelope's source)
//             't' type \0 seq               -> ""
//             'c' correlationId \0 seq      -> ""
//             'S' stream \0 version (u64 BE) -> seq (versions grow with seqs)
//             'I' stream \0 event id        -> seq, version (idempotent appends)
//   kMeta     "eventlog/trimmed_through"    -> highest seq erased by retention
//             "eventlog/head/" stream       -> last version of a stream whose last event
//                                              retention erased
// Values inside keys are escaped (0x00 -> 01 01, 0x01 -> 01 02) so the \0 separator is unique.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "eventlog/event_log.hpp"
#include "storage/engine.hpp"

namespace eb::eventlog::records {

inline constexpr char kSourceIndex = 'o';
inline constexpr char kTypeIndex = 't';
inline constexpr char kCorrelationIndex = 'c';
inline constexpr char kStreamIndex = 'S';
inline constexpr char kEventIdIndex = storage::kUnsequencedIndexTag;  // ends in an id

inline constexpr std::string_view kTrimmedThroughKey = "eventlog/trimmed_through";
inline constexpr std::string_view kHeadKeyPrefix = "eventlog/head/";

// Keys hold values then a \0 separator: escaping 0x00 and 0x01 keeps \0 out of the value, so
// one value's prefix never covers another's keys.
void append_escaped(std::string& out, std::string_view value);
std::string unescape(std::string_view value);

// `kind`, the escaped value, \0: the prefix of every index key of one value.
std::string index_prefix(char kind, std::string_view value);
// The first key after every key starting with `prefix` (which ends in \0).
std::string prefix_end(std::string prefix);
std::string with_u64(std::string prefix, std::uint64_t v);
std::string event_id_key(std::string_view stream, std::string_view id);
std::string head_key(std::string_view stream);

std::string encode_record(const Event& e);
// The same record with `body` for e.body: a send's body goes into its record without being
// copied into an Event first.
std::string encode_record(const Event& e, std::string_view body);
// nullopt when `bytes` is not an EventRecord. Strings move out of the parsed record, so a
// page of reads copies each body once.
std::optional<Event> decode_record(std::uint64_t seq, std::string_view bytes);
// The same into `out` (a fresh Event, typically a vector's new last element), saving a move of
// every field; false when `bytes` is not an EventRecord (`out` is then unspecified).
bool decode_record_into(std::uint64_t seq, std::string_view bytes, Event& out);

// The index entries of one event (the 'I' entry included), as (key, value).
std::vector<std::pair<std::string, std::string>> index_entries(const Event& e);

}  // namespace eb::eventlog::records
