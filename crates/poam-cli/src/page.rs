//! One renderer for the text and Markdown output of `validate`, `score`,
//! `link` and `diff`: the commands say what they print (a title, sections,
//! list items), and the page says how each looks in either form.

/// Text or Markdown, built line by line.
pub(crate) struct Page {
    md: bool,
    text: String,
    /// Markdown wants a blank line between a heading and its first item.
    pending_blank: bool,
}

impl Page {
    /// An empty page; Markdown when `md`.
    pub(crate) fn new(md: bool) -> Page {
        Page {
            md,
            text: String::new(),
            pending_blank: false,
        }
    }

    /// Whether the page is Markdown (for the few lines that differ in more
    /// than their marks, such as the diff's count table).
    pub(crate) fn is_markdown(&self) -> bool {
        self.md
    }

    fn push(&mut self, line: &str) {
        self.text.push_str(line);
        self.text.push('\n');
    }

    /// The first line: a level-1 heading in Markdown.
    pub(crate) fn title(&mut self, line: &str) {
        let mark = if self.md { "# " } else { "" };
        self.push(&format!("{mark}{line}"));
        self.pending_blank = false;
    }

    /// A line as it is.
    pub(crate) fn line(&mut self, line: &str) {
        self.push(line);
        self.pending_blank = false;
    }

    /// A paragraph: set apart by a blank line in Markdown.
    pub(crate) fn para(&mut self, line: &str) {
        if self.md {
            self.text.push('\n');
        }
        self.line(line);
    }

    /// A section heading, after a blank line.
    pub(crate) fn section(&mut self, heading: &str) {
        let mark = if self.md { "## " } else { "" };
        self.push(&format!("\n{mark}{heading}"));
        self.pending_blank = self.md;
    }

    /// A heading inside a section (an indented line in text).
    pub(crate) fn subsection(&mut self, heading: &str) {
        if self.md {
            self.push(&format!("\n### {heading}"));
            self.pending_blank = true;
        } else {
            self.push(&format!("  {heading}"));
        }
    }

    fn bullet(&mut self, indent: &str, line: &str) {
        if self.pending_blank {
            self.text.push('\n');
            self.pending_blank = false;
        }
        let mark = if self.md { "- " } else { indent };
        self.push(&format!("{mark}{line}"));
    }

    /// An item of a section's list.
    pub(crate) fn item(&mut self, line: &str) {
        self.bullet("  ", line);
    }

    /// An item of a subsection's list.
    pub(crate) fn subitem(&mut self, line: &str) {
        self.bullet("    ", line);
    }

    /// The text.
    pub(crate) fn finish(self) -> String {
        self.text
    }
}

#[cfg(test)]
mod tests {
    use super::Page;

    fn sample(md: bool) -> String {
        let mut p = Page::new(md);
        p.title("Report");
        p.para("2 finding(s)");
        p.section("Errors (1)");
        p.item("a: b");
        p.section("Empty (0)");
        p.section("Changed (1 item)");
        p.subsection("X-1: name");
        p.subitem("Status: Ongoing -> Completed");
        p.finish()
    }

    #[test]
    fn text_and_markdown_from_one_description() {
        assert_eq!(
            sample(false),
            "Report\n2 finding(s)\n\nErrors (1)\n  a: b\n\nEmpty (0)\n\nChanged (1 item)\n  X-1: name\n    Status: Ongoing -> Completed\n"
        );
        assert_eq!(
            sample(true),
            "# Report\n\n2 finding(s)\n\n## Errors (1)\n\n- a: b\n\n## Empty (0)\n\n## Changed (1 item)\n\n### X-1: name\n\n- Status: Ongoing -> Completed\n"
        );
    }
}
