//! Rules over the product library.

use super::{Context, Evidence, Target, Warning, WarningInput, WarningKind, single};
use crate::validate::parse_registration;

/// A submitted product whose registration or filing number is empty or matches no known
/// pattern (Medium): without it the product cannot be checked against the NMPA databases.
pub fn invalid_registration(input: &WarningInput<'_>) -> Vec<Warning> {
    single(input, invalid_registration_into)
}

pub(super) fn invalid_registration_into(ctx: &Context<'_>, out: &mut Vec<Warning>) {
    // Drafts are still being typed in; the validators speak to them at submit.
    let products = ctx
        .input
        .products
        .iter()
        .filter(|p| p.status.is_submitted());
    for product in products {
        let number = product.registration_number.trim();
        if !number.is_empty() && parse_registration(number).is_some() {
            continue;
        }
        let owner = ctx.enterprise_name(product.owner);
        let name = ctx.product_name(product.id, "");
        let (zh, en) = if number.is_empty() {
            (
                format!("产品 {name}（{owner} 录入）未填写注册证号/备案号"),
                format!("Product {name} (entered by {owner}) has no registration or filing number"),
            )
        } else {
            (
                format!("产品 {name}（{owner} 录入）的注册证号/备案号“{number}”无法识别"),
                format!(
                    "Product {name} (entered by {owner}) has an unrecognised registration or filing number \"{number}\""
                ),
            )
        };
        out.push(Warning::new(
            WarningKind::InvalidRegistration,
            Target {
                enterprise: Some(product.owner),
                product: Some(product.id),
                batch: None,
                subject: None,
            },
            Evidence::default(),
            zh,
            en,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use crate::model::RecordStatus;
    use crate::rules::testing::*;

    #[test]
    fn missing_or_unparsable_registration_numbers() {
        // (registration number, submitted?, expected)
        let cases = [
            ("浙G妆网备字2023001147", true, false),
            ("国妆网备进字（沪）2020009314", true, false),
            ("国妆特字G20190372", true, false),
            ("国妆特进字J20190153", true, false),
            ("", true, true),
            ("   ", true, true),
            ("粤妆20160001", true, true),
            ("浙G妆网备字20231147", true, true),
            ("", false, false),
        ];
        for (number, submit, want) in cases {
            let mut w = World::new(day(3, 10));
            let mut p = product(prod(9), CREAM, number);
            if !submit {
                p.status = RecordStatus::Draft;
            }
            w.products = vec![p];
            let got = w.run(invalid_registration);
            let t = targets(&got, WarningKind::InvalidRegistration);
            assert_eq!(
                t,
                if want {
                    vec![(Some(ent(1)), Some(prod(9)), None)]
                } else {
                    vec![]
                },
                "{number:?}"
            );
            if want {
                assert!(
                    got[0].message_zh.contains(WHOLESALER),
                    "{}",
                    got[0].message_zh
                );
            }
        }
    }
}
