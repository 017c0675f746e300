#include "ops/precision.hpp"

#include <oneapi/dnnl/dnnl.hpp>

#include "core/enum_names.hpp"
#include "core/error.hpp"

namespace convlstm::ops {

Precision parse_precision(const std::string& name) {
  if (const auto p = value_of(kPrecisionNames, name)) return *p;
  throw ConfigError("precision '" + name + "': expected " + one_of(precision_names()));
}

const char* precision_name(Precision p) {
  return p == Precision::bf16 ? kPrecisionNames[1].name : kPrecisionNames[0].name;
}

ConvAlgorithm parse_conv_algorithm(const std::string& name) {
  if (const auto a = value_of(kConvAlgorithmNames, name)) return *a;
  throw ConfigError("convolution algorithm '" + name + "': expected " + one_of(conv_algorithm_names()));
}

bool bf16_supported() {
  const auto isa = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
  const auto need = static_cast<unsigned>(dnnl::cpu_isa::avx512_core_bf16);
  return (isa & need) == need;  // the ISA values are nested bit sets
}

void require_precision_supported(Precision p, const std::string& key) {
  if (p == Precision::bf16 && !bf16_supported())
    throw ConfigError(key + ": bf16 needs a CPU with AVX512-BF16; this one offers " + cpu_isa_name() +
                      " (use fp32)");
}

std::string cpu_isa_name() {
  switch (dnnl::get_effective_cpu_isa()) {
    case dnnl::cpu_isa::sse41:
      return "SSE4.1";
    case dnnl::cpu_isa::avx:
      return "AVX";
    case dnnl::cpu_isa::avx2:
      return "AVX2";
    case dnnl::cpu_isa::avx512_core:
      return "AVX-512";
    case dnnl::cpu_isa::avx512_core_vnni:
      return "AVX-512 VNNI";
    case dnnl::cpu_isa::avx512_core_bf16:
      return "AVX-512 BF16";
    case dnnl::cpu_isa::avx512_core_amx:
      return "AVX-512 AMX";
    default:
      return "other";
  }
}

}  // namespace convlstm::ops
