//! Computing a layer's indicators, period by period: fields, ratios (from one table or across
//! tables, `table.column`), densities and changes, with small-number suppression per period; and
//! composite indices over them (`[[layer.index]]`, computed by [`crate::index`]).

use quartier_geo::aggregate::{self, derive};
use quartier_geo::layer::{AttributeValues, Layer};

use super::error::ManifestError;
use super::spec::{IndexSpec, IndicatorSpec, LayerSpec, PeriodsSpec};
use super::styles::resolve_style;
use super::tables::Tables;
use super::types::{Component, ExternalReference, Indicator, StyleSpec};

type Invalid<'a> = &'a dyn Fn(String, String) -> ManifestError;

/// The placeholder for the period in field names (`population_{year}`).
pub(super) const YEAR: &str = "{year}";

/// The most periods an indicator may have (a century of years is plenty; a typo such as
/// `"2008-20190"` is an error, not 18,000 columns looked up).
const MAX_PERIODS: usize = 200;

/// Parse `"2008-2019"`, `"2019"` or a list into ascending distinct years.
pub(super) fn parse_periods(spec: &PeriodsSpec) -> Result<Vec<i32>, String> {
    let mut years = match spec {
        PeriodsSpec::List(v) => v.clone(),
        PeriodsSpec::Range(s) => {
            let bad = || {
                format!("periods = {s:?}: write a range of years \"2008-2019\", or a list [2008, 2010, 2012]")
            };
            let (a, b) = match s.split_once('-') {
                Some((a, b)) => (a.trim(), b.trim()),
                None => (s.trim(), s.trim()),
            };
            let a: i32 = a.parse().map_err(|_| bad())?;
            let b: i32 = b.parse().map_err(|_| bad())?;
            if b < a || (b - a) as usize >= MAX_PERIODS {
                return Err(bad());
            }
            (a..=b).collect()
        }
    };
    years.sort_unstable();
    years.dedup();
    if years.is_empty() || years.len() > MAX_PERIODS {
        return Err(format!(
            "periods: give 1 to {MAX_PERIODS} years, e.g. \"2008-2019\""
        ));
    }
    Ok(years)
}

/// What one indicator needs from its layer while it is computed.
pub(super) struct Context<'a> {
    pub(super) spec: &'a LayerSpec,
    pub(super) layer: &'a Layer,
    pub(super) tables: &'a Tables,
    pub(super) areas: std::cell::OnceCell<Vec<f64>>,
    pub(super) invalid: Invalid<'a>,
}

/// `numerator / denominator × factor`; a zero denominator has no rate: missing, not infinity.
fn ratio(numerator: Option<f64>, denominator: Option<f64>, factor: f64) -> Option<f64> {
    match (numerator, denominator) {
        (Some(n), Some(d)) if d != 0.0 => Some(n / d * factor),
        _ => None,
    }
}

