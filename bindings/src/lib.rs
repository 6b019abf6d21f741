//! UniFFI bindings of `suyuan-core`. Not built yet (issue 6): this crate only pins its place in the workspace.

/// The version of the core these bindings wrap.
pub fn core_version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}
