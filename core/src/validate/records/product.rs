//! Products (产品信息库) and their barcodes (产品条形码库).

use super::{PRODUCT_LABEL, required_id};
use crate::model::{Barcode, PackagingLevel, Product};
use crate::problem::Problem;
use crate::validate::gtin::{GTIN_LABEL, check_gtin, check_gtin_labelled, to_gtin14};
use crate::validate::label::{Label, required};
use crate::validate::registration::{REGISTRATION_LABEL, check_registration};

const GENERIC_NAME_LABEL: Label = Label::new("化妆品通用名称", "Generic name");
const REGISTRANT_LABEL: Label = Label::new("注册人/备案人", "Registrant / filer");
const MANUFACTURER_LABEL: Label = Label::new("生产企业", "Manufacturer");
const SPECIFICATION_LABEL: Label = Label::new("规格", "Specification");
const SHELF_LIFE_LABEL: Label = Label::new("保质期", "Shelf life");
const PACKAGE_SPECIFICATION_LABEL: Label = Label::new("包装规格", "Package specification");
const CONTAINS_QUANTITY_LABEL: Label = Label::new("包装内数量", "Quantity per package");
const CONTAINS_GTIN_LABEL: Label = Label::new("下级包装条形码", "GTIN of the level below");

/// Rule code for a shelf life of zero months.
pub const RULE_SHELF_LIFE_POSITIVE: &str = "shelf_life.positive";
/// Rule code for a package that contains nothing.
pub const RULE_CONTAINS_QUANTITY_POSITIVE: &str = "contains_quantity.positive";
/// Rule code for a sales unit whose quantity is not 1.
pub const RULE_CONTAINS_QUANTITY_UNIT: &str = "contains_quantity.unit";
/// Rule code for a sales unit that names a level below it.
pub const RULE_CONTAINS_GTIN_NOT_ALLOWED: &str = "contains_gtin.not_allowed";
/// Rule code for a package that claims to contain itself.
pub const RULE_CONTAINS_GTIN_SAME: &str = "contains_gtin.same";

/// Every problem with a product: the required fields (generic name, registration or filing
/// number, registrant, manufacturer, specification), the number's format, and a shelf life
/// of at least one month when given.
pub fn validate_product(p: &Product) -> Vec<Problem> {
    let mut problems = Vec::new();
    problems.extend(required(
        "generic_name",
        GENERIC_NAME_LABEL,
        &p.generic_name,
    ));
    match required(
        "registration_number",
        REGISTRATION_LABEL,
        &p.registration_number,
    ) {
        Some(problem) => problems.push(problem),
        None => problems.extend(check_registration(
            "registration_number",
            &p.registration_number,
        )),
    }
    problems.extend(required("registrant", REGISTRANT_LABEL, &p.registrant));
    problems.extend(required(
        "manufacturer",
        MANUFACTURER_LABEL,
        &p.manufacturer,
    ));
    problems.extend(required(
        "specification",
        SPECIFICATION_LABEL,
        &p.specification,
    ));
    if p.shelf_life_months == Some(0) {
        problems.push(SHELF_LIFE_LABEL.error(
            "shelf_life_months",
            RULE_SHELF_LIFE_POSITIVE,
            "应至少为 1 个月",
            "must be at least 1 month",
        ));
    }
    problems
}

