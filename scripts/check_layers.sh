#!/usr/bin/env bash
# The rooms of src/ are layered (docs/architecture.md): a room may include headers of its own room and of the
# rooms below it, never of a room above. Lists every include that runs upwards and exits 1 when there is one;
# run by ctest (layers.includes).
set -euo pipefail
cd "$(dirname "$0")/.."
order=(core tensor ops nn geo data forecast motion cascade checkpoint config train eval cli)
rank() {
  local i
  for i in "${!order[@]}"; do [ "${order[$i]}" = "$1" ] && { echo "$i"; return; }; done
  echo -1
}
bad=0
while IFS= read -r file; do
  room=${file#src/}
  room=${room%%/*}
  own=$(rank "$room")
  [ "$own" -ge 0 ] || { echo "check_layers.sh: $file: room '$room' is not in the order" >&2; bad=1; continue; }
  while IFS= read -r inc; do
    target=${inc%%/*}
    other=$(rank "$target")
    [ "$other" -ge 0 ] || continue
    if [ "$other" -gt "$own" ]; then
      echo "$file includes $inc: $room may not include $target (above it)"
      bad=1
    fi
    # data/readers/ is private to data/.
    if [[ "$inc" == data/readers/* && "$room" != data ]]; then
      echo "$file includes $inc: data/readers/ is private to data/"
      bad=1
    fi
  done < <(sed -n 's/^#include "\([a-z_]*\/[^"]*\)".*/\1/p' "$file")
done < <(find src -name '*.cpp' -o -name '*.hpp' | sort)
exit $bad
