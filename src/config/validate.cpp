#include <cmath>

#include "config/detail.hpp"

namespace convlstm::config::detail {

namespace {
constexpr std::int64_t kMaxFramesPerWindow = 10000;
}  // namespace

void validate(const Config& c, const Require& require) {
  require(!c.data.train.empty(), "data.train", "must name a dataset file");
  require(c.data.val_fraction >= 0.0 && c.data.val_fraction < 1.0, "data.val_fraction", "must be in [0, 1)");
  // Upper bounds keep every window, step and frame count far from int64 overflow.
  require(c.data.t_in >= 1 && c.data.t_in <= kMaxFramesPerWindow, "data.t_in", "must be in [1, 10000]");
  require(c.data.t_out >= 1 && c.data.t_out <= kMaxFramesPerWindow, "data.t_out", "must be in [1, 10000]");
  require(c.data.stride >= 1, "data.stride", "must be at least 1");
  require(c.data.downsample >= 1, "data.downsample", "must be at least 1");
  if (c.data.crop)
    require(c.data.crop->y0 >= 0 && c.data.crop->x0 >= 0 && c.data.crop->height > 0 && c.data.crop->width > 0,
            "data.crop", "needs y0, x0 >= 0 and a positive height and width");
  if (c.data.random_crop)
    require(c.data.random_crop->first >= 1 && c.data.random_crop->second >= 1 &&
                c.data.random_crop->first % c.model.patch == 0 &&
                c.data.random_crop->second % c.model.patch == 0,
            "data.random_crop", "needs a positive height and width, each a multiple of model.patch");
  require(c.data.crop_min_wet >= 0.0 && c.data.crop_min_wet <= 1.0, "data.crop_min_wet", "must be in [0, 1]");
  require(std::isfinite(c.data.crop_wet_threshold), "data.crop_wet_threshold", "must be a finite number");
  require(c.data.normalize.max > c.data.normalize.min, "data.normalize.max", "must be greater than min");
  require(c.model.patch >= 1, "model.patch", "must be at least 1");
  require(!c.model.layers.empty(), "model.layers", "needs at least one layer");
  for (std::size_t i = 0; i < c.model.layers.size(); ++i) {
    const auto& l = c.model.layers[i];
    const std::string at = "layer " + std::to_string(i) + ": ";
    require(l.filters >= 1 && l.filters <= 4096, "model.layers", at + "filters must be in [1, 4096]");
    require(l.k_x >= 1 && l.k_x % 2 == 1 && l.k_x <= 15, "model.layers", at + "k_x must be odd, 1 to 15");
    require(l.k_h >= 1 && l.k_h % 2 == 1 && l.k_h <= 15, "model.layers", at + "k_h must be odd, 1 to 15");
  }
  require(c.train.batch_size >= 1, "train.batch_size", "must be at least 1");
  require(c.train.epochs >= 1 && c.train.epochs <= 1000000, "train.epochs", "must be in [1, 1000000]");
  require(!c.train.max_steps || *c.train.max_steps >= 1, "train.max_steps", "must be null or at least 1");
  require(c.train.balance == "observed" || (c.train.loss.front() == 'b' && c.train.loss != "bce"),
          "train.balance",
          "max applies to the balanced losses (bmse, bmae, bmse+bmae) only; train.loss is " + c.train.loss);
  require(c.train.optimizer.lr > 0.0, "train.optimizer.lr", "must be positive");
  require(c.train.optimizer.momentum >= 0.0 && c.train.optimizer.momentum < 1.0, "train.optimizer.momentum",
          "must be in [0, 1)");
  require(c.train.optimizer.decay > 0.0 && c.train.optimizer.decay < 1.0, "train.optimizer.decay",
          "must be in (0, 1)");
  require(c.train.optimizer.beta1 >= 0.0 && c.train.optimizer.beta1 < 1.0, "train.optimizer.beta1",
          "must be in [0, 1)");
  require(c.train.optimizer.beta2 > 0.0 && c.train.optimizer.beta2 < 1.0, "train.optimizer.beta2",
          "must be in (0, 1)");
  require(c.train.optimizer.eps > 0.0, "train.optimizer.eps", "must be positive");
  require(c.train.optimizer.weight_decay >= 0.0, "train.optimizer.weight_decay", "must not be negative");
  require(!c.train.clip_grad_norm || *c.train.clip_grad_norm > 0.0, "train.clip_grad_norm",
          "must be null or positive");
  require(c.train.lr_schedule.step_size >= 1, "train.lr_schedule.step_size", "must be at least 1");
  require(c.train.lr_schedule.gamma > 0.0, "train.lr_schedule.gamma", "must be positive");
  require(c.train.lr_schedule.min_lr >= 0.0, "train.lr_schedule.min_lr", "must not be negative");
  require(c.train.lr_schedule.warmup_steps >= 0, "train.lr_schedule.warmup_steps", "must not be negative");
  require(c.train.val_every >= 1, "train.val_every", "must be at least 1");
  require(!c.train.val_batches || *c.train.val_batches >= 1, "train.val_batches",
          "must be null or at least 1");
  require(!c.train.patience || *c.train.patience >= 1, "train.early_stopping.patience",
          "must be null or at least 1");
  require(c.train.seed >= 0, "train.seed", "must not be negative");
  require(c.train.threads >= 0, "train.threads", "must not be negative (0: all cores)");
  require(!c.output.dir.empty(), "output.dir", "must name a directory");
  require(c.output.checkpoint_every >= 1, "output.checkpoint_every", "must be at least 1");
  if (c.bench.frame)
    require(c.bench.frame->channels >= 1 && c.bench.frame->height >= 1 && c.bench.frame->width >= 1,
            "bench.frame", "needs a positive channel count, height and width");
}

}  // namespace convlstm::config::detail
