//! The command line of `cargo xtask` and of the tools it hands commands to: each command
//! declares its options once ([`Command`]), which gives its `--help` and the parser that rejects
//! anything else (exit status 2).
//!
//! Built on lexopt, a small argument lexer with no dependencies, rather than clap's derive: the
//! derive put a second major version of syn and clap's builder, about a fifth of the CPU time of
//! a cold `cargo xtask codegen`, in front of the main job.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::fmt::Write as _;
use std::process::ExitCode;
use std::str::FromStr;

/// One option of a command.
#[derive(Debug, Clone, Copy)]
pub struct Opt {
    /// The long name, without the dashes (`check`).
    pub long: &'static str,
    /// The name of its value in help (`PATH`), or `None` for a flag.
    pub value: Option<&'static str>,
    /// One or more sentences; shown wrapped under the option.
    pub help: &'static str,
    /// Whether it may be given more than once ([`Args::values`]).
    pub repeatable: bool,
}

/// A flag: `--long`, no value.
pub const fn flag(long: &'static str, help: &'static str) -> Opt {
    Opt {
        long,
        value: None,
        help,
        repeatable: false,
    }
}

/// An option with a value: `--long VALUE` or `--long=VALUE`.
pub const fn valued(long: &'static str, value: &'static str, help: &'static str) -> Opt {
    Opt {
        long,
        value: Some(value),
        help,
        repeatable: false,
    }
}

/// An option with a value that may be given again: `--long A --long B`.
pub const fn repeated(long: &'static str, value: &'static str, help: &'static str) -> Opt {
    Opt {
        long,
        value: Some(value),
        help,
        repeatable: true,
    }
}

/// A command: its name, what it does, its arguments.
#[derive(Debug, Clone, Copy)]
pub struct Command {
    /// As typed after `cargo xtask` (`codegen`).
    pub name: &'static str,
    /// The first line of `--help` and the line in `cargo xtask --help`.
    pub summary: &'static str,
    /// Further paragraphs of `--help`.
    pub details: &'static str,
    /// Positional arguments as the usage line shows them (`[OLD] [NEW]`), empty for none.
    pub positional: &'static str,
    /// How many positional arguments it takes at most.
    pub max_positional: usize,
    /// Whether arguments after `--` are taken as they are (handed to another program).
    pub trailing: Option<&'static str>,
    /// Its options.
    pub options: &'static [Opt],
}

/// Parsed arguments of one command.
#[derive(Debug, Default)]
pub struct Args {
    command: &'static str,
    flags: BTreeSet<&'static str>,
    values: BTreeMap<&'static str, Vec<String>>,
    /// Positional arguments, in order.
    pub positional: Vec<String>,
    /// Arguments after `--`.
    pub trailing: Vec<String>,
}

/// How parsing ended when the command is not to run: help was printed (status 0) or the
/// arguments were wrong (the message was printed, status 2).
#[derive(Debug)]
pub struct Exit(pub ExitCode);

impl Command {
    /// `cargo xtask <name> --help`.
    pub fn help(&self) -> String {
        let mut text = format!("{}\n", self.summary);
        if !self.details.is_empty() {
            let _ = writeln!(text, "\n{}", wrap(self.details, 0));
        }
        let _ = writeln!(text, "\nUsage: {}", self.usage());
        if !self.options.is_empty() {
            text.push_str("\nOptions:\n");
            for opt in self.options {
                let _ = writeln!(
                    text,
                    "  --{}{}{}\n{}",
                    opt.long,
                    opt.value.map(|v| format!(" <{v}>")).unwrap_or_default(),
                    if opt.repeatable { "..." } else { "" },
                    wrap(opt.help, 10)
                );
            }
        }
        text.push_str("  -h, --help\n          Print help\n");
        text
    }

