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

#[macro_use]
#[path = "ref_common/mod.rs"]
mod common;

use std::process::ExitCode;

reference!(IssueFields {
    ts,
    endpoint,
    tenant
});

fn main() -> ExitCode {
    common::main::<IssueFields>("ref_serde_issue")
}
