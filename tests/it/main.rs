//! The integration tests, as one binary (one link of the crate instead of one per file)
//! with its own harness (libtest-mimic): every test function of the modules below, and
//! one test per `testdata/` case and per corpus project, each run and named on its own
//! (`cargo test --test it -- cases::ok::secrets-ssm`).
//!
//! A module lists its test functions with [`trials!`]; one it leaves out is dead code,
//! which the build's lints refuse.

#![allow(clippy::unwrap_used)] // test helpers: a failure is a test failure

/// Declares `trials()`, the calling module's test functions as trials named
/// `module::function`. A function may carry a `#[cfg(...)]`.
macro_rules! trials {
    ($($(#[$cfg:meta])* $test:ident),* $(,)?) => {
        /// This module's tests, for the harness.
        pub(crate) fn trials() -> Vec<libtest_mimic::Trial> {
            vec![$(
                $(#[$cfg])*
                $crate::support::trial(module_path!(), stringify!($test), $test)
            ),*]
        }
    };
}

mod cases;
mod cli;
mod corpus;
mod docs;
mod fuzz_regressions;
mod hostile;
mod output;
mod policy;
mod robustness;
mod scale;
mod schema;
mod support;
mod tidy;

fn main() {
    let args = libtest_mimic::Arguments::from_args();
    // The slowest first, so that the threads finish together rather than one waiting on
    // a long test started last.
    let trials = [
        hostile::trials(),
        scale::trials(),
        output::trials(),
        robustness::trials(),
        cases::each(),
        cases::trials(),
        corpus::each(),
        cli::trials(),
        docs::trials(),
        fuzz_regressions::each(),
        policy::trials(),
        schema::trials(),
        tidy::trials(),
    ]
    .into_iter()
    .flatten()
    .collect();
    libtest_mimic::run(&args, trials).exit();
}
