// convlstm config --defaults | --config C.yaml [--set key=value ...]: the code's defaults, or the effective
// configuration a run of C.yaml would use, as YAML on stdout (what train writes to RUN/config.yaml).
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "config/config.hpp"
#include "core/error.hpp"

namespace convlstm::cli {

Run add_config(CLI::App& app) {
  struct Opts {
    bool defaults = false;
    std::string config;
    std::vector<std::string> overrides;
  };
  auto o = std::make_shared<Opts>();
  auto* sub = app.add_subcommand(
      "config", "Print the code's defaults, or the effective configuration of a config file, as YAML");
  auto* defaults =
      sub->add_flag("--defaults", o->defaults, "every key with the value a config that omits it gets");
  auto* file = sub->add_option("--config", o->config, "a YAML config: print every key as a run would use it");
  sub->add_option("--set", o->overrides, "override a key: --set train.max_steps=200 (repeatable)");
  defaults->excludes(file);
  return [o]() {
    if (o->defaults) {
      if (!o->overrides.empty()) throw UsageError("config --defaults takes no --set");
      std::cout << config::defaults_listing();
      return 0;
    }
    if (o->config.empty()) throw UsageError("config: expected --defaults or --config C.yaml");
    std::cout << config::to_yaml(config::load_config(o->config, o->overrides));
    return 0;
  };
}

}  // namespace convlstm::cli
