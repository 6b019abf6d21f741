//! What every list endpoint shares: keyword, sorting and pagination parameters, and the page
//! it answers with.

use super::error::ApiError;
use serde::{Deserialize, Serialize};
use suyuan_core::Problem;

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

impl ListParams {
    /// The requested sort column if `allowed` has it (the first is the default); any other
    /// is a 422, so no user text ever reaches the SQL.
    pub fn sort_column(&self, allowed: &[&'static str]) -> Result<&'static str, ApiError> {
        match self
            .sort
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => Ok(allowed[0]),
            Some(s) => allowed.iter().copied().find(|a| *a == s).ok_or_else(|| {
                ApiError::Validation(vec![Problem::error(
                    "sort",
                    "sort.unknown",
                    format!("不能按 {s} 排序，可选：{}", allowed.join("、")),
                    format!("Cannot sort by {s}; choose one of {}", allowed.join(", ")),
                )])
            }),
        }
    }

    /// Order and page as the database layer takes them. Times sort newest first and names
    /// alphabetically unless `order` says otherwise.
    pub fn db_window(&self, allowed: &[&'static str]) -> Result<crate::db::Window, ApiError> {
        let sort = self.sort_column(allowed)?;
        let default = if sort.ends_with("_at") {
            SortOrder::Desc
        } else {
            SortOrder::Asc
        };
        let (limit, offset) = self.window();
        Ok(crate::db::Window {
            sort,
            descending: self.order.unwrap_or(default) == SortOrder::Desc,
            limit,
            offset,
        })
    }
}

impl<T> Page<T> {
    /// A page of `items` out of `total`, as `params` asked for it.
    pub fn of(items: Vec<T>, total: u64, params: &ListParams) -> Self {
        let (per_page, offset) = params.window();
        Page {
            items,
            total,
            page: offset / per_page + 1,
            per_page,
        }
    }
}
