//! The benchmark's reference as issue #2 words it: "a minimal memchr + serde_json struct parse
//! of the same fields", the fields it gives the generated log: the seed's three
//! (`responseTimeMs`, `status`, `modelVersion`) plus timestamp, endpoint and tenant. One thread.
//!
//! ```text
//! cargo run --release --example ref_serde_issue -- <file>
//! ```
//!
//! As `ref_serde` (see `ref_common`), with a struct of six borrowed fields. The three it adds
//! are only read, their lengths summed and printed, so that they are parsed as fields: serde_json
//! checks a borrowed string's UTF-8, and skips a field the struct does not name without.

#[path = "ref_common/mod.rs"]
mod common;

use common::{Fields, Rec};
use serde::Deserialize;
use std::process::ExitCode;

/// Each field its own member (not `#[serde(flatten)]` of `ref_serde`'s struct, which would
/// buffer every record in a map).
#[derive(Deserialize)]
struct IssueFields<'a> {
    #[serde(rename = "responseTimeMs")]
    rt: Option<f64>,
    #[serde(borrow)]
    status: Option<&'a str>,
    #[serde(rename = "modelVersion", borrow)]
    v: Option<&'a str>,
    #[serde(borrow)]
    ts: Option<&'a str>,
    #[serde(borrow)]
    endpoint: Option<&'a str>,
    #[serde(borrow)]
    tenant: Option<&'a str>,
}

impl<'a> Rec<'a> for IssueFields<'a> {
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
        [self.ts, self.endpoint, self.tenant]
            .iter()
            .map(|f| f.map_or(0, str::len))
            .sum()
    }
}

struct AllIssueFields;
impl Fields for AllIssueFields {
    type R<'a> = IssueFields<'a>;
}

fn main() -> ExitCode {
    common::main::<AllIssueFields>("ref_serde_issue")
}
