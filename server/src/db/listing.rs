//! Lists of JSON-bodied records: filters built from whitelisted columns and bound values,
//! a sort column, one page and the total.

use super::{Db, DbError};
use serde::de::DeserializeOwned;
use sqlx::Row;

/// A record with the times the service stamped on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamped<T> {
    /// The record as stored.
    pub record: T,
    /// When it was created.
    pub created_at: String,
    /// When it last changed.
    pub updated_at: String,
}

/// A `WHERE` clause under construction. Column names are `&'static str`, so only identifiers
/// written in the code reach the SQL text; every value is a bound parameter.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    clauses: Vec<String>,
    binds: Vec<String>,
}

impl Filter {
    fn placeholder(&mut self, value: String) -> String {
        self.binds.push(value);
        format!("${}", self.binds.len())
    }

    /// `column = value`.
    pub fn eq(&mut self, column: &'static str, value: impl Into<String>) -> &mut Self {
        let p = self.placeholder(value.into());
        self.clauses.push(format!("{column} = {p}"));
        self
    }

    /// `column` contains `needle` (a `LIKE` with the needle's wildcards escaped).
    pub fn contains(&mut self, column: &'static str, needle: &str) -> &mut Self {
        let p = self.placeholder(format!("%{}%", escape_like(needle)));
        self.clauses.push(format!("{column} LIKE {p} ESCAPE '\\'"));
        self
    }

    /// `column` starts with `prefix`.
    pub fn starts_with(&mut self, column: &'static str, prefix: &str) -> &mut Self {
        let p = self.placeholder(format!("{}%", escape_like(prefix)));
        self.clauses.push(format!("{column} LIKE {p} ESCAPE '\\'"));
        self
    }

    fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }
}

/// `%`, `_` and the escape character itself taken literally in a `LIKE` pattern.
pub(super) fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Which rows of a table, in which order, which page.
#[derive(Debug, Clone)]
pub struct ListQuery<'a> {
    /// Table holding `body`, `created_at`, `updated_at` and `id` columns.
    pub table: &'static str,
    /// Rows to keep.
    pub filter: &'a Filter,
    /// Column to sort by (whitelisted by the caller).
    pub sort: &'static str,
    /// Largest first.
    pub descending: bool,
    /// Rows a page.
    pub limit: u32,
    /// Rows skipped.
    pub offset: u32,
}

/// One page of records and how many match in all.
pub async fn list_bodies<T: DeserializeOwned>(
    db: &Db,
    q: &ListQuery<'_>,
) -> Result<(Vec<Stamped<T>>, u64), DbError> {
    let where_sql = q.filter.sql();
    let count_sql = format!("SELECT COUNT(*) AS n FROM {}{where_sql}", q.table);
    let mut count = sqlx::query(sqlx::AssertSqlSafe(count_sql));
    for b in &q.filter.binds {
        count = count.bind(b.as_str());
    }
    let total: i64 = count.fetch_one(&db.pool).await?.try_get("n")?;

    let dir = if q.descending { "DESC" } else { "ASC" };
    // The id breaks ties so pages neither repeat nor skip rows with equal sort keys.
    let page_sql = format!(
        "SELECT body, created_at, updated_at FROM {}{where_sql} ORDER BY {} {dir}, id {dir} LIMIT {} OFFSET {}",
        q.table, q.sort, q.limit, q.offset
    );
    let mut page = sqlx::query(sqlx::AssertSqlSafe(page_sql));
    for b in &q.filter.binds {
        page = page.bind(b.as_str());
    }
    let rows = page.fetch_all(&db.pool).await?;
    let items = rows
        .iter()
        .map(|r| {
            Ok(Stamped {
                record: serde_json::from_str(&r.try_get::<String, _>("body")?)?,
                created_at: r.try_get("created_at")?,
                updated_at: r.try_get("updated_at")?,
            })
        })
        .collect::<Result<Vec<_>, DbError>>()?;
    Ok((items, u64::try_from(total).unwrap_or(0)))
}

/// One record by id, optionally only if `owner_id` matches.
pub(super) async fn get_body<T: DeserializeOwned>(
    conn: &mut sqlx::AnyConnection,
    table: &'static str,
    id: &str,
    owner: Option<&str>,
) -> Result<Option<Stamped<T>>, DbError> {
    let sql = match owner {
        Some(_) => format!(
            "SELECT body, created_at, updated_at FROM {table} WHERE id = $1 AND owner_id = $2"
        ),
        None => format!("SELECT body, created_at, updated_at FROM {table} WHERE id = $1"),
    };
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id);
    if let Some(o) = owner {
        query = query.bind(o);
    }
    let row = query.fetch_optional(conn).await?;
    row.map(|r| {
        Ok(Stamped {
            record: serde_json::from_str(&r.try_get::<String, _>("body")?)?,
            created_at: r.try_get("created_at")?,
            updated_at: r.try_get("updated_at")?,
        })
    })
    .transpose()
}

/// Whether any row matches `sql` (a `SELECT 1 … LIMIT 1` taking one text parameter).
pub(super) async fn exists(
    conn: &mut sqlx::AnyConnection,
    sql: &'static str,
    value: &str,
) -> Result<bool, DbError> {
    Ok(sqlx::query(sql)
        .bind(value)
        .fetch_optional(conn)
        .await?
        .is_some())
}

/// Order and page of a list; `sort` is one of the columns the resource allows.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    /// Column to sort by.
    pub sort: &'static str,
    /// Largest first.
    pub descending: bool,
    /// Rows a page.
    pub limit: u32,
    /// Rows skipped.
    pub offset: u32,
}

impl Window {
    /// The query over `table` with `filter` in this order and page.
    pub(super) fn over<'a>(&self, table: &'static str, filter: &'a Filter) -> ListQuery<'a> {
        ListQuery {
            table,
            filter,
            sort: self.sort,
            descending: self.descending,
            limit: self.limit,
            offset: self.offset,
        }
    }
}

/// One page of `SELECT body, region_code, created_at, updated_at` rows of `table` (aliased
/// `alias`) meeting every clause, with the total; clauses bind `$1…` in `binds`' order. For
/// lists whose visibility is an SQL condition of its own (recalls, listings), which
/// [`Filter`] cannot express.
pub(super) async fn region_page(
    db: &Db,
    table: &'static str,
    alias: &'static str,
    clauses: &[String],
    binds: &[String],
    window: &Window,
) -> Result<(Vec<sqlx::any::AnyRow>, u64), DbError> {
    let wheres = clauses.join(" AND ");
    let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS total FROM {table} {alias} WHERE {wheres}"
    )));
    for b in binds {
        q = q.bind(b.clone());
    }
    let total: i64 = q.fetch_one(&db.pool).await?.try_get("total")?;
    let dir = if window.descending { "DESC" } else { "ASC" };
    let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {alias}.body, {alias}.region_code, {alias}.created_at, {alias}.updated_at \
         FROM {table} {alias} WHERE {wheres} \
         ORDER BY {alias}.{} {dir}, {alias}.id {dir} LIMIT {} OFFSET {}",
        window.sort, window.limit, window.offset
    )));
    for b in binds {
        q = q.bind(b.clone());
    }
    let rows = q.fetch_all(&db.pool).await?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}
