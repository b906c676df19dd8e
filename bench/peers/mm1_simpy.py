#!/usr/bin/python3
"""M/M/1 in SimPy: the peers benchmark's model (bench/peers/, scripts/bench-peers).

Poisson arrivals at lambda = 0.9/s, one server (a Resource of capacity 1,
FIFO) with exponential service of mean 1/mu = 1 s. Each customer is a SimPy
process: request the server, hold for its service time, release, record its
time in system. Prints the customers served and their mean sojourn time,
which should be near 1/(mu - lambda) = 10 s.

Debian's python3-simpy is SimPy 2.3 (the `SimPy` package, the classic
process-interaction API with `yield request/hold/release`), not SimPy 3/4
(`simpy`, environments and events); its event list is a heapq like theirs.

    /usr/bin/python3 bench/peers/mm1_simpy.py --customers 200000 --seed 1
"""

import argparse
import random
import sys

from SimPy.Simulation import Process, Resource, Simulation, hold, release, request

LAMBDA = 0.9  # arrivals per second
MU = 1.0  # services per second


class Stats:
    def __init__(self):
        self.served = 0
        self.sum_sojourn = 0.0


class Customer(Process):
    def visit(self, server, service_s, stats):
        arrived = self.sim.now()
        yield request, self, server
        yield hold, self, service_s
        yield release, self, server
        stats.served += 1
        stats.sum_sojourn += self.sim.now() - arrived


class Source(Process):
    def generate(self, customers, server, rng, stats):
        for _ in range(customers):
            c = Customer(sim=self.sim)
            self.sim.activate(c, c.visit(server, rng.expovariate(MU), stats))
            yield hold, self, rng.expovariate(LAMBDA)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    rng = random.Random(args.seed)
    sim = Simulation()
    server = Resource(capacity=1, sim=sim)
    stats = Stats()
    source = Source(sim=sim)
    sim.activate(source, source.generate(args.customers, server, rng, stats))
    sim.simulate(until=float("inf"))
    if stats.served != args.customers:
        sys.exit(f"served {stats.served} of {args.customers} customers")
    print(f"simpy customers {stats.served} mean_sojourn_s {stats.sum_sojourn / stats.served:.4f}")


if __name__ == "__main__":
    main()
