#!/usr/bin/env python3
"""Make the broken inputs in tests/fixtures/bad/ (and the zip in tests/fixtures/zip/) from the real
nc_sids shapefile, so the importer's error paths are tested on realistic files.

Python 3.11 standard library only. Run from anywhere:  python3 tests/reference/make_bad_fixtures.py
Each file is described in tests/fixtures/bad/README.md.
"""
import json
import os
import shutil
import struct
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "..", "fixtures")
NC = os.path.join(FIX, "nc_sids", "nc")
BAD = os.path.join(FIX, "bad")


def read(ext):
    with open(NC + "." + ext, "rb") as f:
        return f.read()


def write(name, data):
    path = os.path.join(BAD, name)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))


def copy_set(stem, skip=(), **replace):
    """Copy nc.{shp,shx,dbf,prj} to bad/<stem>.*, replacing some parts' bytes."""
    for ext in ("shp", "shx", "dbf", "prj"):
        if ext in skip:
            continue
        write(stem + "." + ext, replace.get(ext, read(ext)))


def dbf_header(dbf):
    n, header_len, record_len = struct.unpack("<IHH", dbf[4:12])
    return n, header_len, record_len


def zero_width():
    """nc_zero_width.*: nc with two fields of width 0 in the .dbf, as some exporters write them for
    empty columns: a text field EMPTY after NAME and a numeric field NOVAL at the end. Such a field
    takes no bytes in a record, so only the header grows; pyshp reads every record
    (tests/reference/dbf_reference.py writes what it reads)."""
    dbf = read("dbf")
    n, header_len, record_len = dbf_header(dbf)
    fields = [dbf[32 + 32 * i: 64 + 32 * i] for i in range((header_len - 33) // 32)]

    def descriptor(name, kind):
        d = bytearray(32)
        d[: len(name)] = name.encode("ascii")
        d[11] = ord(kind)
        return bytes(d)  # width (byte 16) and decimals (byte 17) stay 0

    fields = fields[:5] + [descriptor("EMPTY", "C")] + fields[5:] + [descriptor("NOVAL", "N")]
    head = bytearray(dbf[:32])
    head[8:10] = struct.pack("<H", 32 + 32 * len(fields) + 1)
    out = bytes(head) + b"".join(fields) + b"\r" + dbf[header_len:]
    copy_set("nc_zero_width", skip=("prj",), dbf=out)  # no .prj: the test passes the CRS


def main():
    os.makedirs(BAD, exist_ok=True)
    zero_width()
    shp, dbf = read("shp"), read("dbf")
    n, header_len, record_len = dbf_header(dbf)

    # 1. .shp cut in the middle of a record (the header still says 46196 bytes).
    copy_set("nc_truncated", shp=shp[:30000])
    # Same without .shx, so the records are read in sequence.
    copy_set("nc_truncated_noshx", skip=("shx",), shp=shp[:30000])

    # 2. .dbf with 99 records for 100 shapes (a consistent, shorter table).
    fewer = bytearray(dbf[: header_len + 99 * record_len]) + b"\x1a"
    fewer[4:8] = struct.pack("<I", 99)
    copy_set("nc_fewer_records", dbf=bytes(fewer))

    # 3. .dbf whose header announces 100 records but the file stops after 60.
    copy_set("nc_dbf_truncated", dbf=dbf[: header_len + 60 * record_len])

    # 4. Broken field definition: the 5th field (NAME) gets the type byte 'Z'.
    broken = bytearray(dbf)
    broken[32 + 4 * 32 + 11] = ord("Z")
    copy_set("nc_broken_field", dbf=bytes(broken))
    # Field widths that do not add up to the record length.
    widths = bytearray(dbf)
    widths[32 + 4 * 32 + 16] = 70  # NAME was 80 wide
    copy_set("nc_broken_widths", dbf=bytes(widths))

    # 5. No .prj.
    copy_set("nc_noprj", skip=("prj",))

    # 6. A .prj nobody can identify.
    copy_set("nc_unknown_crs", prj='PROJCS["Gauss_Kruger_Atlantis",GEOGCS["GCS_Atlantis",'
             'DATUM["D_Atlantis",SPHEROID["Poseidon",1.0,0.0]],PRIMEM["Greenwich",0.0],'
             'UNIT["Degree",0.0174532925199433]],PROJECTION["Sunken_Conformal"],UNIT["Meter",1.0]]')

    # 7. A NaN coordinate in record 3 (Surry): the first point's x of its first part.
    nan = bytearray(shp)
    pos = 100
    for _ in range(2):  # skip records 1 and 2
        length = struct.unpack(">i", nan[pos + 4: pos + 8])[0] * 2
        pos += 8 + length
    num_parts = struct.unpack("<i", nan[pos + 8 + 36: pos + 8 + 40])[0]
    first_point = pos + 8 + 44 + 4 * num_parts
    nan[first_point: first_point + 8] = struct.pack("<d", float("nan"))
    copy_set("nc_nan", shp=bytes(nan))

    # 8. GeoJSON inputs.
    def fc(features, **extra):
        return json.dumps(dict(type="FeatureCollection", features=features, **extra), ensure_ascii=False)

    def poly(coords):
        return {"type": "Polygon", "coordinates": coords}

    square = [[[6.0, 50.0], [7.0, 50.0], [7.0, 51.0], [6.0, 51.0], [6.0, 50.0]]]
    write("empty.geojson", fc([]))
    write("points.geojson", fc([
        {"type": "Feature", "id": "05358", "properties": {"name": "Düren"}, "geometry": poly(square)},
        {"type": "Feature", "id": "05334", "properties": {"name": "Aachen"},
         "geometry": {"type": "Point", "coordinates": [6.08, 50.78]}},
    ]))
    write("broken.geojson", '{"type": "FeatureCollection",\n "features": [\n  {"type": "Feature", "geometry": null,}\n ]\n}\n')
    write("unknown_crs.geojson", fc([{"type": "Feature", "properties": {}, "geometry": poly(square)}],
                                    crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::999999"}}))
    write("invalid_geometry.geojson", fc([
        # 1: fine.
        {"type": "Feature", "id": "01", "properties": {"name": "gut"}, "geometry": poly(square)},
        # 2: clockwise exterior, a repeated point and an unclosed ring -> repaired.
        {"type": "Feature", "id": "02", "properties": {"name": "repariert"},
         "geometry": poly([[[6.0, 50.0], [6.0, 51.0], [6.0, 51.0], [7.0, 51.0], [7.0, 50.0]]])},
        # 3: bow-tie -> self-intersection warning.
        {"type": "Feature", "id": "03", "properties": {"name": "Schleife"},
         "geometry": poly([[[6.0, 50.0], [7.0, 51.0], [7.0, 50.0], [6.0, 51.0], [6.0, 50.0]]])},
        # 4: projected metres in a WGS84 file -> out of range, error.
        {"type": "Feature", "id": "04", "properties": {"name": "UTM"},
         "geometry": poly([[[318000.0, 5630000.0], [330000.0, 5630000.0], [330000.0, 5642000.0], [318000.0, 5630000.0]]])},
        # 5: a line pretending to be a polygon -> fewer than 3 distinct points, error.
        {"type": "Feature", "id": "05", "properties": {"name": "Strich"},
         "geometry": poly([[[6.0, 50.0], [7.0, 51.0], [6.0, 50.0]]])},
        # 6: no geometry -> empty.
        {"type": "Feature", "id": "06", "properties": {"name": "leer"}, "geometry": None},
        # 7: same id as 1 -> duplicate id.
        {"type": "Feature", "id": "01", "properties": {"name": "doppelt"}, "geometry": poly(square)},
    ]))

    # 9. A zip with two shapefiles (ambiguous) and the good zip of nc_sids.
    with zipfile.ZipFile(os.path.join(BAD, "two_shapefiles.zip"), "w", zipfile.ZIP_DEFLATED) as z:
        for ext in ("shp", "shx", "dbf", "prj"):
            z.write(NC + "." + ext, "a/nc." + ext)
            z.write(NC + "." + ext, "b/nc_copy." + ext)
    os.makedirs(os.path.join(FIX, "zip"), exist_ok=True)
    with zipfile.ZipFile(os.path.join(FIX, "zip", "nc_sids.zip"), "w", zipfile.ZIP_DEFLATED) as z:
        for ext in ("shp", "shx", "dbf", "prj"):
            z.write(NC + "." + ext, "nc_sids/nc." + ext)
        z.writestr("nc_sids/README.txt", "North Carolina SIDS counties, from Debian r-cran-sf (see ../SOURCES.md)\n")
    print("wrote", sorted(os.listdir(BAD)))


if __name__ == "__main__":
    main()
