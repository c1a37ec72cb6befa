//! The command line: `compose2cfn [FILE] -o OUT` compiles, `compose2cfn check FILE`
//! validates. Chooses the output format, renders diagnostics to standard error, writes the
//! template atomically (a temporary file in the target folder, then a rename) and maps the
//! outcome to the exit code: 0 success, 1 errors in the input, 2 usage or I/O error.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::diag::render::{self, MessageFormat};
use crate::emit::{self, Format};
use crate::load::{Input, Options};

/// Compile Docker Compose files into an AWS CloudFormation template for ECS on Fargate.
#[derive(Debug, Parser)]
#[command(name = "compose2cfn", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    compile: CompileArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate the Compose file without writing a template (for CI and pre-commit).
    Check(InputArgs),
}

#[derive(Debug, Args)]
struct CompileArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Write the template here (atomically) instead of standard output.
    #[arg(short, long, value_name = "PATH")]
    output: Option<PathBuf>,
    /// Template format [default: from the `-o` extension, else yaml].
    #[arg(long, value_enum)]
    format: Option<Format>,
}

#[derive(Debug, Args)]
struct InputArgs {
    /// The Compose file (`-` reads standard input).
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,
    /// The Compose file, as `docker compose -f` takes it.
    #[arg(
        short = 'f',
        long = "file",
        value_name = "FILE",
        conflicts_with = "file"
    )]
    files: Vec<PathBuf>,
    /// Project name [default: top-level `name:`, else the project directory's name].
    #[arg(short = 'p', long)]
    project_name: Option<String>,
    /// Activate a profile (repeatable).
    #[arg(long = "profile", value_name = "PROFILE")]
    profiles: Vec<String>,
    /// How diagnostics are written to standard error.
    #[arg(long, value_enum, default_value = "human")]
    message_format: MessageFormat,
}

/// File names Compose looks for when no file is given.
const DEFAULT_FILES: [&str; 4] = [
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];

/// Runs the CLI with the process's arguments and environment.
#[must_use]
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() {
                ExitCode::from(EXIT_USAGE)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let env: BTreeMap<String, String> = std::env::vars().collect();
    let mut stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr().lock();
    let color = std::io::stderr().is_terminal() && !env.contains_key("NO_COLOR");
    ExitCode::from(run(cli, env, color, &mut stdout, &mut stderr))
}

/// Exit code: success (warnings allowed).
pub const EXIT_OK: u8 = 0;
/// Exit code: the input has errors.
pub const EXIT_INPUT: u8 = 1;
/// Exit code: a usage or I/O error.
pub const EXIT_USAGE: u8 = 2;

/// Runs a parsed command line; returns the exit code.
pub fn run(
    cli: Cli,
    env: BTreeMap<String, String>,
    color: bool,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> u8 {
    let (input_args, output) = match cli.command {
        Some(Command::Check(input)) => (input, None),
        None => (
            cli.compile.input,
            Some((cli.compile.output, cli.compile.format)),
        ),
    };
    let working_dir = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let input = match resolve_input(&input_args, &working_dir, env.get("COMPOSE_FILE")) {
        Ok(input) => input,
        Err(message) => {
            let _ = writeln!(stderr, "error: {message}");
            return EXIT_USAGE;
        }
    };
    let options = Options {
        project_name: input_args.project_name.clone(),
        profiles: input_args.profiles.clone(),
        env,
        working_dir,
    };
    let compilation = match crate::compile(&input, &options) {
        Ok(c) => c,
        Err(error) => {
            let _ = writeln!(stderr, "error: {error}");
            return EXIT_USAGE;
        }
    };
    let text = render::render(
        &compilation.diagnostics,
        &compilation.sources,
        input_args.message_format,
        color,
    );
    let _ = stderr.write_all(text.as_bytes());
    let Some(template) = compilation.template.as_ref() else {
        return EXIT_INPUT;
    };
    let Some((path, format)) = output else {
        return EXIT_OK; // `check`
    };
    let format = format.unwrap_or_else(|| {
        match path
            .as_deref()
            .and_then(Path::extension)
            .and_then(|e| e.to_str())
        {
            Some("json") => Format::Json,
            _ => Format::Yaml,
        }
    });
    let bytes = emit::emit(template, format);
    match path {
        Some(path) => match write_atomically(&path, bytes.as_bytes()) {
            Ok(()) => EXIT_OK,
            Err(error) => {
                let _ = writeln!(stderr, "error: cannot write `{}`: {error}", path.display());
                EXIT_USAGE
            }
        },
        None => match stdout.write_all(bytes.as_bytes()) {
            Ok(()) => EXIT_OK,
            Err(_) => EXIT_USAGE,
        },
    }
}

/// The Compose file to read: the argument, `-f`, `COMPOSE_FILE`, or the one found in the
/// working folder.
fn resolve_input(
    args: &InputArgs,
    working_dir: &Path,
    compose_file: Option<&String>,
) -> Result<Input, String> {
    let from_env: Vec<PathBuf> = compose_file
        .map(|list| {
            std::env::split_paths(list)
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        })
        .unwrap_or_default();
    let file = match (
        args.file.as_ref(),
        args.files.as_slice(),
        from_env.as_slice(),
    ) {
        (Some(file), _, _) => Some(file.clone()),
        (None, [one], _) | (None, [], [one]) => Some(one.clone()),
        (None, [], []) => None,
        (None, [], _) => {
            return Err(
                "`COMPOSE_FILE` names several files, and merging is not supported yet; pass one file with -f".to_string(),
            );
        }
        (None, _, _) => {
            return Err(
                "merging several Compose files is not supported yet; pass one file".to_string(),
            );
        }
    };
    match file {
        Some(path) if path.as_os_str() == "-" => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|e| format!("cannot read standard input: {e}"))?;
            Ok(Input::Stdin(bytes))
        }
        Some(path) => Ok(Input::Path(path)),
        None => {
            let name = DEFAULT_FILES
                .iter()
                .find(|name| working_dir.join(name).is_file())
                .ok_or_else(|| {
                    format!(
                        "no Compose file found: looked for {} in the current folder",
                        DEFAULT_FILES.join(", ")
                    )
                })?;
            // Docker Compose would merge the override file; compiling without it would
            // deploy something else than `docker compose up` runs.
            if let Some(found) = override_of(name).filter(|o| working_dir.join(o).is_file()) {
                return Err(format!(
                    "`{found}` would be merged into `{name}` by Docker Compose, and merging is not supported yet; pass `-f {name}` to compile `{name}` alone"
                ));
            }
            Ok(Input::Path(PathBuf::from(name)))
        }
    }
}

/// The override file Compose merges into a discovered file (`compose.yaml` →
/// `compose.override.yaml`).
fn override_of(name: &str) -> Option<String> {
    let (stem, extension) = name.rsplit_once('.')?;
    Some(format!("{stem}.override.{extension}"))
}

/// Writes to a temporary file beside `path`, then renames it over `path`: readers see the
/// old file or the new one, never a partial one, and a failure leaves `path` untouched.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}
