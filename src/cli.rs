//! The command line: `compose2cfn [FILE] -o OUT` compiles, `compose2cfn check` validates,
//! `compose2cfn config` shows the resolved project. Finds the Compose files as Docker
//! Compose does (`-f`, `COMPOSE_FILE`, discovery), chooses the output format, renders diagnostics to standard error, writes the
//! template atomically (a temporary file in the target folder, then a rename) and maps the
//! outcome to the exit code: 0 success, 1 errors in the input, 2 usage or I/O error.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::diag::render::{self, MessageFormat};
use crate::emit::{self, Format};
use crate::inspect::{self, graph::GraphFormat};
use crate::load::{Input, Options, dotenv, files};
use crate::output;
#[cfg(feature = "policy")]
use crate::policy;
use crate::source::SourceMap;

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
    /// Validate the Compose files without writing a template (for CI and pre-commit).
    Check {
        #[command(flatten)]
        input: InputArgs,
        /// AWS CloudFormation Guard rules to evaluate on the compiled templates; each
        /// violation is an error at the Compose line behind the resource (repeatable).
        #[arg(long, value_name = "FILE")]
        policy: Vec<PathBuf>,
    },
    /// Show the project as Compose resolves it: merged, interpolated, canonical.
    Config(ConfigArgs),
    /// Explain a diagnostic code (`E0201` or `unknown-key`); without one, list them all.
    Explain {
        /// The code or its name.
        code: Option<String>,
    },
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `compose2cfn man > compose2cfn.1`.
    Man,
    /// Print the JSON Schema of Compose with the `x-aws-*` extensions, for editors.
    Schema,
    /// Draw the template's resources, grouped by Compose service, with their references.
    Graph {
        #[command(flatten)]
        input: InputArgs,
        /// Graph format: mermaid (renders in GitHub Markdown) or dot (Graphviz).
        #[arg(long, value_enum, default_value = "mermaid")]
        format: GraphFormat,
    },
    /// List per Compose service the resources it produces and what happened to its keys.
    Plan(InputArgs),
    /// Check CloudFormation templates (and the nested ones their relative `TemplateURL`s
    /// name) against the run-time rules: what AWS needs for the application to run.
    Audit {
        /// The templates (YAML or JSON).
        #[arg(required_unless_present = "rules")]
        templates: Vec<PathBuf>,
        /// List the rules, each with the AWS documentation page it comes from.
        #[arg(long)]
        rules: bool,
    },
}

impl Command {
    /// Whether the command loads a Compose project (and checks it against the schema).
    fn reads_compose_files(&self) -> bool {
        match self {
            Command::Check { .. }
            | Command::Config(_)
            | Command::Graph { .. }
            | Command::Plan(_) => true,
            Command::Explain { .. }
            | Command::Completions { .. }
            | Command::Man
            | Command::Audit { .. }
            | Command::Schema => false,
        }
    }
}

#[derive(Debug, Args)]
struct ConfigArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "yaml")]
    format: Format,
    /// Only check the project; print nothing.
    #[arg(short, long, group = "listing")]
    quiet: bool,
    /// Print the service names, one per line.
    #[arg(long, group = "listing")]
    services: bool,
    /// Print the volume names, one per line.
    #[arg(long, group = "listing")]
    volumes: bool,
    /// Print the network names, one per line.
    #[arg(long, group = "listing")]
    networks: bool,
    /// Print the profile names, one per line.
    #[arg(long = "profiles", group = "listing")]
    list_profiles: bool,
    /// Print the service images, one per line.
    #[arg(long, group = "listing")]
    images: bool,
    /// Write the configuration here (atomically) instead of standard output.
    #[arg(short, long, value_name = "PATH")]
    output: Option<PathBuf>,
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
    /// Split into a root stack and nested stacks even within CloudFormation's quotas (past
    /// them the split is automatic); the nested templates go beside the `-o` file.
    #[arg(long)]
    split: bool,
}

