// Every argument of every subcommand is checked: walked from the real command
// line (cli::CommandLine), not from a list kept here. Each option that takes
// a value must have an ArgSpec; its kind says which values must be refused
// (negative, zero where it means nothing, past the limit, malformed), and
// each refusal must be a parse error that says what is allowed. An option
// added later without a spec fails ArgSpec.EveryOptionHasASpec until it gets
// one, and is then covered by the rest of this file as it stands.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include "cli/command_line.hpp"
#include "tests/cli/run_orchsim.hpp"

namespace orchsim::cli::arg_spec_test {
namespace {

using Kind = ArgSpec::Kind;

// Values each kind must refuse.
std::vector<std::string> bad_values(const ArgSpec& s) {
  std::vector<std::string> bad;
  switch (s.kind()) {
    case Kind::kInteger:
      bad = {"-5", "-1", "abc", "1.5", "0x10", "1e3", " 1", "+1", "", "99999999999999999999999"};
      // One past the limit; 2^64 when the limit is 2^64 - 1 (CLI11 alone would read it as 2^64 -
      // 1).
      bad.push_back(s.max() == kMaxSeed ? "18446744073709551616" : std::to_string(s.max() + 1));
      if (s.min() > 0) bad.push_back(std::to_string(s.min() - 1));  // zero where it means nothing
      break;
    case Kind::kDuration:
      bad = {"-1s", "-0.5ms", "fast", "5parsecs", "1e400s", "nan", "inf", "5 s", "", "1e12h"};
      if (s.min_duration() > sim::Duration::zero()) bad.insert(bad.end(), {"0", "0s", "0ms"});
      break;
    case Kind::kSet:
      bad = {"a=1", "/a", "=1", "/a~2=1", "/a~=1", ""};
      break;
    case Kind::kGrid:
      bad = {"/a", "/a=", "a=1,2", "/a~2=1", "/a=1,,2", ""};
      break;
    case Kind::kVariant:
      bad = {"x", ":/a=1", "x:", "x:a=1", "x:/a~2=1", "/a=1", ""};
      break;
    case Kind::kTolerance:
      bad = {"x", "x=rel:-1", "x=pct:1", "=rel:0.1", "x=rel:nan", "x=abs:inf", "x=rel:", ""};
      break;
    case Kind::kChoice: {
      std::string upper = s.choices().front();
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      bad = {"bogus", "", upper};
      break;
    }
    case Kind::kName:
    case Kind::kPath:
      bad = {""};
      break;
    case Kind::kNumber: {
      bad = {"abc", "nan", "inf", "-inf", "0x1p3", "1e999", " 1", "1,5", "", "1.5.5"};
      // Past each end (zero where it means nothing: min open), negative.
      bad.push_back(fmt::format("{}", s.max_number() * 2 + 1));
      if (s.min_open()) bad.push_back(fmt::format("{}", s.min_number()));
      bad.push_back(fmt::format("{}", s.min_number() - 1));
      break;
    }
    case Kind::kCustom:
      bad = s.refused_examples();
      break;
    case Kind::kShard:
      // Zero shards, an index past the count, negative, not digits, too many.
      bad = {"0/0",
             "4/4",
             "5/4",
             "-1/4",
             "1/-4",
             "1",
             "1/",
             "/4",
             "a/b",
             "+1/4",
             " 1/4",
             "1/4/2",
             "0/18446744073709551616",
             "0/" + std::to_string(kMaxShards + 1),
             ""};
      break;
  }
  return bad;
}

// Values each kind must accept.
std::vector<std::string> good_values(const ArgSpec& s) {
  switch (s.kind()) {
    case Kind::kInteger:
      return {std::to_string(s.min()), std::to_string(s.max())};
    case Kind::kDuration:
      return {"250ms", "1.5min", "2555555h"};
    case Kind::kSet:
      return {"/run/seed=3", "/workflow/nodes/0/agents=[\"a\",\"b\"]", "/a~0b~1c="};
    case Kind::kGrid:
      return {"/run/seed=1,2", "/x=[1,2],[3]"};
    case Kind::kVariant:
      return {"x:/run/seed=2", "y:/a=1,/b=[1,2]"};
    case Kind::kTolerance:
      return {"latency_ms.all.p99=rel:0.05", "quality.mean=abs:0"};
    case Kind::kChoice:
      return s.choices();
    case Kind::kName:
      return {"rag_orchestrated"};
    case Kind::kPath:
      return {"out/x"};
    case Kind::kNumber:
      return {fmt::format("{}", s.max_number()),
              fmt::format("{}", s.min_open() ? s.min_number() + 1e-6 : s.min_number())};
    case Kind::kCustom:
      return s.accepted_examples();
    case Kind::kShard:
      return {"0/1", "3/4", std::to_string(kMaxShards - 1) + "/" + std::to_string(kMaxShards)};
  }
  return {};
}

bool takes_value(const CLI::Option* o) { return o->get_items_expected_max() > 0; }

// Every subcommand at any depth ("import asl" too), with its path of names.
struct Command {
  const CLI::App* app;
  std::vector<std::string> path;  // {"import", "asl"}
};
std::vector<Command> commands(const CLI::App& root) {
  std::vector<Command> out;
  std::vector<Command> todo = {{&root, {}}};
  while (!todo.empty()) {
    const Command c = todo.back();
    todo.pop_back();
    if (c.app != &root) out.push_back(c);
    for (const CLI::App* sub : c.app->get_subcommands([](const CLI::App*) { return true; })) {
      std::vector<std::string> path = c.path;
      path.push_back(sub->get_name());
      todo.push_back({sub, std::move(path)});
    }
  }
  return out;
}

const CLI::App* find_command(const CLI::App& root, const std::vector<std::string>& path) {
  const CLI::App* app = &root;
  for (const std::string& name : path) app = app->get_subcommand(name);
  return app;
}

std::string spelled(const std::vector<std::string>& path) {
  std::string s;
  for (const std::string& name : path) s += (s.empty() ? "" : " ") + name;
  return s;
}

// One option of one subcommand, named so that a fresh CommandLine can find it.
struct Probe {
  std::vector<std::string> command;  // {"run"}, {"import", "asl"}
  std::string option;                // "--requests", or the positional's name
  bool positional;
  ArgSpec spec;
};

std::vector<Probe> probes() {
  const CommandLine cl;
  std::vector<Probe> out;
  for (const Command& c : commands(cl.app)) {
    for (const CLI::Option* o : c.app->get_options()) {
      const auto it = cl.specs.find(o);
      if (!takes_value(o) || it == cl.specs.end()) continue;
      out.push_back({c.path, o->get_name(), !o->nonpositional(), it->second});
    }
  }
  return out;
}

// Arguments giving `value` to the probed option, plus a valid value for every
// other required option of the subcommand, and one replication when the
// subcommand has --replications (so that the largest seed does not wrap).
std::vector<std::string> args_for(const Probe& p, const std::string& value) {
  const CommandLine cl;
  std::vector<std::string> args = {"orchsim"};
  args.insert(args.end(), p.command.begin(), p.command.end());
  const CLI::App* sub = find_command(cl.app, p.command);
  std::optional<std::string> positional;
  for (const CLI::Option* o : sub->get_options()) {
    if (!o->get_required() || o->get_name() == p.option) continue;
    const std::string good = good_values(cl.specs.at(o)).front();
    if (o->nonpositional()) {
      args.push_back(o->get_name() + "=" + good);
    } else {
      positional = good;
    }
  }
  if (p.option != "--replications" && sub->get_option_no_throw("--replications") != nullptr) {
    args.push_back("--replications=1");
  }
  if (p.positional) {
    positional = value;
  } else if (value.empty()) {
    args.insert(args.end(), {p.option, value});  // "--seed=" would be a missing value
  } else {
    args.push_back(p.option + "=" + value);  // "=": a value starting with '-' stays a value
  }
  if (positional) {
    args.push_back("--");
    args.push_back(*positional);
  }
  return args;
}

// nullopt when the arguments parse; else the parse error's class and text.
struct Refusal {
  std::string kind, what;
};
std::optional<Refusal> parse(const std::vector<std::string>& args) {
  CommandLine cl;
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  try {
    cl.app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    return Refusal{e.get_name(), e.what()};
  }
  return std::nullopt;
}

std::string joined(const std::vector<std::string>& args) {
  std::string s;
  for (const std::string& a : args) s += (s.empty() ? "" : " ") + ("'" + a + "'");
  return s;
}

TEST(ArgSpec, EveryOptionHasASpec) {
  const CommandLine cl;
  std::vector<Command> apps = {{&cl.app, {}}};
  for (const Command& c : commands(cl.app)) apps.push_back(c);
  std::size_t checked = 0;
  for (const Command& c : apps) {
    for (const CLI::Option* o : c.app->get_options()) {
      if (!takes_value(o)) continue;  // flags: nothing to check
      ++checked;
      EXPECT_TRUE(cl.specs.count(o))
          << "orchsim " << spelled(c.path) << " " << o->get_name()
          << ": declared without an ArgSpec; declare it with cli::add_option "
             "(cli/arg_spec.hpp) so that its values are checked";
    }
  }
  EXPECT_GE(checked, 40u);  // the walk really saw the command line
}

TEST(ArgSpec, EveryOptionRefusesWhatItsKindMustRefuseAndSaysWhatIsAllowed) {
  const std::vector<Probe> all = probes();
  ASSERT_GE(all.size(), 40u);
  for (const Probe& p : all) {
    for (const std::string& bad : bad_values(p.spec)) {
      const auto args = args_for(p, bad);
      const auto refusal = parse(args);
      ASSERT_TRUE(refusal) << joined(args) << ": accepted";
      EXPECT_EQ(refusal->kind, "ValidationError") << joined(args) << ": " << refusal->what;
      EXPECT_NE(refusal->what.find(p.spec.expected()), std::string::npos)
          << joined(args) << ": " << refusal->what;
      EXPECT_EQ(refusal->what.rfind(p.option + ": found '" + bad + "'", 0), 0u)
          << joined(args) << ": " << refusal->what;
    }
  }
}

TEST(ArgSpec, EveryOptionAcceptsTheValuesItsKindAllows) {
  for (const Probe& p : probes()) {
    for (const std::string& good : good_values(p.spec)) {
      const auto args = args_for(p, good);
      const auto refusal = parse(args);
      EXPECT_FALSE(refusal) << joined(args) << ": " << refusal->what;
    }
  }
}

TEST(ArgSpec, IntegersAreDecimalWhateverTheirLeadingZeros) {
  // CLI11 on its own reads "010" as octal 8.
  CommandLine cl;
  const char* argv[] = {"orchsim", "run", "--jobs=010", "--requests", "0100"};
  cl.app.parse(5, argv);
  EXPECT_EQ(cl.run_args.jobs, 10u);
  EXPECT_EQ(cl.run_args.requests, 100u);
}

TEST(ArgSpec, TheLargestValuesArriveIntact) {
  CommandLine cl;
  const char* argv[] = {
      "orchsim", "run", "--seed", "18446744073709551615", "--requests", "9223372036854775807"};
  cl.app.parse(6, argv);
  EXPECT_EQ(cl.run_args.seed, kMaxSeed);
  EXPECT_EQ(cl.run_args.requests, kMaxRequests);
}

TEST(ArgSpec, SeedsThatWouldWrapAreRefusedInEveryReplicatingCommand) {
  for (const std::string cmd : {"run", "compare", "sweep", "baseline"}) {
    std::vector<std::string> args = {"orchsim", cmd, "--seed=18446744073709551614",
                                     "--replications=3"};
    if (cmd == "sweep") args.insert(args.end(), {"--grid=/run/seed=1", "--out=x"});
    if (cmd == "baseline") args.push_back("--out=x");
    const auto refusal = parse(args);
    ASSERT_TRUE(refusal) << joined(args);
    EXPECT_NE(refusal->what.find("expected a seed from 0 to 18446744073709551613"),
              std::string::npos)
        << refusal->what;
    // The last seed that fits is fine.
    args[2] = "--seed=18446744073709551613";
    EXPECT_FALSE(parse(args)) << joined(args);
  }
}

TEST(ArgSpec, ASweepGridPastTheLimitIsRefusedBeforeAnythingRuns) {
  std::vector<std::string> args = {"orchsim", "sweep", "--out=x"};
  for (const char* axis : {"/a", "/b", "/c", "/d", "/e", "/f"}) {
    args.push_back(std::string("--grid=") + axis + "=1,2,3,4,5,6,7,8,9,10");
  }
  const auto refusal = parse(args);
  ASSERT_TRUE(refusal);
  EXPECT_NE(refusal->what.find("expected at most 100000"), std::string::npos) << refusal->what;
  args.pop_back();  // 10^5 points: allowed
  EXPECT_FALSE(parse(args));
}

TEST(ArgSpec, AnExperimentOfMoreThanTenMillionTasksIsRefusedBeforeAnythingRuns) {
  // 10^5 grid points x 101 replications; 100 would be exactly 10^7.
  std::vector<std::string> args = {"orchsim", "sweep", "--out=x", "--replications=101"};
  for (const char* axis : {"/a", "/b", "/c", "/d", "/e"}) {
    args.push_back(std::string("--grid=") + axis + "=1,2,3,4,5,6,7,8,9,10");
  }
  auto refusal = parse(args);
  ASSERT_TRUE(refusal);
  EXPECT_NE(refusal->what.find("found 100000 grid points x 101 replications, expected at most "
                               "10000000 tasks"),
            std::string::npos)
      << refusal->what;
  args[3] = "--replications=100";
  EXPECT_FALSE(parse(args));
  // compare: the base and 100 variants x 100,000 replications.
  std::vector<std::string> compare = {"orchsim", "compare", "--replications=100000"};
  for (int i = 0; i < 100; ++i) compare.push_back("--variant=v" + std::to_string(i) + ":/a=1");
  refusal = parse(compare);
  ASSERT_TRUE(refusal);
  EXPECT_NE(refusal->what.find("found 101 configurations"), std::string::npos) << refusal->what;
  compare.pop_back();
  EXPECT_FALSE(parse(compare));
}

// Through the real executable: a refused argument is exit status 2, a message
// on stderr and nothing on stdout, in every subcommand.
TEST(ArgSpec, TheExecutableExitsTwoOnABadArgumentInEverySubcommand) {
  std::vector<std::vector<std::string>> seen;
  for (const Probe& p : probes()) {
    if (std::find(seen.begin(), seen.end(), p.command) != seen.end()) continue;
    seen.push_back(p.command);
    const std::string bad = bad_values(p.spec).front();
    std::string line;
    for (const std::string& a : args_for(p, bad)) {
      if (!line.empty()) line += " ";
      line += a == "orchsim" ? "" : "'" + a + "'";
    }
    const cli_testing::Result r = cli_testing::orchsim(line);
    EXPECT_EQ(r.status, 2) << line << "\n" << r.err;
    EXPECT_TRUE(r.out.empty()) << line << "\n" << r.out;
    EXPECT_NE(r.err.find(p.spec.expected()), std::string::npos) << line << "\n" << r.err;
  }
  EXPECT_GE(seen.size(), 10u);  // every subcommand that takes an argument
  EXPECT_NE(std::find(seen.begin(), seen.end(), std::vector<std::string>{"import", "asl"}),
            seen.end());  // a nested subcommand is walked too
}

// The report that started this: it ran until killed.
TEST(ArgSpec, NegativeRequestsExitTwoAtOnce) {
  const cli_testing::Result r = cli_testing::orchsim("run rag_orchestrated --requests -5");
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(r.out.empty());
  EXPECT_NE(r.err.find("--requests: found '-5', expected an integer from 1 to 9223372036854775807"),
            std::string::npos)
      << r.err;
}

TEST(ArgSpec, ASeedFromTheScenarioThatWouldWrapIsBadInput) {
  const cli_testing::Result r =
      cli_testing::orchsim("run --set /run/seed=18446744073709551615 -R 2 --requests 10");
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_TRUE(r.out.empty());
  EXPECT_NE(r.err.find("would wrap"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace orchsim::cli::arg_spec_test
