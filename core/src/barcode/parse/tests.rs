use super::*;
use crate::validate::gtin::gtin_check_digit;
use chrono::NaiveDate;
use proptest::prelude::*;

fn gtin(gtin14: &str, printed: &str) -> CodeMeaning {
    CodeMeaning::Gtin {
        gtin14: gtin14.into(),
        gtin_as_printed: printed.into(),
    }
}

fn text(s: &str) -> CodeMeaning {
    CodeMeaning::Text(s.into())
}

#[test]
fn retail_symbols() {
    use Symbology::*;
    let cases = [
        (
            "6901234567892",
            Ean13,
            gtin("06901234567892", "6901234567892"),
        ),
        ("6901234567893", Ean13, text("6901234567893")),
        ("036000291452", UpcA, gtin("00036000291452", "036000291452")),
        ("12345670", Ean8, gtin("00000012345670", "12345670")),
        // UPC-E 04252614 is UPC-A 042100005264.
        ("04252614", UpcE, gtin("00042100005264", "04252614")),
        ("04252615", UpcE, text("04252615")),
        ("24252614", UpcE, text("24252614")),
        (
            "16901234567899",
            Itf,
            gtin("16901234567899", "16901234567899"),
        ),
        ("1690123456789", Itf, text("1690123456789")),
        (
            "6901234567892",
            Unknown,
            gtin("06901234567892", "6901234567892"),
        ),
        // A QR holding bare digits is not a retail symbol.
        ("6901234567892", QrCode, text("6901234567892")),
        ("690123456789X", Ean13, text("690123456789X")),
    ];
    for (payload, sym, want) in cases {
        assert_eq!(parse_payload(payload, sym), want, "{payload} {sym:?}");
    }
}

#[test]
fn upce_expansion() {
    let cases = [
        ("01234565", Some("012345000065")),
        ("01234505", Some("012000003455")), // d6 = 0..2
        ("01234133", Some("012300000413")), // d6 = 3
        ("01234146", Some("012340000016")), // d6 = 4
        ("11234569", Some("112345000069")),
        ("21234565", None),
        ("0123456", None),
    ];
    for (upce, want) in cases {
        assert_eq!(expand_upce(upce).as_deref(), want, "{upce}");
    }
}

#[test]
fn classification() {
    let gs = GS;
    let kind = |t: &str, s: Symbology| match parse_payload(t, s) {
        CodeMeaning::Gtin { .. } => "gtin",
        CodeMeaning::Gs1(_) => "gs1",
        CodeMeaning::DigitalLink(_) => "dl",
        CodeMeaning::TraceCode(_) => "trace",
        CodeMeaning::Registration { .. } => "reg",
        CodeMeaning::Url(_) => "url",
        CodeMeaning::Text(_) => "text",
    };
    let cases: Vec<(String, Symbology, &str)> = vec![
        (
            format!("]C10106901234567892{gs}10A1"),
            Symbology::Code128,
            "gs1",
        ),
        ("]d20106901234567892".into(), Symbology::DataMatrix, "gs1"),
        ("]Q30106901234567892".into(), Symbology::QrCode, "gs1"),
        ("]e00106901234567892".into(), Symbology::Unknown, "gs1"),
        ("(01)06901234567892(10)X".into(), Symbology::Unknown, "gs1"),
        (
            format!("010690123456789210A1{gs}21S"),
            Symbology::Code128,
            "gs1",
        ),
        ("01069012345678921".into(), Symbology::Code128, "text"),
        ("]C10106901234567893".into(), Symbology::Code128, "text"),
        (
            "https://id.gs1.org/01/06901234567892/10/A".into(),
            Symbology::QrCode,
            "dl",
        ),
        (
            "https://id.gs1.org/01/06901234567893/10/A".into(),
            Symbology::QrCode,
            "url",
        ),
        (
            "https://suyuan.example/p?id=9".into(),
            Symbology::QrCode,
            "url",
        ),
        ("http://a b".into(), Symbology::QrCode, "text"),
        ("http://".into(), Symbology::QrCode, "text"),
        (
            "202106300123456789012345".into(),
            Symbology::QrCode,
            "trace",
        ),
        ("202106320123456789012345".into(), Symbology::QrCode, "text"),
        ("国妆特字G20190372".into(), Symbology::QrCode, "reg"),
        (
            "产品名称：面霜\n备案号：浙G妆网备字2023001147\n".into(),
            Symbology::QrCode,
            "reg",
        ),
        (
            "备案号：浙G妆网备字20230011471".into(),
            Symbology::QrCode,
            "text",
        ),
        ("国 妆 特 字 G2019 0372 号".into(), Symbology::QrCode, "reg"),
        (
            "国妆网备进字（沪）2020009314".into(),
            Symbology::QrCode,
            "reg",
        ),
        ("".into(), Symbology::QrCode, "text"),
        ("hello".into(), Symbology::Code128, "text"),
    ];
    for (t, s, want) in cases {
        assert_eq!(kind(&t, s), want, "{t:?}");
    }
}

