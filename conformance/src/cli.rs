//! Command-line options added to cucumber's own (`--tags`, `--concurrency`, …).

use std::path::PathBuf;

/// The harness's own options.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct Custom {
    /// Target file (TOML) describing the server to test. Without it, the
    /// embedded reference server is started with its demo fixture.
    #[arg(long, value_name = "FILE")]
    pub target: Option<PathBuf>,

    /// Check the target instead of running the suites: probe the metadata,
    /// every client's credentials, a login and consent drive, the deny
    /// control and the resource probe; one line per problem (key, what was
    /// seen, what to change). Exit 0 when none.
    #[arg(long)]
    pub check: bool,

    /// Treat SHOULD failures as fatal.
    #[arg(long)]
    pub strict: bool,

    /// Write a JUnit XML report.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,

    /// Write a Cucumber JSON report (each failed or warned scenario with an
    /// `evidence` member: its sentence and HTTP exchanges, secrets redacted).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,

    /// Write a self-contained HTML report: summary by area and level, then
    /// each failed or warned scenario with the sentence it cites and the HTTP
    /// exchanges that decided it, secrets redacted.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,

    /// Known failures (`area: scenario name` per line). Listed failures do not
    /// fail the run; listed scenarios that pass do.
    #[arg(long, value_name = "FILE")]
    pub expected_failures: Option<PathBuf>,

    /// Pinned verdicts of every scenario (`verdict | area: name | why` per
    /// line). The run passes exactly when every verdict matches; each
    /// difference is printed.
    #[arg(long, value_name = "FILE")]
    pub expected_verdicts: Option<PathBuf>,

    /// Write this run's verdicts in the `--expected-verdicts` format (reasons
    /// kept from `--expected-verdicts`; new failures marked TODO).
    #[arg(long, value_name = "FILE")]
    pub write_verdicts: Option<PathBuf>,

    /// Directory of the `.feature` files.
    #[arg(long, value_name = "DIR", env = "OAUTH_CONFORMANCE_FEATURES")]
    pub features: Option<PathBuf>,

    /// Print a line for every passing scenario too.
    #[arg(long)]
    pub verbose: bool,

    /// Embedded server only: start it with these faults (needs the server's
    /// `faults` feature, which a normal build lacks).
    #[arg(long, value_name = "NAME", hide = true)]
    pub fault: Vec<String>,

    /// Embedded server only: start it with these legal variants (a
    /// `[settings.variants]` key of the reference server, or `all`): answers
    /// the RFCs allow besides its default ones.
    #[arg(long, value_name = "NAME", hide = true)]
    pub variant: Vec<String>,
}

/// All options: cucumber's parser, runner and writer options plus ours.
pub type Opts = cucumber::cli::Opts<
    cucumber::parser::basic::Cli,
    cucumber::runner::basic::Cli,
    cucumber::cli::Empty,
    Custom,
>;
