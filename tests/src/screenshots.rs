use std::path::PathBuf;

/// `<workspace>/target/screenshots`, where every e2e test leaves its pictures.
pub fn dir() -> PathBuf {
    let dir = super::workspace_root().join("target").join("screenshots");
    std::fs::create_dir_all(&dir).expect("create target/screenshots");
    dir
}

pub fn save(name: &str, png: &[u8]) -> PathBuf {
    assert!(
        png.starts_with(b"\x89PNG"),
        "WebDriver screenshot is not a PNG"
    );
    let path = dir().join(format!("{name}.png"));
    std::fs::write(&path, png).expect("write screenshot");
    eprintln!("screenshot: {}", path.display());
    path
}
