#include "eval/zstd_writer.hpp"

#include <zstd.h>

#include <stdexcept>
#include <string>

namespace orchsim::eval {

namespace {
constexpr std::size_t kPiece = std::size_t{1} << 20;

void check(std::size_t code, const char* what) {
  if (ZSTD_isError(code)) {
    throw std::runtime_error(std::string("zstd: ") + what + ": " + ZSTD_getErrorName(code));
  }
}
}  // namespace

struct ZstdStreambuf::Context {
  ZSTD_CCtx* c = ZSTD_createCCtx();
  ~Context() { ZSTD_freeCCtx(c); }
};

ZstdStreambuf::ZstdStreambuf(std::ostream& sink, int level)
    : cctx_(std::make_unique<Context>()),
      out_(sink),
      piece_(kPiece, '\0'),
      buffer_(ZSTD_CStreamOutSize(), '\0') {
  if (!cctx_->c) throw std::runtime_error("zstd: cannot create a compression context");
  check(ZSTD_CCtx_setParameter(cctx_->c, ZSTD_c_compressionLevel, level), "level");
  check(ZSTD_CCtx_setParameter(cctx_->c, ZSTD_c_checksumFlag, 1), "checksum");
  setp(piece_.data(), piece_.data() + piece_.size());
}

ZstdStreambuf::~ZstdStreambuf() = default;

ZstdStreambuf::int_type ZstdStreambuf::overflow(int_type c) {
  if (finished_) return traits_type::eof();
  try {
    compress(false);
  } catch (const std::runtime_error&) {
    return traits_type::eof();
  }
  if (!traits_type::eq_int_type(c, traits_type::eof())) {
    *pptr() = traits_type::to_char_type(c);
    pbump(1);
  }
  return traits_type::not_eof(c);
}

void ZstdStreambuf::finish() {
  if (finished_) return;
  compress(true);
  finished_ = true;
  out_.flush();
}

void ZstdStreambuf::compress(bool end) {
  const auto size = static_cast<std::size_t>(pptr() - pbase());
  bytes_in_ += size;
  ZSTD_inBuffer in{pbase(), size, 0};
  const ZSTD_EndDirective mode = end ? ZSTD_e_end : ZSTD_e_continue;
  for (;;) {
    ZSTD_outBuffer out{buffer_.data(), buffer_.size(), 0};
    const std::size_t left = ZSTD_compressStream2(cctx_->c, &out, &in, mode);
    check(left, "compress");
    out_.write(buffer_.data(), static_cast<std::streamsize>(out.pos));
    bytes_out_ += out.pos;
    if (end ? left == 0 : in.pos == in.size) break;
  }
  setp(piece_.data(), piece_.data() + piece_.size());
}

}  // namespace orchsim::eval
