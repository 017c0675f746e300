#include "tensor/tensor.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <ostream>
#include <sstream>

#include "core/error.hpp"

namespace convlstm {

namespace {
constexpr std::size_t kAlignment = 64;
}

std::int64_t Shape::numel() const {
  std::int64_t n = 1;
  for (auto d : dims) n *= d;
  return n;
}

std::string Shape::str() const {
  std::ostringstream os;
  os << *this;
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const Shape& s) {
  os << "[";
  for (std::size_t i = 0; i < s.dims.size(); ++i) os << (i ? ", " : "") << s.dims[i];
  return os << "]";
}

void TensorView::fill(float v) const {
  std::fill(begin(), end(), v);
}

void Tensor::AlignedFree::operator()(float* p) const {
  std::free(p);
}

Tensor::Tensor(Shape shape) : shape_(std::move(shape)) {
  for (auto d : shape_.dims) CONVLSTM_CHECK(d >= 0, "negative dimension in shape " << shape_);
  const std::size_t bytes = static_cast<std::size_t>(std::max<std::int64_t>(numel(), 1)) * sizeof(float);
  const std::size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
  void* p = std::aligned_alloc(kAlignment, rounded);
  if (p == nullptr) throw Error("out of memory allocating a tensor of shape " + shape_.str());
  std::memset(p, 0, rounded);
  data_.reset(static_cast<float*>(p));
}

TensorView Tensor::view(std::int64_t offset, Shape shape) {
  CONVLSTM_CHECK(offset >= 0 && offset + shape.numel() <= numel(),
                 "view " << shape << " at offset " << offset << " exceeds tensor " << shape_);
  return TensorView{data() + offset, std::move(shape)};
}

}  // namespace convlstm
