//! Plain data: the records of the seed manual, as serde types.

pub mod common;
pub mod enterprise;
pub mod ids;
pub mod inspection;
pub mod nonconforming;
pub mod partner;
pub mod product;
pub mod recall;
pub mod reconciliation;
pub mod transaction;

pub use common::*;
pub use enterprise::*;
pub use ids::*;
pub use inspection::*;
pub use nonconforming::*;
pub use partner::*;
pub use product::*;
pub use recall::*;
pub use reconciliation::*;
pub use transaction::*;
