//! `machine`: the same CLI as `hangar`, under the name of the tool it replaces.

fn main() {
    hangar_cli::main()
}
