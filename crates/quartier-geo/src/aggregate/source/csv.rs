//! Points from a CSV table: the coordinate columns found by name or given.

use super::{crs_override, finish, Points, RawPoints, SourceOptions, X_NAMES, Y_NAMES};
use crate::aggregate::{AggregateError, Location, Problem};
use crate::crs::Crs;
use crate::table::{parse_number, Table, TableOptions};
use std::path::Path;

/// The column for a coordinate: the one named in the options, else the first of `names`.
pub(super) fn coordinate_column(
    table: &Table,
    given: Option<&str>,
    names: &[&str],
    role: &'static str,
) -> Result<Option<usize>, AggregateError> {
    match given {
        Some(name) => table
            .column(name)
            .map(Some)
            .map_err(|_| AggregateError::NoSuchField {
                path: table.path.clone(),
                field: name.to_string(),
                role,
                available: table.headers.join(", "),
            }),
        None => Ok(names
            .iter()
            .find_map(|n| table.headers.iter().position(|h| h.to_lowercase() == *n))),
    }
}

pub(super) fn csv_points(
    path: &Path,
    opts: &SourceOptions,
    fields: &[String],
) -> Result<Points, AggregateError> {
    let table = Table::read(
        path,
        &TableOptions {
            delimiter: opts.delimiter,
            encoding: opts.encoding.clone(),
            ..Default::default()
        },
    )?;
    let x = coordinate_column(&table, opts.x.as_deref(), X_NAMES, "the x coordinate")?;
    let y = coordinate_column(&table, opts.y.as_deref(), Y_NAMES, "the y coordinate")?;
    let (Some(x), Some(y)) = (x, y) else {
        return Err(AggregateError::NoCoordinateColumns {
            path: path.to_path_buf(),
            looked_for: format!("x: {}; y: {}", X_NAMES.join(", "), Y_NAMES.join(", ")),
            available: table.headers.join(", "),
        });
    };
    let crs = crs_override(path, opts)?.unwrap_or_else(Crs::wgs84);
    let columns: Vec<Vec<Option<f64>>> = fields
        .iter()
        .map(|f| {
            table.column(f).map_err(|_| AggregateError::NoSuchField {
                path: path.to_path_buf(),
                field: f.clone(),
                role: "a value to sum or average",
                available: table.headers.join(", "),
            })?;
            Ok(table.numeric(f)?)
        })
        .collect::<Result<_, AggregateError>>()?;
    let mut raw = RawPoints {
        xy: Vec::with_capacity(table.rows.len()),
        origins: Vec::with_capacity(table.rows.len()),
        fields: fields.iter().map(|f| (f.clone(), Vec::new())).collect(),
        read: table.rows.len(),
        problems: Vec::new(),
    };
    for (r, row) in table.rows.iter().enumerate() {
        let coordinate = |col: usize| -> Result<f64, String> {
            let name = &table.headers[col];
            let cell = row.cells.get(col).map_or("", String::as_str);
            match parse_number(cell, table.decimal) {
                Ok(Some(v)) if v.is_finite() => Ok(v),
                Ok(Some(_)) => Err(format!("column {name:?}: {cell:?} is not a finite number")),
                Ok(None) if cell.is_empty() => Err(format!("column {name:?} is empty")),
                Ok(None) => Err(format!("column {name:?} holds {cell:?}, a missing value")),
                Err(e) => Err(format!("column {name:?}: {e}")),
            }
        };
        match (coordinate(x), coordinate(y)) {
            (Ok(xv), Ok(yv)) => {
                raw.xy.push((xv, yv));
                raw.origins.push(Location::Line(row.line));
                for (k, c) in columns.iter().enumerate() {
                    raw.fields[k].1.push(c[r]);
                }
            }
            (Err(e), _) | (_, Err(e)) => raw.problems.push(Problem {
                location: Location::Line(row.line),
                message: format!("{e}, so the point has no coordinates; it was skipped"),
            }),
        }
    }
    finish(path, "CSV", &crs, raw)
}
