// Shape, an owning fp32 Tensor (64-byte aligned, zero-filled) and a non-owning TensorView.
// Outside src/ops/ every tensor is dense NCHW / OIHW in row-major order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

namespace convlstm {

struct Shape {
  std::vector<std::int64_t> dims;

  Shape() = default;
  Shape(std::initializer_list<std::int64_t> d) : dims(d) {}
  explicit Shape(std::vector<std::int64_t> d) : dims(std::move(d)) {}

  std::size_t rank() const { return dims.size(); }
  std::int64_t operator[](std::size_t i) const { return dims[i]; }
  std::int64_t numel() const;
  std::string str() const;  // "[2, 3, 5, 7]"
  bool operator==(const Shape& o) const { return dims == o.dims; }
  bool operator!=(const Shape& o) const { return dims != o.dims; }
};
std::ostream& operator<<(std::ostream& os, const Shape& s);

// A non-owning window onto fp32 memory with a shape. An empty view (data == nullptr) means "absent".
struct TensorView {
  float* data = nullptr;
  Shape shape;

  std::int64_t numel() const { return shape.numel(); }
  bool empty() const { return data == nullptr; }
  float* begin() const { return data; }
  float* end() const { return data + numel(); }
  float& operator[](std::int64_t i) const { return data[i]; }
  void fill(float v) const;
  void zero() const { fill(0.0f); }
};

// Owning, 64-byte aligned, zero-initialised fp32 storage.
class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(Shape shape);

  const Shape& shape() const { return shape_; }
  std::int64_t numel() const { return shape_.numel(); }
  float* data() { return data_.get(); }
  const float* data() const { return data_.get(); }
  float& operator[](std::int64_t i) { return data_[i]; }
  float operator[](std::int64_t i) const { return data_[i]; }
  float* begin() { return data(); }
  float* end() { return data() + numel(); }
  const float* begin() const { return data(); }
  const float* end() const { return data() + numel(); }

  TensorView view() { return TensorView{data(), shape_}; }
  // A view of `shape` starting `offset` elements into this tensor (bounds-checked).
  TensorView view(std::int64_t offset, Shape shape);
  void fill(float v) { view().fill(v); }
  void zero() { fill(0.0f); }

 private:
  struct AlignedFree {
    void operator()(float* p) const;
  };
  Shape shape_;
  std::unique_ptr<float[], AlignedFree> data_;
};

}  // namespace convlstm
