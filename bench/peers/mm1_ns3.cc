// M/M/1 on ns-3 (Debian libns3-dev, 3.37): the peers benchmark's model
// (bench/peers/, scripts/bench-peers). Only the discrete-event core is used,
// no network stack: arrivals and departures are events put on the event list
// with Simulator::Schedule, the queue is a FIFO of arrival times (the front
// one is in service), and the draws are ns-3's own ExponentialRandomVariable
// (MRG32k3a streams). Poisson arrivals at lambda = 0.9/s, exponential service
// of mean 1/mu = 1 s; prints the customers served and their mean sojourn
// time, which should be near 1/(mu - lambda) = 10 s.
//
// --scheduler picks ns-3's event list: map (ns3::MapScheduler, the
// default), heap, list, calendar or priority (ns3::PriorityQueueScheduler),
// set through an ObjectFactory and Simulator::SetScheduler. The event list of
// an M/M/1 holds at most two events (the next arrival and the departure in
// progress), so this measures each event's constant cost, not the list's
// scaling.
//
//   g++ -O2 -o mm1_ns3 mm1_ns3.cc $(pkg-config --libs ns3-core)
//   ./mm1_ns3 --customers=1000000 --scheduler=heap --seed=1
#include <cstdint>
#include <cstdio>
#include <deque>
#include <map>
#include <string>

#include "ns3/command-line.h"
#include "ns3/double.h"
#include "ns3/nstime.h"
#include "ns3/object-factory.h"
#include "ns3/random-variable-stream.h"
#include "ns3/rng-seed-manager.h"
#include "ns3/simulator.h"

using namespace ns3;

namespace {

constexpr double kLambda = 0.9;  // arrivals per second
constexpr double kMu = 1.0;      // services per second

struct Model {
  std::uint64_t customers = 0;  // arrivals to generate
  std::uint64_t arrived = 0;
  std::uint64_t served = 0;
  double sum_sojourn_s = 0;
  std::deque<Time> queue;  // arrival times, FIFO; the front one is in service
  Ptr<ExponentialRandomVariable> interarrival;
  Ptr<ExponentialRandomVariable> service;
};

Model model;

void Depart();

void StartService() { Simulator::Schedule(Seconds(model.service->GetValue()), &Depart); }

void Arrive() {
  model.queue.push_back(Simulator::Now());
  if (model.queue.size() == 1) StartService();  // the server was idle
  if (++model.arrived < model.customers)
    Simulator::Schedule(Seconds(model.interarrival->GetValue()), &Arrive);
}

void Depart() {
  model.sum_sojourn_s += (Simulator::Now() - model.queue.front()).GetSeconds();
  model.queue.pop_front();
  ++model.served;
  if (!model.queue.empty()) StartService();
}

}  // namespace

int main(int argc, char* argv[]) {
  std::uint64_t customers = 1'000'000;
  std::uint32_t seed = 1;
  std::string scheduler = "map";
  CommandLine cmd(__FILE__);
  cmd.AddValue("customers", "Customers to simulate", customers);
  cmd.AddValue("seed", "ns-3 RNG seed (RngSeedManager::SetSeed)", seed);
  cmd.AddValue("scheduler", "Event list: map (default), heap, list, calendar, priority", scheduler);
  cmd.Parse(argc, argv);

  const std::map<std::string, std::string> schedulers = {
      {"map", "ns3::MapScheduler"},
      {"heap", "ns3::HeapScheduler"},
      {"list", "ns3::ListScheduler"},
      {"calendar", "ns3::CalendarScheduler"},
      {"priority", "ns3::PriorityQueueScheduler"}};
  const auto it = schedulers.find(scheduler);
  if (it == schedulers.end()) {
    std::fprintf(stderr, "unknown scheduler '%s' (map, heap, list, calendar, priority)\n",
                 scheduler.c_str());
    return 2;
  }
  ObjectFactory factory;
  factory.SetTypeId(it->second);
  Simulator::SetScheduler(factory);

  RngSeedManager::SetSeed(seed);
  model.customers = customers;
  model.interarrival = CreateObject<ExponentialRandomVariable>();
  model.interarrival->SetAttribute("Mean", DoubleValue(1.0 / kLambda));
  model.service = CreateObject<ExponentialRandomVariable>();
  model.service->SetAttribute("Mean", DoubleValue(1.0 / kMu));

  if (customers > 0) Simulator::Schedule(Seconds(0), &Arrive);
  Simulator::Run();
  Simulator::Destroy();

  if (model.served != customers) {
    std::fprintf(stderr, "served %llu of %llu customers\n",
                 static_cast<unsigned long long>(model.served),
                 static_cast<unsigned long long>(customers));
    return 1;
  }
  std::printf("ns3 scheduler %s customers %llu mean_sojourn_s %.4f\n", it->second.c_str(),
              static_cast<unsigned long long>(model.served),
              model.served ? model.sum_sojourn_s / static_cast<double>(model.served) : 0.0);
  return 0;
}
