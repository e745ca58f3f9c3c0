//! `oauth-conformance`: runs the Gherkin suites in `features/` against the
//! embedded reference server, or against any server given by `--target FILE`.
//!
//! Exit code 0 only when no MUST scenario failed (and, with `--strict`, no
//! SHOULD scenario either). See `oauth-conformance --help`.

use std::process::ExitCode;

use cucumber::cli::Opts;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    let opts: oauth_conformance::cli::Opts = Opts::parsed();
    match oauth_conformance::run(opts).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("oauth-conformance: {e}");
            ExitCode::from(2)
        }
    }
}
