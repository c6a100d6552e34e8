#pragma once
// An Engine kept in ordered maps: nothing touches disk. Used by --in-memory and by domain
// tests. One mutex guards all families; batches apply under it, so they are atomic.
#include <array>
#include <map>
#include <mutex>
#include <optional>

#include "storage/engine.hpp"

namespace eb::storage {

class MemoryEngine final : public Engine {
 public:
  // `durable` makes the engine claim durability, so the broker keeps messages in it as it
  // would on disk: domain tests exercise the durable paths and restarts without a disk.
  explicit MemoryEngine(bool durable = false) : durable_(durable) {}
  bool durable() const override { return durable_; }
  Result<void> write(const Batch& batch) override;
  Result<std::optional<std::string>> get(Family family, std::string_view key) const override;
  Result<std::vector<std::optional<std::string>>> multi_get(
      Family family, const std::vector<std::string>& keys) const override;
  Result<void> scan(Family family, std::string_view from, std::string_view to, const Visit& visit,
                    bool reverse = false) const override;
  void when_durable(std::function<void()> done) override { done(); }

  // Test hook: while set, every write fails as a full disk would.
  void fail_writes(bool fail);
  // Test hook: while set, the writes that touch `family` fail so (nullopt: none).
  void fail_writes_to(std::optional<Family> family);
  // Test hook: the writes made so far (each Batch, failed ones included).
  std::size_t writes() const;

 private:
  using Map = std::map<std::string, std::string, std::less<>>;
  const Map& map(Family f) const { return maps_[static_cast<std::size_t>(f)]; }
  Map& map(Family f) { return maps_[static_cast<std::size_t>(f)]; }

  const bool durable_;
  mutable std::mutex mu_;
  std::array<Map, kFamilyCount> maps_;
  bool fail_writes_ = false;
  std::optional<Family> fail_family_;
  std::size_t writes_ = 0;
};

}  // namespace eb::storage
