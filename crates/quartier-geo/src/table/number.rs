//! Numbers as statistics offices and spreadsheets write them: `1.234,5`, `1,234.5`, `-`, `…`.
//!
//! [`parse_number`] reads one cell given the table's decimal separator.
//! The other of `.` and `,` is then the thousands separator, and it must group digits in threes,
//! so that a cell in the wrong format (`7.1` in a table with decimal comma) is an error instead of
//! silently becoming `71`.
//! Spaces, no-break spaces and apostrophes (`1 234`, `1'234`) are accepted as thousands separators too.
//! A cell that is one of [`MISSING_MARKERS`] is a missing value (`None`), never zero.

use thiserror::Error;

/// Cell texts that mean "no value" (compared after trimming whitespace).
///
/// Besides the empty cell and `NA`, these are the signs of the German official statistics
/// (GENESIS, Destatis *Zeichenerklärung*): `-` (nothing there), `.` (unknown or secret), `x`
/// (cell blocked), `...` or `…` (not yet available), `/` (too uncertain to publish).
/// Note that in GENESIS `-` strictly means "exactly nothing"; Quartier still treats it as missing,
/// because it also marks Kreise that did not exist that year, and a missing value shown as "no data"
/// is the safer mistake.
/// Also accepted: spreadsheet and pandas spellings (`N/A`, `#N/A`, `NaN`, `nan`) and the dashes `–` `—`.
pub const MISSING_MARKERS: &[&str] = &[
    "", "NA", "N/A", "n/a", "#N/A", "NaN", "nan", "-", "–", "—", ".", "x", "X", "…", "...", "/",
];

/// Why a cell is not a number.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum NumberError {
    /// The cell holds something other than digits, separators, a sign and an exponent.
    ///
    /// Consider: is this a text column, or does the table use a missing marker not in
    /// [`MISSING_MARKERS`]?
    #[error("{text:?} is not a number")]
    NotANumber {
        /// The trimmed cell text (cut after 200 characters).
        text: String,
    },
    /// The cell has more than one decimal separator, or one inside the thousands groups.
    #[error("{text:?} is not a number with decimal {decimal:?}: the decimal separator may appear once, after the thousands groups")]
    BadDecimal {
        /// The trimmed cell text (cut after 200 characters).
        text: String,
        /// The decimal separator in use.
        decimal: char,
    },
    /// Thousands separators that do not group the digits in threes (`1.5` with decimal `,`).
    ///
    /// Consider: the table may use the other decimal separator; set it explicitly.
    #[error("{text:?} is not a number with decimal {decimal:?}: {separator:?} must separate groups of three digits")]
    BadGrouping {
        /// The trimmed cell text (cut after 200 characters).
        text: String,
        /// The decimal separator in use.
        decimal: char,
        /// The thousands separator that was misplaced.
        separator: char,
    },
    /// The decimal separator asked for is neither `.` nor `,`.
    #[error("decimal separator {decimal:?} is not supported: use '.' or ','")]
    UnsupportedDecimal {
        /// The separator asked for.
        decimal: char,
    },
}

impl NumberError {
    /// The cell text that is not a number, cut after
    /// [`MAX_ECHO_CHARS`](crate::limits::MAX_ECHO_CHARS) characters (empty for
    /// [`NumberError::UnsupportedDecimal`]).
    pub fn text(&self) -> &str {
        match self {
            NumberError::NotANumber { text }
            | NumberError::BadDecimal { text, .. }
            | NumberError::BadGrouping { text, .. } => text,
            NumberError::UnsupportedDecimal { .. } => "",
        }
    }
}

/// Whether a cell is one of the [`MISSING_MARKERS`] (after trimming).
pub fn is_missing(s: &str) -> bool {
    MISSING_MARKERS.contains(&s.trim())
}

/// Separators that may group thousands whatever the decimal separator is.
fn is_neutral_group(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\'' | '’')
}

/// Parses one cell: `Ok(None)` for a missing marker, `Ok(Some(x))` for a number.
///
/// `decimal` is `'.'` or `','`; the other one is the thousands separator.
/// Accepted: an optional sign (`-`, `+`, or the minus sign `−`), digits with optional thousands
/// groups of three, an optional decimal part, and an optional exponent (`1.5e-3`, as pandas writes).
///
/// # Examples
///
/// ```
/// use quartier_geo::table::parse_number;
/// assert_eq!(parse_number("1.234,5", ','), Ok(Some(1234.5)));
/// assert_eq!(parse_number("1,234.5", '.'), Ok(Some(1234.5)));
/// assert_eq!(parse_number("  264180 ", ','), Ok(Some(264180.0)));
/// assert_eq!(parse_number("-", ','), Ok(None));
/// assert!(parse_number("7.1", ',').is_err()); // not a thousands group: wrong decimal separator
/// ```
pub fn parse_number(s: &str, decimal: char) -> Result<Option<f64>, NumberError> {
    let text = s.trim();
    parse_trimmed(text, decimal).map_err(|fault| {
        // The cell goes into messages: a one-line file of 2 GB must not be echoed whole.
        let text = crate::limits::echo(text);
        match fault {
            Fault::NotANumber => NumberError::NotANumber { text },
            Fault::BadDecimal => NumberError::BadDecimal { text, decimal },
            Fault::BadGrouping(separator) => NumberError::BadGrouping {
                text,
                decimal,
                separator,
            },
            Fault::UnsupportedDecimal => NumberError::UnsupportedDecimal { decimal },
        }
    })
}

