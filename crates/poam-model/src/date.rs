//! Dates as people type them into spreadsheets.
//!
//! Accepted: `MM/DD/YYYY`, `M/D/YY`, `YYYY-MM-DD`, `YYYY/MM/DD`,
//! `DD-Mon-YYYY`, `Mon DD, YYYY`, `DD Mon YYYY`, `Month DD YYYY`, any of
//! these followed by a time (`2024-05-23T10:00:00`, `5/23/2024 10:00 AM`), and
//! Excel serial numbers. Numeric day/month order is US (month first) unless
//! [`DateOrder::DayFirst`] is asked for; `YYYY-MM-DD` is always year first.

use chrono::{Datelike, Duration, NaiveDate};

/// A calendar date (re-exported so that callers need not name chrono).
pub type Date = NaiveDate;

/// Which of the two leading numbers of `01/02/2024` is the month.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DateOrder {
    /// `MM/DD/YYYY` (US, the default).
    #[default]
    MonthFirst,
    /// `DD/MM/YYYY`.
    DayFirst,
}

/// Turns an Excel serial number (1900 date system) into a date.
///
/// Returns `None` outside Excel's range (1 to 2,958,465, i.e. up to 9999-12-31).
/// Serial 60 is Excel's phantom 1900-02-29 and reads as 1900-02-28.
pub fn from_excel_serial(serial: f64) -> Option<NaiveDate> {
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64;
    // Excel counts 1900-01-01 as day 1 and wrongly includes 1900-02-29.
    let base = NaiveDate::from_ymd_opt(1899, 12, 31)?;
    let days = if days >= 60 { days - 1 } else { days };
    base.checked_add_signed(Duration::days(days))
}

/// Whether a date is one a POA&M can mean, and a workbook can hold as a
/// date: from 1900 to 9999. Before is a typo (`1024-01-15`, `1/1/1899`) or a
/// program's empty date (.NET's `0001-01-01`).
pub fn in_range(date: NaiveDate) -> bool {
    use chrono::Datelike;
    (1900..=9999).contains(&date.year())
}

/// The Excel serial number of a date (1900 date system).
pub fn to_excel_serial(date: NaiveDate) -> f64 {
    let base = NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid date");
    (date - base).num_days() as f64
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn month_from_name(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_ascii_lowercase();
    if w.len() < 3 {
        return None;
    }
    let idx = MONTHS.iter().position(|m| w.starts_with(m))?;
    // "sept" and full names are fine; reject unrelated words starting alike.
    let full = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ][idx];
    if full.starts_with(&w) || w == "sept" {
        Some(idx as u32 + 1)
    } else {
        None
    }
}

fn expand_year(text: &str) -> Option<i32> {
    let y: i32 = text.parse().ok()?;
    match text.len() {
        4 => Some(y),
        // Excel's rule: 00-29 are 2000s, 30-99 are 1900s.
        2 | 1 => Some(if y < 30 { 2000 + y } else { 1900 + y }),
        _ => None,
    }
}

/// Removes a trailing time of day (`10:00`, `10:00:00 AM`, `T10:00:00Z`).
fn strip_time(text: &str) -> &str {
    // ISO `T` separator.
    if let Some(pos) = text.find('T') {
        let (head, tail) = text.split_at(pos);
        if head.len() >= 8
            && tail[1..].contains(':')
            && head.chars().next().is_some_and(|c| c.is_ascii_digit())
        {
            return head;
        }
    }
    let mut end = text.len();
    let words: Vec<(usize, &str)> = text
        .split_whitespace()
        .map(|w| (w.as_ptr() as usize - text.as_ptr() as usize, w))
        .collect();
    for (i, (start, word)) in words.iter().enumerate() {
        if i > 0 && word.contains(':') && word.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            end = *start;
            break;
        }
    }
    text[..end].trim_end()
}

