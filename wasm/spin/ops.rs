//! What the spin-sdk commands share: one operation per argument, one line printed each,
//! and stores opened on first use and kept, as an application keeps its handles. Included by
//! each guest's `main.rs` (`#[path]`), so each stays a plain spin-sdk binary.

/// Runs every argument as one operation in order, printing the answer, or the operation
/// and the store's error variant (`error_words`) when it fails.
pub fn run_args<E>(mut run: impl FnMut(&[&str]) -> Result<String, E>, error_words: impl Fn(&E) -> String) {
    for op in std::env::args().skip(1) {
        let words: Vec<&str> = op.split(' ').collect();
        let line = match run(&words) {
            Ok(line) => line,
            Err(e) => format!("{}: error {}", words.join(" "), error_words(&e)),
        };
        println!("{line}");
    }
}

/// The handle opened for `name`, opening it with `open` the first time.
pub fn opened<'h, H, E>(handles: &'h mut Vec<(String, H)>, name: &str, open: impl FnOnce(&str) -> Result<H, E>) -> Result<&'h H, E> {
    if let Some(i) = handles.iter().position(|(n, _)| n == name) {
        return Ok(&handles[i].1);
    }
    let handle = open(name)?;
    handles.push((name.to_string(), handle));
    Ok(&handles.last().expect("just pushed").1)
}
