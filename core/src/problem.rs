//! A problem found in a record or an action, reported as data in both UI languages.

use serde::{Deserialize, Serialize};

/// Whether a problem stops the action or only asks for confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The action cannot go on.
    Error,
    /// The action goes on only if the user explicitly overrides this rule.
    Warning,
}

/// One problem: which field, which rule, and a message in Simplified Chinese and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Field path, e.g. `uscc` or `lines[2].batch`; empty when the whole record is concerned.
    pub field: String,
    /// Stable rule code, e.g. `required`, `uscc.checksum`, `stock.insufficient`.
    pub rule: String,
    /// Error or overridable warning.
    pub severity: Severity,
    /// Message in Simplified Chinese.
    pub message_zh: String,
    /// Message in English.
    pub message_en: String,
}

impl Problem {
    /// A blocking problem.
    pub fn error(
        field: impl Into<String>,
        rule: &str,
        message_zh: impl Into<String>,
        message_en: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            rule: rule.to_owned(),
            severity: Severity::Error,
            message_zh: message_zh.into(),
            message_en: message_en.into(),
        }
    }

    /// An overridable problem.
    pub fn warning(
        field: impl Into<String>,
        rule: &str,
        message_zh: impl Into<String>,
        message_en: impl Into<String>,
    ) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(field, rule, message_zh, message_en)
        }
    }

    /// The message in the requested language.
    pub fn message(&self, lang: Lang) -> &str {
        match lang {
            Lang::ZhCn => &self.message_zh,
            Lang::En => &self.message_en,
        }
    }
}

/// The UI languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Lang {
    /// Simplified Chinese, the default.
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    /// English.
    #[serde(rename = "en")]
    En,
}

impl Lang {
    /// Picks the language from an `Accept-Language` value; Chinese unless English comes first.
    pub fn from_accept_language(header: &str) -> Lang {
        let first = header
            .split(',')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if first.starts_with("en") {
            Lang::En
        } else {
            Lang::ZhCn
        }
    }
}

/// The problems that still block an action once the user's overrides are applied:
/// every error, and every warning whose rule is not in `overridden`.
pub fn blocking<'a>(problems: &'a [Problem], overridden: &[&str]) -> Vec<&'a Problem> {
    problems
        .iter()
        .filter(|p| p.severity == Severity::Error || !overridden.contains(&p.rule.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_block_until_overridden_errors_always_block() {
        let ps = vec![
            Problem::warning("uscc", "uscc.checksum", "校验位错误", "bad check"),
            Problem::error("name", "required", "必填", "required"),
        ];
        assert_eq!(blocking(&ps, &[]).len(), 2);
        let left = blocking(&ps, &["uscc.checksum"]);
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].rule, "required");
        assert_eq!(blocking(&ps, &["required"]).len(), 2);
    }

    #[test]
    fn accept_language_defaults_to_chinese() {
        assert_eq!(Lang::from_accept_language(""), Lang::ZhCn);
        assert_eq!(
            Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Lang::ZhCn
        );
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Lang::En);
    }
}
