//! The whole report of a layer: [`Atlas::report`].
//!
//! Pages, in order: a title page (atlas, layer, description, contents with page numbers), one
//! map page per indicator grouped by theme, one profile page per district (layer order), and a
//! sources page: `1 + indicators + districts + 1`. With a period in the style, indicators
//! without that period get no map page (their profile rows show "–"). Pages are composed on
//! every core, then written as one PDF with the font embedded once.

use std::sync::atomic::{AtomicUsize, Ordering};

use quartier_render::print::{
    compose_map, compose_profile, compose_text_page, pdf_document, Composition, Orientation,
    PageSpec, TextPage, TextSection,
};

use crate::atlas::Atlas;
use crate::lang::Lang;
use crate::manifest::Theme;
use crate::print::profile::{report_order, ProfileData};
use crate::print::{pick, MapRequest, PrintRequestError, PrintView, ProfileRequest};
use crate::style::Style;

/// What report to make.
#[derive(Debug, Clone, Copy)]
pub struct ReportRequest<'r> {
    /// Layer id.
    pub layer: &'r str,
    /// Style parameters for every map (and the period, once the atlas has periods); the
    /// indicators' own styles fill in what is not given.
    pub style: &'r Style,
    /// Language of every text.
    pub lang: Lang,
    /// Pages composed at the same time; 0 is one per core.
    pub threads: usize,
}

/// How far a report is: pages composed of the total, then the PDF being written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportProgress {
    /// `done` of `total` pages composed.
    Composed {
        /// Pages composed so far.
        done: usize,
        /// Pages of the report.
        total: usize,
    },
    /// Every page is composed; the PDF is being written.
    Writing,
}

/// One page of the report to compose.
#[derive(Debug, Clone, Copy)]
enum Job {
    Title,
    Map(usize),
    Profile(usize),
    Sources,
}

/// A4 in the orientation that suits the layer's shape (landscape when it is clearly wider than
/// tall), at 150 dpi (the PDF is vector; the dpi only matters for a PNG).
fn page_for(bounds: Option<[f64; 4]>) -> PageSpec {
    let wide = bounds.is_some_and(|b| (b[2] - b[0]) > 1.2 * (b[3] - b[1]));
    PageSpec {
        orientation: if wide {
            Orientation::Landscape
        } else {
            Orientation::Portrait
        },
        dpi: 150.0,
        ..PageSpec::default()
    }
}

impl Atlas {
    /// The report of a layer as one PDF (see the module documentation for its pages);
    /// `progress` is called after every page and once before the PDF is written.
    pub fn report(
        &self,
        request: &ReportRequest<'_>,
        progress: &(dyn Fn(ReportProgress) + Sync),
    ) -> Result<Vec<u8>, PrintRequestError> {
        let (pages, title) = self.report_pages(request, progress)?;
        progress(ReportProgress::Writing);
        Ok(pdf_document(&pages, &title)?)
    }

