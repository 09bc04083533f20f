//! Style queries as the server reads them (`?method=…&classes=…&breaks=…&period=…&compare=…`):
//! any query string, split into pairs as a URL query is, resolved and classified for every
//! indicator of the German demo atlas (periods, change maps, a typology, an index, an external
//! reference, weights), with its legend in German and English, and one tile drawn in that style.
//! A style the atlas refuses must come back as an `AtlasError`, never as a panic or a NaN break.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use quartier_atlas::manifest::LoadedAtlas;
use quartier_atlas::{Atlas, AtlasOptions, Lang, Style};
use quartier_render::TileCoord;

fn atlas() -> &'static Atlas {
    static ATLAS: OnceLock<Atlas> = OnceLock::new();
    ATLAS.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../geodata/de/atlas.toml");
        let (loaded, _) = LoadedAtlas::load(&path).expect("the German demo atlas loads");
        Atlas::new(loaded, &AtlasOptions::default())
    })
}

fuzz_target!(|data: &[u8]| {
    let atlas = atlas();
    let query = String::from_utf8_lossy(data);
    let style = Style::from_pairs(
        query
            .split('&')
            .map(|pair| pair.split_once('=').unwrap_or((pair, ""))),
    );
    let layer = &atlas.layers[0];
    for (i, ind) in layer.atlas.indicators.iter().enumerate() {
        let Ok(classified) = atlas.classified(0, i, &style) else {
            continue;
        };
        assert!(classified.classification.breaks.iter().all(|b| b.is_finite()));
        for lang in [Lang::De, Lang::En] {
            let _ = atlas.legend(layer.id(), &ind.id, &style, lang);
        }
        if i == 0 {
            // Düren's tile at zoom 6, at scale 1 and 2.
            let tile = TileCoord { z: 6, x: 33, y: 21 };
            let scale = 1 + (data.len() % 2) as u8;
            let _ = atlas.tile(layer.id(), &ind.id, &style, tile, scale);
        }
    }
});
