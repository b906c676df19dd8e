// The pipe that lets the decision log write beside the simulation: batches
// arrive whole and in order, consumed batches come back for reuse, and a
// consumer's exception reaches close(). No timing is asserted: the worker's
// speed changes only when a batch is consumed, never what is consumed.
#include "eval/batch_pipe.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace orchsim::eval::batch_pipe_test {
namespace {

TEST(BatchPipe, EveryBatchIsConsumedOnceAndInOrder) {
  std::vector<int> seen;  // written by the worker only, read after close()
  BatchPipe<std::vector<int>> pipe(
      [&seen](std::vector<int>& batch) {
        seen.insert(seen.end(), batch.begin(), batch.end());
        batch.clear();
      },
      /*max_in_flight=*/2);
  std::vector<int> batch;
  std::vector<int> expected;
  for (int b = 0; b < 200; ++b) {
    for (int i = 0; i < b % 7; ++i) {
      batch.push_back(b * 10 + i);
      expected.push_back(b * 10 + i);
    }
    pipe.send(batch);
    EXPECT_TRUE(batch.empty());  // a consumed batch, or a new one
  }
  pipe.close();
  EXPECT_EQ(seen, expected);
  pipe.close();  // idempotent
}

TEST(BatchPipe, ConsumedBatchesComeBackWithTheirBuffers) {
  BatchPipe<std::vector<std::string>> pipe([](std::vector<std::string>& batch) {
    for (std::string& s : batch) s.clear();  // cleared, capacity kept
  });
  std::vector<std::string> batch;
  std::size_t fresh = 0;
  for (int i = 0; i < 50; ++i) {
    batch.assign(3, std::string(100, 'y'));
    pipe.send(batch);
    if (batch.empty()) {
      ++fresh;  // no consumed batch was waiting: a new one
    } else {
      ASSERT_EQ(batch.size(), 3u);
      EXPECT_TRUE(batch[0].empty());
      EXPECT_GE(batch[0].capacity(), 100u);
    }
  }
  pipe.close();
  // When consumed batches come back depends on the worker's pace, but a new
  // one is handed out only when every other batch is queued (at most
  // max_in_flight, 4) or in the worker's hands (one): at most 5 in all.
  EXPECT_LE(fresh, 5u);
}

TEST(BatchPipe, AConsumersExceptionReachesCloseAndLaterBatchesAreDropped) {
  int consumed = 0;
  BatchPipe<int> pipe([&consumed](int& n) {
    if (n == 3) throw std::runtime_error("disk full");
    ++consumed;
  });
  for (int n = 0; n < 10; ++n) {
    int batch = n;
    pipe.send(batch);  // never blocks for good: a failed pipe takes nothing more
  }
  try {
    pipe.close();
    ADD_FAILURE() << "close() did not rethrow";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "disk full");
  }
  EXPECT_EQ(consumed, 3);         // 0, 1, 2; nothing after the failure
  EXPECT_NO_THROW(pipe.close());  // reported once
}

TEST(BatchPipe, TheDestructorFinishesWhatWasSent) {
  std::vector<int> seen;
  {
    BatchPipe<int> pipe([&seen](int& n) { seen.push_back(n); });
    for (int n = 0; n < 20; ++n) {
      int batch = n;
      pipe.send(batch);
    }
  }
  ASSERT_EQ(seen.size(), 20u);
  for (int n = 0; n < 20; ++n) EXPECT_EQ(seen[static_cast<std::size_t>(n)], n);
}

TEST(BatchPipe, SendingAfterCloseIsRefusedRatherThanWaitingForever) {
  BatchPipe<int> pipe([](int&) {}, /*max_in_flight=*/1);
  pipe.close();
  int batch = 1;
  EXPECT_THROW(pipe.send(batch), std::logic_error);
}

}  // namespace
}  // namespace orchsim::eval::batch_pipe_test
