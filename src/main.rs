//! The `compose2cfn` binary: parses arguments and hands over to [`compose2cfn::cli`].

fn main() -> std::process::ExitCode {
    compose2cfn::cli::main()
}
