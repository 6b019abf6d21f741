//! Multi-row statements: one INSERT (or lookup) for many rows, cut into chunks under the
//! databases' limits, so a write costs a round trip per table instead of one per row.

use super::DbError;
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AnyConnection};

/// A query with its values bound.
pub(super) type AnyQuery<'q> = Query<'q, Any, AnyArguments>;

/// Rows per statement: 400 rows of the widest table written this way (14 columns) bind 5,600
/// values, far below SQLite's 32,766 and PostgreSQL's 65,535, and stay under SQLite's 500-row
/// limit on a compound `VALUES`.
pub(super) const CHUNK_ROWS: usize = 400;

/// Placeholders written in the order their values are bound. PostgreSQL gets `$1, $2, …`;
/// SQLite gets anonymous `?`, because sqlx binds a numbered SQLite parameter by looking its
/// name up in a list, which makes a statement of n parameters cost n² (half the time of a
/// 10,000-line batch went there).
#[derive(Debug)]
pub(super) struct Marks {
    numbered: bool,
    next: usize,
}

impl Marks {
    /// Placeholders for a statement on `conn`.
    pub(super) fn on(conn: &AnyConnection) -> Marks {
        Marks {
            numbered: conn.backend_name() != "SQLite",
            next: 1,
        }
    }

    /// The next placeholder.
    pub(super) fn one(&mut self) -> String {
        if self.numbered {
            self.next += 1;
            format!("${}", self.next - 1)
        } else {
            "?".to_owned()
        }
    }

    /// `(…, …), (…, …)`: `rows` groups of `cols` placeholders.
    pub(super) fn rows(&mut self, rows: usize, cols: usize) -> String {
        let mut s = String::with_capacity(rows * cols * 6);
        for r in 0..rows {
            if r > 0 {
                s.push_str(", ");
            }
            s.push('(');
            for c in 0..cols {
                if c > 0 {
                    s.push_str(", ");
                }
                s.push_str(&self.one());
            }
            s.push(')');
        }
        s
    }
}

/// Runs `{head} VALUES (…), (…) {tail}` over `rows`, a chunk at a time; `bind` binds one row's
/// `cols` values in column order.
pub(super) async fn insert_rows<T>(
    conn: &mut AnyConnection,
    head: &str,
    tail: &str,
    cols: usize,
    rows: &[T],
    bind: impl for<'q> Fn(AnyQuery<'q>, &T) -> AnyQuery<'q>,
) -> Result<(), DbError> {
    for chunk in rows.chunks(CHUNK_ROWS) {
        // `head` and `tail` are constant SQL of the callers; the rest are placeholders.
        let marks = Marks::on(conn).rows(chunk.len(), cols);
        let sql = format!("{head} VALUES {marks} {tail}");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for row in chunk {
            q = bind(q, row);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Marks;

    #[test]
    fn placeholders_follow_the_binding_order() {
        let mut numbered = Marks {
            numbered: true,
            next: 1,
        };
        assert_eq!(numbered.rows(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(numbered.one(), "$7");
        let mut anonymous = Marks {
            numbered: false,
            next: 1,
        };
        assert_eq!(anonymous.rows(2, 2), "(?, ?), (?, ?)");
        assert_eq!(anonymous.rows(0, 2), "");
    }
}
