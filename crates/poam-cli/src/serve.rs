//! `poam serve`: the tool as a page in the browser, on this machine only.

use super::*;

#[derive(clap::Args)]
pub(crate) struct ServeArgs {
    /// The port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 8470)]
    port: u16,
    /// Open the page in the default browser once the server listens.
    #[arg(long)]
    open: bool,
    /// The largest file that may be dropped on the page, in megabytes.
    #[arg(long, value_name = "MB", default_value_t = 100)]
    max_upload_mb: usize,
    /// Refuse workbooks of more cells than this (as the other commands).
    #[arg(long, value_name = "N", default_value_t = poam_import::Limits::default().max_cells)]
    max_cells: u64,
    /// Refuse zip-based files (xlsx, docx) that inflate past this many megabytes.
    #[arg(long, value_name = "MB", default_value_t = poam_import::Limits::default().max_inflated_bytes / (1024 * 1024))]
    max_inflated_mb: u64,
}

pub(crate) fn serve(args: &ServeArgs) -> Result<u8, Failure> {
    let opts = poam_serve::ServeOptions {
        port: args.port,
        max_upload_bytes: args.max_upload_mb.saturating_mul(1024 * 1024),
        limits: poam_import::Limits {
            max_cells: args.max_cells,
            max_inflated_bytes: args.max_inflated_mb.saturating_mul(1024 * 1024),
        },
        registry: config().registry.clone(),
    };
    let open = args.open;
    poam_serve::serve(opts, |url| {
        // The address goes to standard output (a script reads it there);
        // the rest to standard error.
        println!("{url}");
        let _ = std::io::stdout().flush();
        eprintln!(
            "poam serve: open the address above in your browser (it holds this session's token); nothing leaves this computer. Ctrl-C stops the server."
        );
        if open {
            open_browser(url);
        }
    })
    .map_err(|e| match e {
        e @ poam_serve::ServeError::Bind { .. } => input_failure(anyhow::anyhow!(
            "{e}; choose another with --port (0 picks a free one)"
        )),
        other => output_failure(other),
    })?;
    Ok(0)
}

/// The system's way of opening an address in the default browser.
fn open_browser(url: &str) {
    let mut cmd = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    if cmd
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .is_err()
    {
        eprintln!("poam serve: could not open a browser; open the address yourself");
    }
}