#[derive(Debug, Args)]
struct InputArgs {
    /// The Compose file (`-` reads standard input).
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,
    /// A Compose file; repeat to merge several, in order, as `docker compose -f` does.
    #[arg(
        short = 'f',
        long = "file",
        value_name = "FILE",
        conflicts_with = "file"
    )]
    files: Vec<PathBuf>,
    /// An env file for interpolation, instead of the project's `.env` (repeatable).
    #[arg(long = "env-file", value_name = "PATH")]
    env_files: Vec<PathBuf>,
    /// The project directory [default: the folder of the first Compose file].
    #[arg(long, value_name = "PATH")]
    project_directory: Option<PathBuf>,
    /// Project name [default: top-level `name:`, else the project directory's name].
    #[arg(short = 'p', long)]
    project_name: Option<String>,
    /// Activate a profile (repeatable).
    #[arg(long = "profile", value_name = "PROFILE")]
    profiles: Vec<String>,
    /// How diagnostics are written to standard error.
    #[arg(long, value_enum, default_value = "human")]
    message_format: MessageFormat,
    /// Treat warnings as errors: exit code 1 and no output.
    #[arg(long)]
    deny_warnings: bool,
}

/// Runs the CLI with the process's arguments and environment.
#[must_use]
pub fn main() -> ExitCode {
    crate::memory::manage();
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
    if cli
        .command
        .as_ref()
        .is_none_or(Command::reads_compose_files)
    {
        // The schema compiles while the files are found and read.
        crate::schema::prepare();
    }
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
/// Exit code: SIGINT or SIGTERM while writing (nothing was changed).
pub const EXIT_INTERRUPTED: u8 = 130;

/// Runs a parsed command line; returns the exit code.
pub fn run(
    cli: Cli,
    env: BTreeMap<String, String>,
    color: bool,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> u8 {
    let (input_args, then) = match cli.command {
        Some(Command::Check {
            input,
            policy: paths,
        }) => match policy::read(&paths) {
            Ok(policies) => (input, Then::Check(policies)),
            Err(message) => {
                let _ = writeln!(stderr, "error: {message}");
                return EXIT_USAGE;
            }
        },
        Some(Command::Graph { input, format }) => (input, Then::Graph(format)),
        Some(Command::Plan(input)) => (input, Then::Plan),
        Some(Command::Config(config)) => return run_config(config, env, color, stdout, stderr),
        Some(Command::Explain { code }) => return run_explain(code.as_deref(), stdout, stderr),
        Some(Command::Completions { shell }) => return run_generated(Some(shell), stdout),
        Some(Command::Audit { templates, rules }) => {
            return run_audit(&templates, rules, stdout, stderr);
        }
        Some(Command::Man) => return run_generated(None, stdout),
        Some(Command::Schema) => {
            return match stdout.write_all(crate::schema::SCHEMA_TEXT.as_bytes()) {
                Ok(()) => EXIT_OK,
                Err(_) => EXIT_USAGE,
            };
        }
        None => (
            cli.compile.input,
            Then::Write(cli.compile.output, cli.compile.format),
        ),
    };
    let split = cli.compile.split;
    let compile = |inputs: &[Input], options: &Options| crate::compile_with(inputs, options, split);
    let mut compilation = match run_step(&input_args, env, stderr, compile) {
        Ok(c) => c,
        Err(code) => return code,
    };
    if let Then::Check(policies) = &then
        && let Err(message) = policy::apply(policies, &mut compilation)
    {
        let _ = writeln!(stderr, "error: {message}");
        return EXIT_USAGE;
    }
    let text = render::render(
        &compilation.diagnostics,
        &compilation.sources,
        input_args.message_format,
        color,
    );
    let _ = stderr.write_all(text.as_bytes());
    let (Some(template), Some(project), Some(root)) = (
        compilation.template.as_ref(),
        compilation.project.as_ref(),
        compilation.root.as_ref(),
    ) else {
        return EXIT_INPUT;
    };
    if denied(&input_args, &compilation.diagnostics, stderr) {
        return EXIT_INPUT;
    }
    let (path, bytes) = match then {
        Then::Check(_) => {
            // Only the policies' violations can be errors here.
            return if compilation.has_errors() {
                EXIT_INPUT
            } else {
                EXIT_OK
            };
        }
        Then::Graph(format) => (None, inspect::graph::graph(template, project, format)),
        Then::Plan => (None, inspect::plan::plan(template, project, root)),
        Then::Write(path, format) => {
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
            let bytes = compilation.output(format).unwrap_or_default();
            let nested: Vec<(&str, &str)> = compilation.nested().collect();
            if !nested.is_empty() {
                return deliver_stacks(
                    path.as_deref(),
                    &bytes,
                    &nested,
                    &compilation.sources,
                    stderr,
                );
            }
            (path, bytes)
        }
    };
    deliver(
        path.as_deref(),
        &bytes,
        &compilation.sources,
        stdout,
        stderr,
    )
}

/// Writes a split project: the root template at `path`, the nested ones beside it, all
/// or nothing.
fn deliver_stacks(
    path: Option<&Path>,
    root: &str,
    nested: &[(&str, &str)],
    sources: &SourceMap,
    stderr: &mut dyn Write,
) -> u8 {
    let Some(path) = path else {
        let _ = writeln!(
            stderr,
            "error: the project is split into nested stacks ({} templates): give `-o FILE`, and the nested templates are written beside it",
            nested.len() + 1
        );
        return EXIT_USAGE;
    };
    if let Some(code) = clobbers(path, output::nested_folder(nested), sources, stderr) {
        return code;
    }
    match output::write_set(path, root.as_bytes(), nested) {
        Ok(()) => EXIT_OK,
        Err(error) => failed(
            &format!("`{}` and its nested templates", path.display()),
            &error,
            stderr,
        ),
    }
}

/// `audit`: the run-time rules on template files; exit 1 when one is broken.
fn run_audit(
    templates: &[PathBuf],
    list: bool,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> u8 {
    if list {
        for rule in crate::audit::RULES {
            let _ = writeln!(
                stdout,
                "{} {}\n    {}\n    {}",
                rule.id, rule.name, rule.fact, rule.source
            );
        }
    }
    let mut broken = 0;
    for path in templates {
        let files = match crate::audit::Files::read(path) {
            Ok(files) => files,
            Err(message) => {
                let _ = writeln!(stderr, "error: {message}");
                return EXIT_USAGE;
            }
        };
        for finding in crate::audit::check(files.documents) {
            let rule = finding.rule();
            broken += 1;
            let _ = writeln!(
                stderr,
                "{}: error[{} {}]: `{}`: {}\n  = {}",
                path.display(),
                rule.id,
                rule.name,
                finding.resource,
                finding.message,
                rule.source
            );
        }
    }
    if broken > 0 {
        let plural = if broken == 1 { "" } else { "s" };
        let _ = writeln!(stderr, "{broken} violation{plural} of the run-time rules");
        EXIT_INPUT
    } else {
        EXIT_OK
    }
}

/// What a compiling command does with a template.
enum Then {
    /// Nothing but the checks, and the policies' (`check`).
    Check(Vec<policy::Policy>),
    /// Write it (to a file, atomically, or to standard output) in a format.
    Write(Option<PathBuf>, Option<Format>),
    /// Draw its resource graph.
    Graph(GraphFormat),
    /// List what each Compose service became.
    Plan,
}

/// `compose2cfn config`.
fn run_config(
    args: ConfigArgs,
    env: BTreeMap<String, String>,
    color: bool,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> u8 {
    let resolution = match run_step(&args.input, env, stderr, crate::resolve) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let text = render::render(
        &resolution.diagnostics,
        &resolution.sources,
        args.input.message_format,
        color,
    );
    let _ = stderr.write_all(text.as_bytes());
    let Some(project) = resolution.project else {
        return EXIT_INPUT;
    };
    if denied(&args.input, &resolution.diagnostics, stderr) {
        return EXIT_INPUT;
    }
    let lines = |items: Vec<String>| items.iter().map(|i| format!("{i}\n")).collect::<String>();
    let bytes = if args.quiet {
        return EXIT_OK;
    } else if args.services {
        lines(project.names("services"))
    } else if args.volumes {
        lines(project.names("volumes"))
    } else if args.networks {
        lines(project.names("networks"))
    } else if args.list_profiles {
        lines(project.profiles.iter().cloned().collect())
    } else if args.images {
        lines(project.images())
    } else {
        emit::value(&project.canonical(), args.format)
    };
    let sources = &resolution.sources;
    deliver(args.output.as_deref(), &bytes, sources, stdout, stderr)
}

/// Whether `--deny-warnings` turns the warnings among `diagnostics` into a failure (and
/// says so).
fn denied(
    args: &InputArgs,
    diagnostics: &[crate::diag::Diagnostic],
    stderr: &mut dyn Write,
) -> bool {
    let warnings = diagnostics.iter().filter(|d| !d.is_error()).count();
    if args.deny_warnings && warnings > 0 {
        let _ = writeln!(
            stderr,
            "error: {warnings} warning(s) denied by --deny-warnings"
        );
        return true;
    }
    false
}

/// `compose2cfn explain [CODE]`.
fn run_explain(code: Option<&str>, stdout: &mut dyn Write, stderr: &mut dyn Write) -> u8 {
    use crate::diag::{Code, explain};
    let text = match code {
        None => Code::ALL
            .iter()
            .map(|c| format!("{}  {:<24} {}\n", c.as_str(), c.name(), c.summary()))
            .collect(),
        Some(code) => match Code::parse(code) {
            Some(code) => explain::text(code),
            None => {
                let names = Code::ALL.iter().flat_map(|c| [c.as_str(), c.name()]);
                let hint = crate::diag::did_you_mean(code, names)
                    .map(|best| format!("; did you mean `{best}`?"))
                    .unwrap_or_default();
                let _ = writeln!(stderr, "error: no diagnostic code `{code}`{hint}");
                return EXIT_USAGE;
            }
        },
    };
    match stdout.write_all(text.as_bytes()) {
        Ok(()) => EXIT_OK,
        Err(_) => EXIT_USAGE,
    }
}

/// `compose2cfn completions SHELL` and `compose2cfn man`: generated from the clap definition.
fn run_generated(shell: Option<clap_complete::Shell>, stdout: &mut dyn Write) -> u8 {
    use clap::CommandFactory;
    let mut command = Cli::command();
    let written = match shell {
        Some(shell) => {
            clap_complete::generate(shell, &mut command, "compose2cfn", stdout);
            Ok(())
        }
        None => clap_mangen::Man::new(command).render(stdout),
    };
    if written.is_ok() { EXIT_OK } else { EXIT_USAGE }
}

/// Finds the inputs and runs `step` on them; a usage or I/O error is reported and becomes
/// the exit code.
fn run_step<T>(
    args: &InputArgs,
    env: BTreeMap<String, String>,
    stderr: &mut dyn Write,
    step: impl Fn(&[Input], &Options) -> Result<T, crate::load::IoError>,
) -> Result<T, u8> {
    let result = prepare(args, env)
        .and_then(|(inputs, options)| step(&inputs, &options).map_err(|error| error.to_string()));
    result.map_err(|message| {
        let _ = writeln!(stderr, "error: {message}");
        EXIT_USAGE
    })
}

/// Writes the output to `path` atomically, or to standard output.
fn deliver(
    path: Option<&Path>,
    bytes: &str,
    sources: &SourceMap,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> u8 {
    if let Some(code) = path.and_then(|path| clobbers(path, None, sources, stderr)) {
        return code;
    }
    match path {
        Some(path) => match output::write(path, bytes.as_bytes()) {
            Ok(()) => EXIT_OK,
            Err(error) => failed(&format!("`{}`", path.display()), &error, stderr),
        },
        None => match stdout.write_all(bytes.as_bytes()) {
            Ok(()) => EXIT_OK,
            Err(_) => EXIT_USAGE,
        },
    }
}

/// Refuses (exit 2) an output that would overwrite one of the files read.
fn clobbers(
    path: &Path,
    folder: Option<&str>,
    sources: &SourceMap,
    stderr: &mut dyn Write,
) -> Option<u8> {
    let input = output::clobbered_input(path, folder, sources.paths())?;
    let _ = writeln!(
        stderr,
        "error: writing `{}` would overwrite the input `{}`; choose another output path",
        path.display(),
        sources.display(input)
    );
    Some(EXIT_USAGE)
}

/// Reports an output that was not written; the exit code (130 after SIGINT or SIGTERM,
/// as a shell reports an interrupted command).
fn failed(what: &str, error: &output::Error, stderr: &mut dyn Write) -> u8 {
    match error {
        output::Error::Interrupted => {
            let _ = writeln!(stderr, "error: interrupted: {what} left as it was");
            EXIT_INTERRUPTED
        }
        output::Error::Io(_) => {
            let _ = writeln!(
                stderr,
                "error: cannot write {what}: {error}; the previous output is left as it was"
            );
            EXIT_USAGE
        }
    }
}

/// The Compose files and the loader options a command line asks for.
fn prepare(
    args: &InputArgs,
    env: BTreeMap<String, String>,
) -> Result<(Vec<Input>, Options), String> {
    let working_dir = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let options = Options {
        project_name: args.project_name.clone(),
        profiles: args.profiles.clone(),
        env,
        working_dir,
        env_files: args.env_files.clone(),
        project_dir: args.project_directory.clone(),
    };
    let inputs = resolve_inputs(args, &options)?;
    Ok((inputs, options))
}

/// The Compose files to read: the argument, the `-f` list, `COMPOSE_FILE` (from the
/// environment, else from `.env`), or the file found in the working folder or a parent,
/// with its override file.
fn resolve_inputs(args: &InputArgs, options: &Options) -> Result<Vec<Input>, String> {
    let mut paths: Vec<PathBuf> = args.file.iter().chain(&args.files).cloned().collect();
    let base = options.project_dir.as_ref().map_or_else(
        || options.working_dir.clone(),
        |d| options.working_dir.join(d),
    );
    if paths.is_empty() {
        let dotenv = dotenv_vars(&base);
        let var = |name: &str| {
            options
                .env
                .get(name)
                .or_else(|| dotenv.get(name))
                .map(String::as_str)
        };
        paths = files::from_env(var("COMPOSE_FILE"), var("COMPOSE_PATH_SEPARATOR"));
    }
    if paths.is_empty() {
        paths = files::discover(&base)?;
    }
    let mut stdin_read = false;
    paths
        .into_iter()
        .map(|path| {
            if path.as_os_str() != "-" {
                return Ok(Input::Path(path));
            }
            if std::mem::replace(&mut stdin_read, true) {
                return Err("standard input (`-`) can be read only once".to_string());
            }
            let bytes = crate::load::read_bounded(std::io::stdin())
                .map_err(|e| format!("cannot read standard input: {e}"))?;
            Ok(Input::Stdin(bytes))
        })
        .collect()
}

/// The variables of `.env` in `dir`, for the `COMPOSE_*` settings Compose reads there.
fn dotenv_vars(dir: &Path) -> BTreeMap<String, String> {
    let bytes = crate::load::read_bytes(&dir.join(".env")).unwrap_or_default();
    let text = String::from_utf8(bytes).unwrap_or_default();
    dotenv::parse(&text, &|_| None).0.into_iter().collect()
}

/// `check --policy` in a build without the `policy` feature (and so without cfn-guard):
/// no policy is ever read, and asking for one is a usage error rather than a check that
/// silently passes.
#[cfg(not(feature = "policy"))]
mod policy {
    use std::path::PathBuf;

    /// A policy: none exists in this build.
    pub(super) enum Policy {}

    /// Refuses any `--policy` file.
    pub(super) fn read(paths: &[PathBuf]) -> Result<Vec<Policy>, String> {
        match paths.first() {
            None => Ok(Vec::new()),
            Some(path) => Err(format!(
                "cannot check the policy `{}`: this compose2cfn was built without policy support (the `policy` cargo feature)",
                path.display()
            )),
        }
    }

    /// Nothing to evaluate: [`read`] never gives a policy.
    pub(super) fn apply(_: &[Policy], _: &mut crate::Compilation) -> Result<(), String> {
        Ok(())
    }
}
