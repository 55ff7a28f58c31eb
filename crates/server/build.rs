//! Records the git revision the server is built from, for the `mosaic_build_info` metric and
//! `--version`. `MOSAIC_GIT_REVISION` in the build's environment wins (a build from a source
//! archive has no git); otherwise `git rev-parse`; otherwise `unknown`. Nothing is downloaded.

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=MOSAIC_GIT_REVISION");
    let revision = std::env::var("MOSAIC_GIT_REVISION")
        .ok()
        .filter(|r| !r.trim().is_empty())
        .or_else(git_revision)
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=MOSAIC_GIT_REVISION={revision}");
}

fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    (output.status.success() && !text.trim().is_empty()).then(|| text.trim().to_owned())
}

fn git_revision() -> Option<String> {
    let revision = git(&["rev-parse", "--short=12", "HEAD"])?;
    // Built again when HEAD moves (a commit or a checkout writes its log). A path that does
    // not exist would make cargo rebuild every time, so only existing ones are named.
    for name in ["HEAD", "logs/HEAD"] {
        if let Some(path) = git(&["rev-parse", "--git-path", name])
            && Path::new(&path).exists()
        {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    Some(revision)
}
