#!/usr/bin/python3
"""Reads convlstm's georeferenced forecasts back with the tools users have, and checks them.

    /usr/bin/python3 scripts/check_georeferenced.py --corner=X0,Y0 --pixel DX,DY --shape ROWS,COLS \
        --analysis 2010-08-26T01:05:00 --leads 300,600 [--netcdf F.nc] [--cog F_*.tif ...]
        [--members M] [--thresholds 1,5]

Needs Debian's python3-xarray, python3-netcdf4, python3-rasterio and gdal-bin (gdalinfo). Checks, to 1 m:
  netCDF-CF, with xarray and netCDF4: valid times = analysis + leads, forecast_reference_time = analysis,
    forecast_period, y north-first, the cell centres against the corner, the grid mapping and crs_wkt;
    with gdalinfo: the geotransform and a CRS from the file;
  COG, with rasterio: bounds, resolution, CRS, NaN nodata, the valid time in the tags; with gdalinfo:
    LAYOUT=COG.
  An ensemble (--members M > 1): the netCDF variable over (ens_number, time, y, x) with ens_number a CF
    realization, each COG with M bands; exceedance probabilities (--thresholds): probability_of_exceedance over
    (threshold, time, y, x) on the threshold coordinate, in [0, 1] or NaN.
Exit status 0 when every check holds, 1 (naming each failure) otherwise, 77 when a tool is missing.
"""
import argparse
import json
import math
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corner", required=True)
    ap.add_argument("--pixel", required=True)
    ap.add_argument("--shape", required=True)
    ap.add_argument("--analysis", required=True, help="UTC, ISO 8601")
    ap.add_argument("--leads", required=True, help="seconds, comma-separated")
    ap.add_argument("--netcdf")
    ap.add_argument("--cog", nargs="*", default=[])
    ap.add_argument("--members", type=int, default=1)
    ap.add_argument("--thresholds", default="", help="comma-separated")
    a = ap.parse_args()
    try:
        import numpy as np
        import xarray as xr
        import netCDF4
        import rasterio
    except ImportError as e:
        print(f"check_georeferenced: {e} (apt-get install python3-xarray python3-netcdf4 python3-rasterio)",
              file=sys.stderr)
        return 77
    x0, y0 = map(float, a.corner.split(","))
    dx, dy = map(float, a.pixel.split(","))
    rows, cols = map(int, a.shape.split(","))
    leads = [int(v) for v in a.leads.split(",")]
    analysis = np.datetime64(a.analysis)
    failures = []

    def expect(ok, what):
        if not ok:
            failures.append(what)

    def gdalinfo(target):
        r = subprocess.run(["gdalinfo", "-json", target], capture_output=True, text=True)
        if r.returncode != 0:
            failures.append(f"gdalinfo {target}: {r.stderr.strip()[:200]}")
            return {}
        return json.loads(r.stdout)

    if a.netcdf:
        ds = xr.open_dataset(a.netcdf)
        v = ds["precip_intensity"] if "precip_intensity" in ds else ds["reflectivity"]
        if a.members > 1:
            expect(v.dims == ("ens_number", "time", "y", "x"), f"netCDF dimensions {v.dims}")
            expect(v.shape == (a.members, len(leads), rows, cols), f"netCDF shape {v.shape}")
            expect(ds["ens_number"].attrs.get("standard_name") == "realization", "ens_number is no realization")
        else:
            expect(v.shape == (len(leads), rows, cols), f"netCDF shape {v.shape}")
        if a.thresholds:
            want_t = [float(t) for t in a.thresholds.split(",")]
            p = ds["probability_of_exceedance"]
            expect(p.dims == ("threshold", "time", "y", "x"), f"probability dimensions {p.dims}")
            expect(list(ds["threshold"].values) == want_t, f"thresholds {ds['threshold'].values}")
            vals = p.values[~np.isnan(p.values)]
            expect(vals.size > 0 and vals.min() >= 0 and vals.max() <= 1, "probabilities outside [0, 1]")
        valid = ds["time"].values
        want = analysis + np.array(leads, dtype="timedelta64[s]")
        expect(list(valid) == list(want.astype(valid.dtype)), f"netCDF valid times {valid} != {want}")
        expect(ds["forecast_reference_time"].values == analysis.astype(valid.dtype),
               f"forecast_reference_time {ds['forecast_reference_time'].values}")
        fp = ds["forecast_period"].values
        fp_s = fp.astype("timedelta64[s]").astype(float) if fp.dtype.kind == "m" else fp
        expect(list(fp_s) == [float(l) for l in leads], f"forecast_period {fp}")
        y, x = ds["y"].values, ds["x"].values
        expect(y[0] > y[-1], "y is not north-first")
        expect(abs(x[0] - dx / 2 - x0) < 1 and abs(y[0] + dy / 2 - y0) < 1,
               f"netCDF corner ({x[0] - dx / 2}, {y[0] + dy / 2}) != ({x0}, {y0})")
        crs = ds[v.attrs.get("grid_mapping", "crs")]
        expect(bool(crs.attrs.get("crs_wkt")), "no crs_wkt")
        expect("grid_mapping_name" in crs.attrs, "no grid_mapping_name")
        # pysteps' netCDF importer finds the projection by the variable's name: its grid_mapping_name.
        expect(crs.name == crs.attrs["grid_mapping_name"],
               f"grid-mapping variable '{crs.name}' is not named after its grid_mapping_name")
        with netCDF4.Dataset(a.netcdf) as nc:
            expect(nc.variables["time"].units.startswith("seconds since " + a.analysis.replace("T", " ")[:16]),
                   f"time units {nc.variables['time'].units}")
            expect(nc.getncattr("Conventions") == "CF-1.8", "Conventions")
        info = gdalinfo(f'NETCDF:"{a.netcdf}":{v.name}')
        gt = info.get("geoTransform", [])
        expect(len(gt) == 6 and abs(gt[0] - x0) < 1 and abs(gt[3] - y0) < 1 and abs(gt[1] - dx) < 1e-6
               and abs(gt[5] + dy) < 1e-6, f"GDAL geotransform of the netCDF {gt}")
        expect(bool(info.get("coordinateSystem", {}).get("wkt")), "GDAL finds no CRS in the netCDF")
    for k, path in enumerate(a.cog):
        with rasterio.open(path) as r:
            b = r.bounds
            expect(abs(b.left - x0) < 1 and abs(b.top - y0) < 1 and abs(b.right - (x0 + cols * dx)) < 1
                   and abs(b.bottom - (y0 - rows * dy)) < 1, f"{path}: bounds {b}")
            expect(abs(r.res[0] - dx) < 1e-6 and abs(r.res[1] - dy) < 1e-6, f"{path}: resolution {r.res}")
            expect(r.crs is not None, f"{path}: no CRS")
            expect(r.nodata is not None and math.isnan(r.nodata), f"{path}: nodata {r.nodata}")
            expect(r.count == a.members, f"{path}: {r.count} bands for {a.members} member(s)")
            want = str((analysis + np.timedelta64(leads[k], "s")).astype("datetime64[s]")) + "Z"
            expect(r.tags().get("valid_time") == want, f"{path}: valid_time {r.tags().get('valid_time')} != {want}")
        meta = gdalinfo(path).get("metadata", {}).get("IMAGE_STRUCTURE", {})
        expect(meta.get("LAYOUT") == "COG", f"{path}: layout {meta.get('LAYOUT')}")
    for f in failures:
        print("check_georeferenced: " + f, file=sys.stderr)
    if not failures:
        print(f"check_georeferenced: {'netCDF, ' if a.netcdf else ''}{len(a.cog)} COG file(s) agree")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