/// Reads a date written as text. Returns `None` when it is not a real date.
pub fn parse_date_text(text: &str, order: DateOrder) -> Option<NaiveDate> {
    let text = text.trim().trim_end_matches('.');
    if text.is_empty() {
        return None;
    }
    // A bare number: an Excel serial number saved as text.
    if let Ok(n) = text.parse::<f64>() {
        if text.len() >= 4 && !text.contains('-') {
            return from_excel_serial(n).filter(|d| d.year() >= 1950 && d.year() <= 2200);
        }
        return None;
    }
    let text = strip_time(text);
    let mut tokens: Vec<&str> = text
        .split(|c: char| c == '/' || c == '-' || c == '.' || c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .collect();
    // A long date as Excel and Word write it: "Wednesday, June 9, 2021".
    if tokens.len() == 4 && is_weekday(tokens[0]) {
        tokens.remove(0);
    }
    if tokens.len() != 3 {
        return None;
    }
    let numeric = |t: &str| t.chars().all(|c| c.is_ascii_digit());
    let (y, m, d) = match (numeric(tokens[0]), numeric(tokens[1]), numeric(tokens[2])) {
        (true, true, true) => {
            if tokens[0].len() == 4 {
                (
                    tokens[0].parse().ok()?,
                    tokens[1].parse().ok()?,
                    tokens[2].parse().ok()?,
                )
            } else {
                let a: u32 = tokens[0].parse().ok()?;
                let b: u32 = tokens[1].parse().ok()?;
                let y = expand_year(tokens[2])?;
                // Dotted dates (04.03.2024) are day first wherever they are
                // written; a first number over 12 can only be a day.
                let dotted = text.contains('.') && !text.contains('/') && !text.contains('-');
                match order {
                    _ if dotted || (a > 12 && b <= 12) => (y, b, a),
                    DateOrder::MonthFirst => (y, a, b),
                    DateOrder::DayFirst if b > 12 && a <= 12 => (y, a, b),
                    DateOrder::DayFirst => (y, b, a),
                }
            }
        }
        // 23-May-2024, 23 May 2024
        (true, false, true) => {
            let m = month_from_name(tokens[1])?;
            if tokens[0].len() == 4 {
                (tokens[0].parse().ok()?, m, tokens[2].parse().ok()?)
            } else {
                (expand_year(tokens[2])?, m, tokens[0].parse().ok()?)
            }
        }
        // May 23, 2024
        (false, true, true) => {
            let m = month_from_name(tokens[0])?;
            (expand_year(tokens[2])?, m, tokens[1].parse().ok()?)
        }
        _ => return None,
    };
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Whether a date cell gives only a month (`07/2025`, `2025-07`, `July 2025`).
pub fn is_month_only(text: &str) -> bool {
    let t = text.trim();
    let parts: Vec<&str> = t
        .split(|c: char| c == '/' || c == '-' || c == '.' || c.is_whitespace() || c == ',')
        .filter(|p| !p.is_empty())
        .collect();
    let year = |p: &str| p.len() == 4 && p.chars().all(|c| c.is_ascii_digit());
    let month = |p: &str| {
        p.parse::<u32>().is_ok_and(|m| (1..=12).contains(&m)) || month_from_name(p).is_some()
    };
    parts.len() == 2 && ((month(parts[0]) && year(parts[1])) || (year(parts[0]) && month(parts[1])))
}

/// Whether a word names a day of the week (`Wednesday`, `Wed`).
fn is_weekday(word: &str) -> bool {
    let w = word.to_lowercase();
    [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
    .iter()
    .any(|d| w == *d || (w.len() == 3 && d.starts_with(w.as_str())))
}

/// Whether a date cell holds a duration instead (`30 days`, `2 Weeks`,
/// `90 business days`): a due date relative to a day the file does not give.
pub fn is_relative_date(text: &str) -> bool {
    let t = text.trim().to_lowercase();
    let Some(split) = t.find(|c: char| !c.is_ascii_digit()) else {
        return false;
    };
    if split == 0 {
        return false;
    }
    let unit = t[split..].trim().trim_end_matches('.');
    let unit = unit
        .strip_prefix("business ")
        .or_else(|| unit.strip_prefix("calendar "))
        .unwrap_or(unit);
    matches!(
        unit,
        "day"
            | "days"
            | "d"
            | "week"
            | "weeks"
            | "wk"
            | "wks"
            | "month"
            | "months"
            | "mo"
            | "year"
            | "years"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn text_forms() {
        let us = DateOrder::MonthFirst;
        for (text, want) in [
            ("05/23/2024", d(2024, 5, 23)),
            ("5/3/24", d(2024, 5, 3)),
            ("5/3/99", d(1999, 5, 3)),
            ("2024-05-23", d(2024, 5, 23)),
            ("2024/05/23", d(2024, 5, 23)),
            ("23-May-2024", d(2024, 5, 23)),
            ("23-may-24", d(2024, 5, 23)),
            ("May 23, 2024", d(2024, 5, 23)),
            ("Wednesday, June 9, 2021", d(2021, 6, 9)),
            ("04.03.2024", d(2024, 3, 4)),
            ("30/06/2024", d(2024, 6, 30)),
            ("Thu, May 23, 2024", d(2024, 5, 23)),
            ("September 3 2024", d(2024, 9, 3)),
            ("Sept. 3, 2024", d(2024, 9, 3)),
            ("23 May 2024", d(2024, 5, 23)),
            ("2024-05-23 00:00:00", d(2024, 5, 23)),
            ("2024-05-23T10:11:12Z", d(2024, 5, 23)),
            ("5/23/2024 10:00 AM", d(2024, 5, 23)),
            ("45435", d(2024, 5, 23)),
            ("13/45/2024", None),
            ("2024-02-30", None),
            ("soon", None),
            ("Q3 FY25", None),
            ("", None),
        ] {
            assert_eq!(parse_date_text(text, us), want, "{text:?}");
        }
        assert_eq!(
            parse_date_text("03/04/2024", DateOrder::DayFirst),
            d(2024, 4, 3)
        );
    }

    #[test]
    fn excel_serials() {
        assert_eq!(from_excel_serial(45435.0), d(2024, 5, 23));
        assert_eq!(from_excel_serial(1.0), d(1900, 1, 1));
        assert_eq!(from_excel_serial(61.0), d(1900, 3, 1));
        assert_eq!(from_excel_serial(0.0), None);
        assert_eq!(to_excel_serial(d(2024, 5, 23).unwrap()), 45435.0);
    }

    #[test]
    fn months_are_not_days() {
        for t in ["07/2025", "2025-07", "July 2025", "Sep 2024"] {
            assert!(is_month_only(t), "{t}");
        }
        for t in ["07/01/2025", "2025", "July"] {
            assert!(!is_month_only(t), "{t}");
        }
    }

    #[test]
    fn durations_are_not_dates() {
        for t in [
            "30 days",
            "15 Days",
            "2 weeks",
            "90 business days",
            "6 months",
        ] {
            assert!(is_relative_date(t), "{t}");
            assert_eq!(parse_date_text(t, DateOrder::MonthFirst), None, "{t}");
        }
        for t in ["2024-05-01", "days", "30", "Q3 2024"] {
            assert!(!is_relative_date(t), "{t}");
        }
    }
}