impl Context<'_> {
    /// Where `field` (with `{year}` replaced by `period`) lives: the table it names
    /// (`crime.crimes_{year}`), else `table` (`None`: the boundary file), and its column.
    fn locate(
        &self,
        table: Option<&str>,
        field: &str,
        period: Option<i32>,
    ) -> (Option<String>, String) {
        let field = match period {
            Some(p) => field.replace(YEAR, &p.to_string()),
            None => field.to_string(),
        };
        match field.split_once('.') {
            Some((t, c)) if self.tables.has(t) => (Some(t.to_string()), c.to_string()),
            _ => (table.map(str::to_string), field),
        }
    }

    /// The tables an indicator reads: its `table` and those its fields name (`table.column`).
    fn tables_of<'s>(&self, ind: &'s IndicatorSpec) -> Vec<&'s str> {
        let mut tables: Vec<&str> = ind.table.iter().map(String::as_str).collect();
        for f in [&ind.field, &ind.numerator, &ind.denominator, &ind.density]
            .into_iter()
            .flatten()
        {
            match f.split_once('.') {
                Some((t, _)) if self.tables.has(t) && !tables.contains(&t) => tables.push(t),
                _ => {}
            }
        }
        tables
    }

    /// `field` (with `{year}` replaced) of `table`, or of the table it names (`crime.crimes_{year}`),
    /// or of the boundary file. The bool says whether it came from a table.
    fn column(
        &self,
        table: Option<&str>,
        field: &str,
        period: Option<i32>,
        ctx: &str,
    ) -> Result<(Vec<Option<f64>>, bool), ManifestError> {
        let (table, field) = self.locate(table, field, period);
        let (table, field) = (table.as_deref(), field.as_str());
        if field.contains(YEAR) {
            return Err((self.invalid)(
                ctx.to_string(),
                format!("{field:?} has {YEAR} but the indicator has no periods: add periods = \"2008-2019\" (or a list)"),
            ));
        }
        match table {
            None => {
                let v = self.layer.numeric(field).map(<[_]>::to_vec).ok_or_else(|| {
                    let numeric: Vec<&str> = self
                        .layer
                        .attributes
                        .iter()
                        .filter(|a| matches!(a.values, AttributeValues::Number(_)))
                        .map(|a| a.name.as_str())
                        .collect();
                    (self.invalid)(
                        ctx.to_string(),
                        format!(
                            "the boundary file has no numeric field {field:?}; numeric fields are: {}; \
                             for a table column add table = \"<table id>\" or write \"<table id>.{field}\"",
                            numeric.join(", ")
                        ),
                    )
                })?;
                Ok((v, false))
            }
            Some(tid) => {
                if !self.tables.has(tid) {
                    return Err((self.invalid)(
                        ctx.to_string(),
                        format!(
                            "no table {tid:?} in this layer; tables: {}",
                            self.tables.ids()
                        ),
                    ));
                }
                match self.tables.numeric(tid, field, period)? {
                    Some(v) => Ok((v, true)),
                    // A long table without rows for this period: no values, not an error.
                    None => Ok((vec![None; self.layer.districts.len()], true)),
                }
            }
        }
    }

    /// The periods of an indicator: its own `periods`, else those of the long table it reads.
    fn periods(&self, ind: &IndicatorSpec, ctx: &str) -> Result<Vec<i32>, ManifestError> {
        if let Some(p) = &ind.periods {
            return parse_periods(p).map_err(|m| (self.invalid)(ctx.to_string(), m));
        }
        Ok(self
            .tables_of(ind)
            .iter()
            .find_map(|t| self.tables.periods_of(t))
            .unwrap_or_default())
    }

    /// One indicator with all its periods.
    pub(super) fn indicator(
        &self,
        ind: &IndicatorSpec,
        layer_style: &StyleSpec,
    ) -> Result<Indicator, ManifestError> {
        let ctx = format!("layer {:?}, indicator {:?}", self.spec.id, ind.id);
        let periods = self.periods(ind, &ctx)?;
        let mut series = Vec::with_capacity(periods.len());
        let mut series_suppressed = Vec::with_capacity(periods.len());
        let mut formula = String::new();
        let mut totals = Vec::with_capacity(periods.len().max(1));
        let period_list: Vec<Option<i32>> = if periods.is_empty() {
            vec![None]
        } else {
            periods.iter().copied().map(Some).collect()
        };
        let mut external = Vec::new();
        let mut row_found = false;
        for period in period_list {
            let (values, f, suppressed, total) = self.one_period(ind, period, &ctx)?;
            formula = f;
            totals.push(total);
            if let Some(r) = &ind.reference {
                let value = self.reference_value(ind, &r.key, period, &ctx)?;
                row_found |= value.is_some();
                external.push(value.flatten());
            }
            let values: Vec<Option<f64>> = values
                .into_iter()
                .zip(&suppressed)
                .map(|(v, s)| if *s { None } else { v })
                .collect();
            series.push(values);
            series_suppressed.push(suppressed);
        }
        let external = match &ind.reference {
            Some(r) if !row_found => {
                return Err((self.invalid)(
                    ctx,
                    format!(
                        "reference = {{ key = {:?} }}: no row of the indicator's tables has that key \
                         (write it as the table's key column spells it; rows that match no district \
                         have keys such as {})",
                        r.key,
                        self.tables_of(ind)
                            .iter()
                            .flat_map(|t| self.tables.unmatched_keys(t))
                            .map(|k| format!("{k:?}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ))
            }
            Some(r) => Some(ExternalReference {
                key: r.key.clone(),
                title: r.title.clone().unwrap_or_else(|| r.key.as_str().into()),
                values: external,
            }),
            None => None,
        };
        let values = series.last().cloned().unwrap_or_default();
        let suppressed = series_suppressed.last().cloned().unwrap_or_default();
        let pooled: Vec<Option<f64>> = series.iter().flatten().copied().collect();
        let style = resolve_style(&ind.style.or(layer_style), &pooled)
            .map_err(|message| (self.invalid)(ctx.clone(), message))?;
        let (series, series_suppressed) = if periods.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            (series, series_suppressed)
        };
        Ok(Indicator {
            id: ind.id.clone(),
            title: ind.title.clone().unwrap_or_else(|| ind.id.as_str().into()),
            unit: ind.unit.clone().unwrap_or_else(|| "".into()),
            theme: ind.theme,
            source: ind.source.clone(),
            year: periods.last().copied().or(ind.year),
            description: ind.description.clone(),
            decimals: ind.decimals,
            formula,
            style,
            values,
            suppressed,
            suppress_below: self.spec.suppress_below,
            periods,
            series,
            series_suppressed,
            components: Vec::new(),
            totals: if totals.iter().any(Option::is_some) {
                totals
            } else {
                Vec::new()
            },
            external,
            categories: Vec::new(),
        })
    }

    /// The indicator's value for the table row `key` in `period`, computed as for a district
    /// (a field, or numerator / denominator × factor): `None` when no table has that row then.
    fn reference_value(
        &self,
        ind: &IndicatorSpec,
        key: &str,
        period: Option<i32>,
        ctx: &str,
    ) -> Result<Option<Option<f64>>, ManifestError> {
        let cell = |field: &str| -> Result<Option<Option<f64>>, ManifestError> {
            let (table, column) = self.locate(ind.table.as_deref(), field, period);
            let Some(table) = table else {
                return Err((self.invalid)(
                    ctx.to_string(),
                    format!("reference: {column:?} comes from the boundary file, which has only districts; a reference row needs a table (table = \"...\" or \"<table>.{column}\")"),
                ));
            };
            self.tables.row_value(&table, &column, period, key)
        };
        Ok(match (&ind.field, &ind.numerator, &ind.denominator) {
            (Some(f), None, None) if ind.density.is_none() && ind.change.is_none() => cell(f)?,
            (None, Some(n), Some(d)) => match (cell(n)?, cell(d)?) {
                (Some(n), Some(d)) => Some(ratio(n, d, ind.factor.unwrap_or(1.0))),
                _ => None,
            },
            _ => {
                return Err((self.invalid)(
                    ctx.to_string(),
                    "reference goes with field = \"...\" or numerator and denominator, whose table has the row; a density or change has no value for a table row".into(),
                ))
            }
        })
    }

    /// Values, formula, withheld flags and (for ratios and densities) the ratio of the totals of
    /// one period.
    #[allow(clippy::type_complexity)]
    fn one_period(
        &self,
        ind: &IndicatorSpec,
        period: Option<i32>,
        ctx: &str,
    ) -> Result<(Vec<Option<f64>>, String, Vec<bool>, Option<f64>), ManifestError> {
        if ind.weight.is_some() && ind.field.is_none() {
            return Err((self.invalid)(
                ctx.to_string(),
                "weight goes with field = \"...\" (a field that is a ratio, weighted by its denominator); ratios and densities already compare with the ratio of their totals".into(),
            ));
        }
        let table = ind.table.as_deref();
        let spec = self.spec;
        let layer = self.layer;
        let n_districts = layer.districts.len();
        // Small-number suppression of an input field: counts (by name, or `suppress = true`)
        // below the layer's threshold.
        let counts_below = |field: &str, values: &[Option<f64>], from_table: bool| -> Vec<bool> {
            match (spec.suppress_below, from_table) {
                (None, _) => vec![false; n_districts],
                (Some(t), false) => derive::suppressed_field(layer, field, ind.suppress, t),
                (Some(t), true) if ind.suppress == Some(true) => derive::suppress_counts(values, t),
                (Some(_), true) => vec![false; n_districts],
            }
        };
        let col = |field: &str| self.column(table, field, period, ctx);
        let derived = (&ind.density, &ind.change);
        Ok(match (&ind.field, &ind.numerator, &ind.denominator, derived) {
            (None, None, None, (Some(field), None)) => {
                let (v, from_table) = col(field)?;
                // Geodesic areas cost about 0.5 µs per vertex: computed once per layer, or taken
                // from an aggregated layer's `area_km2`.
                let areas = self.areas.get_or_init(|| match layer.numeric(aggregate::AREA_KM2) {
                    Some(a) if spec.aggregate.is_some() => {
                        a.iter().map(|x| x.unwrap_or(0.0)).collect()
                    }
                    _ => derive::areas_km2(layer),
                });
                let suppressed = counts_below(field, &v, from_table);
                let total = ratio_of_totals(&v, areas.iter().map(|a| Some(*a)), &suppressed, 1.0);
                (
                    derive::density_per_km2(&v, areas),
                    format!("{field} / area (km²)"),
                    suppressed,
                    total,
                )
            }
            (None, None, None, (None, Some(change))) => {
                let (from, ft) = col(&change.from)?;
                let (to, tt) = col(&change.to)?;
                let suppressed = derive::either(
                    &counts_below(&change.from, &from, ft),
                    &counts_below(&change.to, &to, tt),
                );
                (
                    derive::change(&from, &to, change.kind()),
                    change.formula(),
                    suppressed,
                    None,
                )
            }
            (Some(field), None, None, (None, None)) => {
                if ind.factor.is_some() {
                    return Err((self.invalid)(
                        ctx.to_string(),
                        "factor only goes with numerator and denominator".into(),
                    ));
                }
                let (v, from_table) = col(field)?;
                let suppressed = counts_below(field, &v, from_table);
                // A field that is a ratio, weighted by its denominator: Σ w·v / Σ w is the ratio
                // of the totals.
                let total = match &ind.weight {
                    Some(w) => {
                        let (weights, _) = col(w)?;
                        let weighted: Vec<Option<f64>> = v
                            .iter()
                            .zip(&weights)
                            .map(|(v, w)| v.zip(*w).map(|(v, w)| v * w))
                            .collect();
                        ratio_of_totals(&weighted, weights.iter().copied(), &suppressed, 1.0)
                    }
                    None => None,
                };
                (v, field.clone(), suppressed, total)
            }
            (None, Some(num), Some(den), (None, None)) => {
                let (n, nt) = col(num)?;
                let (d, dt) = col(den)?;
                // A rate is withheld when its denominator is a small count, or its numerator is
                // one (numerator = rate × denominator would give it away).
                let suppressed =
                    derive::either(&counts_below(num, &n, nt), &counts_below(den, &d, dt));
                let factor = ind.factor.unwrap_or(1.0);
                let values = n
                    .iter()
                    .zip(&d)
                    .map(|(n, d)| ratio(*n, *d, factor))
                    .collect();
                let formula = if factor == 1.0 {
                    format!("{num} / {den}")
                } else {
                    format!("{num} / {den} × {factor}")
                };
                let total = ratio_of_totals(&n, d.iter().copied(), &suppressed, factor);
                (values, formula, suppressed, total)
            }
            _ => {
                return Err((self.invalid)(
                    ctx.to_string(),
                    "say one of: field = \"NAME\"; numerator = \"A\" and denominator = \"B\" (with an optional factor); density = \"NAME\" (per km²); change = { from = \"A\", to = \"B\" }".into(),
                ))
            }
        })
    }
}

/// A composite index over `indicators` (already computed): the periods all components share,
/// the index per period ([`crate::index::composite`]).
pub(super) fn index(
    layer_id: &str,
    spec: &IndexSpec,
    indicators: &[Indicator],
    layer_style: &StyleSpec,
    invalid: Invalid,
) -> Result<Indicator, ManifestError> {
    let ctx = format!("layer {layer_id:?}, index {:?}", spec.id);
    let bad = |m: String| invalid(ctx.clone(), m);
    if spec.components.is_empty() {
        return Err(bad(
            "no components: add components = [{ indicator = \"...\", weight = 1, direction = 1 }]"
                .into(),
        ));
    }
    let mut parts = Vec::new();
    let mut components = Vec::new();
    for c in &spec.components {
        let ind = indicators
            .iter()
            .find(|i| i.id == c.indicator)
            .ok_or_else(|| {
                bad(format!(
                    "component {:?} is not an indicator of this layer; indicators: {}",
                    c.indicator,
                    indicators
                        .iter()
                        .map(|i| i.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
        if !(c.weight.is_finite() && c.weight > 0.0) {
            return Err(bad(format!(
                "component {:?}: weight = {} must be a positive number",
                c.indicator, c.weight
            )));
        }
        if c.direction != 1 && c.direction != -1 {
            return Err(bad(format!(
                "component {:?}: direction = {} must be 1 (high is good) or -1 (high is bad)",
                c.indicator, c.direction
            )));
        }
        parts.push(ind);
        components.push(Component {
            indicator: c.indicator.clone(),
            weight: c.weight,
            direction: c.direction,
        });
    }
    // The periods every component has (components without periods take part in every period).
    let with_periods: Vec<&&Indicator> = parts.iter().filter(|i| !i.periods.is_empty()).collect();
    let periods: Vec<i32> = match with_periods.first() {
        None => Vec::new(),
        Some(first) => first
            .periods
            .iter()
            .copied()
            .filter(|p| with_periods.iter().all(|i| i.periods.contains(p)))
            .collect(),
    };
    if !with_periods.is_empty() && periods.is_empty() {
        return Err(bad(
            "the components share no period: give them overlapping periods".into(),
        ));
    }
    let at = |p: Option<i32>| -> Vec<Option<f64>> {
        let inputs: Vec<(&[Option<f64>], f64, i8)> = parts
            .iter()
            .zip(&components)
            .map(|(i, c)| (i.period_values(p).0, c.weight, c.direction))
            .collect();
        crate::index::composite(&inputs).values
    };
    let series: Vec<Vec<Option<f64>>> = periods.iter().map(|p| at(Some(*p))).collect();
    let values = series.last().cloned().unwrap_or_else(|| at(None));
    let n = values.len();
    let style_spec = spec.style.or(&StyleSpec {
        method: Some("stddev".into()),
        palette: Some("RdYlBu".into()),
        ..StyleSpec::default()
    });
    let style = resolve_style(&style_spec.or(layer_style), &values).map_err(bad)?;
    let formula = components
        .iter()
        .map(|c| {
            let sign = if c.direction < 0 { "−" } else { "+" };
            format!("{sign}{}·z({})", c.weight, c.indicator)
        })
        .collect::<Vec<_>>()
        .join(" ");
    let wsum: f64 = components.iter().map(|c| c.weight).sum();
    Ok(Indicator {
        id: spec.id.clone(),
        title: spec
            .title
            .clone()
            .unwrap_or_else(|| spec.id.as_str().into()),
        unit: spec.unit.clone().unwrap_or_else(|| "".into()),
        theme: spec.theme,
        source: None,
        year: periods.last().copied(),
        description: spec.description.clone(),
        decimals: spec.decimals.or(Some(2)),
        formula: format!("({formula}) / {wsum}"),
        style,
        values,
        suppressed: vec![false; n],
        suppress_below: None,
        series_suppressed: vec![vec![false; n]; periods.len()],
        series,
        periods,
        components,
        totals: Vec::new(),
        external: None,
        categories: Vec::new(),
    })
}

/// Σ numerator / Σ denominator × `factor` over the districts that have both, a non-zero
/// denominator and a published value (a withheld district's counts stay out, so the total
/// cannot give its value away by subtraction); `None` when no district qualifies.
fn ratio_of_totals(
    numerators: &[Option<f64>],
    denominators: impl Iterator<Item = Option<f64>>,
    withheld: &[bool],
    factor: f64,
) -> Option<f64> {
    let (mut n, mut d, mut any) = (0.0, 0.0, false);
    for (i, (num, den)) in numerators.iter().zip(denominators).enumerate() {
        if withheld.get(i).copied().unwrap_or(false) {
            continue;
        }
        if let (Some(num), Some(den)) = (num, den) {
            if num.is_finite() && den.is_finite() && den != 0.0 {
                n += num;
                d += den;
                any = true;
            }
        }
    }
    (any && d != 0.0).then(|| n / d * factor)
}
