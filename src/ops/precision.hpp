// The arithmetic the convolutions run in (fp32 or bf16, direct or Winograd) and what this CPU offers for it,
// as oneDNN finds it: parsing the config's names, and the one check behind every bf16 refusal.
#pragma once

#include <string>
#include <vector>

#include "core/enum_names.hpp"

namespace convlstm::ops {

enum class Precision { fp32, bf16 };

// winograd: oneDNN's F(4x4, 3x3) Winograd kernels for 3x3 fp32 convolutions on blocked activations, about
// 1.6-2x faster than direct on AVX-512 at a rounding error of about 1e-5 relative instead of 1e-7; every
// other convolution (and any pass oneDNN has no Winograd kernel for) runs direct.
enum class ConvAlgorithm { direct, winograd };

ConvAlgorithm parse_conv_algorithm(const std::string& name);  // "direct" | "winograd", else ConfigError

Precision parse_precision(const std::string& name);  // "fp32" | "bf16", else ConfigError
// The names, once (header-only, so that the config room reads them without linking oneDNN).
inline constexpr EnumName<Precision> kPrecisionNames[] = {{Precision::fp32, "fp32"},
                                                          {Precision::bf16, "bf16"}};
inline constexpr EnumName<ConvAlgorithm> kConvAlgorithmNames[] = {{ConvAlgorithm::winograd, "winograd"},
                                                                  {ConvAlgorithm::direct, "direct"}};
inline std::vector<std::string> precision_names() {
  return names_of(kPrecisionNames);
}
inline std::vector<std::string> conv_algorithm_names() {
  return names_of(kConvAlgorithmNames);
}
const char* precision_name(Precision p);
// True when oneDNN can run bf16 convolutions natively on this CPU (AVX512-BF16 or newer, and not masked
// by ONEDNN_MAX_CPU_ISA); cpu_isa_name() names what it found, for error messages.
bool bf16_supported();
std::string cpu_isa_name();
// Throws ConfigError "<key>: bf16 needs a CPU with AVX512-BF16; this one offers ..." when p is bf16 and the
// CPU cannot run it. The one check behind the trainer's, bench's and the convolution's refusals.
void require_precision_supported(Precision p, const std::string& key);

}  // namespace convlstm::ops
