#pragma once
// The shape of every batch action (SendMessageBatch, DeleteMessageBatch, PublishBatch, ...):
// entries with caller-chosen ids in, per-entry successes and failures out.
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/errors.hpp"

namespace eb {

template <class T>
struct BatchEntry {
  std::string id;
  T input;
};

struct BatchFailure {
  std::string id;
  Error error;
  bool sender_fault = true;
};

template <class T>
struct BatchOutput {
  std::vector<std::pair<std::string, T>> successful;  // (entry id, result)
  std::vector<BatchFailure> failed;
};

// What a batch entry that answers nothing but success carries (DeleteMessageBatch, ...).
using NoOutput = std::monostate;

}  // namespace eb
