//! Classification and CUI markings, as banners and page headers show them
//! (`***** CONTROLLED UNCLASSIFIED INFORMATION *****`,
//! `UNCLASSIFIED//FOR OFFICIAL USE ONLY`, `CUI//SP-PRVCY`).
//!
//! A marking is kept as written, without the stars and spaces around it, so
//! that it can be written back in another template's banner.

use regex::Regex;
use std::sync::OnceLock;

/// The marking a cell's text is, if the whole text is one (decoration
/// aside): a line of a title block that only says `CUI` is a marking; a
/// sentence that mentions CUI is not.
///
/// ```
/// use poam_model::marking::marking_of;
/// assert_eq!(
///     marking_of("***** CONTROLLED UNCLASSIFIED INFORMATION *****").as_deref(),
///     Some("CONTROLLED UNCLASSIFIED INFORMATION")
/// );
/// assert_eq!(marking_of("CUI//SP-PRVCY").as_deref(), Some("CUI//SP-PRVCY"));
/// assert_eq!(marking_of("Enter the CUI category"), None);
/// ```
pub fn marking_of(text: &str) -> Option<String> {
    static MARKING: OnceLock<Regex> = OnceLock::new();
    let re = MARKING.get_or_init(|| {
        Regex::new(
            r"(?x)^(
                CONTROLLED\ UNCLASSIFIED\ INFORMATION(\ \(CUI\))?
              | CUI(//[A-Z0-9/ -]+)?
              | UNCLASSIFIED(\ ?//\ ?(FOR\ OFFICIAL\ USE\ ONLY|FOUO|CUI(//[A-Z0-9/ -]+)?))?
              | FOR\ OFFICIAL\ USE\ ONLY | FOUO
              | (TOP\ )?SECRET(//[A-Z0-9/ ,-]+)? | CONFIDENTIAL(//[A-Z0-9/ ,-]+)?
            )$",
        )
        .expect("marking pattern")
    });
    let bare = bare(text);
    if bare.is_empty() || bare.len() > 120 {
        return None;
    }
    re.is_match(&bare.to_uppercase()).then(|| bare.to_string())
}

/// The text without the stars, dashes and spaces a banner puts around it.
pub fn bare(text: &str) -> &str {
    text.trim_matches(|c: char| c == '*' || c == '-' || c == '=' || c.is_whitespace())
}

/// `banner` (a template's banner text, `***** UNCLASSIFIED//FOR OFFICIAL USE
/// ONLY *****`) with its marking replaced by `marking`, its decoration kept.
///
/// ```
/// use poam_model::marking::rebanner;
/// assert_eq!(
///     rebanner("***** UNCLASSIFIED//FOR OFFICIAL USE ONLY *****", "CUI"),
///     "***** CUI *****"
/// );
/// ```
pub fn rebanner(banner: &str, marking: &str) -> String {
    let inner = bare(banner);
    if inner.is_empty() {
        return marking.to_string();
    }
    banner.replacen(inner, marking, 1)
}

/// Whether two markings say the same (case and spacing aside).
pub fn same(a: &str, b: &str) -> bool {
    let norm = |t: &str| {
        bare(t)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_uppercase()
    };
    norm(a) == norm(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markings_are_told_from_other_text() {
        for (text, want) in [
            (
                "***** CONTROLLED UNCLASSIFIED INFORMATION *****",
                Some("CONTROLLED UNCLASSIFIED INFORMATION"),
            ),
            (
                "***** UNCLASSIFIED//FOR OFFICIAL USE ONLY *****",
                Some("UNCLASSIFIED//FOR OFFICIAL USE ONLY"),
            ),
            ("CUI", Some("CUI")),
            ("cui//sp-prvcy", Some("cui//sp-prvcy")),
            ("SECRET//NOFORN", Some("SECRET//NOFORN")),
            (
                "Controlled Unclassified Information Plan of Action for [SYSTEM NAME]",
                None,
            ),
            ("Plan of Action and Milestones", None),
            ("", None),
        ] {
            assert_eq!(marking_of(text).as_deref(), want, "{text}");
        }
    }

    #[test]
    fn markings_compare_without_case_or_stars() {
        assert!(same("***** CUI *****", "cui"));
        assert!(!same("CUI", "UNCLASSIFIED//FOR OFFICIAL USE ONLY"));
    }
}
