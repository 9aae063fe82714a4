use std::path::PathBuf;

/// `<workspace>/target/screenshots`, where every e2e test leaves its pictures.
pub fn dir() -> PathBuf {
    let dir = super::workspace_root().join("target").join("screenshots");
    std::fs::create_dir_all(&dir).expect("create target/screenshots");
    dir
}

/// Captures the whole X display with ImageMagick's `import`.
pub fn capture(display: &str, name: &str) -> PathBuf {
    let path = dir().join(format!("{name}.png"));
    let status = std::process::Command::new("import")
        .args(["-display", display, "-window", "root"])
        .arg(&path)
        .status()
        .expect("run ImageMagick `import` (Debian: imagemagick)");
    assert!(status.success(), "import failed for {}", path.display());
    let png = std::fs::read(&path).expect("read screenshot");
    assert!(
        png.starts_with(b"\x89PNG"),
        "{} is not a PNG",
        path.display()
    );
    eprintln!("screenshot: {}", path.display());
    path
}
