// ObserverList: every observer hears every event it handles, in the order
// added; final observers are left out of the events they do not handle.
#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "orchestration/events.hpp"

namespace orchsim::orchestration::observer_list_test {
namespace {

using Log = std::vector<std::string>;

// Final, handles two kinds of event.
class CallsOnly final : public Observer {
 public:
  CallsOnly(Log& log, std::string name) : log_(log), name_(std::move(name)) {}
  void on_call_started(const CallStarted&) override { log_.push_back(name_ + ":started"); }
  void on_call_ended(const CallEnded&) override { log_.push_back(name_ + ":ended"); }

 private:
  Log& log_;
  std::string name_;
};

// Not final and handles nothing; the class derived from it handles node
// entries. Added through a pointer to the base, it must still hear them.
class Quiet : public Observer {};
class Entries final : public Quiet {
 public:
  explicit Entries(Log& log) : log_(log) {}
  void on_node_entered(const NodeEntered&) override { log_.push_back("entries:entered"); }
  bool wants_explanations() const override { return true; }

 private:
  Log& log_;
};

void send_some(Observer& o) {
  o.on_request_arrived({});
  o.on_call_started({});
  o.on_node_entered({});
  o.on_call_ended({});
  o.on_flow_decision({});
}

TEST(ObserverList, ForwardsEachEventToItsHandlersInTheOrderAdded) {
  Log log;
  CallsOnly a(log, "a"), b(log, "b");
  Entries entries(log);
  ObserverList list;
  EXPECT_TRUE(list.empty());
  list.add(&a);
  list.add(static_cast<Quiet*>(&entries));
  list.add(&b);
  EXPECT_FALSE(list.empty());
  send_some(list);
  EXPECT_EQ(log, (Log{"a:started", "b:started", "entries:entered", "a:ended", "b:ended"}));
}

TEST(ObserverList, SaysWhichKindsOfEventItsObserversHandle) {
  Log log;
  CallsOnly a(log, "a");
  ObserverList list;
  for (std::size_t k = 0; k < kEventKinds; ++k)
    EXPECT_FALSE(list.handles(static_cast<EventKind>(k))) << k;
  list.add(&a);
  for (std::size_t k = 0; k < kEventKinds; ++k) {
    const auto kind = static_cast<EventKind>(k);
    EXPECT_EQ(list.handles(kind), kind == EventKind::kCallStarted || kind == EventKind::kCallEnded)
        << k;
  }
  Entries entries(log);
  list.add(static_cast<Quiet*>(&entries));  // not final: every kind
  for (std::size_t k = 0; k < kEventKinds; ++k)
    EXPECT_TRUE(list.handles(static_cast<EventKind>(k))) << k;
}

TEST(ObserverList, AnObserverAddedAsObserverHearsEverything) {
  Log log;
  Entries entries(log);
  ObserverList list;
  list.add(static_cast<Observer*>(&entries));
  send_some(list);
  EXPECT_EQ(log, (Log{"entries:entered"}));
}

TEST(ObserverList, WantsExplanationsIfAnyMemberDoes) {
  Log log;
  CallsOnly a(log, "a");
  Entries entries(log);
  ObserverList list;
  list.add(&a);
  EXPECT_FALSE(list.wants_explanations());
  list.add(static_cast<Quiet*>(&entries));
  EXPECT_TRUE(list.wants_explanations());
}

}  // namespace
}  // namespace orchsim::orchestration::observer_list_test
