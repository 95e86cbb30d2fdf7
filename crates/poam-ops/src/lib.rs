//! Operations over whole POA&Ms, independent of any file format.
//!
//! - [`rollup`]: many business units' POA&Ms into one, with unique POA&M IDs,
//!   a summary by unit, and optional merging of the same weakness.
//! - [`diff`]: what changed between two POA&Ms of one system.
//! - [`update`]: this month's POA&M from last month's and this month's scans.

pub mod deviation;
pub mod diff;
pub mod rollup;
pub mod update;
