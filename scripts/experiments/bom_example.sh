#!/usr/bin/env bash
# A real example of the georeferenced chain (docs/formats.md): the BoM
# Rainfields day in ../shared/data/radar/bom-prcp-c10-66-20201031 (144 ten-minute netCDF-4 files, 512x512 at
# 0.5 km, Albers) imported at 2 km, the first 96 frames (00:00-15:50) trained on (configs/bom_example.yaml),
# the last 48 (16:00-23:50: 38 windows of 11 frames that touch no training frame) scored against
# persistence and optical flow, then a forecast straight from the last raw files written as netCDF-CF, as
# COGs and as ODIM_H5 (one file per lead), and read back by scripts/check_georeferenced.py (GDAL, xarray,
# netCDF4, rasterio). Extra arguments go to `convlstm train`. RADAR_DIR overrides the radar folder.
set -euo pipefail
cd "$(dirname "$0")/../.."
radar=${RADAR_DIR:-../shared/data/radar}/bom-prcp-c10-66-20201031
[ -d "$radar" ] || { echo "bom_example.sh: $radar not found (the sample lives in ../shared beside the checkout)" >&2; exit 1; }
bash scripts/setup.sh --test
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-passive}"
bin=./build/convlstm
run=runs/bom
f="$radar"/66_20201031_
$bin import --output data/bom_train.h5 --downsample 4 "$f"0*.nc "$f"1[0-5]*.nc
$bin import --output data/bom_test.h5 --downsample 4 "$f"1[6-9]*.nc "$f"2*.nc
$bin train --config configs/bom_example.yaml "$@"
$bin evaluate --checkpoint $run/latest.h5 --data data/bom_test.h5 --thresholds 0.5,1,2,5 \
  --baselines persistence,optical-flow,sprog --bootstrap "${BOOTSTRAP:-1000}" \
  --csv $run/evaluation.csv --json $run/evaluation.json | tee $run/evaluation.txt
/usr/bin/python3 scripts/plot_metrics.py --eval $run/evaluation.json --eval-out $run/skill.png \
  --train $run/metrics.csv --train-out $run/training.png
# A forecast from the raw files (the last 5 of the day), in each georeferenced form.
mkdir -p $run/forecast
$bin predict --checkpoint $run/latest.h5 --input "$f*.nc" --output $run/forecast/bom.nc
$bin predict --checkpoint $run/latest.h5 --input "$f*.nc" --output $run/forecast/bom.tif
$bin predict --checkpoint $run/latest.h5 --input "$f*.nc" --output $run/forecast/bom --format odim --one-file-per-lead
# The import's grid: the file's outer corner (-128, 128) km, 2 km pixels, 128x128.
/usr/bin/python3 scripts/check_georeferenced.py --corner=-128000,128000 --pixel 2000,2000 --shape 128,128 \
  --analysis 2020-10-31T23:50:00 --leads 600,1200,1800,2400,3000,3600 --netcdf $run/forecast/bom.nc \
  --cog $run/forecast/bom_202010312350_0{10,20,30,40,50,60}.tif
gdalinfo $run/forecast/bom_202010312350_010.tif | head -20
