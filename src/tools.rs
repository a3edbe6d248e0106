//! `geosim completions SHELL` and `geosim man`: generated from the clap definition of the
//! command line (`cli`), so they list every subcommand and option as built.

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;
pub use crate::cli::CompletionShell;

fn generator(shell: CompletionShell) -> Shell {
    match shell {
        CompletionShell::Bash => Shell::Bash,
        CompletionShell::Zsh => Shell::Zsh,
        CompletionShell::Fish => Shell::Fish,
        CompletionShell::Powershell => Shell::PowerShell,
    }
}

/// The completion script for `shell`.
pub fn completions(shell: CompletionShell) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(generator(shell), &mut cmd, "geosim", &mut out);
    out
}

/// The man page, in roff: `geosim man > geosim.1; man ./geosim.1`. One page: the
/// top-level page clap_mangen renders, then a section per subcommand with its synopsis
/// and options, as `geosim SUBCOMMAND --help` shows them.
pub fn man() -> std::io::Result<Vec<u8>> {
    let mut cmd = Cli::command();
    cmd.build();
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut out)?;
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let page = clap_mangen::Man::new(sub.clone());
        let mut synopsis = Vec::new();
        page.render_synopsis_section(&mut synopsis)?;
        let mut options = Vec::new();
        page.render_options_section(&mut options)?;
        let title = format!(".SH \"GEOSIM {}\"\n", sub.get_name().to_uppercase());
        out.extend_from_slice(title.as_bytes());
        if let Some(about) = sub.get_about() {
            out.extend_from_slice(roff_text(&about.to_string()).as_bytes());
        }
        for part in [synopsis, options] {
            // Sections of the subcommand become subsections of its section.
            let text = String::from_utf8_lossy(&part).replace(".SH ", ".SS ");
            out.extend_from_slice(text.as_bytes());
        }
    }
    Ok(out)
}

/// A line of plain text for roff: a leading `.` or `'` would be read as a request.
fn roff_text(text: &str) -> String {
    let escaped = text.replace('\\', "\\e");
    if escaped.starts_with(['.', '\'']) {
        format!("\\&{escaped}\n")
    } else {
        format!("{escaped}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;

    #[test]
    fn bash_completion_names_every_subcommand_and_run_options() {
        let script = String::from_utf8(completions(CompletionShell::Bash)).unwrap();
        assert!(
            script.contains("complete -F _geosim"),
            "not a bash completion"
        );
        for word in [
            "run",
            "check",
            "sweep",
            "merge",
            "regions",
            "schema",
            "completions",
            "man",
        ] {
            assert!(script.contains(word), "{word} missing");
        }
        for opt in ["--set", "--export", "--variant", "--no-charts", "--quiet"] {
            assert!(script.contains(opt), "{opt} missing");
        }
    }

    #[test]
    fn man_page_has_a_section_per_subcommand_with_its_options() {
        let page = String::from_utf8(man().unwrap()).unwrap();
        assert!(
            page.starts_with(".ie") || page.contains(".TH geosim 1"),
            "{}",
            &page[..200]
        );
        for sub in [
            "RUN",
            "CHECK",
            "SWEEP",
            "MERGE",
            "REGIONS",
            "SCHEMA",
            "COMPLETIONS",
            "MAN",
        ] {
            assert!(
                page.contains(&format!(".SH \"GEOSIM {sub}\"")),
                "{sub} missing"
            );
        }
        let run = &page[page.find(".SH \"GEOSIM RUN\"").unwrap()..];
        let run = &run[..run.find(".SH \"GEOSIM CHECK\"").unwrap()];
        assert!(run.contains("\\-\\-export"), "{run}");
        assert!(run.contains(".SS SYNOPSIS"));
    }

    #[test]
    fn every_shell_gets_a_script() {
        for shell in CompletionShell::value_variants() {
            let script = completions(*shell);
            assert!(
                String::from_utf8(script).unwrap().contains("geosim"),
                "{shell:?}"
            );
        }
    }
}
