//! The benchmark's reference: the obvious fast Rust program for "count, errors and mean latency
//! per version" over an NDJSON log, one thread.
//!
//! ```text
//! cargo run --release --example ref_serde -- <file>
//! ```
//!
//! A 1 MiB `BufReader`, lines split with memchr, each line deserialized with
//! `serde_json::from_slice` into a borrowed struct holding only the three fields the
//! per-version numbers need (see `ref_common`). The strictest floor; `ref_serde_issue` reads
//! the fields issue #2 names.

#[path = "ref_common/mod.rs"]
mod common;

use common::{Fields, Rec};
use serde::Deserialize;
use std::process::ExitCode;

#[derive(Deserialize)]
struct Seed<'a> {
    #[serde(rename = "responseTimeMs")]
    rt: Option<f64>,
    #[serde(borrow)]
    status: Option<&'a str>,
    #[serde(rename = "modelVersion", borrow)]
    v: Option<&'a str>,
}

impl<'a> Rec<'a> for Seed<'a> {
    fn latency(&self) -> Option<f64> {
        self.rt
    }
    fn status(&self) -> Option<&'a str> {
        self.status
    }
    fn version(&self) -> Option<&'a str> {
        self.v
    }
    fn other_bytes(&self) -> usize {
        0
    }
}

struct SeedFields;
impl Fields for SeedFields {
    type R<'a> = Seed<'a>;
}

fn main() -> ExitCode {
    common::main::<SeedFields>("ref_serde")
}
