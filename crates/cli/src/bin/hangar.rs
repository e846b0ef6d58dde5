//! `hangar`: the command-line companion to the desktop app (the interface of `machine`).

fn main() {
    hangar_cli::main()
}
