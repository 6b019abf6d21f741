//! What the phone's sync client, ERP batch importers and the server exchange: plain serde
//! types, no I/O, so both ends compile against one definition.

pub mod batch;
pub mod wire;
