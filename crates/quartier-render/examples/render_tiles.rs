//! Renders tiles of a lon/lat polygon shapefile to PNG files, for looking at tiles by eye and
//! for profiling (`--repeat N` renders each tile N times).
//!
//! ```text
//! cargo run --release -p quartier-render --example render_tiles -- \
//!     tests/fixtures/nc_sids/nc.shp 6/18/25 8/73/100@2x --out /tmp/tiles
//! ```
//!
//! Districts get the five YlOrRd classes by position and 1 px grey borders.

use std::path::PathBuf;
use std::time::Instant;

use geo::{Coord, MapCoords, MultiPolygon};
use quartier_render::{render_tile, TileCoord, TileLayer, TileStyle};

const YLORRD5: [[u8; 4]; 5] = [
    [0xff, 0xff, 0xb2, 0xff],
    [0xfe, 0xcc, 0x5c, 0xff],
    [0xfd, 0x8d, 0x3c, 0xff],
    [0xf0, 0x3b, 0x20, 0xff],
    [0xbd, 0x00, 0x26, 0xff],
];

fn mercator(c: Coord<f64>) -> Coord<f64> {
    const R: f64 = 6_378_137.0;
    Coord {
        x: R * c.x.to_radians(),
        y: R * (std::f64::consts::FRAC_PI_4 + c.y.to_radians() / 2.0)
            .tan()
            .ln(),
    }
}

fn parse_tile(arg: &str) -> Option<(TileCoord, u8)> {
    let (zxy, scale) = match arg.strip_suffix("@2x") {
        Some(rest) => (rest, 2),
        None => (arg, 1),
    };
    let mut parts = zxy.split('/').map(str::parse::<u32>);
    let (z, x, y) = (
        parts.next()?.ok()?,
        parts.next()?.ok()?,
        parts.next()?.ok()?,
    );
    Some((TileCoord::new_checked(u8::try_from(z).ok()?, x, y)?, scale))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let shp = args
        .next()
        .ok_or("usage: render_tiles FILE.shp Z/X/Y[@2x]... [--out DIR] [--repeat N]")?;
    let mut tiles = Vec::new();
    let mut out = PathBuf::from("target/tiles");
    let mut repeat = 1usize;
    let mut border_width = 1.0f32;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--out" => out = PathBuf::from(args.next().ok_or("--out needs a directory")?),
            "--repeat" => repeat = args.next().ok_or("--repeat needs a number")?.parse()?,
            "--border" => border_width = args.next().ok_or("--border needs a width")?.parse()?,
            _ => tiles.push(parse_tile(&arg).ok_or_else(|| format!("not a tile: {arg}"))?),
        }
    }
    let shapes = shapefile::read_shapes_as::<_, shapefile::Polygon>(&shp)?;
    let polygons: Vec<MultiPolygon<f64>> = shapes
        .into_iter()
        .map(|p| MultiPolygon::<f64>::try_from(p).map(|mp| mp.map_coords(mercator)))
        .collect::<Result<_, _>>()?;
    let started = Instant::now();
    let layer = TileLayer::new(polygons);
    eprintln!(
        "prepared {layer:?} in {:.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    let style = TileStyle {
        fills: (0..layer.len()).map(|i| YLORRD5[i % 5]).collect(),
        border: [0x99, 0x99, 0x99, 0xff],
        border_width,
    };
    std::fs::create_dir_all(&out)?;
    for (tile, scale) in tiles {
        // Batches of up to 100 renders: the fastest batch is the least disturbed by other
        // processes, the median batch the typical cost.
        let mut png = render_tile(&layer, &style, tile, scale)?;
        let batch = repeat.min(100);
        let mut per_tile = Vec::new();
        for _ in 0..repeat.div_ceil(batch) {
            let started = Instant::now();
            for _ in 0..batch {
                png = render_tile(&layer, &style, tile, scale)?;
            }
            per_tile.push(started.elapsed().as_secs_f64() * 1e6 / batch as f64);
        }
        per_tile.sort_by(f64::total_cmp);
        let name = format!(
            "{}_{}_{}{}.png",
            tile.z,
            tile.x,
            tile.y,
            if scale == 2 { "@2x" } else { "" }
        );
        std::fs::write(out.join(&name), &png)?;
        eprintln!(
            "{name}: {} bytes, {:.0} µs per tile (fastest batch), {:.0} µs (median batch)",
            png.len(),
            per_tile[0],
            per_tile[per_tile.len() / 2]
        );
    }
    Ok(())
}