    fn usage(&self) -> String {
        let mut usage = format!("cargo xtask {}", self.name);
        if !self.options.is_empty() {
            usage.push_str(" [OPTIONS]");
        }
        if !self.positional.is_empty() {
            let _ = write!(usage, " {}", self.positional);
        }
        if let Some(trailing) = self.trailing {
            let _ = write!(usage, " [-- {trailing}...]");
        }
        usage
    }

    /// Prints `message` as an argument error and returns status 2.
    pub fn usage_error(&self, message: &str) -> Exit {
        eprintln!(
            "error: {message}\n\nUsage: {}\n\nFor more information, try `cargo xtask {} --help`.",
            self.usage(),
            self.name
        );
        Exit(ExitCode::from(2))
    }

    /// Parses the arguments after the command name.
    pub fn parse(&self, args: impl IntoIterator<Item = OsString>) -> Result<Args, Exit> {
        use lexopt::Arg;
        let mut parser = lexopt::Parser::from_args(args);
        let mut parsed = Args {
            command: self.name,
            ..Args::default()
        };
        loop {
            if self.trailing.is_some()
                && let Ok(mut raw) = parser.raw_args()
                && raw.peek().is_some_and(|arg| arg == "--")
            {
                raw.next();
                for arg in raw {
                    let arg = arg
                        .into_string()
                        .map_err(|_| self.usage_error("an argument after `--` is not UTF-8"))?;
                    parsed.trailing.push(arg);
                }
                break;
            }
            let arg = match parser.next() {
                Ok(Some(arg)) => arg,
                Ok(None) => break,
                Err(error) => return Err(self.usage_error(&error.to_string())),
            };
            match arg {
                Arg::Short('h') | Arg::Long("help") => {
                    print!("{}", self.help());
                    return Err(Exit(ExitCode::SUCCESS));
                }
                Arg::Long(long) => {
                    let long = long.to_owned();
                    let Some(opt) = self.options.iter().find(|o| o.long == long) else {
                        return Err(self.usage_error(&format!("unexpected argument `--{long}`")));
                    };
                    let repeated = match opt.value {
                        None => {
                            if parser.optional_value().is_some() {
                                return Err(self.usage_error(&format!("`--{long}` takes no value")));
                            }
                            !parsed.flags.insert(opt.long)
                        }
                        Some(name) => {
                            let value = parser
                                .value()
                                .map_err(|_| {
                                    self.usage_error(&format!(
                                        "`--{long}` needs a value (<{name}>)"
                                    ))
                                })?
                                .into_string()
                                .map_err(|_| {
                                    self.usage_error(&format!(
                                        "the value of `--{long}` is not UTF-8"
                                    ))
                                })?;
                            let given = parsed.values.entry(opt.long).or_default();
                            given.push(value);
                            given.len() > 1 && !opt.repeatable
                        }
                    };
                    if repeated {
                        return Err(self.usage_error(&format!("`--{long}` is given twice")));
                    }
                }
                Arg::Short(short) => {
                    return Err(self.usage_error(&format!("unexpected argument `-{short}`")));
                }
                Arg::Value(value) => {
                    let value = value.into_string().map_err(|value| {
                        self.usage_error(&format!("argument `{}` is not UTF-8", value.display()))
                    })?;
                    if parsed.positional.len() == self.max_positional {
                        return Err(self.usage_error(&format!("unexpected argument `{value}`")));
                    }
                    parsed.positional.push(value);
                }
            }
        }
        Ok(parsed)
    }
}

impl Args {
    /// Whether the flag `--long` was given.
    pub fn flag(&self, long: &str) -> bool {
        self.flags.contains(long)
    }

    /// The value of `--long`, when given.
    pub fn value(&self, long: &str) -> Option<&str> {
        self.values(long).last().map(String::as_str)
    }

    /// Every value of `--long`, in the order given (a [`repeated`] option's).
    pub fn values(&self, long: &str) -> &[String] {
        self.values.get(long).map_or(&[], Vec::as_slice)
    }

