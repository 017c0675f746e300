#include "eval/render.hpp"

#include <gif_lib.h>
#include <png.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

#include "core/error.hpp"

namespace convlstm::eval {

namespace {

using Rgb = std::array<std::uint8_t, 3>;

// Palette indices: 0 background white, 1 text black, 2 missing grey, 3 dry (below the first level), then the
// colour scale's classes, then 16 greys for intensity.
constexpr std::uint8_t kWhite = 0, kBlack = 1, kMissing = 2, kDry = 3, kFirstClass = 4;

struct Scale {
  std::vector<float> levels;  // lower bounds of the classes
  std::vector<Rgb> colours;
  std::string unit;
  bool grey = false;
};

// The usual radar rain-rate scale (light blue to magenta), as forecasters read it.
Scale rain_scale() {
  return {{0.1f, 0.5f, 1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 100},
          {{{170, 210, 240}},
           {{110, 170, 230}},
           {{50, 120, 210}},
           {{20, 80, 180}},
           {{40, 170, 60}},
           {{20, 130, 40}},
           {{240, 230, 40}},
           {{245, 180, 20}},
           {{240, 120, 20}},
           {{220, 40, 30}},
           {{160, 20, 30}},
           {{200, 40, 200}},
           {{120, 20, 140}}},
          "MM/H",
          false};
}

Scale dbz_scale() {
  Scale s = rain_scale();
  s.levels = {7, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70};
  s.unit = "DBZ";
  return s;
}

// Exceedance probabilities: ten classes from 0.1, pale to dark.
Scale probability_scale() {
  return {{0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f, 0.9f, 1.0f},
          {{{225, 235, 250}},
           {{195, 215, 245}},
           {{160, 190, 235}},
           {{120, 160, 225}},
           {{80, 130, 210}},
           {{50, 100, 190}},
           {{40, 150, 90}},
           {{240, 200, 40}},
           {{235, 120, 30}},
           {{190, 30, 40}}},
          "PROB",
          false};
}

Scale grey_scale() {
  Scale s;
  for (int i = 0; i < 16; ++i) {
    s.levels.push_back(i / 16.0f);
    const auto v = static_cast<std::uint8_t>(255 - i * 17);
    s.colours.push_back({v, v, v});
  }
  s.unit = "";
  s.grey = true;
  return s;
}

std::vector<Rgb> palette_of(const Scale& s) {
  std::vector<Rgb> p{{{255, 255, 255}}, {{0, 0, 0}}, {{190, 190, 190}}, {{255, 255, 255}}};
  p.insert(p.end(), s.colours.begin(), s.colours.end());
  while (p.size() < 256) p.push_back({0, 0, 0});
  return p;
}

std::uint8_t classify(const Scale& s, float v, bool observed) {
  if (!observed || std::isnan(v)) return kMissing;
  if (s.grey) {
    const int i = std::clamp(static_cast<int>(v * 16.0f), 0, 15);
    return static_cast<std::uint8_t>(kFirstClass + i);
  }
  if (v < s.levels[0]) return kDry;
  std::size_t k = 0;
  while (k + 1 < s.levels.size() && v >= s.levels[k + 1]) ++k;
  return static_cast<std::uint8_t>(kFirstClass + k);
}

// A 5x7 bitmap font for the labels: each glyph is 7 rows of 5 bits (bit 4 = leftmost column).
const std::map<char, std::array<std::uint8_t, 7>>& font() {
  static const std::map<char, std::array<std::uint8_t, 7>> f{
      {'0', {14, 17, 19, 21, 25, 17, 14}}, {'1', {4, 12, 4, 4, 4, 4, 14}},
      {'2', {14, 17, 1, 2, 4, 8, 31}},     {'3', {31, 2, 4, 2, 1, 17, 14}},
      {'4', {2, 6, 10, 18, 31, 2, 2}},     {'5', {31, 16, 30, 1, 1, 17, 14}},
      {'6', {6, 8, 16, 30, 17, 17, 14}},   {'7', {31, 1, 2, 4, 8, 8, 8}},
      {'8', {14, 17, 17, 14, 17, 17, 14}}, {'9', {14, 17, 17, 15, 1, 2, 12}},
      {'+', {0, 4, 4, 31, 4, 4, 0}},       {'-', {0, 0, 0, 31, 0, 0, 0}},
      {'.', {0, 0, 0, 0, 0, 12, 12}},      {'/', {1, 1, 2, 4, 8, 16, 16}},
      {':', {0, 12, 12, 0, 12, 12, 0}},    {' ', {0, 0, 0, 0, 0, 0, 0}},
      {'A', {14, 17, 17, 31, 17, 17, 17}}, {'B', {30, 17, 17, 30, 17, 17, 30}},
      {'C', {14, 17, 16, 16, 16, 17, 14}}, {'D', {28, 18, 17, 17, 17, 18, 28}},
      {'E', {31, 16, 16, 30, 16, 16, 31}}, {'F', {31, 16, 16, 30, 16, 16, 16}},
      {'H', {17, 17, 17, 31, 17, 17, 17}}, {'I', {14, 4, 4, 4, 4, 4, 14}},
      {'M', {17, 27, 21, 21, 17, 17, 17}}, {'N', {17, 17, 25, 21, 19, 17, 17}},
      {'O', {14, 17, 17, 17, 17, 17, 14}}, {'P', {30, 17, 17, 30, 16, 16, 16}},
      {'R', {30, 17, 17, 30, 20, 18, 17}}, {'S', {15, 16, 16, 14, 1, 1, 30}},
      {'T', {31, 4, 4, 4, 4, 4, 4}},       {'U', {17, 17, 17, 17, 17, 17, 14}},
      {'V', {17, 17, 17, 17, 17, 10, 4}},  {'Z', {31, 1, 2, 4, 8, 16, 31}},
      {'W', {17, 17, 17, 21, 21, 21, 10}}, {'G', {14, 17, 16, 23, 17, 17, 15}},
      {'K', {17, 18, 20, 24, 20, 18, 17}}, {'Y', {17, 17, 10, 4, 4, 4, 4}},
      {'X', {17, 17, 10, 4, 10, 17, 17}},  {'L', {16, 16, 16, 16, 16, 16, 31}},
      {'>', {16, 8, 4, 2, 4, 8, 16}},      {'=', {0, 0, 31, 0, 31, 0, 0}},
  };
  return f;
}

struct Canvas {
  std::int64_t w, h;
  std::vector<std::uint8_t> px;
  Canvas(std::int64_t width, std::int64_t height)
      : w(width), h(height), px(static_cast<std::size_t>(w * h), kWhite) {}
  void set(std::int64_t x, std::int64_t y, std::uint8_t c) {
    if (x >= 0 && y >= 0 && x < w && y < h) px[y * w + x] = c;
  }
  void text(std::int64_t x, std::int64_t y, const std::string& s) {
    for (char ch : s) {
      const auto it = font().find(static_cast<char>(std::toupper(static_cast<unsigned char>(ch))));
      if (it != font().end())
        for (int r = 0; r < 7; ++r)
          for (int c = 0; c < 5; ++c)
            if (it->second[r] & (16 >> c)) set(x + c, y + r, kBlack);
      x += 6;
    }
  }
  // A frame, scaled by `zoom` (> 0: repeat pixels; < 0: take every -zoom-th pixel), with a black border.
  void frame(std::int64_t x0, std::int64_t y0, const Scale& s, const float* v, const float* m,
             std::int64_t fh, std::int64_t fw, int zoom) {
    const std::int64_t dh = zoom > 0 ? fh * zoom : fh / -zoom, dw = zoom > 0 ? fw * zoom : fw / -zoom;
    for (std::int64_t y = 0; y < dh; ++y)
      for (std::int64_t x = 0; x < dw; ++x) {
        const std::int64_t sy = zoom > 0 ? y / zoom : y * -zoom, sx = zoom > 0 ? x / zoom : x * -zoom;
        const std::int64_t i = sy * fw + sx;
        set(x0 + x, y0 + y, classify(s, v[i], m == nullptr || m[i] != 0.0f));
      }
    for (std::int64_t x = -1; x <= dw; ++x) {
      set(x0 + x, y0 - 1, kBlack);
      set(x0 + x, y0 + dh, kBlack);
    }
    for (std::int64_t y = -1; y <= dh; ++y) {
      set(x0 - 1, y0 + y, kBlack);
      set(x0 + dw, y0 + y, kBlack);
    }
  }
};

int zoom_for(std::int64_t h, std::int64_t w) {
  const std::int64_t big = std::max(h, w);
  if (big < 96) return static_cast<int>((96 + big - 1) / big);
  if (big > 256) return -static_cast<int>((big + 255) / 256);
  return 1;
}

std::string lead_label(std::int64_t k, std::int64_t timestep) {
  // k: frames relative to the last input (0 = last input, 1 = first forecast).
  if (timestep > 0) return (k > 0 ? "+" : "") + std::to_string(k * timestep / 60) + " MIN";
  return (k > 0 ? "+" : "") + std::to_string(k);
}

void legend(Canvas& c, std::int64_t x, std::int64_t y, const Scale& s) {
  c.text(x, y, s.grey ? "VALUE" : s.unit);
  for (std::size_t k = 0; k < s.levels.size(); ++k) {
    const std::int64_t yy = y + 12 + static_cast<std::int64_t>(k) * 11;
    for (std::int64_t dy = 0; dy < 9; ++dy)
      for (std::int64_t dx = 0; dx < 14; ++dx)
        c.set(x + dx, yy + dy, static_cast<std::uint8_t>(kFirstClass + k));
    char buf[16];
    std::snprintf(buf, sizeof buf, "%g", s.levels[k]);
    c.text(x + 18, yy + 1, buf);
  }
  const std::int64_t yy = y + 12 + static_cast<std::int64_t>(s.levels.size()) * 11;
  for (std::int64_t dy = 0; dy < 9; ++dy)
    for (std::int64_t dx = 0; dx < 14; ++dx) c.set(x + dx, yy + dy, kMissing);
  c.text(x + 18, yy + 1, "NO DATA");
}

void write_png(const std::string& path, const Canvas& c, const std::vector<Rgb>& palette) {
  FILE* fp = std::fopen(path.c_str(), "wb");
  if (!fp) throw DataError(path + ": cannot write the image (directory missing or not writable?)");
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!png || !info || setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    std::fclose(fp);
    std::remove(path.c_str());
    throw DataError(path + ": libpng failed to write the image");
  }
  png_init_io(png, fp);
  png_set_IHDR(png, info, static_cast<png_uint_32>(c.w), static_cast<png_uint_32>(c.h), 8,
               PNG_COLOR_TYPE_PALETTE, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  std::vector<png_color> pal(palette.size());
  for (std::size_t i = 0; i < palette.size(); ++i) pal[i] = {palette[i][0], palette[i][1], palette[i][2]};
  png_set_PLTE(png, info, pal.data(), static_cast<int>(pal.size()));
  png_write_info(png, info);
  for (std::int64_t y = 0; y < c.h; ++y) png_write_row(png, const_cast<png_bytep>(c.px.data() + y * c.w));
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  if (std::fclose(fp) != 0) throw DataError(path + ": cannot finish writing the image (disk full?)");
}

// The strip: the last inputs and the forecast (an ensemble's first kShownMembers members, a row each), then
// the observed frames when known.
constexpr std::int64_t kShownMembers = 3;

Canvas strip(const RenderCase& rc, const Scale& s) {
  const int zoom = zoom_for(rc.h, rc.w);
  const std::int64_t fh = zoom > 0 ? rc.h * zoom : rc.h / -zoom, fw = zoom > 0 ? rc.w * zoom : rc.w / -zoom;
  const std::int64_t shown_in = std::min<std::int64_t>(rc.t_in, 3);
  const std::int64_t members = std::min(rc.members, kShownMembers);
  const std::int64_t cols = shown_in + rc.t_out, rows = members + (rc.target.empty() ? 0 : 1);
  const std::int64_t gap = 6, label = 12, left = 64, legend_w = 90;
  Canvas c(left + cols * (fw + gap) + legend_w, 8 + rows * (fh + label + gap) + 8);
  for (std::int64_t r = 0; r < rows; ++r) {
    const std::int64_t y = 8 + r * (fh + label + gap) + label;
    const bool observed = r == members;
    c.text(4, y + fh / 2 - 3,
           observed         ? "OBSERVED"
           : rc.members > 1 ? "MEMBER " + std::to_string(r + 1)
                            : "FORECAST");
    for (std::int64_t k = 0; k < cols; ++k) {
      const std::int64_t x = left + k * (fw + gap);
      const bool input = k < shown_in;
      const std::int64_t lead = input ? k - shown_in + 1 : k - shown_in + 1;
      if (input && r > 0) continue;
      c.text(x, y - label + 2,
             input ? (k == shown_in - 1 ? "NOW" : lead_label(lead - 1, rc.timestep))
                   : lead_label(lead, rc.timestep));
      const std::int64_t plane = rc.h * rc.w;
      if (input) {
        const std::int64_t t = rc.t_in - shown_in + k;
        c.frame(x, y, s, rc.inputs.data() + t * plane, rc.input_mask.data() + t * plane, rc.h, rc.w, zoom);
      } else if (!observed) {
        c.frame(x, y, s, rc.pred.data() + (r * rc.t_out + k - shown_in) * plane, nullptr, rc.h, rc.w, zoom);
      } else {
        c.frame(x, y, s, rc.target.data() + (k - shown_in) * plane,
                rc.target_mask.data() + (k - shown_in) * plane, rc.h, rc.w, zoom);
      }
    }
  }
  legend(c, left + cols * (fw + gap) + 8, 8, s);
  return c;
}

// The exceedance probabilities: per threshold a row of the forecast's probability at each lead and, when the
// truth is known, a row of where it was reached (probability 1) or not (dry).
Canvas probability_strip(const RenderCase& rc, const std::string& unit) {
  const Scale s = probability_scale();
  const int zoom = zoom_for(rc.h, rc.w);
  const std::int64_t fh = zoom > 0 ? rc.h * zoom : rc.h / -zoom, fw = zoom > 0 ? rc.w * zoom : rc.w / -zoom;
  const bool truth = !rc.target.empty();
  const std::int64_t per = truth ? 2 : 1, rows = per * static_cast<std::int64_t>(rc.thresholds.size());
  const std::int64_t gap = 6, label = 12, left = 88, legend_w = 90, plane = rc.h * rc.w;
  Canvas c(left + rc.t_out * (fw + gap) + legend_w, 8 + rows * (fh + label + gap) + 8);
  std::vector<float> event(static_cast<std::size_t>(plane));
  for (std::int64_t r = 0; r < rows; ++r) {
    const std::size_t k = static_cast<std::size_t>(r / per);
    const bool observed = r % per == 1;
    char name[48];
    std::snprintf(name, sizeof name, "%s>=%g", observed ? "OBS" : "P", rc.thresholds[k]);
    const std::int64_t y = 8 + r * (fh + label + gap) + label;
    c.text(4, y + fh / 2 - 8, name);
    c.text(4, y + fh / 2 + 2, unit);
    for (std::int64_t t = 0; t < rc.t_out; ++t) {
      const std::int64_t x = left + t * (fw + gap);
      c.text(x, y - label + 2, lead_label(t + 1, rc.timestep));
      if (!observed) {
        c.frame(x, y, s, rc.prob.data() + (static_cast<std::int64_t>(k) * rc.t_out + t) * plane, nullptr,
                rc.h, rc.w, zoom);
        continue;
      }
      const float* o = rc.target.data() + t * plane;
      for (std::int64_t i = 0; i < plane; ++i) event[i] = o[i] >= rc.thresholds[k] ? 1.0f : 0.0f;
      c.frame(x, y, s, event.data(), rc.target_mask.data() + t * plane, rc.h, rc.w, zoom);
    }
  }
  legend(c, left + rc.t_out * (fw + gap) + 8, 8, s);
  return c;
}

void write_gif(const std::string& path, const RenderCase& rc, const Scale& s,
               const std::vector<Rgb>& palette) {
  const int zoom = zoom_for(rc.h, rc.w);
  const std::int64_t fh = zoom > 0 ? rc.h * zoom : rc.h / -zoom, fw = zoom > 0 ? rc.w * zoom : rc.w / -zoom;
  const bool truth = !rc.target.empty();
  const std::int64_t W = 8 + fw + (truth ? fw + 16 : 0) + 98, H = 24 + fh + 8 + 14 * 11 + 16;
  int err = 0;
  GifFileType* gif = EGifOpenFileName(path.c_str(), false, &err);
  if (!gif) throw DataError(path + ": cannot write the animation (" + GifErrorString(err) + ")");
  std::vector<GifColorType> colours(256);
  for (std::size_t i = 0; i < 256; ++i) colours[i] = {palette[i][0], palette[i][1], palette[i][2]};
  ColorMapObject* map = GifMakeMapObject(256, colours.data());
  auto fail = [&](const char* what) {
    GifFreeMapObject(map);
    EGifCloseFile(gif, &err);
    std::remove(path.c_str());
    throw DataError(path + ": giflib failed to " + what);
  };
  if (EGifPutScreenDesc(gif, static_cast<int>(W), static_cast<int>(H), 8, 0, map) == GIF_ERROR) fail("start");
  // Loop forever (NETSCAPE2.0 application extension).
  unsigned char loop[3] = {1, 0, 0};
  if (EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE) == GIF_ERROR ||
      EGifPutExtensionBlock(gif, 11, "NETSCAPE2.0") == GIF_ERROR ||
      EGifPutExtensionBlock(gif, 3, loop) == GIF_ERROR || EGifPutExtensionTrailer(gif) == GIF_ERROR)
    fail("write the loop extension");
  const std::int64_t plane = rc.h * rc.w;
  for (std::int64_t k = 0; k < rc.t_in + rc.t_out; ++k) {
    Canvas c(W, H);
    const bool input = k < rc.t_in;
    const std::int64_t lead = k - rc.t_in + 1;
    c.text(8, 6,
           input ? (lead == 0 ? "NOW" : lead_label(lead, rc.timestep))
                 : "FORECAST " + lead_label(lead, rc.timestep));
    if (input) {
      c.frame(8, 20, s, rc.inputs.data() + k * plane, rc.input_mask.data() + k * plane, rc.h, rc.w, zoom);
    } else {
      c.frame(8, 20, s, rc.pred.data() + (k - rc.t_in) * plane, nullptr, rc.h, rc.w, zoom);
    }
    if (truth) {
      c.text(8 + fw + 16, 6, "OBSERVED");
      if (input)
        c.frame(8 + fw + 16, 20, s, rc.inputs.data() + k * plane, rc.input_mask.data() + k * plane, rc.h,
                rc.w, zoom);
      else
        c.frame(8 + fw + 16, 20, s, rc.target.data() + (k - rc.t_in) * plane,
                rc.target_mask.data() + (k - rc.t_in) * plane, rc.h, rc.w, zoom);
    }
    legend(c, W - 94, 20, s);
    GraphicsControlBlock gcb{};
    gcb.DelayTime = input ? 40 : 60;  // hundredths of a second
    gcb.TransparentColor = NO_TRANSPARENT_COLOR;
    GifByteType ext[4];
    const std::size_t n = EGifGCBToExtension(&gcb, ext);
    if (EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, static_cast<int>(n), ext) == GIF_ERROR)
      fail("write a delay");
    if (EGifPutImageDesc(gif, 0, 0, static_cast<int>(W), static_cast<int>(H), false, nullptr) == GIF_ERROR)
      fail("write a frame");
    for (std::int64_t y = 0; y < H; ++y)
      if (EGifPutLine(gif, c.px.data() + y * W, static_cast<int>(W)) == GIF_ERROR) fail("write a frame");
  }
  GifFreeMapObject(map);
  if (EGifCloseFile(gif, &err) == GIF_ERROR) {
    std::remove(path.c_str());
    throw DataError(path + ": cannot finish the animation (disk full?)");
  }
}

}  // namespace

