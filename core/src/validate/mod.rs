//! Validators: each reports every problem it finds at once, as data.
