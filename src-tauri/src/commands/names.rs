/// Every command the shell registers (also read by build.rs to generate ACL permissions).
pub const COMMANDS: [&str; 2] = ["app_info", "ui_ready"];