RenderCase make_render_case(const std::vector<float>& inputs, const std::vector<float>& input_mask,
                            std::vector<float> pred, const std::vector<float>& target,
                            const std::vector<float>& target_mask, std::int64_t t_in, std::int64_t t_out,
                            std::int64_t h, std::int64_t w, std::int64_t last_time, std::int64_t timestep) {
  // Only the first channel is drawn.
  RenderCase rc;
  rc.h = h;
  rc.w = w;
  rc.t_in = t_in;
  rc.t_out = t_out;
  rc.inputs = inputs;
  rc.input_mask = input_mask;
  rc.pred = std::move(pred);
  rc.target = target;
  rc.target_mask = target_mask;
  rc.last_time = last_time;
  rc.timestep = timestep;
  return rc;
}

ImageWriter::ImageWriter(data::Quantity quantity, std::string png_dir, std::string gif)
    : quantity_(quantity), png_dir_(std::move(png_dir)), gif_(std::move(gif)) {
  if (!png_dir_.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(png_dir_, ec);
    if (ec) throw DataError(png_dir_ + ": cannot create the image directory (" + ec.message() + ")");
  }
}

namespace {
Scale scale_for(data::Quantity quantity) {
  using data::Quantity;
  return quantity == Quantity::reflectivity ? dbz_scale()
         : quantity == Quantity::intensity  ? grey_scale()
                                            : rain_scale();
}
}  // namespace

void ImageWriter::add(RenderCase c) {
  if (!png_dir_.empty()) {
    const Scale s = scale_for(quantity_);
    char name[32];
    std::snprintf(name, sizeof name, "forecast_%04zu.png", count_);
    const std::string path = (std::filesystem::path(png_dir_) / name).string();
    write_png(path, strip(c, s), palette_of(s));
    written_.push_back(path);
    if (!c.prob.empty()) {
      std::snprintf(name, sizeof name, "forecast_%04zu_prob.png", count_);
      const std::string prob = (std::filesystem::path(png_dir_) / name).string();
      write_png(prob, probability_strip(c, s.unit), palette_of(probability_scale()));
      written_.push_back(prob);
    }
  }
  ++count_;
  last_ = std::move(c);
}

void ImageWriter::finish() {
  if (gif_.empty() || count_ == 0) return;
  const Scale s = scale_for(quantity_);
  write_gif(gif_, last_, s, palette_of(s));
  written_.push_back(gif_);
}

}  // namespace convlstm::eval
