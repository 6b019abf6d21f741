//! GS1 Digital Link URIs: `https://{host}[/prefix]/01/{gtin}[/22/{cpv}][/10/{lot}][/21/{serial}]
//! ?17=YYMMDD&…` — key qualifiers in the path, data attributes in the query.

use super::ai;
use super::gs1::Gs1Data;

/// Path keys allowed after the GTIN, in the order the standard fixes.
const KEY_QUALIFIERS: [&str; 3] = ["22", "10", "21"];

/// The GS1 fields of a Digital Link URI; `None` if `url` is not one (no `/01/{gtin}` path,
/// bad check digit, qualifiers out of order, an invalid value).
pub fn parse_digital_link(url: &str) -> Option<Gs1Data> {
    let url = url.trim();
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let after_scheme = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return None;
    };
    let without_fragment = after_scheme.split('#').next().unwrap_or("");
    let (path_part, query) = match without_fragment.split_once('?') {
        Some((p, q)) => (p, q),
        None => (without_fragment, ""),
    };
    // The host is everything up to the first slash; a link without a path is no link.
    let (_, path) = path_part.split_once('/')?;
    let segments: Vec<String> = path
        .split('/')
        .map(percent_decode)
        .collect::<Option<Vec<_>>>()?;
    // The prefix before /01/ is free-form, so take the last 01 followed by a GTIN-like key.
    let start = (0..segments.len().saturating_sub(1))
        .rev()
        .find(|&i| segments[i] == "01" && is_gtin_shape(&segments[i + 1]))?;
    let gtin = format!("{:0>14}", segments[start + 1]);
    let mut pairs = vec![("01".to_owned(), gtin)];
    let mut next_allowed = 0;
    let mut rest = segments[start + 2..].iter();
    while let Some(key) = rest.next() {
        if key.is_empty() {
            // A trailing slash is harmless.
            if rest.len() == 0 {
                break;
            }
            return None;
        }
        let pos = KEY_QUALIFIERS[next_allowed..]
            .iter()
            .position(|k| k == key)?;
        next_allowed += pos + 1;
        pairs.push((key.clone(), rest.next()?.clone()));
    }
    for param in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = param.split_once('=').unwrap_or((param, ""));
        // Non-AI parameters (linkType, tracking tags) are not GS1 data.
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let spec = ai::lookup(key).filter(|s| s.ai_len == key.len())?;
        let value = percent_decode(value)?;
        if !ai::value_fits(spec, &value) || matches!(key, "01" | "10" | "21" | "22") {
            return None;
        }
        pairs.push((key.to_owned(), value));
    }
    Gs1Data::from_pairs(pairs)
}

/// GTIN-8, -12, -13 or -14 digits (the check digit is verified later).
fn is_gtin_shape(s: &str) -> bool {
    matches!(s.len(), 8 | 12 | 13 | 14) && s.bytes().all(|b| b.is_ascii_digit())
}

/// RFC 3986 percent-decoding to UTF-8; `None` on a broken escape or invalid UTF-8.
pub(crate) fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn links() {
        let full = parse_digital_link(
            "https://id.gs1.org/01/09521234543213/10/ABC%2F1/21/12345?17=261231&11=250100&linkType=gs1:pip",
        )
        .unwrap();
        assert_eq!(full.gtin.as_deref(), Some("09521234543213"));
        assert_eq!(full.batch.as_deref(), Some("ABC/1"));
        assert_eq!(full.serial.as_deref(), Some("12345"));
        assert_eq!(full.expiry, NaiveDate::from_ymd_opt(2026, 12, 31));
        assert_eq!(full.production_date, NaiveDate::from_ymd_opt(2025, 1, 31));

        let short = parse_digital_link("HTTPS://example.com/shop/01/6901234567892/").unwrap();
        assert_eq!(short.gtin.as_deref(), Some("06901234567892"));

        let qualifier = parse_digital_link("http://a.b/01/09521234543213/22/V1/21/9#frag").unwrap();
        assert_eq!(qualifier.other, vec![("22".to_owned(), "V1".to_owned())]);

        let bad = [
            "https://id.gs1.org/01/09521234543214", // check digit
            "https://id.gs1.org/01/09521234543213/21/9/10/A", // order
            "https://id.gs1.org/01/09521234543213/10", // key without value
            "https://id.gs1.org/01/09521234543213/99/X", // not a key qualifier
            "https://id.gs1.org/01/09521234543213?17=251301", // bad date
            "https://id.gs1.org/01/09521234543213/10/%E0", // broken escape
            "https://id.gs1.org/gtin/09521234543213",
            "ftp://id.gs1.org/01/09521234543213",
            "https://id.gs1.org",
            "https://",
        ];
        for url in bad {
            assert_eq!(parse_digital_link(url), None, "{url}");
        }
    }

    #[test]
    fn percent() {
        assert_eq!(percent_decode("a%20b%E6%89%B9").as_deref(), Some("a b批"));
        assert_eq!(percent_decode("%4"), None);
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%ff"), None);
    }
}
