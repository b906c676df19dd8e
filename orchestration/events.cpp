#include "orchestration/events.hpp"

namespace orchsim::orchestration {

std::string_view to_string(AttemptKind kind) {
  switch (kind) {
    case AttemptKind::kFirst:
      return "first";
    case AttemptKind::kRetry:
      return "retry";
    case AttemptKind::kHedge:
      return "hedge";
    case AttemptKind::kFallback:
      return "fallback";
    case AttemptKind::kRedirect:
      return "redirect";
    case AttemptKind::kDecompose:
      return "decompose";
    case AttemptKind::kCascade:
      return "cascade";
    case AttemptKind::kSummarize:
      return "summarize";
  }
  return "?";
}

std::string_view to_string(CallEnd end) {
  switch (end) {
    case CallEnd::kSuccess:
      return "success";
    case CallEnd::kInvalid:
      return "invalid";
    case CallEnd::kError:
      return "error";
    case CallEnd::kTimeout:
      return "timeout";
    case CallEnd::kCancelled:
      return "cancelled";
  }
  return "?";
}

}  // namespace orchsim::orchestration