#[test]
fn registration_fields() {
    let CodeMeaning::Registration { number, parsed } =
        parse_payload("备案号: 浙G妆网备字2023001147。", Symbology::QrCode)
    else {
        panic!("not a registration");
    };
    assert_eq!(number, "浙G妆网备字2023001147");
    assert_eq!(parsed.province.as_deref(), Some("浙"));
    assert_eq!(parsed.year, Some(2023));
}

#[test]
fn trace_code_fields() {
    let CodeMeaning::TraceCode(t) = parse_payload("201905240012345678901234", Symbology::QrCode)
    else {
        panic!("not a trace code");
    };
    assert_eq!(t.date, NaiveDate::from_ymd_opt(2019, 5, 24).unwrap());
    assert_eq!(
        (t.enterprise.as_str(), t.random.as_str()),
        ("00123", "45678901234")
    );
}

fn valid_gtin14() -> impl Strategy<Value = String> {
    proptest::collection::vec(0u8..10, 13).prop_map(|ds| {
        let data: String = ds.iter().map(|d| char::from(b'0' + d)).collect();
        let check = gtin_check_digit(&data).unwrap();
        format!("{data}{check}")
    })
}

fn date() -> impl Strategy<Value = NaiveDate> {
    (2000i32..2050, 1u32..=12, 1u32..=28)
        .prop_map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap())
}

/// Values of AI 10/21: GS1 character set 82, 1–20 characters.
fn cset82(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[A-Za-z0-9!\"%&'()*+,./:;<=>?_-]{{1,{max}}}")).unwrap()
}

fn gs1_data() -> impl Strategy<Value = Gs1Data> {
    (
        valid_gtin14(),
        proptest::option::of(cset82(20)),
        proptest::option::of(date()),
        proptest::option::of(date()),
        proptest::option::of(cset82(20)),
        proptest::option::of("[0-9]{6}"),
        proptest::option::of(cset82(30)),
    )
        .prop_map(|(gtin, batch, production_date, expiry, serial, net, po)| {
            let mut other = Vec::new();
            if let Some(n) = net {
                other.push(("3103".to_owned(), n));
            }
            if let Some(p) = po {
                other.push(("400".to_owned(), p));
            }
            Gs1Data {
                gtin: Some(gtin),
                batch,
                production_date,
                expiry,
                serial,
                other,
            }
        })
}

/// An element string as a GS1-128 scanner sends it: FNC1 (GS) after every variable field
/// but the last.
fn element_string(data: &Gs1Data, identifier: &str) -> String {
    let pairs = data.pairs();
    let mut s = identifier.to_owned();
    for (i, (ai, v)) in pairs.iter().enumerate() {
        s.push_str(ai);
        s.push_str(v);
        let fixed = matches!(ai.as_str(), "01" | "11" | "17" | "3103");
        if !fixed && i + 1 < pairs.len() {
            s.push(GS);
        }
    }
    s
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

proptest! {
    #[test]
    fn never_panics(s in "\\PC{0,64}", sym in proptest::sample::select(Symbology::ALL.to_vec())) {
        let _ = parse_payload(&s, sym);
        let _ = parse_payload(&s, Symbology::Unknown);
    }

    #[test]
    fn never_panics_near_misses(
        prefix in proptest::sample::select(vec!["]C1", "]d2", "(01)", "(", "https://x/01/", "01", "国妆特字G", "浙G妆网备字", "2024"]),
        s in "[0-9()\u{1d}A-Z%/?=&]{0,40}",
    ) {
        let _ = parse_payload(&format!("{prefix}{s}"), Symbology::Unknown);
        let _ = parse_payload(&format!("{prefix}{s}"), Symbology::Code128);
    }

    #[test]
    fn element_strings_round_trip(data in gs1_data(), id in proptest::sample::select(GS1_IDENTIFIERS.to_vec())) {
        let s = element_string(&data, id);
        prop_assert_eq!(parse_payload(&s, Symbology::Code128), CodeMeaning::Gs1(data));
    }

    #[test]
    fn bracket_form_round_trips(data in gs1_data()) {
        // A value holding "(" could read as the start of the next AI: the form's own ambiguity.
        prop_assume!(data.pairs().iter().all(|(_, v)| !v.contains('(')));
        let s: String = data.pairs().iter().map(|(ai, v)| format!("({ai}){v}")).collect();
        prop_assert_eq!(parse_payload(&s, Symbology::Unknown), CodeMeaning::Gs1(data));
    }

    #[test]
    fn digital_links_round_trip(data in gs1_data()) {
        let mut url = format!("https://brand.example/dl/01/{}", data.gtin.as_deref().unwrap_or(""));
        if let Some(b) = &data.batch {
            url.push_str(&format!("/10/{}", percent_encode(b)));
        }
        if let Some(s) = &data.serial {
            url.push_str(&format!("/21/{}", percent_encode(s)));
        }
        let mut query = Vec::new();
        for (ai, v) in data.pairs() {
            if !matches!(ai.as_str(), "01" | "10" | "21") {
                query.push(format!("{ai}={}", percent_encode(&v)));
            }
        }
        if !query.is_empty() {
            url.push('?');
            url.push_str(&query.join("&"));
        }
        prop_assert_eq!(parse_payload(&url, Symbology::QrCode), CodeMeaning::DigitalLink(data));
    }
}
