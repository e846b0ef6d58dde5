//! Import from the `machine` CLI (placeholder, filled in below).
