//! District names from a template over the boundary file's fields: `name = "{GEN} ({BEZ})"`.
//!
//! One name field is not always enough: 22 of the 401 German Kreise share their `GEN` with
//! another (München the city and the Landkreis, Kassel, Leipzig …), and only `GEN` with `BEZ`
//! tells them apart. A template says so in the manifest instead of preparing the data.

use quartier_geo::layer::{AttributeValues, Layer};

/// Renders `template` for every district of `layer` into its name. A field the layer lacks is
/// an error naming it and the fields there are; a district without a value for a field gets an
/// empty text there, and brackets left empty by it are dropped ("Düren ()" becomes "Düren").
pub(super) fn apply_name_template(layer: &mut Layer, template: &str) -> Result<(), String> {
    let parts = parse(template)?;
    for part in &parts {
        if let Part::Field(f) = part {
            if layer.attribute(f).is_none() {
                let fields: Vec<&str> = layer.attributes.iter().map(|a| a.name.as_str()).collect();
                return Err(format!(
                    "name = {template:?} names the field {f:?}, which the boundary file does not \
                     have (its fields: {})",
                    fields.join(", ")
                ));
            }
        }
    }
    let names: Vec<String> = (0..layer.districts.len())
        .map(|i| {
            let mut out = String::new();
            for part in &parts {
                match part {
                    Part::Text(t) => out.push_str(t),
                    Part::Field(f) => out.push_str(&value_text(layer, f, i)),
                }
            }
            tidy(&out)
        })
        .collect();
    for (d, name) in layer.districts.iter_mut().zip(names) {
        if !name.is_empty() {
            d.name = name;
        }
    }
    Ok(())
}

#[derive(Debug, PartialEq)]
enum Part {
    Text(String),
    Field(String),
}

/// `{FIELD}` placeholders and literal text; `{{` and `}}` are literal braces.
fn parse(template: &str) -> Result<Vec<Part>, String> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                let mut field = String::new();
                let mut closed = false;
                for c in chars.by_ref() {
                    if c == '}' {
                        closed = true;
                        break;
                    }
                    field.push(c);
                }
                if !closed || field.trim().is_empty() {
                    return Err(format!(
                        "name = {template:?} has an empty or unclosed {{…}}: write field names \
                         in braces, e.g. \"{{GEN}} ({{BEZ}})\""
                    ));
                }
                if !text.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut text)));
                }
                parts.push(Part::Field(field.trim().to_string()));
            }
            '}' => {
                return Err(format!(
                    "name = {template:?} has a `}}` without `{{`: write {{{{ and }}}} for braces"
                ))
            }
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        parts.push(Part::Text(text));
    }
    if !parts.iter().any(|p| matches!(p, Part::Field(_))) {
        return Err(format!(
            "name = {template:?} names no field: write field names in braces, e.g. \"{{GEN}} ({{BEZ}})\""
        ));
    }
    Ok(parts)
}

/// District `i`'s value of field `f` as text (whole numbers without decimals).
fn value_text(layer: &Layer, f: &str, i: usize) -> String {
    match layer.attribute(f).map(|a| &a.values) {
        Some(AttributeValues::Text(v)) => v.get(i).cloned().flatten().unwrap_or_default(),
        Some(AttributeValues::Number(v)) => match v.get(i).copied().flatten() {
            Some(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{}", x as i64),
            Some(x) => x.to_string(),
            None => String::new(),
        },
        None => String::new(),
    }
}

/// Drops brackets an empty value left behind and the spaces around them.
fn tidy(name: &str) -> String {
    let mut s = name.to_string();
    for empty in ["()", "[]", "( )", "[ ]"] {
        s = s.replace(empty, "");
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_parse_fields_text_and_braces() {
        assert_eq!(
            parse("{GEN} ({BEZ})").unwrap(),
            vec![
                Part::Field("GEN".into()),
                Part::Text(" (".into()),
                Part::Field("BEZ".into()),
                Part::Text(")".into())
            ]
        );
        assert_eq!(
            parse("{{{A}}}").unwrap(),
            vec![
                Part::Text("{".into()),
                Part::Field("A".into()),
                Part::Text("}".into())
            ]
        );
        for bad in ["no field", "{}", "{GEN", "GEN}"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn empty_values_leave_no_empty_brackets() {
        assert_eq!(tidy("Düren ()"), "Düren");
        assert_eq!(tidy("  München  (Landkreis) "), "München (Landkreis)");
    }
}
