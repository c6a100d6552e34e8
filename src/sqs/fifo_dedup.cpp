#include "sqs/fifo_dedup.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>

namespace eb::sqs {
namespace {

// The fingerprint half of a table cell (DedupWindow::cell).
constexpr std::uint64_t kFingerprintBits = ~std::uint64_t{0xffffffff};

std::uint64_t read_be64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

std::string DedupWindow::key_text(DedupScope scope, std::string_view group,
                                  std::string_view dedup_id) {
  if (scope == DedupScope::kQueue) return fmt::format("q:{}", dedup_id);
  return fmt::format("g{}:{}{}", group.size(), group, dedup_id);
}

DedupKey DedupWindow::key_of_text(std::string_view text) {
  const Sha256Digest d = sha256(text);
  return DedupKey{read_be64(d.data()), read_be64(d.data() + 8)};
}

DedupKey DedupWindow::key(DedupScope scope, std::string_view group, std::string_view dedup_id) {
  return key_of_text(key_text(scope, group, dedup_id));
}

std::string DedupWindow::content_id(std::string_view body) { return sha256_hex(body); }

DedupWindow::Slot& DedupWindow::slot_of(std::uint64_t cell) {
  const auto offset = static_cast<std::uint32_t>(cell - first_);
  return order_[offset];
}

std::size_t DedupWindow::locate(const DedupKey& key) {
  const std::size_t mask = table_.size() - 1;
  const std::uint64_t fingerprint = cell(key, 0);
  for (std::size_t i = home(key);; i = (i + 1) & mask) {
    const std::uint64_t c = table_[i];
    if (c == 0) return kNotFound;
    if ((c & kFingerprintBits) == fingerprint && slot_of(c).key == key) return i;
  }
}

const DedupEntry* DedupWindow::find(const DedupKey& key, Millis now) {
  expire(now);
  const std::size_t i = locate(key);
  if (i == kNotFound) return nullptr;
  const DedupEntry& entry = slot_of(table_[i]).entry;
  // An entry behind an older-stamped front has not been dropped yet, but its window is over.
  return entry.sent + interval_ <= now ? nullptr : &entry;
}

bool DedupWindow::insert(const DedupKey& key, const DedupEntry& entry, Millis now) {
  if (find(key, now)) return false;
  put(key, entry);
  return true;
}

void DedupWindow::insert_absent(const DedupKey& key, const DedupEntry& entry) { put(key, entry); }

void DedupWindow::confirm(const DedupKey& key) {
  if (const std::size_t i = locate(key); i != kNotFound) slot_of(table_[i]).entry.pending = false;
}

void DedupWindow::erase(const DedupKey& key) {
  const std::size_t i = locate(key);
  if (i == kNotFound) return;
  slot_of(table_[i]).entry.sent = kErased;
  remove_cell(i);
}

void DedupWindow::restore(std::vector<Listed> entries) {
  // Records come back in key order; the deque wants them in the order their windows end.
  std::ranges::stable_sort(entries, {}, [](const Listed& l) { return l.entry.sent; });
  for (const Listed& l : entries) put(l.key, l.entry);
}

std::vector<DedupWindow::Listed> DedupWindow::live(Millis now) {
  expire(now);
  std::vector<Listed> out;
  out.reserve(size_);
  for (const Slot& s : order_) {
    if (s.entry.sent != kErased && s.entry.sent + interval_ > now) out.push_back({s.key, s.entry});
  }
  return out;
}

void DedupWindow::expire(Millis now, std::vector<DedupKey>* expired) {
  // Sends stamp `sent` before they take the queue lock, so a slot may be a few milliseconds
  // older than the one before it; it then leaves with that one (find() already ignores it).
  bool removed = false;
  while (!order_.empty()) {
    const Slot& front = order_.front();
    if (front.entry.sent != kErased) {
      if (front.entry.sent + interval_ > now) break;
      remove_cell(locate(front.key));
      if (expired) expired->push_back(front.key);
      removed = true;
    }
    order_.pop_front();
    ++first_;
  }
  // Shrink after a burst, with room to spare so that a steady rate does not resize each time.
  if (removed && table_.size() > kMinCapacity && size_ * 8 < table_.size()) {
    rehash(std::max(kMinCapacity, std::bit_ceil(size_ * 2 + 1)));
  }
}

void DedupWindow::put(const DedupKey& key, const DedupEntry& entry) {
  if ((size_ + 1) * 4 > table_.size() * 3) rehash(table_.size() * 2);
  const std::uint64_t ordinal = first_ + order_.size();
  order_.push_back(Slot{key, entry});
  const std::size_t mask = table_.size() - 1;
  const std::uint64_t fingerprint = cell(key, 0);
  std::size_t i = home(key);
  for (; table_[i] != 0; i = (i + 1) & mask) {
    if ((table_[i] & kFingerprintBits) != fingerprint) continue;
    if (Slot& held = slot_of(table_[i]); held.key == key) {
      // An ended entry not dropped yet, or a recovered key met twice: the new one replaces it.
      held.entry.sent = kErased;
      table_[i] = cell(key, ordinal);
      return;
    }
  }
  table_[i] = cell(key, ordinal);
  ++size_;
}

void DedupWindow::remove_cell(std::size_t index) {
  const std::size_t mask = table_.size() - 1;
  std::size_t hole = index;
  for (std::size_t i = (index + 1) & mask; table_[i] != 0; i = (i + 1) & mask) {
    // A cell may move back into the hole only if the hole lies on its probe path, i.e.
    // between its home and where it is now (cyclically).
    const std::size_t from_home = (i - home(slot_of(table_[i]).key)) & mask;
    const std::size_t to_hole = (i - hole) & mask;
    if (from_home >= to_hole) {
      table_[hole] = table_[i];
      hole = i;
    }
  }
  table_[hole] = 0;
  --size_;
}

void DedupWindow::rehash(std::size_t capacity) {
  table_.assign(capacity, 0);
  const std::size_t mask = capacity - 1;
  std::uint64_t ordinal = first_;
  for (const Slot& s : order_) {
    if (s.entry.sent != kErased) {
      std::size_t i = home(s.key);
      while (table_[i] != 0) i = (i + 1) & mask;
      table_[i] = cell(s.key, ordinal);
    }
    ++ordinal;
  }
}

}  // namespace eb::sqs
