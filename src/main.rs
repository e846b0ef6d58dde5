//! `hangar`: the command-line companion to the desktop app.

fn main() {
    let info = hangar::about::build_info();
    println!("{} {}", info.name, info.version);
}
