//! Bilingual field labels and the message shapes every validator shares, so that messages
//! read the same way across forms: zh `{标签}{规则}`, en `{Label}: {rule}`.

use crate::problem::Problem;
use std::fmt::Display;

/// A field's name as the user sees it on the form, in both UI languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Label {
    /// Simplified Chinese label, as printed next to the input (e.g. 统一社会信用代码).
    pub zh: &'static str,
    /// English label (e.g. Unified social credit code).
    pub en: &'static str,
}

impl Label {
    /// A label from its two spellings.
    pub const fn new(zh: &'static str, en: &'static str) -> Self {
        Self { zh, en }
    }

    /// A blocking problem whose messages start with this label.
    pub fn error(self, field: &str, rule: &str, zh: impl Display, en: impl Display) -> Problem {
        Problem::error(field, rule, self.zh_msg(zh), self.en_msg(en))
    }

    /// An overridable problem whose messages start with this label.
    pub fn warning(self, field: &str, rule: &str, zh: impl Display, en: impl Display) -> Problem {
        Problem::warning(field, rule, self.zh_msg(zh), self.en_msg(en))
    }

    /// The English label for use inside a sentence: first letter lowered unless it starts an
    /// acronym ("GTIN" stays, "Production date" becomes "production date").
    pub fn en_inline(self) -> String {
        let mut chars = self.en.chars();
        match (chars.next(), chars.next()) {
            (Some(first), Some(second)) if !second.is_ascii_uppercase() => {
                let mut s = first.to_lowercase().collect::<String>();
                s.push_str(&self.en[first.len_utf8()..]);
                s
            }
            _ => self.en.to_owned(),
        }
    }

    fn zh_msg(self, rest: impl Display) -> String {
        format!("{}{}", self.zh, rest)
    }

    fn en_msg(self, rest: impl Display) -> String {
        format!("{}: {}", self.en, rest)
    }
}

/// Rule `required`: the value is blank (whitespace only counts as blank, because the seed
/// forms refuse to save such input).
pub fn required(field: &str, label: Label, value: &str) -> Option<Problem> {
    value.trim().is_empty().then(|| missing(field, label))
}

/// The `required` problem itself, for fields that are missing in ways other than blank text
/// (an unset picker, an absent sub-record).
pub fn missing(field: &str, label: Label) -> Problem {
    Problem::error(
        field,
        RULE_REQUIRED,
        format!("{}为必填项", label.zh),
        format!("{} is required", label.en),
    )
}

/// Rule code for a missing red-star field.
pub const RULE_REQUIRED: &str = "required";

/// Joins a path prefix such as `lines[2]` and a field name with a dot; an empty prefix
/// leaves the name alone so top-level fields keep plain paths.
pub(crate) fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

/// `name[index]`, the path of one element of a list.
pub(crate) fn indexed(name: &str, index: usize) -> String {
    format!("{name}[{index}]")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Severity;

    const NAME: Label = Label::new("企业名称", "Enterprise name");

    #[test]
    fn required_flags_blank_and_whitespace_only() {
        let cases = [
            ("", true),
            ("   ", true),
            ("\t\n", true),
            ("甘肃", false),
            (" a ", false),
        ];
        for (value, missing) in cases {
            let p = required("name", NAME, value);
            assert_eq!(p.is_some(), missing, "{value:?}");
            if let Some(p) = p {
                assert_eq!(p.rule, "required");
                assert_eq!(p.severity, Severity::Error);
                assert_eq!(p.field, "name");
                assert_eq!(p.message_zh, "企业名称为必填项");
                assert_eq!(p.message_en, "Enterprise name is required");
            }
        }
    }

    #[test]
    fn messages_start_with_the_label() {
        let p = NAME.warning("name", "x.y", "太长", "too long");
        assert_eq!(p.message_zh, "企业名称太长");
        assert_eq!(p.message_en, "Enterprise name: too long");
        assert_eq!(p.severity, Severity::Warning);
    }

    #[test]
    fn inline_english_keeps_acronyms() {
        let cases = [
            (Label::new("", "Production date"), "production date"),
            (Label::new("", "GTIN"), "GTIN"),
            (Label::new("", "X"), "X"),
            (Label::new("", ""), ""),
        ];
        for (label, want) in cases {
            assert_eq!(label.en_inline(), want);
        }
    }

    #[test]
    fn paths_join_and_index() {
        assert_eq!(join("", "batch"), "batch");
        assert_eq!(join(&indexed("lines", 2), "batch"), "lines[2].batch");
    }
}
