//! Writes the Excel templates the service serves into a folder, for tools that fill them
//! (scripts/make-office-fixtures): `cargo run -p suyuan-server --example excel_templates DIR`.

use suyuan_core::model::PartnerRole;
use suyuan_server::excel;

fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    std::fs::create_dir_all(&dir).expect("create the folder");
    let files = [
        ("products-template.xlsx", excel::products::template()),
        (
            "transactions-template.xlsx",
            excel::transactions::template(),
        ),
        (
            "suppliers-template.xlsx",
            excel::partners::template(PartnerRole::Supplier),
        ),
        (
            "customers-template.xlsx",
            excel::partners::template(PartnerRole::Customer),
        ),
    ];
    for (name, bytes) in files {
        let path = dir.join(name);
        std::fs::write(&path, bytes.expect("write the template")).expect("save the template");
        println!("{}", path.display());
    }
}