/// Every problem with a barcode: the required fields (product, GTIN, specification, package
/// specification), the GTIN's check digit, a package quantity of at least 1 (exactly 1 for
/// the sales unit), and a sensible GTIN of the level below.
pub fn validate_barcode(b: &Barcode) -> Vec<Problem> {
    let mut problems = Vec::new();
    problems.extend(required_id("product_id", PRODUCT_LABEL, b.product_id.0));
    match required("gtin", GTIN_LABEL, &b.gtin) {
        Some(p) => problems.push(p),
        None => problems.extend(check_gtin("gtin", &b.gtin)),
    }
    problems.extend(required(
        "specification",
        SPECIFICATION_LABEL,
        &b.specification,
    ));
    problems.extend(required(
        "package_specification",
        PACKAGE_SPECIFICATION_LABEL,
        &b.package_specification,
    ));

    if b.contains_quantity == 0 {
        problems.push(CONTAINS_QUANTITY_LABEL.error(
            "contains_quantity",
            RULE_CONTAINS_QUANTITY_POSITIVE,
            "应至少为 1",
            "must be at least 1",
        ));
    } else if b.level == PackagingLevel::Unit && b.contains_quantity != 1 {
        problems.push(CONTAINS_QUANTITY_LABEL.error(
            "contains_quantity",
            RULE_CONTAINS_QUANTITY_UNIT,
            "最小销售单元应为 1",
            "must be 1 for the sales unit",
        ));
    }

    if let Some(inner) = b.contains_gtin.as_deref().filter(|g| !g.trim().is_empty()) {
        if b.level == PackagingLevel::Unit {
            problems.push(CONTAINS_GTIN_LABEL.error(
                "contains_gtin",
                RULE_CONTAINS_GTIN_NOT_ALLOWED,
                "最小销售单元没有下级包装",
                "the sales unit has no level below",
            ));
        } else {
            let inner_problems = check_gtin_labelled("contains_gtin", CONTAINS_GTIN_LABEL, inner);
            if inner_problems.is_empty() && to_gtin14(inner) == to_gtin14(&b.gtin) {
                problems.push(CONTAINS_GTIN_LABEL.error(
                    "contains_gtin",
                    RULE_CONTAINS_GTIN_SAME,
                    "不能与本包装条形码相同",
                    "cannot be the same as this package's GTIN",
                ));
            }
            problems.extend(inner_problems);
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{barcode, pairs, product, summary};
    use super::*;
    use crate::model::ProductId;
    use uuid::Uuid;

    #[test]
    fn samples_are_clean() {
        assert_eq!(validate_product(&product()), vec![]);
        assert_eq!(validate_barcode(&barcode()), vec![]);
    }

    #[test]
    fn product_breakages() {
        type Edit = fn(&mut Product);
        let cases: &[(Edit, &[(&str, &str)])] = &[
            (|p| p.generic_name.clear(), &[("generic_name", "required")]),
            (
                |p| p.registration_number.clear(),
                &[("registration_number", "required")],
            ),
            (
                |p| p.registration_number = "甘妆2022000123".into(),
                &[("registration_number", "registration.format")],
            ),
            (|p| p.registration_number = "国妆特字G20190372".into(), &[]),
            (|p| p.registrant.clear(), &[("registrant", "required")]),
            (|p| p.manufacturer.clear(), &[("manufacturer", "required")]),
            (
                |p| p.specification.clear(),
                &[("specification", "required")],
            ),
            (|p| p.brand.clear(), &[]),
            (|p| p.shelf_life_months = None, &[]),
            (
                |p| p.shelf_life_months = Some(0),
                &[("shelf_life_months", "shelf_life.positive")],
            ),
            (
                |p| {
                    p.generic_name.clear();
                    p.manufacturer.clear();
                },
                &[("generic_name", "required"), ("manufacturer", "required")],
            ),
        ];
        for (i, (edit, want)) in cases.iter().enumerate() {
            let mut p = product();
            edit(&mut p);
            assert_eq!(summary(&validate_product(&p)), pairs(want), "case {i}");
        }
    }

    #[test]
    fn barcode_breakages() {
        type Edit = fn(&mut Barcode);
        let cases: &[(Edit, &[(&str, &str)])] = &[
            (
                |b| b.product_id = ProductId(Uuid::nil()),
                &[("product_id", "required")],
            ),
            (|b| b.gtin.clear(), &[("gtin", "required")]),
            (
                |b| b.gtin = "6901234567893".into(),
                &[("gtin", "gtin.check_digit")],
            ),
            (
                |b| b.gtin = "69012345".into(),
                &[("gtin", "gtin.check_digit")],
            ),
            (
                |b| b.specification.clear(),
                &[("specification", "required")],
            ),
            (
                |b| b.package_specification.clear(),
                &[("package_specification", "required")],
            ),
            (
                |b| b.contains_quantity = 0,
                &[("contains_quantity", "contains_quantity.positive")],
            ),
            (
                |b| b.contains_quantity = 12,
                &[("contains_quantity", "contains_quantity.unit")],
            ),
            (
                |b| b.contains_gtin = Some("6901234567892".into()),
                &[("contains_gtin", "contains_gtin.not_allowed")],
            ),
            (|b| b.contains_gtin = Some("  ".into()), &[]),
            (
                |b| {
                    b.level = PackagingLevel::Case;
                    b.contains_quantity = 12;
                    b.gtin = "16901234567899".into();
                    b.contains_gtin = Some("6901234567892".into());
                },
                &[],
            ),
            (
                |b| {
                    b.level = PackagingLevel::Case;
                    b.contains_quantity = 12;
                    b.contains_gtin = Some("06901234567892".into());
                },
                &[("contains_gtin", "contains_gtin.same")],
            ),
            (
                |b| {
                    b.level = PackagingLevel::Box;
                    b.contains_quantity = 6;
                    b.gtin = "16901234567899".into();
                    b.contains_gtin = Some("6901234567891".into());
                },
                &[("contains_gtin", "gtin.check_digit")],
            ),
        ];
        for (i, (edit, want)) in cases.iter().enumerate() {
            let mut b = barcode();
            edit(&mut b);
            assert_eq!(summary(&validate_barcode(&b)), pairs(want), "case {i}");
        }
    }
}
