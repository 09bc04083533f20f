//! One static map page: [`Atlas::map_page`].

use quartier_render::print::{
    compose_map, Composition, DistrictStyle, MapContent, MapPage, PageSpec, View,
};

use crate::atlas::Atlas;
use crate::lang::Lang;
use crate::print::{pick, print_legend, render_lang, PrintGeometry, PrintRequestError, PrintView};
use crate::style::Style;

/// What map to print.
#[derive(Debug, Clone, Copy)]
pub struct MapRequest<'r> {
    /// Layer id.
    pub layer: &'r str,
    /// Indicator id.
    pub indicator: &'r str,
    /// The style, exactly as for tiles and legend (and the period, where the atlas has them).
    pub style: &'r Style,
    /// What part of the layer.
    pub view: &'r PrintView,
    /// Size, orientation, dpi.
    pub page: PageSpec,
    /// Language of every text.
    pub lang: Lang,
    /// Title instead of the indicator's.
    pub title: Option<&'r str>,
}

/// The encodings of a print page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrintFormat {
    /// PNG at the page's dpi.
    Png,
    /// SVG with real text.
    Svg,
    /// Vector PDF with the font embedded and subset.
    Pdf,
}

impl PrintFormat {
    /// The format of a file extension (`png`, `svg`, `pdf`, any case).
    pub fn from_extension(ext: &str) -> Option<PrintFormat> {
        match ext.to_ascii_lowercase().as_str() {
            "png" => Some(PrintFormat::Png),
            "svg" => Some(PrintFormat::Svg),
            "pdf" => Some(PrintFormat::Pdf),
            _ => None,
        }
    }

    /// The media type of the format.
    pub fn content_type(self) -> &'static str {
        match self {
            PrintFormat::Png => "image/png",
            PrintFormat::Svg => "image/svg+xml",
            PrintFormat::Pdf => "application/pdf",
        }
    }
}

/// Margin around a district shown with its neighbours, as a share of its size.
const DISTRICT_MARGIN: f64 = 0.35;

impl Atlas {
    /// A map page composed and encoded in `format`, with the composition (placed labels,
    /// notes, pixel size) for the caller to report; what `quartier render` and `/static` give.
    pub fn print_map(
        &self,
        request: &MapRequest<'_>,
        format: PrintFormat,
    ) -> Result<(Vec<u8>, Composition), PrintRequestError> {
        let geometry = self.print_geometry(request.layer)?;
        let composed = compose_map(&self.map_page(&geometry, request)?)?;
        let bytes = match format {
            PrintFormat::Png => composed.to_png()?,
            PrintFormat::Svg => composed.svg().as_bytes().to_vec(),
            PrintFormat::Pdf => composed.to_pdf()?,
        };
        Ok((bytes, composed))
    }

    /// The map page of an indicator: the fills of its tiles, the rows of its live legend
    /// ([`Atlas::legend`] with the same style), district names as labels, the indicator's source
    /// and the layer's attribution. `geometry` is [`Atlas::print_geometry`] of the same layer.
    ///
    /// ```no_run
    /// # fn example(atlas: &quartier_atlas::Atlas) -> Result<(), Box<dyn std::error::Error>> {
    /// use quartier_atlas::print::{MapRequest, PrintView};
    /// use quartier_atlas::{Lang, Style};
    ///
    /// let geometry = atlas.print_geometry("nc")?;
    /// let page = atlas.map_page(&geometry, &MapRequest {
    ///     layer: "nc",
    ///     indicator: "sids_rate74",
    ///     style: &Style::default(),
    ///     view: &PrintView::Layer,
    ///     page: Default::default(), // A4 portrait, 300 dpi
    ///     lang: Lang::De,
    ///     title: None,
    /// })?;
    /// let pdf = quartier_render::print::compose_map(&page)?.to_pdf()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn map_page<'a>(
        &'a self,
        geometry: &'a PrintGeometry,
        request: &MapRequest<'_>,
    ) -> Result<MapPage<'a>, PrintRequestError> {
        let legend = self.legend(
            request.layer,
            request.indicator,
            request.style,
            request.lang,
        )?;
        let classified = self.classify(request.layer, request.indicator, request.style)?;
        let layer = &self.layers[classified.layer];
        if classified.layer != geometry.layer {
            return Err(PrintRequestError::Params(format!(
                "the print geometry is not that of layer {:?}",
                request.layer
            )));
        }
        let ind = &layer.atlas.indicators[classified.indicator];
        let lang = request.lang;
        let l = lang.as_str();
        let focus = match request.view {
            PrintView::District(id) => Some(layer.district(id)?),
            _ => None,
        };
        let view = match request.view {
            PrintView::Layer => View::Layer,
            PrintView::BBox([w, s, e, n]) => {
                let (x0, y0) = quartier_geo::crs::lonlat_to_mercator(*w, *s);
                let (x1, y1) = quartier_geo::crs::lonlat_to_mercator(*e, *n);
                View::BBox([x0, y0, x1, y1])
            }
            PrintView::District(_) => View::District {
                index: focus.unwrap_or(0),
                margin: DISTRICT_MARGIN,
            },
        };
        // Withheld in the period (or either period of a change) shown, as the tiles hatch them.
        let choice = &classified.style.periods;
        let shown = layer.view(classified.indicator, choice);
        let styles = classified
            .tile_style
            .fills
            .iter()
            .enumerate()
            .map(|(i, fill)| DistrictStyle {
                hatch: shown.suppressed.get(i).copied().unwrap_or(false),
                context: focus.is_some_and(|f| f != i),
                ..DistrictStyle::filled(*fill)
            })
            .collect();
        let labels = layer
            .atlas
            .layer
            .districts
            .iter()
            .map(|d| Some(d.name.clone()).filter(|n| !n.trim().is_empty()))
            .collect();
        let mut subtitle: Vec<String> = Vec::new();
        if let Some(i) = focus {
            subtitle.push(layer.atlas.layer.districts[i].name.clone());
        }
        // The period shown: a change map names both periods and the kind of change.
        let year = choice.period.or(ind.year);
        match (choice.compare, year) {
            (Some(from), Some(to)) => subtitle.push(format!(
                "{} {from}–{to}{}",
                pick(lang, "Veränderung", "Change"),
                if choice.percent { " (%)" } else { "" }
            )),
            (None, Some(year)) => subtitle.push(year.to_string()),
            _ => {}
        }
        subtitle.push(layer.atlas.title.get(l).to_string());
        let source = ind.source.as_ref().map(|s| {
            let mut line = format!("{}: {s}", pick(lang, "Quelle", "Source"));
            match (choice.compare, year) {
                (Some(from), Some(to)) => line.push_str(&format!(" ({from}, {to})")),
                (None, Some(year)) => line.push_str(&format!(" ({year})")),
                _ => {}
            }
            line
        });
        let title = request
            .title
            .map_or_else(|| ind.title.get(l).to_string(), str::to_string);
        Ok(MapPage {
            page: request.page,
            map: MapContent {
                layer: self.print_layer(geometry)?,
                styles,
                labels,
                view,
            },
            title,
            subtitle: Some(subtitle.join(" · ")),
            legend: print_legend(&legend),
            source,
            attribution: layer.atlas.attribution.clone(),
            scale_bar: true,
            lang: render_lang(lang),
        })
    }
}
