//! What every list endpoint shares: keyword, sorting and pagination parameters, and the page
//! it answers with.

use serde::{Deserialize, Serialize};

/// Most rows one page may hold.
pub const MAX_PER_PAGE: u32 = 500;

/// Query parameters common to lists: `?q=肤&sort=updated_at&order=desc&page=1&per_page=50`.
/// Filters particular to a resource are parsed beside these by its handler.
#[derive(Debug, Clone, Deserialize)]
pub struct ListParams {
    /// Keyword matched (case-insensitively, anywhere) against the record's names and numbers.
    pub q: Option<String>,
    /// Column to sort by; each resource names the ones it allows.
    pub sort: Option<String>,
    /// `asc` or `desc`.
    pub order: Option<SortOrder>,
    /// 1-based page number.
    pub page: Option<u32>,
    /// Rows a page, at most [`MAX_PER_PAGE`].
    pub per_page: Option<u32>,
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    /// Smallest first.
    Asc,
    /// Largest first (the default: newest first).
    #[default]
    Desc,
}

impl SortOrder {
    /// SQL keyword.
    pub fn sql(self) -> &'static str {
        match self {
            SortOrder::Asc => "ASC",
            SortOrder::Desc => "DESC",
        }
    }
}

impl ListParams {
    /// The keyword as stored in `search` columns: trimmed and lower-cased, or none.
    pub fn keyword(&self) -> Option<String> {
        self.q
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(str::to_lowercase)
    }

    /// `(limit, offset)` of the requested page; defaults to 50 rows from the first page.
    pub fn window(&self) -> (u32, u32) {
        let per_page = self.per_page.unwrap_or(50).clamp(1, MAX_PER_PAGE);
        let page = self.page.unwrap_or(1).max(1);
        (per_page, (page - 1).saturating_mul(per_page))
    }
}

/// One page of a list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    /// The rows.
    pub items: Vec<T>,
    /// Rows matching in all pages.
    pub total: u64,
    /// This page's number (1-based).
    pub page: u32,
    /// Rows a page.
    pub per_page: u32,
}
