# Sourced by the experiment scripts that read the real radar samples: sets radar (RADAR_DIR, or
# ../shared/data/radar beside the checkout) and defines require_radar SCRIPT DIR..., which stops the script
# (exit status 1, one line naming the folder) when a sample folder is missing.
radar=${RADAR_DIR:-../shared/data/radar}
require_radar() {
  local who=$1 d
  shift
  for d in "$@"; do
    [ -d "$radar/$d" ] || { echo "$who: $radar/$d not found (the samples live in ../shared beside the checkout)" >&2; exit 1; }
  done
}
