//! Outputs (stage 7): charts (SVG), and later the report and the share link.

pub mod charts;
pub mod report;
