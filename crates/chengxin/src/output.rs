//! Writing a command's answer to stdout. A reader that stops early (`chengxin verify | head`)
//! closes the pipe: that is not an error and must not panic (as `println!` would).

use std::io::Write;

/// Write `text` and a newline to stdout; a closed pipe ends the output quietly.
pub fn print_lines(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out
        .write_all(text.as_bytes())
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush())
    {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
