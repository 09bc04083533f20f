//! Indicator tables: detection (encoding, delimiter, header, footnotes, decimal) and parsing, every
//! column as numbers and text, and a join with padding; the same bytes also as a JSON table.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quartier_geo::join::{join, JoinOptions};
use quartier_geo::table::{Table, TableOptions};

fuzz_target!(|data: &[u8]| {
    for name in ["fuzz.csv", "fuzz.json"] {
        let Ok(table) = Table::from_bytes(name, data, &TableOptions::default()) else {
            continue;
        };
        for h in &table.headers {
            let _ = (table.numeric(h), table.text(h));
        }
        if let Some(key) = table.headers.first() {
            let opts = JoinOptions {
                pad_width: Some(5),
                case_sensitive: false,
            };
            let _ = join(&["05358", "1", ""], &table, key, &opts);
        }
    }
});
