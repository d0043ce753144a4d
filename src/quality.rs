//! The names of the problems a translated segment can have, shared by the stage that finds them,
//! the report, the store and the review gate.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Flag {
    Numbers,
    Urls,
    Emails,
    Names,
    Glossary,
    Untranslated,
    Script,
    Length,
    Repetition,
    Chatter,
    Omission,
}

pub const ALL: &[Flag] = &[
    Flag::Numbers,
    Flag::Urls,
    Flag::Emails,
    Flag::Names,
    Flag::Glossary,
    Flag::Untranslated,
    Flag::Script,
    Flag::Length,
    Flag::Repetition,
    Flag::Chatter,
    Flag::Omission,
];

impl Flag {
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::Numbers => "numbers",
            Flag::Urls => "urls",
            Flag::Emails => "emails",
            Flag::Names => "names",
            Flag::Glossary => "glossary",
            Flag::Untranslated => "untranslated",
            Flag::Script => "script",
            Flag::Length => "length",
            Flag::Repetition => "repetition",
            Flag::Chatter => "chatter",
            Flag::Omission => "omission",
        }
    }

    pub fn parse(name: &str) -> Option<Flag> {
        ALL.iter().copied().find(|f| f.as_str() == name)
    }
}

impl std::fmt::Display for Flag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in one segment (0 is the headline, then the body's segments in order).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Finding {
    pub segment: usize,
    pub flag: Flag,
    pub detail: String,
    /// The answer is not usable as it stands (the source echoed, a preamble, a loop, a passage
    /// cut off): the next backend of the chain is asked first.
    #[serde(skip)]
    pub unusable: bool,
}

/// When a copy waits for an editor before it goes to a partner.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReviewMode {
    /// Copies go out as the backend made them (a translation no backend made usable fails).
    #[default]
    Never,
    /// Copies with one of the chosen flags wait.
    Flagged,
    /// Every machine translation waits.
    Always,
}

/// A desk's or a partner's review gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewPolicy {
    pub mode: ReviewMode,
    /// The flags that hold a copy under `flagged`.
    pub flags: Vec<Flag>,
}

impl Default for ReviewPolicy {
    fn default() -> Self {
        ReviewPolicy { mode: ReviewMode::Never, flags: ALL.to_vec() }
    }
}

impl ReviewPolicy {
    /// Whether a machine translation with these findings waits for an editor. One no backend
    /// made usable always waits where anyone reviews.
    pub fn holds(&self, findings: &[Finding], unusable: bool) -> bool {
        match self.mode {
            ReviewMode::Never => false,
            ReviewMode::Always => true,
            ReviewMode::Flagged => unusable || findings.iter().any(|f| self.flags.contains(&f.flag)),
        }
    }
}
