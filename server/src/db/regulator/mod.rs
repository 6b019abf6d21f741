//! What regulators read (监管端): the enterprises of their region with reporting activity, batch
//! traces across regions, and the region's statistics. Nothing here writes.

mod directory;
mod statistics;
mod trace;

pub use directory::{
    DIRECTORY_SORTS, DirectoryQuery, EnterpriseActivity, directory_entry, list_directory,
};
pub use statistics::{
    EnterpriseCounts, MonthCount, RecallCounts, ReconciliationCounts, RegionStatistics,
    region_statistics,
};
pub use trace::{
    DocumentLine, GtinProduct, HolderNode, MovementEdge, TraceReport, TreeLine, products_of_gtin,
    trace_report,
};

use suyuan_core::validate::region::is_region_code;

/// The six-digit region codes a regulator's region covers, as an inclusive range: a province
/// (`620000`) covers `620000..=629999`, a city (`620100`) `620100..=620199`, a county only
/// itself. A range rather than a `LIKE` prefix, because PostgreSQL uses the `enterprises_region`
/// index for a range under any collation, and for a prefix pattern only under the C collation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionScope {
    /// Lowest code inside.
    pub low: String,
    /// Highest code inside.
    pub high: String,
}

impl RegionScope {
    /// The scope of a regulator's region code; `None` for a malformed code, so a bad account
    /// sees nothing rather than everything (as `suyuan_core::validate::within` decides).
    pub fn of(region: &str) -> Option<RegionScope> {
        let region = region.trim();
        if !is_region_code(region) {
            return None;
        }
        let significant = if &region[2..] == "0000" {
            2
        } else if &region[4..] == "00" {
            4
        } else {
            6
        };
        Some(Self::of_prefix(&region[..significant]))
    }

    /// Every six-digit code starting with `prefix` (1 to 6 digits).
    fn of_prefix(prefix: &str) -> RegionScope {
        RegionScope {
            low: format!("{prefix:0<6}"),
            high: format!("{prefix:9<6}"),
        }
    }

    /// The part of this scope whose codes start with `prefix`, or `None` if they share no code.
    pub fn narrowed(&self, prefix: &str) -> Option<RegionScope> {
        let other = Self::of_prefix(prefix);
        let low = self.low.clone().max(other.low);
        let high = self.high.clone().min(other.high);
        (low <= high).then_some(RegionScope { low, high })
    }

    /// Whether `code` lies inside.
    pub fn contains(&self, code: &str) -> bool {
        code.len() == 6 && self.low.as_str() <= code && code <= self.high.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::RegionScope;

    #[test]
    fn a_scope_covers_its_province_city_or_county() {
        let gansu = RegionScope::of("620000").unwrap();
        assert!(gansu.contains("620102") && gansu.contains("629999"));
        assert!(!gansu.contains("510100"));
        let lanzhou = RegionScope::of("620100").unwrap();
        assert!(lanzhou.contains("620102") && !lanzhou.contains("620200"));
        let chengguan = RegionScope::of("620102").unwrap();
        assert!(chengguan.contains("620102") && !chengguan.contains("620103"));
        assert_eq!(RegionScope::of("62010"), None);
        assert_eq!(gansu.narrowed("6201"), Some(lanzhou.clone()));
        assert_eq!(lanzhou.narrowed("62"), Some(lanzhou.clone()));
        assert_eq!(lanzhou.narrowed("51"), None);
    }
}
