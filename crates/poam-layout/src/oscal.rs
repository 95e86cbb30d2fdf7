//! Names shared by the OSCAL reader and writer.
//!
//! FedRAMP's extension props live in [`NS_FEDRAMP`]. What neither OSCAL nor
//! FedRAMP has a place for (eMASS fields, service names, `extra` cells...) is
//! written as props in [`NS_POAMKIT`], so that an OSCAL file poamkit writes
//! reads back to the same model; other OSCAL tools ignore them.

use poam_model::YesNo;

/// FedRAMP's OSCAL extension namespace.
pub const NS_FEDRAMP: &str = "https://fedramp.gov/ns/oscal";
/// poamkit's own namespace for props OSCAL has no field for.
pub const NS_POAMKIT: &str = "urn:poamkit:oscal";
/// The OSCAL version poamkit writes.
pub const OSCAL_VERSION: &str = "1.1.2";

/// A FedRAMP deviation prop value (`risk-adjustment`, `false-positive`,
/// `operational-requirement`) for an answer.
pub fn deviation_value(answer: YesNo) -> &'static str {
    match answer {
        YesNo::Yes => "approved",
        YesNo::Pending => "pending",
        YesNo::No => "withdrawn",
    }
}

/// The `vendor-dependency` prop value for an answer.
pub fn vendor_value(answer: YesNo) -> &'static str {
    match answer {
        YesNo::Yes => "tracking",
        YesNo::Pending => "pending",
        YesNo::No => "resolved",
    }
}

/// Reads a FedRAMP deviation or vendor-dependency prop value.
pub fn read_deviation(value: &str) -> Option<YesNo> {
    match value.to_ascii_lowercase().as_str() {
        "approved" | "yes" | "tracking" => Some(YesNo::Yes),
        "pending" | "investigating" | "submitted" => Some(YesNo::Pending),
        "withdrawn" | "denied" | "no" | "resolved" => Some(YesNo::No),
        _ => None,
    }
}
