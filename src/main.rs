//! `transport-langevin`: the command line (see `transport-langevin help`).

mod cli;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match cli::run(&args) {
        Ok(out) => {
            print!("{}", out.stdout);
            if let Some(e) = out.failure {
                eprintln!("error: {e}");
                std::process::exit(e.exit_code());
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(e.exit_code());
        }
    }
}
