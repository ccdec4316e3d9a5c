//! The `shopdesk` binary: everything happens in the library; see `shopdesk::cli`.

fn main() -> std::process::ExitCode {
    shopdesk::cli::main()
}