    /// The value of `--long` parsed as `T`; `what` describes the values accepted.
    pub fn parsed<T: FromStr>(&self, long: &str, what: &str) -> Result<Option<T>, String> {
        self.value(long)
            .map(|text| {
                text.parse()
                    .map_err(|_| format!("`--{long} {text}`: expected {what}"))
            })
            .transpose()
    }

    /// A comma-separated list, empty items dropped.
    pub fn list(&self, long: &str) -> Option<Vec<String>> {
        self.value(long).map(|text| {
            text.split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(str::to_owned)
                .collect()
        })
    }

    /// The command these arguments were given to.
    pub fn command(&self) -> &'static str {
        self.command
    }
}

/// The commands of `cargo xtask --help`: name and summary, in order.
pub fn overview(commands: &[Command]) -> String {
    let width = commands.iter().map(|c| c.name.len()).max().unwrap_or(0);
    let mut text = String::from(
        "The project's tasks: generate clients from specs, import and update Alibaba's metadata, benchmark.\n\nUsage: cargo xtask <COMMAND> [OPTIONS]\n\nCommands:\n",
    );
    for command in commands {
        let _ = writeln!(text, "  {:width$}  {}", command.name, command.summary);
    }
    text.push_str(
        "\nOptions:\n  -h, --help     Print help (`cargo xtask <COMMAND> --help` explains one)\n  -V, --version  Print version\n",
    );
    text
}

/// `text` wrapped at 100 columns, each line indented by `indent` spaces; blank lines in `text`
/// separate paragraphs.
fn wrap(text: &str, indent: usize) -> String {
    let mut out = String::new();
    for (i, paragraph) in text.split("\n\n").enumerate() {
        if i > 0 {
            out.push_str("\n\n");
        }
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            if !line.is_empty() && indent + line.len() + 1 + word.len() > 100 {
                let _ = writeln!(out, "{:indent$}{line}", "");
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        let _ = write!(out, "{:indent$}{line}", "");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRY: Command = Command {
        name: "try",
        summary: "Try.",
        details: "",
        positional: "[A]",
        max_positional: 1,
        trailing: Some("REST"),
        options: &[
            flag("check", "Check."),
            valued("jobs", "N", "Jobs."),
            repeated("param", "K=V", "Params."),
        ],
    };

    fn parse(args: &[&str]) -> Result<Args, Exit> {
        TRY.parse(args.iter().map(OsString::from))
    }

    #[test]
    fn flags_values_positionals_and_trailing_arguments() {
        let args = parse(&["--jobs=3", "a", "--check", "--", "--x", "y"]).unwrap();
        assert!(args.flag("check"));
        assert_eq!(args.parsed::<u8>("jobs", "a number").unwrap(), Some(3));
        assert_eq!(args.positional, ["a"]);
        assert_eq!(args.trailing, ["--x", "y"]);
        let spaced = parse(&["--jobs", "4"]).unwrap();
        assert_eq!(spaced.value("jobs"), Some("4"));
        assert!(!spaced.flag("check"));
        assert!(spaced.values("param").is_empty());
        let repeated = parse(&["--param", "a=1", "--param=b=2"]).unwrap();
        assert_eq!(repeated.values("param"), ["a=1", "b=2"]);
    }

    #[test]
    fn anything_undeclared_is_refused() {
        for wrong in [
            &["--bogus"][..],
            &["-x"],
            &["a", "b"],
            &["--check", "--check"],
            &["--jobs"],
            &["--check=yes"],
        ] {
            assert!(parse(wrong).is_err(), "{wrong:?} is accepted");
        }
        assert!(
            parse(&["--jobs", "x"])
                .unwrap()
                .parsed::<u8>("jobs", "a number")
                .is_err()
        );
    }

    #[test]
    fn help_lists_every_option() {
        let help = TRY.help();
        assert!(help.starts_with("Try.\n\nUsage: cargo xtask try [OPTIONS] [A] [-- REST...]\n"));
        assert!(help.contains(
            "  --check\n          Check.\n  --jobs <N>\n          Jobs.\n  --param <K=V>...\n          Params.\n"
        ));
    }
}