/// [`NumberError`] without the text, so that detection can try both separators without allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    NotANumber,
    BadDecimal,
    BadGrouping(char),
    UnsupportedDecimal,
}

/// [`parse_number`] on a trimmed cell.
fn parse_trimmed(text: &str, decimal: char) -> Result<Option<f64>, Fault> {
    if MISSING_MARKERS.contains(&text) {
        return Ok(None);
    }
    let group = match decimal {
        '.' => ',',
        ',' => '.',
        _ => return Err(Fault::UnsupportedDecimal),
    };
    // The common case: plain digits.
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Some(v)),
            _ => Err(Fault::NotANumber),
        };
    }

    let (negative, body) = match text.chars().next() {
        Some(c @ ('-' | '−')) => (true, &text[c.len_utf8()..]),
        Some('+') => (false, &text[1..]),
        _ => (false, text),
    };
    // Split off an exponent (`e` or `E`, optional sign, digits).
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => {
            let exp = &body[i + 1..];
            let digits = exp.strip_prefix(['+', '-']).unwrap_or(exp);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Fault::NotANumber);
            }
            (&body[..i], Some(exp))
        }
        None => (body, None),
    };
    let (int_part, frac_part) = match mantissa.find(decimal) {
        Some(i) => (&mantissa[..i], Some(&mantissa[i + decimal.len_utf8()..])),
        None => (mantissa, None),
    };
    if let Some(frac) = frac_part {
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(if frac.contains(decimal) || frac.contains(group) {
                Fault::BadDecimal
            } else {
                Fault::NotANumber
            });
        }
    }
    let frac = frac_part.unwrap_or("");
    if int_part.is_empty() && frac.is_empty() {
        return Err(Fault::NotANumber);
    }
    // The integer part: plain digits, or groups of three separated by one kind of separator.
    let mut digits = String::with_capacity(mantissa.len() + 8);
    if negative {
        digits.push('-');
    }
    match int_part
        .chars()
        .find(|&c| c == group || is_neutral_group(c))
    {
        None => {
            if !int_part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Fault::NotANumber);
            }
            digits.push_str(int_part);
        }
        Some(sep) => {
            for (i, g) in int_part.split(sep).enumerate() {
                if !g.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(Fault::NotANumber);
                }
                let grouped = if i == 0 {
                    (1..=3).contains(&g.len()) && !g.starts_with('0')
                } else {
                    g.len() == 3
                };
                if !grouped {
                    return Err(Fault::BadGrouping(sep));
                }
                digits.push_str(g);
            }
        }
    }
    if !frac.is_empty() {
        digits.push('.');
        digits.push_str(frac);
    }
    if let Some(exp) = exponent {
        digits.push('e');
        digits.push_str(exp);
    }
    match digits.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        _ => Err(Fault::NotANumber),
    }
}

/// What one cell says about the decimal separator of its table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DecimalHint {
    /// The cell is only readable with this decimal separator.
    Decimal(char),
    /// A number that reads the same either way (`1234`) or differently but validly both ways (`1,234`).
    Ambiguous,
    /// Not a number at all (text, key with letters, missing marker).
    NotNumeric,
}

/// Classifies one cell for decimal detection (see the module docs of [`crate::table`]).
pub(crate) fn decimal_hint(s: &str) -> DecimalHint {
    let text = s.trim();
    if !text.bytes().any(|b| b.is_ascii_digit()) {
        return DecimalHint::NotNumeric;
    }
    if !text.contains(['.', ',']) {
        // Without either separator a number reads the same both ways.
        return match parse_trimmed(text, '.') {
            Ok(Some(_)) => DecimalHint::Ambiguous,
            _ => DecimalHint::NotNumeric,
        };
    }
    match (parse_trimmed(text, '.'), parse_trimmed(text, ',')) {
        (Ok(Some(_)), Ok(Some(_))) => DecimalHint::Ambiguous,
        (Ok(Some(_)), _) => DecimalHint::Decimal('.'),
        (_, Ok(Some(_))) => DecimalHint::Decimal(','),
        _ => DecimalHint::NotNumeric,
    }
}

/// Whether a cell reads as a number with either decimal separator.
pub(crate) fn looks_numeric(s: &str) -> bool {
    matches!(
        decimal_hint(s),
        DecimalHint::Ambiguous | DecimalHint::Decimal(_)
    )
}
