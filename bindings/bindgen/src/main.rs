//! UniFFI's binding generator, in its own crate so the phone library never builds its CLI.

fn main() {
    uniffi::uniffi_bindgen_main()
}
