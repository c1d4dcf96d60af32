//! The benchmark's reference: the obvious fast Rust program for "count, errors and mean latency
//! per version" over an NDJSON log, one thread.
//!
//! ```text
//! cargo run --release --example ref_serde -- <file>
//! ```
//!
//! A 1 MiB `BufReader`, lines split with memchr, each line deserialized with
//! `serde_json::from_slice` into a borrowed struct holding only the three fields the
//! per-version numbers need (`responseTimeMs`, `status`, `modelVersion`; see `ref_common`).
//! The strictest floor; `ref_serde_issue` reads the fields issue #2 names.

#[macro_use]
#[path = "ref_common/mod.rs"]
mod common;

use std::process::ExitCode;

reference!(Seed {});

fn main() -> ExitCode {
    common::main::<Seed>("ref_serde")
}
