//! `wxopen sandbox serve`.

#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Port on 127.0.0.1 (0 picks a free one)
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// How many authorizers to seed (up to 200,000)
    #[arg(long, default_value_t = 2000)]
    pub authorizers: usize,
}

/// Runs the simulator until interrupted; returns the process exit code.
pub fn run(args: ServeArgs, json: bool) -> i32 {
    let _ = (args, json);
    eprintln!("wxopen sandbox serve: not implemented yet");
    2
}
