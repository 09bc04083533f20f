//! German wording of quartier-geo's classification and colour-scheme errors, for the API's
//! `error_de` and the German page; the English wording is the errors' own `Display`. Numbers
//! carry a decimal comma and a real minus sign, as the legend writes them.

use quartier_geo::classify::{ClassifyError, MAX_CLASSES, MIN_CLASSES};
use quartier_geo::palette::PaletteError;

use crate::labels::format_number;
use crate::lang::Lang;

fn num(v: f64) -> String {
    format_number(v, None, Lang::De)
}

/// A classification error in German.
pub fn classify_de(e: &ClassifyError) -> String {
    match e {
        ClassifyError::UnknownMethod { name } => format!(
            "Unbekanntes Einteilungsverfahren {name:?}: quantile, equal, jenks, stddev, pretty oder manual"
        ),
        ClassifyError::ClassesOutOfRange { classes } => {
            format!("{classes} Klassen verlangt: {MIN_CLASSES} bis {MAX_CLASSES} sind möglich")
        }
        ClassifyError::NoValues { total } => format!(
            "Alle {total} Werte fehlen (leer, NaN oder unendlich): es gibt nichts einzuteilen"
        ),
        ClassifyError::ManualBreaksMissing => {
            "Eigene Grenzen (manual) brauchen Grenzen, aufsteigend, z. B. 10,20,30".into()
        }
        ClassifyError::UnexpectedBreaks { method } => format!(
            "Grenzen gelten nur für eigene Grenzen (manual), nicht für {method}: Grenzen weglassen oder manual wählen"
        ),
        ClassifyError::CannotSplit { method } => format!(
            "Klassen getrennt unter und über einer Mitte brauchen eine endliche Mitte und quantile, equal oder jenks, nicht {method}"
        ),
        ClassifyError::ManualBreaksEmpty => format!(
            "Keine Grenzen angegeben: 1 bis {MAX_CLASSES} aufsteigende Klassenobergrenzen angeben"
        ),
        ClassifyError::ManualBreakNotFinite { position, value } => format!(
            "Grenze {position} ist {}: Grenzen müssen endliche Zahlen sein",
            num(*value)
        ),
        ClassifyError::ManualBreaksNotAscending {
            position,
            previous,
            value,
        } => format!(
            "Grenzen müssen aufsteigen, aber Grenze {position} ({}) ist nicht größer als Grenze {} ({})",
            num(*value),
            position - 1,
            num(*previous)
        ),
        ClassifyError::TooManyManualClasses {
            breaks,
            classes,
            max,
        } => format!(
            "{breaks} Grenzen ergeben {classes} Klassen{}: höchstens {MAX_CLASSES} sind möglich",
            if classes > breaks {
                format!(" (mit der zusätzlichen Klasse bis zum Höchstwert {})", num(*max))
            } else {
                String::new()
            }
        ),
        // An error added to quartier-geo later: a German frame around its English text.
        other => format!("Einteilung nicht möglich ({other})"),
    }
}

/// A colour-scheme error in German.
pub fn palette_de(e: &PaletteError) -> String {
    match e {
        PaletteError::UnknownScheme { name } => format!(
            "Unbekanntes Farbschema {name:?}: /api/atlas nennt die vorhandenen (z. B. YlOrRd, Blues, RdBu, viridis)"
        ),
        PaletteError::ClassesOutOfRange {
            scheme,
            classes,
            min,
            max,
        } => format!("Farbschema {scheme} hat Farben für {min} bis {max} Klassen, nicht für {classes}"),
        PaletteError::NotDiverging { scheme, .. } => format!(
            "Farbschema {scheme} ist nicht divergierend: eine Mitte braucht ein divergierendes Schema wie RdBu oder BrBG"
        ),
        PaletteError::InvalidBreaks { .. } => {
            "Die Klassengrenzen sind ungültig: sie müssen endlich sein und dürfen nicht fallen".into()
        }
        PaletteError::CentreNotFinite { centre } => format!(
            "Die Mitte eines divergierenden Schemas muss eine endliche Zahl sein, nicht {}",
            num(*centre)
        ),
        PaletteError::CentreOutsideBreaks { centre, min, max } => format!(
            "Die Mitte {} liegt außerhalb der Klassen, die von {} bis {} reichen",
            num(*centre),
            num(*min),
            num(*max)
        ),
        PaletteError::CentreTooFarOut {
            scheme,
            centre,
            class,
            classes,
            side,
            max_side,
        } => format!(
            "Die Mitte {} liegt in Klasse {} von {classes}; auf einer Seite bleiben {side} Klassen, aber \
             Farbschema {scheme} hat je Seite höchstens {max_side} Farben",
            num(*centre),
            class + 1
        ),
        PaletteError::SplitTooWide {
            scheme,
            side,
            max_side,
        } => format!(
            "{side} Klassen auf einer Seite der Mitte, aber Farbschema {scheme} hat je Seite höchstens \
             {max_side} Farben: weniger Klassen wählen"
        ),
        other => format!("Farbschema nicht verwendbar ({other})"),
    }
}
