// Times one forward and one backward pass of the encoder-forecaster on random data, the Moving MNIST paper
// shape by default (batch 16, 10 in, 10 out, 64x64x1 with patch 4, two layers of 64 filters, 5x5 kernels). A
// measuring tool, not a test: `convlstm_bptt_bench [--threads N] [--iters N] [--filters 64,64] [--batch 16]`.
// It prints the median and minimum of each pass and the convolution GFLOP/s (in-image taps only).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "nn/parameters.hpp"
#include "ops/threads.hpp"
#include "train/bptt.hpp"

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  using namespace convlstm;
  int threads = 2, iters = 10;
  std::int64_t batch = 16, t_in = 10, t_out = 10, size = 64, patch = 4, k = 5;
  std::string filters = "64,64";
  ops::Precision precision = ops::Precision::fp32;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    const char* v = argv[i + 1];
    if (a == "--threads")
      threads = std::atoi(v);
    else if (a == "--iters")
      iters = std::atoi(v);
    else if (a == "--batch")
      batch = std::atoll(v);
    else if (a == "--size")
      size = std::atoll(v);
    else if (a == "--patch")
      patch = std::atoll(v);
    else if (a == "--k")
      k = std::atoll(v);
    else if (a == "--t")
      t_in = t_out = std::atoll(v);
    else if (a == "--filters")
      filters = v;
    else if (a == "--precision")
      precision = ops::parse_precision(v);
    else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }
  ops::set_threads(threads);
  nn::ModelSpec spec;
  spec.height = spec.width = size;
  spec.patch = patch;
  spec.layers.clear();
  std::stringstream ss(filters);
  for (std::string f; std::getline(ss, f, ',');) spec.layers.push_back({std::atoll(f.c_str()), k, k});
  nn::ParameterTable params(spec), grads(spec);
  Rng rng(1);
  nn::init_parameters(spec, params, rng);
  train::Bptt net(spec, batch, t_in, t_out, precision);
  const std::int64_t frame = spec.channels * size * size;
  std::vector<float> in(batch * t_in * frame), pred(batch * t_out * frame), dpred(pred.size());
  for (auto& v : in) v = rng.uniform(0.0f, 1.0f);
  for (auto& v : dpred) v = rng.uniform(-1.0f, 1.0f);

  std::vector<double> fwd, bwd;
  for (int i = 0; i < iters + 2; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    net.forward(params.model, in.data(), pred.data());
    const double f = seconds_since(t0);
    t0 = std::chrono::steady_clock::now();
    grads.zero();
    net.backward(dpred.data(), grads.model);
    const double b = seconds_since(t0);
    if (i >= 2) {  // warm-up
      fwd.push_back(f);
      bwd.push_back(b);
    }
  }
  const double mf = median(fwd), mb = median(bwd);
  std::printf("model %s, batch %ld, %ld in, %ld out, %d threads, params %ld, tape %.1f MiB\n",
              spec.str().c_str(), static_cast<long>(batch), static_cast<long>(t_in), static_cast<long>(t_out),
              threads, static_cast<long>(params.size()), net.tape_floats() * 4.0 / (1 << 20));
  std::printf("forward   median %.4f s  min %.4f s  %.1f GFLOP/s\n", mf,
              *std::min_element(fwd.begin(), fwd.end()), net.forward_flops() / mf * 1e-9);
  std::printf("backward  median %.4f s  min %.4f s  %.1f GFLOP/s\n", mb,
              *std::min_element(bwd.begin(), bwd.end()), net.backward_flops() / mb * 1e-9);
  std::printf("fwd+bwd   median %.4f s  %.1f GFLOP/s  %.1f sequences/s\n", mf + mb,
              (net.forward_flops() + net.backward_flops()) / (mf + mb) * 1e-9, batch / (mf + mb));
  return 0;
}