    /// The composed pages of [`Atlas::report`] and the document title.
    pub fn report_pages(
        &self,
        request: &ReportRequest<'_>,
        progress: &(dyn Fn(ReportProgress) + Sync),
    ) -> Result<(Vec<Composition>, String), PrintRequestError> {
        let (_, layer) = self.layer(request.layer)?;
        let geometry = self.print_geometry(request.layer)?;
        // The numbers every profile page shares (values of the period, ranks, references).
        let profile_data = ProfileData::new(layer, request.style);
        // A map page per indicator that has the requested period (all of them without one); the
        // profiles show "–" for the others, and the sources page lists every indicator.
        let all = report_order(&layer.atlas.indicators);
        let order: Vec<usize> = all
            .iter()
            .copied()
            .filter(|&k| {
                crate::periods::PeriodChoice::resolve(&layer.atlas.indicators[k], request.style)
                    .is_ok()
            })
            .collect();
        if order.is_empty() {
            return Err(PrintRequestError::Params(format!(
                "no indicator of layer {:?} has the requested period: pick one of the periods \
                 /api/layers lists",
                request.layer
            )));
        }
        let districts = layer.atlas.layer.districts.len();
        let mut jobs = vec![Job::Title];
        jobs.extend(order.iter().map(|&k| Job::Map(k)));
        jobs.extend((0..districts).map(Job::Profile));
        jobs.push(Job::Sources);
        let total = jobs.len();
        let page = page_for(layer.mercator_bounds);
        let profile_page = PageSpec {
            orientation: Orientation::Portrait,
            ..page
        };
        let threads = match request.threads {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        }
        .clamp(1, total);
        let next = AtomicUsize::new(0);
        let done = AtomicUsize::new(0);
        let compose = |job: Job| -> Result<Composition, PrintRequestError> {
            match job {
                Job::Title => self.title_page(request, &order, districts, profile_page),
                Job::Sources => self.sources_page(request, &all, profile_page),
                Job::Map(k) => {
                    let ind = &layer.atlas.indicators[k];
                    let map = self.map_page(
                        &geometry,
                        &MapRequest {
                            layer: request.layer,
                            indicator: &ind.id,
                            style: request.style,
                            view: &PrintView::Layer,
                            page,
                            lang: request.lang,
                            title: None,
                        },
                    )?;
                    Ok(compose_map(&map)?)
                }
                Job::Profile(i) => {
                    let profile = self.profile_page_with(
                        &geometry,
                        &ProfileRequest {
                            layer: request.layer,
                            district: &layer.atlas.layer.districts[i].id,
                            style: request.style,
                            page: profile_page,
                            lang: request.lang,
                        },
                        &profile_data,
                    )?;
                    Ok(compose_profile(&profile)?)
                }
            }
        };
        // Workers take the next page number until none is left; each keeps (number, page).
        let results: Vec<Result<Vec<(usize, Composition)>, PrintRequestError>> =
            std::thread::scope(|s| {
                let handles: Vec<_> = (0..threads)
                    .map(|_| {
                        s.spawn(|| -> Result<Vec<(usize, Composition)>, PrintRequestError> {
                            let mut mine = Vec::new();
                            loop {
                                let n = next.fetch_add(1, Ordering::Relaxed);
                                let Some(&job) = jobs.get(n) else { break };
                                mine.push((n, compose(job)?));
                                let d = done.fetch_add(1, Ordering::Relaxed) + 1;
                                progress(ReportProgress::Composed { done: d, total });
                            }
                            Ok(mine)
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| match h.join() {
                        Ok(r) => r,
                        Err(panic) => std::panic::resume_unwind(panic),
                    })
                    .collect()
            });
        let mut numbered = Vec::with_capacity(total);
        for r in results {
            numbered.extend(r?);
        }
        numbered.sort_by_key(|(n, _)| *n);
        let pages = numbered.into_iter().map(|(_, c)| c).collect();
        let l = request.lang.as_str();
        let title = format!("{} – {}", self.title.get(l), layer.atlas.title.get(l));
        Ok((pages, title))
    }

    /// The title page: atlas and layer title, description, contents with page numbers.
    fn title_page(
        &self,
        request: &ReportRequest<'_>,
        order: &[usize],
        districts: usize,
        page: PageSpec,
    ) -> Result<Composition, PrintRequestError> {
        let (_, layer) = self.layer(request.layer)?;
        let lang = request.lang;
        let l = lang.as_str();
        let mut sections = Vec::new();
        if let Some(d) = &self.description {
            sections.push(TextSection {
                heading: None,
                paragraphs: vec![d.get(l).to_string()],
            });
        }
        // Contents: the maps by theme, then profiles and sources, with their page numbers.
        let mut lines = Vec::new();
        let mut number = 2;
        for theme in Theme::ALL {
            let in_theme: Vec<usize> = order
                .iter()
                .copied()
                .filter(|&k| layer.atlas.indicators[k].theme == theme)
                .collect();
            if in_theme.is_empty() {
                continue;
            }
            let titles: Vec<String> = in_theme
                .iter()
                .enumerate()
                .map(|(j, &k)| {
                    format!(
                        "{} ({})",
                        layer.atlas.indicators[k].title.get(l),
                        number + j
                    )
                })
                .collect();
            lines.push(format!("{}: {}", theme.title(l), titles.join(", ")));
            number += in_theme.len();
        }
        let profiles = if districts > 0 {
            format!(
                "{} ({}–{})",
                pick(lang, "Gebietsprofile", "District profiles"),
                number,
                number + districts - 1
            )
        } else {
            pick(lang, "Keine Gebiete", "No districts").to_string()
        };
        lines.push(profiles);
        lines.push(format!(
            "{} ({})",
            pick(lang, "Quellen", "Sources"),
            number + districts
        ));
        sections.push(TextSection {
            heading: Some(pick(lang, "Inhalt", "Contents").to_string()),
            paragraphs: lines,
        });
        sections.push(TextSection {
            heading: Some(pick(lang, "Gebiet", "Area").to_string()),
            paragraphs: vec![format!(
                "{}: {} {}, {} {}",
                layer.atlas.title.get(l),
                districts,
                pick(lang, "Gebiete", "districts"),
                order.len(),
                pick(lang, "Indikatoren", "indicators"),
            )],
        });
        Ok(compose_text_page(&TextPage {
            page,
            title: self.title.get(l).to_string(),
            subtitle: Some(layer.atlas.title.get(l).to_string()),
            sections,
            footer: Some(format!(
                "{} {} · Quartier",
                pick(lang, "Datenstand", "Data version"),
                self.version
            )),
        })?)
    }

    /// The sources page: for every indicator its source, year and formula; the boundaries'
    /// attribution.
    fn sources_page(
        &self,
        request: &ReportRequest<'_>,
        order: &[usize],
        page: PageSpec,
    ) -> Result<Composition, PrintRequestError> {
        let (_, layer) = self.layer(request.layer)?;
        let lang = request.lang;
        let l = lang.as_str();
        let paragraphs = order
            .iter()
            .map(|&k| {
                let ind = &layer.atlas.indicators[k];
                let mut line = format!("{}: ", ind.title.get(l));
                line.push_str(ind.source.as_deref().unwrap_or(pick(
                    lang,
                    "ohne Quellenangabe",
                    "no source given",
                )));
                if let Some(y) = ind.year {
                    line.push_str(&format!(" ({y})"));
                }
                line.push_str(&format!(
                    "; {} {}",
                    pick(lang, "berechnet als", "computed as"),
                    ind.formula
                ));
                let unit = ind.unit.get(l);
                if !unit.is_empty() {
                    line.push_str(&format!(", in {unit}"));
                }
                line
            })
            .collect();
        let mut sections = vec![TextSection {
            heading: Some(pick(lang, "Indikatoren", "Indicators").to_string()),
            paragraphs,
        }];
        if let Some(a) = &layer.atlas.attribution {
            sections.push(TextSection {
                heading: Some(pick(lang, "Gebietsgrenzen", "Boundaries").to_string()),
                paragraphs: vec![a.clone()],
            });
        }
        sections.push(TextSection {
            heading: Some(pick(lang, "Methode", "Method").to_string()),
            paragraphs: vec![pick(
                lang,
                "Karten und Legenden sind die der Online-Karte: dieselben Klassen, Farben und \
                 Beschriftungen. Der Durchschnitt einer Quote oder Dichte gilt für alle Gebiete \
                 zusammen (Summe durch Summe), sonst ist er das ungewichtete Mittel der Gebiete \
                 mit Wert; Rang 1 ist der höchste Wert. Gesperrte Werte (kleine Fallzahlen) sind schraffiert \
                 und gehen in keine Zahl ein.",
                "Maps and legends are those of the web map: the same classes, colours and \
                 labels. The average of a rate or density is that of all districts together \
                 (total over total), otherwise the unweighted mean of the districts with a \
                 value; rank 1 is the highest value. Withheld values (small numbers) are hatched and enter no \
                 figure.",
            )
            .to_string()],
        });
        Ok(compose_text_page(&TextPage {
            page,
            title: pick(lang, "Quellen", "Sources").to_string(),
            subtitle: Some(layer.atlas.title.get(l).to_string()),
            sections,
            footer: Some(format!(
                "{} {}",
                pick(lang, "Datenstand", "Data version"),
                self.version
            )),
        })?)
    }
}
