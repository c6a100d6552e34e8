#include "storage/account_engine.hpp"

#include <algorithm>
#include <stdexcept>

namespace eb::storage {
namespace {

// The default account's part of [begin, end) (empty `end`: unbounded): the same range with its
// end capped at kAccountSpace, or nullopt when it starts at or past kAccountSpace.
std::optional<std::string_view> default_end(std::string_view begin, std::string_view end) {
  if (begin >= kAccountSpace) return std::nullopt;
  if (end.empty() || end > kAccountSpace) return kAccountSpace;
  return end;
}

std::string account_prefix(const std::string& account_id) {
  if (account_id.empty()) return {};
  if (account_id.find('/') != std::string::npos) {
    throw std::invalid_argument("storage: an account id has no '/': " + account_id);
  }
  std::string prefix(kAccountSpace);
  prefix.append(account_id).push_back('/');
  return prefix;
}

// The first key past every key under `prefix` (which ends in '/'), or past the default
// account's for no prefix.
std::string account_end(const std::string& prefix) {
  if (prefix.empty()) return std::string(kAccountSpace);
  std::string end = prefix;
  end.back() = '/' + 1;
  return end;
}

}  // namespace

AccountEngine::AccountEngine(Engine& base, std::string account_id)
    : base_(base),
      account_id_(std::move(account_id)),
      prefix_(account_prefix(account_id_)),
      end_(account_end(prefix_)) {}

std::string AccountEngine::scoped(std::string_view key) const {
  std::string out;
  out.reserve(prefix_.size() + key.size());
  out.append(prefix_).append(key);
  return out;
}

std::pair<std::string, std::string> AccountEngine::scoped_range(std::string_view begin,
                                                                std::string_view end) const {
  return {scoped(begin), end.empty() ? end_ : scoped(end)};
}

bool AccountEngine::rewrites(const Batch& batch) const {
  return std::any_of(batch.ops().begin(), batch.ops().end(), [&](const Batch::Op& op) {
    if (is_daemon_wide(op.family)) return false;
    if (!prefix_.empty()) return true;
    return op.kind == Batch::Kind::kEraseRange && default_end(op.key, op.value) != op.value;
  });
}

Batch AccountEngine::scoped_batch(const Batch& batch) const {
  Batch out;
  for (const auto& op : batch.ops()) {
    const bool as_is = unchanged(op.family);
    switch (op.kind) {
      case Batch::Kind::kPut:
        out.put(op.family, as_is ? op.key : scoped(op.key), op.value);
        break;
      case Batch::Kind::kErase:
        out.erase(op.family, as_is ? op.key : scoped(op.key));
        break;
      case Batch::Kind::kEraseRange:
        if (is_daemon_wide(op.family)) {
          out.erase_range(op.family, op.key, op.value);
        } else if (prefix_.empty()) {
          if (auto end = default_end(op.key, op.value)) out.erase_range(op.family, op.key, *end);
        } else {
          auto [begin, end] = scoped_range(op.key, op.value);
          out.erase_range(op.family, std::move(begin), std::move(end));
        }
        break;
    }
  }
  return out;
}

Result<void> AccountEngine::write(const Batch& batch) {
  if (!rewrites(batch)) return base_.write(batch);
  return base_.write(scoped_batch(batch));
}

Result<std::optional<std::string>> AccountEngine::get(Family family, std::string_view key) const {
  if (unchanged(family)) return base_.get(family, key);
  return base_.get(family, scoped(key));
}

Result<std::vector<std::optional<std::string>>> AccountEngine::multi_get(
    Family family, const std::vector<std::string>& keys) const {
  if (unchanged(family)) return base_.multi_get(family, keys);
  std::vector<std::string> scoped_keys;
  scoped_keys.reserve(keys.size());
  for (const auto& key : keys) scoped_keys.push_back(scoped(key));
  return base_.multi_get(family, scoped_keys);
}

Result<void> AccountEngine::scan(Family family, std::string_view from, std::string_view to,
                                 const Visit& visit, bool reverse) const {
  if (is_daemon_wide(family)) return base_.scan(family, from, to, visit, reverse);
  if (prefix_.empty()) {
    const auto end = default_end(from, to);
    if (!end) return {};
    return base_.scan(family, from, *end, visit, reverse);
  }
  const auto [begin, end] = scoped_range(from, to);
  return base_.scan(
      family, begin, end,
      [&](std::string_view key, std::string_view value) {
        return visit(key.substr(prefix_.size()), value);
      },
      reverse);
}

}  // namespace eb::storage
